// `npm run examples`: every `@example` in the doc comments of src/ compiles and runs
// (docs/style.md "Docs").
//
// Each example becomes a module of its own under .examples/ (ignored by git), with `stanzakit`
// imports pointed at src/. All are type-checked in one strict tsc run, which also writes them
// (and src/) as JavaScript to .examples/js/; those that declare no ambient values (`declare const
// session: …` marks an example that needs a live stream or socket) are then run with node, and
// must not throw, reject or take longer than 20 s. Exit status 1 when any fails, with the file
// and line in src/.
//
// Usage: `node scripts/examples.mjs [FILTER…]`: with filters, only the examples whose file path
// contains one of them (`node scripts/examples.mjs src/rx Iq.ts`).
import { execFile, execFileSync } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { join, relative, resolve } from 'node:path'

const root = resolve(import.meta.dirname, '..')
const out = join(root, '.examples')
const js = join(out, 'js')
const filters = process.argv.slice(2)
const TIMEOUT = 20_000

const walk = (dir) =>
  readdirSync(dir)
    .sort()
    .flatMap((f) => {
      const p = join(dir, f)
      return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : []
    })

/** `stanzakit` and `stanzakit/X` → the source module, as from .examples/. */
const target = (spec) => {
  if (spec === 'stanzakit') return '../src/index.js'
  const sub = spec.slice('stanzakit/'.length)
  if (sub === 'rx' || sub === 'ext' || sub === 'connection') return `../src/${sub}/index.js`
  return `../src/${sub}.js`
}

const rewrite = (code) =>
  code
    .replace(/from '(stanzakit(?:\/[A-Za-z/]+)?)'/g, (_, spec) => `from '${target(spec)}'`)
    // fp-ts has no exports map: Node's ESM loader needs the file (bundlers and CommonJS do not).
    .replace(/from 'fp-ts\/([A-Za-z]+)'/g, "from 'fp-ts/lib/$1.js'")

// -------------------------------------------------------------------------------------
// extract: { file, line (of `@example`), first (source line of the code's first line), margins,
// code }
// -------------------------------------------------------------------------------------

const examples = []
for (const file of walk(join(root, 'src'))) {
  const rel = relative(root, file)
  if (filters.length > 0 && !filters.some((f) => rel.includes(f))) continue
  const lines = readFileSync(file, 'utf8').split('\n')
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s*\* @example\s*$/.test(lines[i] ?? '')) continue
    const body = []
    const margins = [] // the width of ` * ` on each line, for columns
    let j = i + 1
    for (; j < lines.length; j++) {
      const l = lines[j] ?? ''
      if (/^\s*\*\//.test(l) || /^\s*\* @/.test(l)) break
      const margin = /^\s*\* ?/.exec(l)?.[0].length ?? 0
      body.push(l.slice(margin))
      margins.push(margin)
    }
    const lead = body.findIndex((l) => l.trim() !== '')
    const code = body.join('\n').trim()
    if (code !== '')
      examples.push({
        file: rel,
        line: i + 1,
        first: i + 2 + lead,
        margins: margins.slice(lead),
        code,
      })
    i = j - 1
  }
}

rmSync(out, { recursive: true, force: true })
mkdirSync(out)
const names = examples.map((e, n) => {
  const name = `ex${String(n).padStart(3, '0')}`
  // One header line (so line L of the file is source line e.first + L - 2); `export {}` keeps
  // every example a module of its own.
  writeFileSync(join(out, `${name}.ts`), `// ${e.file}:${e.line}\n${rewrite(e.code)}\nexport {}\n`)
  return name
})
writeFileSync(
  join(out, 'tsconfig.json'),
  JSON.stringify({
    extends: '../tsconfig.json',
    compilerOptions: {
      rootDir: '..',
      outDir: 'js',
      noUnusedLocals: false,
      declaration: false,
      declarationMap: false,
      sourceMap: false,
    },
    include: ['*.ts'],
  }),
)

// -------------------------------------------------------------------------------------
// type-check (and write JavaScript even when there are type errors)
// -------------------------------------------------------------------------------------

const failed = new Set()
const report = (n, message) => {
  failed.add(n)
  console.error(message)
}

try {
  execFileSync(join(root, 'node_modules', '.bin', 'tsc'), ['-p', join(out, 'tsconfig.json')], {
    encoding: 'utf8',
    stdio: 'pipe',
  })
} catch (e) {
  // An error in an example is reported at its line in src/; anything else (src/ itself does not
  // compile) is printed as tsc wrote it, and fails the run too.
  const text = `${e.stdout ?? ''}${e.stderr ?? ''}`
  const other = []
  let inExample = false // an indented line continues the error above it
  for (const line of text.split('\n')) {
    const m = /ex(\d{3})\.ts\((\d+),(\d+)\): error (TS\d+): (.*)/.exec(line)
    if (m === null) {
      if (/^\s/.test(line) ? !inExample : line.trim() !== '') {
        other.push(line)
        inExample = false
      }
      continue
    }
    inExample = true
    const n = Number(m[1])
    const ex = examples[n]
    const at = Number(m[2]) - 2 // 0-based line of the example's code
    const column = Number(m[3]) + (ex.margins[at] ?? 0)
    report(n, `${ex.file}:${ex.first + at}:${column}: example does not compile: ${m[4]} ${m[5]}`)
  }
  if (other.length > 0) {
    console.error(`tsc (outside the examples):\n${other.join('\n')}`)
    process.exitCode = 1
  }
}

// -------------------------------------------------------------------------------------
// run those without `declare`, a few at a time
// -------------------------------------------------------------------------------------

const runnable = examples.map((_, n) => n).filter((n) => !/\bdeclare\b/.test(examples[n].code))

/** What node printed as thrown (after the `^` under the source line), on one line. */
const thrown = (stderr) => {
  const lines = stderr.split('\n')
  const body = []
  for (const l of lines.slice(lines.findIndex((l) => /^\s*\^+\s*$/.test(l)) + 1)) {
    if (/^\s+at /.test(l) || /^Node\.js v/.test(l)) break
    if (l.trim() !== '') body.push(l.trim())
  }
  const text = body.join(' ')
  return text === '' ? undefined : text.length > 200 ? `${text.slice(0, 199)}…` : text
}

const run = (n) =>
  new Promise((done) => {
    const file = join(js, '.examples', `${names[n]}.js`)
    execFile(process.execPath, [file], { cwd: out, timeout: TIMEOUT }, (err, _stdout, stderr) => {
      if (err !== null) {
        const ex = examples[n]
        const why = err.killed
          ? `did not finish within ${TIMEOUT / 1000} s`
          : (thrown(`${stderr}`) ?? `exit status ${err.code}`)
        report(n, `${ex.file}:${ex.line}: example throws: ${why}`)
      }
      done()
    })
  })

let next = 0
const worker = async () => {
  while (next < runnable.length) await run(runnable[next++])
}
await Promise.all(Array.from({ length: Math.max(1, availableParallelism()) }, worker))

console.log(
  `${examples.length} examples: ${examples.length} type-checked, ${runnable.length} run, ` +
    `${examples.length - runnable.length} type-checked only (declare); ${failed.size} failed` +
    (process.exitCode === 1 && failed.size === 0 ? ' (but src/ does not compile, above)' : ''),
)
if (failed.size > 0) process.exitCode = 1
