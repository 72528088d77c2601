/**
 * Workloads "decode" and "encode" (docs/performance.md targets (a), (b), (c)): stanzakit's full
 * string → validated record decode and record → string encode, per corpus kind and on the framed
 * 10k mix (one op = all 10,000 stanzas, one call each).
 *
 * decode cases
 *   Stanza.decode        stanzakit, all checks on (size, pre-scan, fxp tree, namespaces, entities,
 *                        stanza identity, codecs, JIDs)
 *   Xml.parse            the XML layer alone (to split decode time between tree and codecs)
 *   stanza full decode   the `stanza` library (12.22.1): its own parser (`stanza/jxt` `parse`) then
 *                        `registry.import` through the registry of `createClient()`, i.e. every
 *                        protocol module plus the plugins' additions (docs/performance.md's "full decode")
 *   fxp preserveOrder    `{ preserveOrder: true, ignoreAttributes: false }`, other options default:
 *                        the raw parse of target (b)
 *   fxp shipped opts     fxp with stanzakit's pinned options (as in bench/xml.ts)
 *   ltx parse            `ltx.parse`
 * encode cases (each on its own input, derived once from the same XML)
 *   Stanza.encode        on the records `Stanza.decode` returned
 *   Xml.serialize        on the `Xml.parse` trees (encode's own overhead shows against it)
 *   ltx toString         `Element#toString` on `ltx.parse` trees: the baseline of target (c)
 *   stanza export        `registry.export(kind, json).toString()` on the library's own records;
 *                        informational (its export writes a message body twice, once from `body`
 *                        and once from `alternateLanguageBodies`, so its output is longer)
 *
 * The correctness gate runs before any timing: every decode is Right, `decode(encode(r))` deep-
 * equals `r`, the peers parse every document, and the `stanza` registry imports every stanza.
 */

import { isDeepStrictEqual } from 'node:util'
import { type X2jOptions, XMLParser } from 'fast-xml-parser'
import * as ltx from 'ltx'
import { createClient, JXT } from 'stanza'
import { fxpOptions } from '../src/internal/fxp.js'
import * as Stanza from '../src/Stanza.js'
import * as Xml from '../src/Xml.js'
import { type Kind, kinds, MIX_SIZE, mix, utf8Bytes } from './corpus.js'
import {
  type Bench,
  type Case,
  formatWorkload,
  type Options,
  pairedRatio,
  runWorkload,
  type Summary,
  type WorkloadResult,
} from './harness.js'
import { GateError } from './xml.js'

// -------------------------------------------------------------------------------------
// the contenders
// -------------------------------------------------------------------------------------

/** fxp with exactly the options stanzakit ships (src/internal/fxp.ts). */
const shippedFxpOptions: X2jOptions = fxpOptions

const fxpBaseline = new XMLParser({ preserveOrder: true, ignoreAttributes: false })
const fxpShipped = new XMLParser(shippedFxpOptions)

/**
 * The `stanza` client's registry: `createClient` defines every protocol module and lets the core
 * plugins add theirs. Creating a client opens nothing; it only builds the registry and listeners.
 */
const registry = createClient({}).stanzas

/** The library's parser (`stanza/jxt`, derived from ltx). */
const jxtParse = JXT.parse
type JxtElement = ReturnType<typeof jxtParse>
type JxtJson = NonNullable<ReturnType<typeof registry.import>>

/** What the library's stream parser does per stanza: parse, then import through the registry. */
export const stanzaDecode = (s: string): unknown => registry.import(jxtParse(s))

const C = {
  decode: 'Stanza.decode',
  xmlParse: 'Xml.parse',
  stanza: 'stanza full decode',
  fxp: 'fxp preserveOrder',
  fxpShipped: 'fxp shipped opts',
  ltx: 'ltx parse',
  encode: 'Stanza.encode',
  serialize: 'Xml.serialize',
  ltxString: 'ltx toString',
  stanzaExport: 'stanza export',
} as const

// -------------------------------------------------------------------------------------
// corpus items
// -------------------------------------------------------------------------------------

interface Item {
  /** 'a'..'g' or '10k' */
  readonly key: string
  readonly label: string
  readonly docs: ReadonlyArray<string>
  readonly bytes: number
}

const kindItem = (k: Kind): Item => ({
  key: k.key,
  label: `(${k.key}) ${k.label}`,
  docs: [k.xml],
  bytes: utf8Bytes(k.xml),
})

const mixItem = (): Item => {
  const docs = mix()
  let bytes = 0
  for (const d of docs) bytes += utf8Bytes(d)
  return { key: '10k', label: `10k mix (${MIX_SIZE.toLocaleString('en-US')} stanzas)`, docs, bytes }
}

/** One op over an item: a single call for a kind, a loop over all inputs for the mix. */
const opOver = <A, B>(xs: ReadonlyArray<A>, f: (a: A) => B): (() => B | undefined) => {
  const only = xs[0]
  if (xs.length === 1 && only !== undefined) return () => f(only)
  return () => {
    let r: B | undefined
    for (let i = 0; i < xs.length; i++) {
      const x = xs[i]
      if (x !== undefined) r = f(x)
    }
    return r
  }
}

// -------------------------------------------------------------------------------------
// correctness gate
// -------------------------------------------------------------------------------------

interface Prepared {
  readonly item: Item
  readonly records: ReadonlyArray<Stanza.Stanza>
  readonly trees: ReadonlyArray<Xml.XmlElement>
  readonly ltxTrees: ReadonlyArray<ltx.Element>
  readonly stanzaJson: ReadonlyArray<{ readonly kind: string; readonly json: JxtJson }>
  readonly outBytes: Readonly<Record<string, number>>
}

const short = (s: string): string => JSON.stringify(s.length > 120 ? `${s.slice(0, 120)}…` : s)

const gate = (items: ReadonlyArray<Item>): ReadonlyArray<Prepared> => {
  const problems: Array<string> = []
  const report = (p: string): void => {
    if (problems.length < 20) problems.push(p)
  }
  const attempt = <A>(what: string, f: () => A): A | undefined => {
    try {
      return f()
    } catch (e) {
      report(`${what} threw ${e instanceof Error ? e.message : String(e)}`)
      return undefined
    }
  }
  const prepared = items.map((item): Prepared => {
    const records: Array<Stanza.Stanza> = []
    const trees: Array<Xml.XmlElement> = []
    const ltxTrees: Array<ltx.Element> = []
    const stanzaJson: Array<{ kind: string; json: JxtJson }> = []
    const out: Record<string, number> = {}
    const add = (k: string, s: string): void => {
      out[k] = (out[k] ?? 0) + utf8Bytes(s)
    }
    item.docs.forEach((doc, i) => {
      const where = `${item.key}${item.docs.length > 1 ? `#${i}` : ''}`
      attempt(`${where}: fxp preserveOrder`, (): unknown => fxpBaseline.parse(doc))
      attempt(`${where}: fxp shipped opts`, (): unknown => fxpShipped.parse(doc))
      const l = attempt(`${where}: ltx.parse`, () => ltx.parse(doc))
      if (l !== undefined) {
        ltxTrees.push(l)
        add(C.ltxString, l.toString())
      }
      const el = attempt(`${where}: stanza jxt parse`, (): JxtElement => jxtParse(doc))
      if (el !== undefined) {
        const json = attempt(`${where}: stanza registry.import`, () => registry.import(el))
        if (json === undefined) report(`${where}: stanza registry.import gave nothing`)
        else {
          stanzaJson.push({ kind: el.name, json })
          const x = attempt(`${where}: stanza registry.export`, () =>
            registry.export(el.name, json)?.toString(),
          )
          if (x === undefined) report(`${where}: stanza registry.export gave nothing`)
          else add(C.stanzaExport, x)
        }
      }
      const t = Xml.parse(doc)
      if (t._tag === 'Left') report(`${where}: Xml.parse is Left ${JSON.stringify(t.left)}`)
      else {
        trees.push(t.right)
        add(C.serialize, Xml.serialize(t.right))
      }
      const r = attempt(`${where}: Stanza.decode`, () => Stanza.decode(doc))
      if (r === undefined) return
      if (r._tag === 'Left') {
        report(`${where}: Stanza.decode is Left ${JSON.stringify(r.left)} for ${short(doc)}`)
        return
      }
      records.push(r.right)
      const s = attempt(`${where}: Stanza.encode`, () => Stanza.encode(r.right))
      if (s === undefined) return
      add(C.encode, s)
      const back = Stanza.decode(s)
      if (back._tag === 'Left')
        report(`${where}: decode(encode(r)) is Left ${JSON.stringify(back.left)}; ${short(s)}`)
      else if (!isDeepStrictEqual(back.right, r.right))
        report(`${where}: decode(encode(r)) does not deep-equal r; encoded: ${short(s)}`)
    })
    return { item, records, trees, ltxTrees, stanzaJson, outBytes: out }
  })
  if (problems.length > 0) throw new GateError(problems)
  return prepared
}

// -------------------------------------------------------------------------------------
// workloads
// -------------------------------------------------------------------------------------

const mixExtras = (item: Item): { itemsPerOp?: number; itemName?: string } =>
  item.docs.length > 1 ? { itemsPerOp: item.docs.length, itemName: 'stanzas' } : {}

const decodeCases = (item: Item): ReadonlyArray<Case> => {
  const d = item.docs
  const b = item.bytes
  return [
    { name: C.decode, bytes: b, fn: opOver(d, (s) => Stanza.decode(s)) },
    { name: C.xmlParse, bytes: b, fn: opOver(d, (s) => Xml.parse(s)) },
    { name: C.stanza, bytes: b, fn: opOver(d, stanzaDecode) },
    { name: C.fxp, bytes: b, fn: opOver(d, (s): unknown => fxpBaseline.parse(s)) },
    { name: C.fxpShipped, bytes: b, fn: opOver(d, (s): unknown => fxpShipped.parse(s)) },
    { name: C.ltx, bytes: b, fn: opOver(d, (s) => ltx.parse(s)) },
  ]
}

const encodeCases = (p: Prepared): ReadonlyArray<Case> => [
  {
    name: C.encode,
    bytes: p.outBytes[C.encode] ?? 0,
    fn: opOver(p.records, (r) => Stanza.encode(r)),
  },
  {
    name: C.serialize,
    bytes: p.outBytes[C.serialize] ?? 0,
    fn: opOver(p.trees, (e) => Xml.serialize(e)),
  },
  {
    name: C.ltxString,
    bytes: p.outBytes[C.ltxString] ?? 0,
    fn: opOver(p.ltxTrees, (e) => e.toString()),
  },
  {
    name: C.stanzaExport,
    bytes: p.outBytes[C.stanzaExport] ?? 0,
    fn: opOver(p.stanzaJson, (x) => registry.export(x.kind, x.json)?.toString()),
  },
]

const measure = (
  title: string,
  baseline: string,
  item: Item,
  cases: ReadonlyArray<Case>,
  opts: Options,
): WorkloadResult => {
  const r = runWorkload(
    {
      title: `${title} ${item.label} — ${item.bytes.toLocaleString('en-US')} B`,
      baseline,
      cases,
      ...mixExtras(item),
    },
    opts,
  )
  console.log(`\n${formatWorkload(r)}`)
  return r
}

const summaryRows = (
  results: ReadonlyArray<WorkloadResult>,
  pairs: ReadonlyArray<readonly [label: string, a: string, b: string]>,
): Summary['rows'] =>
  pairs
    .map(([label, a, b]) => ({ label, values: results.map((r) => pairedRatio(r, a, b)) }))
    .filter((row) => row.values.some((v) => v !== undefined))

const run = (workloads: ReadonlySet<string>, opts: Options): ReadonlyArray<Summary> => {
  const items = [...kinds.map(kindItem), mixItem()]
  const t0 = process.hrtime.bigint()
  const prepared = gate(items)
  const gateMs = Number(process.hrtime.bigint() - t0) / 1e6
  console.log(
    `\nstanza: correctness gate passed on ${items.length - 1} kinds + ${MIX_SIZE} mix stanzas (${gateMs.toFixed(0)} ms): ` +
      'Stanza.decode is Right everywhere and decode(encode(r)) deep-equals r; ' +
      'fxp, ltx and the stanza library parse (and import/export) every stanza',
  )
  const columns = items.map((i) => i.key)
  const summaries: Array<Summary> = []
  if (workloads.has('decode')) {
    const results = items.map((item) => measure('decode', C.stanza, item, decodeCases(item), opts))
    summaries.push({
      title: 'decode: paired ratios (ops/s ÷ ops/s, median of rounds)',
      columns,
      rows: summaryRows(results, [
        ['Stanza.decode ÷ stanza full decode (target a: ≥ 1.5×)', C.decode, C.stanza],
        ['Stanza.decode ÷ fxp preserveOrder (target b: ≥ 0.67×)', C.decode, C.fxp],
        ['Stanza.decode ÷ fxp shipped opts', C.decode, C.fxpShipped],
        ['Stanza.decode ÷ ltx parse', C.decode, C.ltx],
        ['Stanza.decode ÷ Xml.parse (codec share)', C.decode, C.xmlParse],
        ['Xml.parse ÷ fxp preserveOrder', C.xmlParse, C.fxp],
        ['fxp preserveOrder ÷ stanza full decode (docs/performance.md: 1.4–2.3×)', C.fxp, C.stanza],
      ]),
    })
  }
  if (workloads.has('encode')) {
    const results = prepared.map((p) =>
      measure('encode', C.ltxString, p.item, encodeCases(p), opts),
    )
    summaries.push({
      title: 'encode: paired ratios',
      columns,
      rows: summaryRows(results, [
        ['Stanza.encode ÷ ltx toString (target c: ≥ 1.0×)', C.encode, C.ltxString],
        ['Stanza.encode ÷ Xml.serialize', C.encode, C.serialize],
        ['Stanza.encode ÷ stanza export', C.encode, C.stanzaExport],
        ['Xml.serialize ÷ ltx toString', C.serialize, C.ltxString],
      ]),
    })
  }
  return summaries
}

export const stanzaBench: Bench = {
  name: 'stanza',
  description: 'Stanza.decode / Stanza.encode vs the stanza library, fast-xml-parser, ltx',
  workloads: ['decode', 'encode'],
  run,
}
