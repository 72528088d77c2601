/**
 * The published package as a user gets it: `npm pack`, installed into a fresh project, imported
 * from ESM and CommonJS by every documented path, and type-checked both ways.
 */

import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'

const root = resolve(__dirname, '..')
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  exports: Record<string, unknown>
}
// `./ext/*` stands for one subpath per extension module.
const extModules = readdirSync(join(root, 'src', 'ext'))
  .filter((f) => f.endsWith('.ts') && f !== 'index.ts')
  .map((f) => f.slice(0, -3))
const subpaths = Object.keys(manifest.exports)
  .filter((k) => k !== '.' && k !== './package.json')
  .flatMap((k) => (k.endsWith('/*') ? extModules.map((m) => `${k.slice(0, -1)}${m}`) : [k]))
  .map((k) => `stanzakit/${k.slice(2)}`)

let project = ''

const run = (cmd: string, args: ReadonlyArray<string>): string =>
  execFileSync(cmd, args, { cwd: project, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), 'stanzakit-pack-'))
  const packed = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--pack-destination', project], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  ) as ReadonlyArray<{ filename: string }>
  const tarball = join(project, packed[0]?.filename ?? '')
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true }))
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball])
}, 180_000)

afterAll(() => {
  if (project !== '') rmSync(project, { recursive: true, force: true })
})

describe('package', () => {
  it('imports from ESM: namespaces from the root and every subpath', () => {
    const script = [
      "import { Message, Presence, Iq, Jid, Xml, Stanza, StanzaError, DecodeError } from 'stanzakit'",
      ...subpaths.map((p, i) => `import * as m${i} from '${p}'`),
      "import * as MessageSub from 'stanzakit/Message'",
      'const s = Stanza.decode("<message to=\'a@b.example\'><body>hi</body></message>")',
      'if (s._tag !== "Right" || Message.getBody(s.right)._tag !== "Some") process.exit(3)',
      'if (MessageSub.reply !== Message.reply) process.exit(4)',
      `const loaded = [${subpaths.map((_, i) => `m${i}`).join(', ')}].every((m) => Object.keys(m).length > 0)`,
      'if (!loaded || !Presence.getType || !Iq.get || !Jid.parse || !Xml.parse || !StanzaError.make || !DecodeError.format) process.exit(5)',
      'console.log("esm ok")',
    ].join('\n')
    writeFileSync(join(project, 'esm.mjs'), script)
    expect(run('node', ['esm.mjs']).trim()).toBe('esm ok')
  })

  it('requires from CommonJS: namespaces from the root and every subpath', () => {
    const script = [
      "const { Message, Jid, Stanza } = require('stanzakit')",
      `const subs = ${JSON.stringify(subpaths)}.map((p) => require(p))`,
      "const j = Jid.parse('Juliet@Example.com')",
      "if (j._tag !== 'Right' || j.right !== 'juliet@example.com') process.exit(3)",
      "if (require('stanzakit/Message').reply !== Message.reply) process.exit(4)",
      'if (!subs.every((m) => Object.keys(m).length > 0) || typeof Stanza.decode !== "function") process.exit(5)',
      'console.log("cjs ok")',
    ].join('\n')
    writeFileSync(join(project, 'cjs.cjs'), script)
    expect(run('node', ['cjs.cjs']).trim()).toBe('cjs ok')
  })

  it('ships types that resolve for both module systems', () => {
    const source = [
      "import { Message, Jid } from 'stanzakit'",
      "import * as Presence from 'stanzakit/Presence'",
      'export const m: Message.Message = Message.make({ body: "x" })',
      'export const p: Presence.Presence = Presence.make()',
      'export const j: Jid.Jid | undefined = undefined',
    ].join('\n')
    writeFileSync(join(project, 'types.mts'), source)
    writeFileSync(join(project, 'types.cts'), source)
    const tsc = join(root, 'node_modules', '.bin', 'tsc')
    const flags = ['--noEmit', '--strict', '--module', 'nodenext', '--skipLibCheck']
    expect(() => run(tsc, [...flags, 'types.mts', 'types.cts'])).not.toThrow()
  })
})
