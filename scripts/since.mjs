#!/usr/bin/env node
/**
 * `npm run lint:docs`: every exported declaration of the public API has a doc comment with
 * `@category` and `@since` (docs/style.md "Docs").
 *
 * The public modules are those the package's `exports` map (package.json) reaches: each subpath's
 * source file under src/, and every module those re-export (`export * from`, `export * as N
 * from`, `export { … } from`), transitively. Modules in `internal/` directories, `cli.ts` and
 * `bin.ts` are checked only if the public ones re-export them.
 *
 * In each public module, a top-level `export const|let|function|class|interface|type|enum|
 * namespace NAME` needs the doc comment just above it (`/** … *\/`, nothing between) to hold both
 * tags. A name declared again in the same module (function overloads, a merged interface) needs
 * it only on its first declaration. A declaration marked `@internal` is not API and is skipped.
 * Re-exports carry no comment: their source is checked.
 *
 * Prints each miss as `file:line: NAME: what is missing` and exits 1 if there is any.
 * Usage: `node scripts/since.mjs [root]` (default: the repository holding this script).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..'))
const src = join(root, 'src')
const TAGS = ['@category', '@since']

/** `./dist/esm/ext/*.js` → the source files it stands for. */
const sourcesOf = (target) => {
  const m = /^\.\/dist\/esm\/(.+)\.js$/.exec(target)
  if (m === null) return []
  const path = m[1]
  if (!path.endsWith('*')) return [join(src, `${path}.ts`)]
  const dir = join(src, dirname(path))
  return readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => join(dir, f))
}

/** The `import` condition's `default` of every subpath: `{ ".": { import: { default } } }`. */
const entryTargets = (exportsMap) =>
  Object.values(exportsMap).flatMap((v) =>
    typeof v === 'string' ? [v] : [v?.import?.default].filter((t) => typeof t === 'string'),
  )

const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const queue = entryTargets(manifest.exports ?? {}).flatMap(sourcesOf)
const modules = new Set()
const REEXPORT =
  /^export\s+(?:type\s+)?(?:\*(?:\s+as\s+[\w$]+)?|\{[^}]*\})\s*from\s*['"](\.[^'"]+)['"]/gm
while (queue.length > 0) {
  const file = queue.pop()
  if (modules.has(file) || !existsSync(file)) continue
  modules.add(file)
  const text = readFileSync(file, 'utf8')
  for (const m of text.matchAll(REEXPORT))
    queue.push(join(dirname(file), m[1].replace(/\.js$/, '.ts')))
}

const DECLARATION =
  /^export\s+(?:declare\s+)?(?:default\s+)?(?:async\s+)?(?:abstract\s+)?(const|let|var|function\*?|class|interface|type|enum|namespace)\s+([\w$]+)/

/** The `/** … *\/` block that ends on the line just above `index`, or undefined. */
const docAbove = (lines, index) => {
  const end = index - 1
  if (end < 0 || !/\*\/\s*$/.test(lines[end])) return undefined
  for (let i = end; i >= 0; i--) {
    if (/^\s*\/\*\*/.test(lines[i])) return lines.slice(i, end + 1).join('\n')
    if (i < end && /\*\//.test(lines[i])) return undefined
  }
  return undefined
}

const misses = []
let checked = 0
for (const file of [...modules].sort()) {
  const lines = readFileSync(file, 'utf8').split('\n')
  const seen = new Set()
  lines.forEach((line, i) => {
    const m = DECLARATION.exec(line)
    if (m === null) return
    const name = m[2]
    if (seen.has(name)) return
    seen.add(name)
    checked++
    const doc = docAbove(lines, i)
    if (doc?.includes('@internal')) return
    const missing = doc === undefined ? [] : TAGS.filter((t) => !doc.includes(t))
    const why =
      doc === undefined
        ? 'no doc comment just above it'
        : missing.length > 0
          ? `its doc comment has no ${missing.join(' and no ')}`
          : undefined
    if (why !== undefined) misses.push(`${relative(root, file)}:${i + 1}: ${name}: ${why}`)
  })
}

for (const m of misses) console.error(m)
console.log(
  `${checked} exported declarations in ${modules.size} public modules; ${misses.length} without ${TAGS.join(' and ')}`,
)
process.exitCode = misses.length > 0 ? 1 : 0
