/**
 * Workloads "read" and "get" (the extensions issue; docs/performance.md): what a client pays to
 * read the extensions it cares about, against the `stanza` library, whose full decode imports
 * every extension it knows while parsing.
 *
 * read cases (per corpus kind and on the framed 10k mix)
 *   decode + reads       `Stanza.decode`, then the reads a client does on that kind of stanza:
 *                        message → Delay, StanzaId (all), OriginId, MucUser, ChatState;
 *                        presence → Delay, MucUser; iq → DiscoInfo
 *   Stanza.decode        the decode alone (what the reads add shows against it)
 *   stanza full decode   the `stanza` library's parse + registry import (bench/stanza.ts)
 * get cases (one extension read on an already decoded stanza, against that stanza's decode)
 *   Delay.get on (b) the groupchat with delay, MucUser.get on (g) the MUC presence,
 *   ChatState.get on (a), DiscoInfo.get on (d)
 */
import * as E from 'fp-ts/lib/Either.js'
import { ChatState, Delay, DiscoInfo, MucUser, OriginId, StanzaId } from '../src/ext/index.js'
import * as Stanza from '../src/Stanza.js'
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
import { stanzaDecode } from './stanza.js'
import { GateError } from './xml.js'

const C = {
  reads: 'decode + reads',
  decode: 'Stanza.decode',
  stanza: 'stanza full decode',
  get: 'get',
} as const

/** The extensions a client reads on a stanza of this kind (the list). */
const readAll = (s: Stanza.Stanza): number => {
  // Counting what was found keeps V8 from dropping the reads.
  let found = 0
  switch (s.kind) {
    case 'message':
      found += Delay.get(s)._tag === 'Some' ? 1 : 0
      found += StanzaId.getAll(s).length
      found += OriginId.get(s)._tag === 'Some' ? 1 : 0
      found += MucUser.get(s)._tag === 'Some' ? 1 : 0
      found += ChatState.get(s)._tag === 'Some' ? 1 : 0
      break
    case 'presence':
      found += Delay.get(s)._tag === 'Some' ? 1 : 0
      found += MucUser.get(s)._tag === 'Some' ? 1 : 0
      break
    case 'iq':
      found += DiscoInfo.get(s)._tag === 'Some' ? 1 : 0
      break
  }
  return found
}

const decodeAndRead = (xml: string): number => {
  const r = Stanza.decode(xml)
  return E.isRight(r) ? readAll(r.right) : -1
}

const decoded = (xml: string): Stanza.Stanza => {
  const r = Stanza.decode(xml)
  if (E.isLeft(r)) throw new GateError([`ext: corpus stanza does not decode: ${xml.slice(0, 80)}`])
  return r.right
}

interface Item {
  readonly key: string
  readonly label: string
  readonly docs: ReadonlyArray<string>
  readonly bytes: number
}

const items = (): ReadonlyArray<Item> => {
  const docs = mix()
  return [
    ...kinds.map((k: Kind) => ({
      key: k.key,
      label: `(${k.key}) ${k.label}`,
      docs: [k.xml],
      bytes: utf8Bytes(k.xml),
    })),
    {
      key: '10k',
      label: `10k mix (${MIX_SIZE.toLocaleString('en-US')} stanzas)`,
      docs,
      bytes: docs.reduce((n, d) => n + utf8Bytes(d), 0),
    },
  ]
}

const over =
  <B>(docs: ReadonlyArray<string>, f: (s: string) => B) =>
  (): B | undefined => {
    let r: B | undefined
    for (const d of docs) r = f(d)
    return r
  }

/** The gate: every read that the corpus promises is found, so the timings read something. */
const gate = (): void => {
  const expected: Readonly<Record<string, number>> = { a: 1, b: 3, d: 1, g: 1 }
  const problems: string[] = []
  for (const k of kinds) {
    const n = readAll(decoded(k.xml))
    const want = expected[k.key]
    if (want !== undefined && n !== want)
      problems.push(`ext: (${k.key}) read ${n}, expected ${want}`)
  }
  if (problems.length > 0) throw new GateError(problems)
}

const getCases: ReadonlyArray<{
  readonly key: string
  readonly name: string
  readonly read: (s: Stanza.Stanza) => unknown
}> = [
  { key: 'b', name: 'Delay.get', read: (s) => (s.kind === 'message' ? Delay.get(s) : undefined) },
  {
    key: 'g',
    name: 'MucUser.get',
    read: (s) => (s.kind === 'presence' ? MucUser.get(s) : undefined),
  },
  {
    key: 'a',
    name: 'ChatState.get',
    read: (s) => (s.kind === 'message' ? ChatState.get(s) : undefined),
  },
  {
    key: 'd',
    name: 'DiscoInfo.get',
    read: (s) => (s.kind === 'iq' ? DiscoInfo.get(s) : undefined),
  },
]

const run = (workloads: ReadonlySet<string>, opts: Options): ReadonlyArray<Summary> => {
  gate()
  console.log(
    '\next: gate passed (delay, stanza-id, origin-id, muc#user, chat state, disco#info are read where present)',
  )
  const summaries: Summary[] = []
  if (workloads.has('read')) {
    const all = items()
    const results: WorkloadResult[] = all.map((item) => {
      const cases: ReadonlyArray<Case> = [
        { name: C.reads, bytes: item.bytes, fn: over(item.docs, decodeAndRead) },
        { name: C.decode, bytes: item.bytes, fn: over(item.docs, (s) => Stanza.decode(s)) },
        { name: C.stanza, bytes: item.bytes, fn: over(item.docs, stanzaDecode) },
      ]
      const r = runWorkload(
        {
          title: `read ${item.label} — ${item.bytes.toLocaleString('en-US')} B`,
          baseline: C.stanza,
          cases,
          ...(item.docs.length > 1 ? { itemsPerOp: item.docs.length, itemName: 'stanzas' } : {}),
        },
        opts,
      )
      console.log(`\n${formatWorkload(r)}`)
      return r
    })
    summaries.push({
      title: 'read: paired ratios (ops/s ÷ ops/s, median of rounds)',
      columns: all.map((i) => i.key),
      rows: [
        {
          label: 'decode + reads ÷ stanza full decode (target: ≥ 1.5× on 10k)',
          values: results.map((r) => pairedRatio(r, C.reads, C.stanza)),
        },
        {
          label: 'decode + reads ÷ Stanza.decode (cost of the reads)',
          values: results.map((r) => pairedRatio(r, C.reads, C.decode)),
        },
      ],
    })
  }
  if (workloads.has('get')) {
    const results = getCases.map(({ key, name, read }) => {
      const k = kinds.find((x) => x.key === key)
      if (k === undefined) throw new GateError([`ext: no corpus kind ${key}`])
      const s = decoded(k.xml)
      const bytes = utf8Bytes(k.xml)
      const r = runWorkload(
        {
          title: `get: ${name} on (${key}) ${k.label}`,
          baseline: C.decode,
          cases: [
            { name: C.get, bytes, fn: () => read(s) },
            { name: C.decode, bytes, fn: () => Stanza.decode(k.xml) },
          ],
        },
        opts,
      )
      console.log(`\n${formatWorkload(r)}`)
      return { name, key, r }
    })
    summaries.push({
      title: 'get: time of one get ÷ time of the decode of its stanza (target: ≤ 0.3)',
      columns: results.map(({ name, key }) => `${name} (${key})`),
      rows: [
        {
          label: 'get time ÷ decode time',
          values: results.map(({ r }) => pairedRatio(r, C.decode, C.get)),
        },
      ],
    })
  }
  return summaries
}

export const extBench: Bench = {
  name: 'ext',
  description:
    'Stanza.decode + the extensions a client reads vs the stanza library; one get vs one decode',
  workloads: ['read', 'get'],
  run,
}
