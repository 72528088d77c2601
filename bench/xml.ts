/**
 * Workloads "parse" and "serialize" (docs/performance.md): stanzakit's `Xml.parse` / `Xml.serialize`
 * against fast-xml-parser, ltx and @xmpp/xml, per corpus kind and on the framed 10k mix (one op =
 * all 10,000 stanzas, one call each).
 *
 * parse cases
 *   Xml.parse          stanzakit, all checks on
 *   fxp preserveOrder  `new XMLParser({ preserveOrder: true, ignoreAttributes: false })`, other
 *                      options default: the raw-parse baseline of docs/performance.md target (b)
 *   fxp shipped opts   fxp with stanzakit's options (`fxpOptions` from src/internal/fxp.ts)
 *   ltx parse          `ltx.parse`
 *   @xmpp/xml stream   one long-lived @xmpp/xml `Parser` inside an open <stream:stream>, fed one
 *                      stanza per write, as a client uses it (docs/performance.md's anchor row)
 *   @xmpp/xml 1-shot   a new parser per stanza (`@xmpp/xml/lib/parse.js`)
 * serialize cases (each on its own tree, parsed once from the same XML)
 *   Xml.serialize      stanzakit
 *   ltx toString       `Element#toString` (the baseline of target (c))
 *   fxp XMLBuilder     fast-xml-builder on the preserveOrder tree (decoded text, escapes on output)
 *
 * A correctness gate runs before any timing and throws `GateError` on the first problems found.
 */

import { isDeepStrictEqual } from 'node:util'
import { Parser as XmppParser } from '@xmpp/xml'
import xmppParse from '@xmpp/xml/lib/parse.js'
import { type X2jOptions, XMLBuilder, XMLParser } from 'fast-xml-parser'
import * as ltx from 'ltx'
import { fxpOptions } from '../src/internal/fxp.js'
import type { XmlElement, XmlNode } from '../src/Xml.js'
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

// -------------------------------------------------------------------------------------
// the contenders
// -------------------------------------------------------------------------------------

/** fxp with exactly the options stanzakit ships (src/internal/fxp.ts). */
const shippedFxpOptions: X2jOptions = fxpOptions

const fxpBaseline = new XMLParser({ preserveOrder: true, ignoreAttributes: false })
const fxpShipped = new XMLParser(shippedFxpOptions)
/** Faithful tree for the builder: values kept as text, untrimmed; entities decoded. */
const fxpForBuilder = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
})
const fxpBuilder = new XMLBuilder({
  preserveOrder: true,
  ignoreAttributes: false,
  suppressEmptyNode: true,
})

/**
 * One open client stream for the whole run: each `write` of a complete stanza emits it as an
 * 'element' (the parser keeps no stanzas: they are not appended to the stream root).
 */
const xmppStream = (() => {
  const parser = new XmppParser()
  let last: ltx.Element | undefined
  let error: Error | undefined
  parser.on('element', (el) => {
    last = el
  })
  parser.on('error', (e) => {
    error = e
  })
  parser.write(
    "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='montague.lit' version='1.0'>",
  )
  return {
    /** Parses one stanza; `undefined` if it did not complete an element. */
    parse: (s: string): ltx.Element | undefined => {
      last = undefined
      parser.write(s)
      return last
    },
    /** Throws the parser's first error, if any (checked by the gate). */
    check: (): void => {
      if (error !== undefined) throw error
    },
  }
})()

const C = {
  xmlParse: 'Xml.parse',
  fxp: 'fxp preserveOrder',
  fxpShipped: 'fxp shipped opts',
  ltx: 'ltx parse',
  xmppStream: '@xmpp/xml stream',
  xmpp: '@xmpp/xml 1-shot',
  xmlSerialize: 'Xml.serialize',
  ltxString: 'ltx toString',
  fxpBuild: 'fxp XMLBuilder',
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

/** One op over an item: a single call for a kind, a loop over all documents for the mix. */
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
// tree walks for the gate
// -------------------------------------------------------------------------------------

const countXml = (e: XmlElement): number => {
  let n = 1
  for (const c of e.children) if (typeof c !== 'string') n += countXml(c)
  return n
}

const countLtx = (e: ltx.Element): number => {
  let n = 1
  for (const c of e.children) if (typeof c !== 'string') n += countLtx(c)
  return n
}

const isRecord = (u: unknown): u is Readonly<Record<string, unknown>> =>
  typeof u === 'object' && u !== null && !Array.isArray(u)

/** Elements in a preserveOrder tree: every key of a node except ':@' and '#…' (text, comment, cdata). */
const countFxp = (nodes: unknown): number => {
  if (!Array.isArray(nodes)) return 0
  let n = 0
  for (const node of nodes) {
    if (!isRecord(node)) continue
    for (const k of Object.keys(node)) {
      if (k !== ':@' && !k.startsWith('#')) n += 1 + countFxp(node[k])
    }
  }
  return n
}

/**
 * Canonical form compared between parsers: local name, resolved namespace, attributes other than
 * namespace declarations (sorted), decoded text, in document order.
 */
type Canon = {
  readonly n: string
  readonly ns: string
  readonly a: string
  readonly c: ReadonlyArray<Canon | string>
}

const canonAttrs = (attrs: Readonly<Record<string, string>>): string =>
  Object.keys(attrs)
    .filter((k) => k !== 'xmlns' && !k.startsWith('xmlns:'))
    .sort()
    .map((k) => `${k}=${JSON.stringify(attrs[k])}`)
    .join(' ')

const canonXml = (e: XmlElement): Canon => ({
  n: e.name,
  ns: e.ns,
  a: canonAttrs(e.attrs),
  c: e.children.map((c: XmlNode) => (typeof c === 'string' ? c : canonXml(c))),
})

/** ltx keeps xmlns as attributes and does not resolve namespaces: inherit them here. */
const canonLtx = (e: ltx.Element, parentNs = ''): Canon => {
  const ns = e.attrs.xmlns ?? parentNs
  return {
    n: e.name,
    ns,
    a: canonAttrs(e.attrs),
    c: mergeText(e.children).map((c) => (typeof c === 'string' ? c : canonLtx(c, ns))),
  }
}

/** ltx may split one text run into several strings (around entities); join adjacent ones. */
const mergeText = (
  cs: ReadonlyArray<ltx.Element | string>,
): ReadonlyArray<ltx.Element | string> => {
  const out: Array<ltx.Element | string> = []
  for (const c of cs) {
    const last = out[out.length - 1]
    if (typeof c === 'string' && typeof last === 'string') out[out.length - 1] = last + c
    else if (c !== '') out.push(c)
  }
  return out
}

/** First path where two canonical trees differ, or undefined. */
const diff = (x: Canon | string, y: Canon | string, path: string): string | undefined => {
  if (typeof x === 'string' || typeof y === 'string') {
    return x === y ? undefined : `${path}: ${JSON.stringify(x)} ≠ ${JSON.stringify(y)}`
  }
  const here = `${path}/${x.n}`
  if (x.n !== y.n) return `${path}: element ${x.n} ≠ ${y.n}`
  if (x.ns !== y.ns) return `${here}: ns ${JSON.stringify(x.ns)} ≠ ${JSON.stringify(y.ns)}`
  if (x.a !== y.a) return `${here}: attrs [${x.a}] ≠ [${y.a}]`
  if (x.c.length !== y.c.length) return `${here}: ${x.c.length} ≠ ${y.c.length} children`
  for (let i = 0; i < x.c.length; i++) {
    const a = x.c[i]
    const b = y.c[i]
    if (a === undefined || b === undefined) return `${here}: child ${i} missing`
    const d = diff(a, b, `${here}[${i}]`)
    if (d !== undefined) return d
  }
  return undefined
}

// -------------------------------------------------------------------------------------
// correctness gate
// -------------------------------------------------------------------------------------

export class GateError extends Error {
  constructor(readonly problems: ReadonlyArray<string>) {
    super(`correctness gate failed:\n  - ${problems.join('\n  - ')}`)
    this.name = 'GateError'
  }
}

const MAX_PROBLEMS = 12

/** Per item: the parsed trees the serialize workload times, and the serializers' output sizes. */
interface Prepared {
  readonly item: Item
  readonly xmlTrees: ReadonlyArray<XmlElement>
  readonly ltxTrees: ReadonlyArray<ltx.Element>
  readonly fxpTrees: ReadonlyArray<unknown>
  readonly outBytes: Readonly<Record<string, number>>
}

const short = (doc: string): string => (doc.length > 160 ? `${doc.slice(0, 160)}…` : doc)

const gate = (items: ReadonlyArray<Item>): ReadonlyArray<Prepared> => {
  const problems: Array<string> = []
  const report = (msg: string): void => {
    if (problems.length < MAX_PROBLEMS) problems.push(msg)
    else if (problems.length === MAX_PROBLEMS) problems.push('… (more problems omitted)')
  }
  const attempt = <A>(what: string, f: () => A): A | undefined => {
    try {
      return f()
    } catch (e) {
      report(`${what} threw: ${e instanceof Error ? e.message : String(e)}`)
      return undefined
    }
  }
  const prepared = items.map((item): Prepared => {
    const xmlTrees: Array<XmlElement> = []
    const ltxTrees: Array<ltx.Element> = []
    const fxpTrees: Array<unknown> = []
    const out: Record<string, number> = { [C.xmlSerialize]: 0, [C.ltxString]: 0, [C.fxpBuild]: 0 }
    const add = (k: string, s: string): void => {
      out[k] = (out[k] ?? 0) + utf8Bytes(s)
    }
    item.docs.forEach((doc, i) => {
      const where = `${item.key}${item.docs.length > 1 ? `#${i}` : ''}`
      const l = attempt(`${where}: ltx.parse`, () => ltx.parse(doc))
      const xm = attempt(`${where}: @xmpp/xml 1-shot`, () => xmppParse(doc))
      const xs = attempt(`${where}: @xmpp/xml stream`, () => {
        const el = xmppStream.parse(doc)
        xmppStream.check()
        if (el === undefined) throw new Error('no element emitted')
        return el
      })
      const fb = attempt(`${where}: fxp preserveOrder`, (): unknown => fxpBaseline.parse(doc))
      const fs = attempt(`${where}: fxp shipped opts`, (): unknown => fxpShipped.parse(doc))
      const ff = attempt(`${where}: fxp (builder tree)`, (): unknown => fxpForBuilder.parse(doc))
      if (l === undefined) return
      const expected = countLtx(l)
      const counts: Array<[string, number | undefined]> = [
        [C.ltx, expected],
        [C.xmppStream, xs === undefined ? undefined : countLtx(xs)],
        [C.xmpp, xm === undefined ? undefined : countLtx(xm)],
        [C.fxp, fb === undefined ? undefined : countFxp(fb)],
        [C.fxpShipped, fs === undefined ? undefined : countFxp(fs)],
      ]
      const canon = canonLtx(l)
      // stanzakit: Right, same tree as ltx, and serialize round-trips
      const r = attempt(`${where}: Xml.parse`, () => Xml.parse(doc))
      if (r !== undefined && r._tag === 'Left') {
        report(`${where}: Xml.parse returned Left ${JSON.stringify(r.left)} for ${short(doc)}`)
      } else if (r !== undefined) {
        const e = r.right
        xmlTrees.push(e)
        counts.push([C.xmlParse, countXml(e)])
        const d = diff(canonXml(e), canon, '')
        if (d !== undefined) report(`${where}: Xml.parse ≠ ltx at ${d}`)
        const s = attempt(`${where}: Xml.serialize`, () => Xml.serialize(e))
        if (s !== undefined) {
          add(C.xmlSerialize, s)
          const back = attempt(`${where}: Xml.parse(Xml.serialize(e))`, () => Xml.parse(s))
          if (back !== undefined && back._tag === 'Left') {
            report(
              `${where}: Xml.parse(Xml.serialize(e)) is Left ${JSON.stringify(back.left)}; serialized: ${short(s)}`,
            )
          } else if (back !== undefined && !isDeepStrictEqual(back.right, e)) {
            const d2 = diff(canonXml(back.right), canonXml(e), '')
            report(
              `${where}: Xml.parse(Xml.serialize(e)) does not deep-equal e (${d2 ?? 'same canonical form; prototypes or extra keys differ'}); serialized: ${short(s)}`,
            )
          }
        }
      }
      const wrong = counts.filter(([, n]) => n !== undefined && n !== expected)
      if (wrong.length > 0) {
        report(
          `${where}: element counts disagree: ${counts.map(([k, n]) => `${k} ${n ?? 'n/a'}`).join(', ')}`,
        )
      }
      // serializer outputs must re-parse to the same tree
      ltxTrees.push(l)
      const ls = l.toString()
      add(C.ltxString, ls)
      const dl = diff(canonLtx(ltx.parse(ls)), canon, '')
      if (dl !== undefined) report(`${where}: ltx toString does not round-trip at ${dl}`)
      if (ff !== undefined) {
        fxpTrees.push(ff)
        const fo = attempt(`${where}: fxp XMLBuilder`, () => fxpBuilder.build(ff))
        if (typeof fo === 'string') {
          add(C.fxpBuild, fo)
          const df = attempt(`${where}: ltx.parse(XMLBuilder output)`, () =>
            diff(canonLtx(ltx.parse(fo)), canon, ''),
          )
          if (df !== undefined) report(`${where}: fxp XMLBuilder does not round-trip at ${df}`)
        }
      }
    })
    return {
      item,
      xmlTrees,
      ltxTrees,
      fxpTrees,
      outBytes: out,
    }
  })
  if (problems.length > 0) throw new GateError(problems)
  return prepared
}

// -------------------------------------------------------------------------------------
// workloads
// -------------------------------------------------------------------------------------

const mixExtras = (item: Item): { itemsPerOp?: number; itemName?: string } =>
  item.docs.length > 1 ? { itemsPerOp: item.docs.length, itemName: 'stanzas' } : {}

const parseCases = (item: Item): ReadonlyArray<Case> => {
  const d = item.docs
  const b = item.bytes
  const cases: Array<Case> = []
  cases.push(
    { name: C.xmlParse, bytes: b, fn: opOver(d, (s) => Xml.parse(s)) },
    { name: C.fxp, bytes: b, fn: opOver(d, (s): unknown => fxpBaseline.parse(s)) },
    { name: C.fxpShipped, bytes: b, fn: opOver(d, (s): unknown => fxpShipped.parse(s)) },
    { name: C.ltx, bytes: b, fn: opOver(d, (s) => ltx.parse(s)) },
    { name: C.xmppStream, bytes: b, fn: opOver(d, (s) => xmppStream.parse(s)) },
    { name: C.xmpp, bytes: b, fn: opOver(d, (s) => xmppParse(s)) },
  )
  return cases
}

const serializeCases = (p: Prepared): ReadonlyArray<Case> => {
  const cases: Array<Case> = []
  cases.push(
    {
      name: C.xmlSerialize,
      bytes: p.outBytes[C.xmlSerialize] ?? 0,
      fn: opOver(p.xmlTrees, (e) => Xml.serialize(e)),
    },
    {
      name: C.ltxString,
      bytes: p.outBytes[C.ltxString] ?? 0,
      fn: opOver(p.ltxTrees, (e) => e.toString()),
    },
    {
      name: C.fxpBuild,
      bytes: p.outBytes[C.fxpBuild] ?? 0,
      fn: opOver(p.fxpTrees, (t): string => fxpBuilder.build(t)),
    },
  )
  return cases
}

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
  console.log(
    `\nxml: fxp shipped options imported from src/internal/fxp.ts; ` +
      '@xmpp/xml both as one open stream and one-shot (lib/parse.js)',
  )
  const t0 = process.hrtime.bigint()
  const prepared = gate(items)
  const gateMs = Number(process.hrtime.bigint() - t0) / 1e6
  console.log(
    `correctness gate passed on ${items.length - 1} kinds + ${MIX_SIZE} mix stanzas (${gateMs.toFixed(0)} ms): ` +
      'element counts agree across parsers' +
      '; Xml.parse is Right everywhere, matches ltx (names, namespaces, attributes, text), and Xml.parse(Xml.serialize(e)) deep-equals e' +
      '; ltx and XMLBuilder output re-parse to the input tree',
  )
  const columns = items.map((i) => i.key)
  const summaries: Array<Summary> = []
  if (workloads.has('parse')) {
    const results = items.map((item) => measure('parse', C.fxp, item, parseCases(item), opts))
    summaries.push({
      title: 'parse: paired ratios (ops/s ÷ ops/s, median of rounds)',
      columns,
      rows: summaryRows(results, [
        ['Xml.parse ÷ fxp preserveOrder (target b: decode ≥ 0.67×)', C.xmlParse, C.fxp],
        ['Xml.parse ÷ fxp shipped opts', C.xmlParse, C.fxpShipped],
        ['Xml.parse ÷ ltx parse', C.xmlParse, C.ltx],
        ['Xml.parse ÷ @xmpp/xml stream', C.xmlParse, C.xmppStream],
        ['fxp shipped opts ÷ fxp preserveOrder', C.fxpShipped, C.fxp],
        ['ltx ÷ fxp preserveOrder (docs/performance.md: 3.0–4.5×)', C.ltx, C.fxp],
        [
          '@xmpp/xml stream ÷ fxp preserveOrder (docs/performance.md: 3.5–4.8×)',
          C.xmppStream,
          C.fxp,
        ],
        ['@xmpp/xml 1-shot ÷ fxp preserveOrder', C.xmpp, C.fxp],
      ]),
    })
  }
  if (workloads.has('serialize')) {
    const results = prepared.map((p) =>
      measure('serialize', C.ltxString, p.item, serializeCases(p), opts),
    )
    summaries.push({
      title: 'serialize: paired ratios',
      columns,
      rows: summaryRows(results, [
        ['Xml.serialize ÷ ltx toString (target c: encode ≥ 1.0×)', C.xmlSerialize, C.ltxString],
        ['Xml.serialize ÷ fxp XMLBuilder', C.xmlSerialize, C.fxpBuild],
        ['ltx toString ÷ fxp XMLBuilder (docs/performance.md: 4.6–5.5×)', C.ltxString, C.fxpBuild],
      ]),
    })
  }
  return summaries
}

export const xmlBench: Bench = {
  name: 'xml',
  description: 'Xml.parse / Xml.serialize vs fast-xml-parser, ltx, @xmpp/xml',
  workloads: ['parse', 'serialize'],
  run,
}
