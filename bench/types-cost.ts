/**
 * `npm run bench:types`: what type inference of the extensions costs the compiler. Type-checks
 * `src/Stanza.ts` alone, then `src/ext/index.ts` (which adds the `Extension` kit and every wave-1
 * extension, their records all inferred), and prints tsc's counts for both and the difference,
 * so a change that makes inference expensive shows up in review.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const root = resolve(import.meta.dirname, '..')
const tsc = join(root, 'node_modules', '.bin', 'tsc')

const counts = (entry: string): Readonly<Record<string, number>> => {
  const dir = mkdtempSync(join(tmpdir(), 'stanzakit-types-'))
  try {
    const config = join(dir, 'tsconfig.json')
    writeFileSync(
      config,
      JSON.stringify({
        extends: join(root, 'tsconfig.json'),
        compilerOptions: {
          noEmit: true,
          rootDir: root,
          typeRoots: [join(root, 'node_modules', '@types')],
        },
        files: [join(root, entry)],
        include: [],
      }),
    )
    const out = execFileSync(tsc, ['-p', config, '--extendedDiagnostics'], { encoding: 'utf8' })
    const r: Record<string, number> = {}
    for (const m of out.matchAll(/^(Types|Instantiations|Symbols):\s+(\d+)/gm))
      if (m[1] !== undefined && m[2] !== undefined) r[m[1]] = Number(m[2])
    return r
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

const base = counts('src/Stanza.ts')
const ext = counts('src/ext/index.ts')
const rows = ['Types', 'Instantiations', 'Symbols'].map((k) => {
  const a = base[k] ?? 0
  const b = ext[k] ?? 0
  return `${k.padEnd(15)} ${String(a).padStart(8)} ${String(b).padStart(10)} ${String(b - a).padStart(8)}`
})
console.log(
  `${'tsc count'.padEnd(15)} ${'Stanza'.padStart(8)} ${'+ src/ext'.padStart(10)} ${'ext'.padStart(8)}`,
)
console.log(rows.join('\n'))
