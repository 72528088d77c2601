#!/usr/bin/env node
/**
 * The import-layer check (README, Contributing: "Layers"): reads every
 * `src/**\/*.ts`, extracts its imports and re-exports, and checks the written layering.
 *
 *   internal leaves → Xml → Jid → DecodeError → codec glue → StanzaError → stanza core → kinds
 *   → Stanza → Extension → ext/* → rx → connection → cli
 *
 * Rules, each checked per import:
 * - a value import points to the same or a lower layer;
 * - an `import type` (or `import { type A, type B }`, or `export type … from`) may also point up,
 *   but only to the union module, `Stanza.ts`;
 * - a module in `internal/` that is a leaf imports no public module as a value (the stanza core,
 *   `internal/stanza.ts`, and the codec glue, `internal/codec.ts`, just above DecodeError, have
 *   their own places in the order above and follow it instead);
 * - `rxjs` only in `rx/` and `connection/`; Node built-ins only in `connection/`, `cli.ts` and
 *   `bin.ts`; `fast-xml-parser` as a value only in `Xml.ts`;
 * - every module has a layer: a new one is placed here by a path pattern, not a file list.
 *
 * Prints each violation as `file → import: rule` and exits 1 if there is any.
 * Usage: `node scripts/layers.mjs [root]` (default: the repository holding this script).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

// -------------------------------------------------------------------------------------
// layers, by path pattern (relative to src/, with `/` separators), first match wins
// -------------------------------------------------------------------------------------

const LAYERS = [
  { name: 'stanza core', test: (p) => p === 'internal/stanza.ts' },
  // io-ts codecs over hand-written decoders: needs DecodeError, serves StanzaError and up.
  { name: 'codec glue', test: (p) => p === 'internal/codec.ts' },
  { name: 'internal leaf', test: (p) => p.startsWith('internal/') },
  { name: 'Xml', test: (p) => p === 'Xml.ts' },
  { name: 'Jid', test: (p) => p === 'Jid.ts' },
  { name: 'DecodeError', test: (p) => p === 'DecodeError.ts' },
  { name: 'StanzaError', test: (p) => p === 'StanzaError.ts' },
  { name: 'kinds', test: (p) => ['Message.ts', 'Presence.ts', 'Iq.ts'].includes(p) },
  { name: 'Stanza', test: (p) => p === 'Stanza.ts' },
  { name: 'Extension', test: (p) => p === 'Extension.ts' },
  { name: 'ext', test: (p) => p.startsWith('ext/') },
  { name: 'rx', test: (p) => p.startsWith('rx/') },
  { name: 'connection', test: (p) => p.startsWith('connection/') },
  { name: 'cli', test: (p) => p === 'cli.ts' || p === 'bin.ts' },
  // The package's entry point re-exports every namespace: above them all.
  { name: 'index', test: (p) => p === 'index.ts' },
]
// The order of docs/style.md, lowest first; `stanza core` sits between StanzaError and the kinds.
const ORDER = [
  'internal leaf',
  'Xml',
  'Jid',
  'DecodeError',
  'codec glue',
  'StanzaError',
  'stanza core',
  'kinds',
  'Stanza',
  'Extension',
  'ext',
  'rx',
  'connection',
  'cli',
  'index',
]
const UNION = 'Stanza.ts'

const layerOf = (p) => LAYERS.find((l) => l.test(p))?.name
const rank = (name) => ORDER.indexOf(name)
/** Not exported from the package: a directory named `internal` anywhere on the path. */
const isInternal = (p) => p.split('/').slice(0, -1).includes('internal')

/** Who may import a package (by its name) at all, when only some may. */
const PACKAGES = [
  {
    name: 'rxjs',
    allowed: (p) => p.startsWith('rx/') || p.startsWith('connection/'),
    rule: 'rxjs only in rx/ and connection/',
  },
  {
    name: 'node',
    allowed: (p) => p.startsWith('connection/') || p === 'cli.ts' || p === 'bin.ts',
    rule: 'Node built-ins only in connection/, cli.ts and bin.ts',
  },
  {
    name: 'fast-xml-parser',
    valueOnly: true,
    allowed: (p) => p === 'Xml.ts',
    rule: 'fast-xml-parser (as a value) only in Xml.ts',
  },
]

// -------------------------------------------------------------------------------------
// reading imports
// -------------------------------------------------------------------------------------

// After these, a `/` starts a regular expression, not a division.
const REGEX_AFTER = new Set('(,=:[!&|?{};+-*%<>~^'.split(''))
const REGEX_KEYWORDS =
  /\b(?:return|typeof|case|do|else|in|of|new|delete|void|throw|yield|await)\s*$/

/**
 * The source with comments, and the contents of template literals and regular expressions,
 * replaced by spaces (line breaks kept); quoted strings are kept, for the module specifiers.
 */
export const codeOnly = (src) => {
  let out = ''
  let i = 0
  let last = '' // last significant character written
  const templates = [] // brace depth at which each open `${` returns into its template
  let depth = 0
  const blank = (s) => s.replace(/[^\n]/g, ' ')
  while (i < src.length) {
    const c = src[i]
    const d = src[i + 1]
    if (c === '/' && d === '/') {
      const end = src.indexOf('\n', i)
      const stop = end === -1 ? src.length : end
      out += blank(src.slice(i, stop))
      i = stop
    } else if (c === '/' && d === '*') {
      const end = src.indexOf('*/', i + 2)
      const stop = end === -1 ? src.length : end + 2
      out += blank(src.slice(i, stop))
      i = stop
    } else if (c === "'" || c === '"') {
      let j = i + 1
      while (j < src.length && src[j] !== c && src[j] !== '\n') j += src[j] === '\\' ? 2 : 1
      out += src.slice(i, j + 1)
      i = j + 1
      last = c
    } else if (c === '`' || (c === '}' && templates.length > 0 && templates.at(-1) === depth)) {
      // A template literal, or its continuation after `${…}`: blank up to `${` or the end.
      if (c === '}') templates.pop()
      let j = i + 1
      while (j < src.length && src[j] !== '`' && !(src[j] === '$' && src[j + 1] === '{'))
        j += src[j] === '\\' ? 2 : 1
      if (src[j] === '$') {
        templates.push(depth)
        out += `${c}${blank(src.slice(i + 1, j))}\${`
        i = j + 2
        last = '{'
      } else {
        out += `${c}${blank(src.slice(i + 1, j))}\``
        i = j + 1
        last = '`'
      }
    } else if (
      c === '/' &&
      (last === '' || REGEX_AFTER.has(last) || REGEX_KEYWORDS.test(out.slice(-16)))
    ) {
      let j = i + 1
      let inClass = false
      while (j < src.length && src[j] !== '\n' && (inClass || src[j] !== '/')) {
        if (src[j] === '\\') j++
        else if (src[j] === '[') inClass = true
        else if (src[j] === ']') inClass = false
        j++
      }
      out += `/${blank(src.slice(i + 1, j))}/`
      i = j + 1
      last = '/'
    } else {
      if (c === '{') depth++
      else if (c === '}') depth--
      out += c
      if (!/\s/.test(c)) last = c
      i++
    }
  }
  return out
}

const STATIC =
  /(?:^|[;}\n])\s*(import|export)(\s+type)?\s+((?:[\w$]+\s*,\s*)?(?:\{[^}]*\}|\*(?:\s+as\s+[\w$]+)?|[\w$]+))\s*from\s*(['"])([^'"\n]+)\4/g
const BARE = /(?:^|[;}\n])\s*import\s*(['"])([^'"\n]+)\1/g
const DYNAMIC = /\bimport\s*\(\s*(['"])([^'"\n]+)\1\s*\)/g
const REQUIRE = /\brequire\s*\(\s*(['"])([^'"\n]+)\1\s*\)/g

/** `{ a, type b }` holds only types when every name is marked `type` (and there is one at least). */
const onlyTypes = (clause) => {
  const braces = clause.match(/^\{([^}]*)\}$/)
  if (braces === null) return false
  const names = braces[1]
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
  return names.length > 0 && names.every((n) => /^type\s/.test(n))
}

/** Every import and re-export of a module: `{ spec, type, line }`. */
export const importsOf = (src) => {
  const code = codeOnly(src)
  const lineAt = (index) => code.slice(0, index).split('\n').length
  const found = []
  for (const m of code.matchAll(STATIC)) {
    const [, , typeKeyword, clause, , spec] = m
    const type = typeKeyword !== undefined || onlyTypes(clause.trim())
    found.push({ spec, type, line: lineAt(m.index + m[0].indexOf(m[1])) })
  }
  for (const re of [BARE, DYNAMIC, REQUIRE])
    for (const m of code.matchAll(re))
      found.push({ spec: m[2], type: false, line: lineAt(m.index + m[0].search(/import|require/)) })
  return found.sort((a, b) => a.line - b.line)
}

// -------------------------------------------------------------------------------------
// checking
// -------------------------------------------------------------------------------------

const builtins = new Set(builtinModules)

/** The package an import names, `node` for a built-in, or `undefined` for a relative import. */
const packageOf = (spec) => {
  if (spec.startsWith('.') || spec.startsWith('/')) return undefined
  if (spec.startsWith('node:') || builtins.has(spec.split('/')[0])) return 'node'
  const parts = spec.split('/')
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]
}

/** The `src/`-relative path of a relative import's target, or `undefined` if none exists. */
const resolveImport = (srcDir, file, spec) => {
  const base = resolve(dirname(join(srcDir, file)), spec)
  const candidates = [
    base.replace(/\.(?:js|mjs|cjs)$/, '.ts'),
    base.replace(/\.(?:js|mjs|cjs)$/, '.d.ts'),
    `${base}.ts`,
    join(base, 'index.ts'),
    base,
  ]
  const hit = candidates.find((c) => existsSync(c) && statSync(c).isFile())
  return hit === undefined ? undefined : relative(srcDir, hit).split(sep).join('/')
}

/** The violations of one module, as `{ file, spec, line, rule }`. */
export const check = (srcDir, file, src) => {
  const out = []
  const layer = layerOf(file)
  const add = (i, rule) => out.push({ file, spec: i.spec, line: i.line, rule })
  if (layer === undefined) {
    out.push({ file, spec: '-', line: 1, rule: 'no layer: give it one in scripts/layers.mjs' })
    return out
  }
  for (const i of importsOf(src)) {
    const pkg = packageOf(i.spec)
    if (pkg !== undefined) {
      const limit = PACKAGES.find((x) => x.name === pkg)
      if (limit !== undefined && !limit.allowed(file) && !(limit.valueOnly && i.type))
        add(i, limit.rule)
      continue
    }
    const target = resolveImport(srcDir, file, i.spec)
    if (target === undefined || !target.endsWith('.ts')) {
      add(i, 'unresolved import')
      continue
    }
    const targetLayer = layerOf(target)
    if (targetLayer === undefined) continue // reported on the target itself
    const up = rank(targetLayer) > rank(layer)
    if (!i.type && layer === 'internal leaf' && !isInternal(target))
      add(i, `a module in internal/ imports a public module as a value (${targetLayer})`)
    else if (!i.type && up) add(i, `value import from a higher layer (${layer} → ${targetLayer})`)
    else if (i.type && up && target !== UNION)
      add(i, `type import from a higher layer other than ${UNION} (${layer} → ${targetLayer})`)
  }
  return out
}

const walk = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? walk(join(dir, e.name))
      : e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')
        ? [join(dir, e.name)]
        : [],
  )

const main = () => {
  const root = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..'))
  const srcDir = join(root, 'src')
  const files = walk(srcDir)
    .map((f) => relative(srcDir, f).split(sep).join('/'))
    .sort()
  const violations = files.flatMap((f) => check(srcDir, f, readFileSync(join(srcDir, f), 'utf8')))
  for (const v of violations) console.log(`src/${v.file}:${v.line} → ${v.spec}: ${v.rule}`)
  if (violations.length > 0) {
    console.log(`layers: ${violations.length} violation(s) in ${files.length} modules`)
    process.exitCode = 1
  } else console.log(`layers: ${files.length} modules, no violation`)
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url))
  main()
