/**
 * The laws every extension of `stanzakit/ext` obeys (docs/extensions.md "Tests and numbers"), checked
 * with fast-check over records the decoders could produce (spec/arbitraries/ext.ts) and
 * well-formed stanzas of the kinds each extension may appear in.
 */
import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { identity } from 'fp-ts/lib/function.js'
import * as O from 'fp-ts/lib/Option.js'
import * as DecodeError from '../../src/DecodeError.js'
import type * as X from '../../src/Extension.js'
import * as ext from '../../src/ext/index.js'
import * as Stanza from '../../src/Stanza.js'
import * as Xml from '../../src/Xml.js'
import * as A from '../arbitraries/ext.js'
import * as S from '../arbitraries/Stanza.js'

const RUNS = { numRuns: 30 }

// -------------------------------------------------------------------------------------
// cases
// -------------------------------------------------------------------------------------

type AnyExtension = X.Extension<X.Kind, unknown>

interface Case {
  readonly name: string
  readonly ext: AnyExtension
  readonly record: fc.Arbitrary<unknown>
  readonly stanza: fc.Arbitrary<Stanza.Stanza>
}

const ofKind = (kind: X.Kind): fc.Arbitrary<Stanza.Stanza> =>
  kind === 'message' ? S.message : kind === 'presence' ? S.presence : S.iq

const law = <K extends X.Kind, R>(
  name: string,
  e: X.Extension<K, R>,
  record: fc.Arbitrary<R>,
): Case => ({
  name,
  ext: e as unknown as AnyExtension,
  record: record as fc.Arbitrary<unknown>,
  stanza: fc.oneof(...e.kinds.map(ofKind)),
})

const cases: ReadonlyArray<Case> = [
  law('Delay', ext.Delay, A.delay),
  law('ChatState', ext.ChatState, A.chatState),
  law('ReceiptRequest', ext.ReceiptRequest, A.receiptRequest),
  law('ReceiptReceived', ext.ReceiptReceived, A.receiptReceived),
  law('Ping', ext.Ping, A.ping),
  law('Version', ext.Version, A.version),
  law('DiscoInfo', ext.DiscoInfo, A.discoInfo),
  law('DiscoItems', ext.DiscoItems, A.discoItems),
  law('DataForm', ext.DataForm, A.dataForm),
  law('MucJoin', ext.MucJoin, A.mucJoin),
  law('MucUser', ext.MucUser, A.mucUser),
  law('StanzaId', ext.StanzaId, A.stanzaId),
  law('OriginId', ext.OriginId, A.originId),
  law('Replace', ext.Replace, A.replace),
  law('Forwarded', ext.Forwarded, A.forwarded),
  law('Oob', ext.Oob, A.oob),
  law('Roster', ext.Roster, A.roster),
]

// -------------------------------------------------------------------------------------
// helpers
// -------------------------------------------------------------------------------------

const parse = (xml: string): Xml.XmlElement => {
  const r = Xml.parse(xml, { ns: null })
  if (E.isLeft(r)) throw new Error(`does not parse: ${r.left.message}\n${xml}`)
  return r.right
}

const show = <A>(r: E.Either<DecodeError.DecodeError, A>): E.Either<string, A> =>
  E.isLeft(r) ? E.left(DecodeError.format(r.left)) : r

/** The payload elements an extension matches, and the others. */
const split = (e: AnyExtension, s: Stanza.Stanza) => ({
  matches: s.payload.filter(e.is),
  others: s.payload.filter((p) => !e.is(p)),
})

const sameElements = (
  xs: ReadonlyArray<Xml.XmlElement>,
  ys: ReadonlyArray<Xml.XmlElement>,
): boolean => xs.length === ys.length && xs.every((x, i) => Xml.equals(x, ys[i] as Xml.XmlElement))

// -------------------------------------------------------------------------------------
// laws
// -------------------------------------------------------------------------------------

/** The element without its white-space-only text, recursively (what a rewrite keeps). */
const significant = (el: Xml.XmlElement): Xml.XmlElement => ({
  ...el,
  children: el.children.flatMap(
    (c): ReadonlyArray<Xml.XmlNode> =>
      typeof c === 'string' ? (/^[ \t\r\n]*$/.test(c) ? [] : [c]) : [significant(c)],
  ),
})

describe('ext laws', () => {
  it('covers every extension of stanzakit/ext', () => {
    const values = Object.entries(ext).filter(
      ([, v]) => typeof v === 'object' && v !== null && 'kinds' in v,
    )
    expect(cases.map((c) => c.name).sort()).toStrictEqual(values.map(([k]) => k).sort())
  })

  describe.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const { ext: e, record, stanza } = c

    it('generators: every record is a value of the codec (`codec.is`)', () => {
      fc.assert(
        fc.property(record, (a) => e.codec.is(a)),
        RUNS,
      )
    })

    it('decode(encode(a)) = Right(a), through `decode` and the io-ts codec', () => {
      fc.assert(
        fc.property(record, (a) => {
          const el = e.encode(a)
          expect(e.is(el)).toBe(true)
          expect(show(e.decode(el))).toStrictEqual(E.right(a))
          expect(e.codec.decode(el)).toStrictEqual(E.right(a))
        }),
        RUNS,
      )
    })

    it('encode output survives Xml.serialize → Xml.parse → decode', () => {
      fc.assert(
        fc.property(record, (a) => {
          const el = e.encode(a)
          const back = parse(Xml.serialize(el))
          // `encode` writes the normal form `Xml.parse` returns.
          expect(Xml.equals(back, el)).toBe(true)
          expect(show(e.decode(back))).toStrictEqual(E.right(a))
        }),
        RUNS,
      )
    })

    it('get(set(a)(s)) = some(a); getEither, getAll and has agree', () => {
      fc.assert(
        fc.property(record, stanza, (a, s) => {
          const t = e.set(a)(s)
          expect(e.get(t)).toStrictEqual(O.some(a))
          expect(show(e.getEither(t))).toStrictEqual(E.right(O.some(a)))
          expect(e.getAll(t)).toStrictEqual([a])
          expect(e.has(t)).toBe(true)
        }),
        RUNS,
      )
    })

    it('a set stanza survives Stanza.encode → Stanza.decode', () => {
      fc.assert(
        fc.property(record, stanza, (a, s0) => {
          // An iq holds one payload element at most (RFC 6120 §8.2.3).
          const s = s0.kind === 'iq' ? { ...s0, payload: [] } : s0
          const t = e.set(a)(s)
          const back = Stanza.decode(Stanza.encode(t))
          expect(E.isRight(back) && e.get(back.right)).toStrictEqual(O.some(a))
        }),
        RUNS,
      )
    })

    it('remove(set(a)(s)) has no match and equals remove(s); other elements untouched', () => {
      fc.assert(
        fc.property(record, stanza, (a, s) => {
          const t = e.remove(e.set(a)(s))
          expect(e.has(t)).toBe(false)
          expect(e.get(t)).toStrictEqual(O.none)
          expect(e.getEither(t)).toStrictEqual(E.right(O.none))
          expect(e.getAll(t)).toStrictEqual([])
          expect(t).toStrictEqual(e.remove(s))
          const others = split(e, s).others
          expect(t.payload).toHaveLength(others.length)
          for (const [i, p] of t.payload.entries()) expect(p).toBe(others[i])
        }),
        RUNS,
      )
    })

    it('set replaces every match by one, at the first match’s place', () => {
      fc.assert(
        fc.property(record, record, record, stanza, (a, b, c, s) => {
          const two = e.add(a)(e.add(b)(s))
          const first = two.payload.findIndex(e.is)
          const t = e.set(c)(two)
          const { matches, others } = split(e, t)
          expect(sameElements(matches, [e.encode(c)])).toBe(true)
          expect(e.getAll(t)).toStrictEqual([c])
          expect(e.get(t)).toStrictEqual(O.some(c))
          expect(t.payload.findIndex(e.is)).toBe(first)
          const before = split(e, two).others
          expect(others).toHaveLength(before.length)
          for (const [i, p] of others.entries()) expect(p).toBe(before[i])
        }),
        RUNS,
      )
    })

    it('add appends one more; getAll lists the valid matches in order', () => {
      fc.assert(
        fc.property(record, record, stanza, (a, b, s0) => {
          const s = e.remove(s0)
          const t = e.add(b)(e.add(a)(s))
          expect(t.payload.slice(0, s.payload.length)).toStrictEqual(s.payload)
          expect(e.getAll(t)).toStrictEqual([a, b])
          expect(e.get(t)).toStrictEqual(O.some(a))
        }),
        RUNS,
      )
    })

    it('modify(identity) keeps every element as it is, unknown attributes and children included', () => {
      fc.assert(
        fc.property(record, stanza, (a, s) => {
          // As received: the element written, serialized and parsed back.
          const received = parse(Xml.serialize(e.encode(a)))
          const t = { ...s, payload: [...s.payload, received] }
          const u = e.modify(identity)(t)
          expect(u.payload).toHaveLength(t.payload.length)
          u.payload.forEach((p, i) => {
            const q = t.payload[i] as Xml.XmlElement
            // A rewritten match keeps everything but white space between elements (insignificant).
            if (e.is(q)) expect(Xml.equals(significant(p), significant(q))).toBe(true)
            else expect(p).toBe(q)
          })
          expect(e.getAll(u)).toStrictEqual(e.getAll(t))
        }),
        RUNS,
      )
    })

    it('modify(f) rewrites every valid match and leaves a stanza without one as it is', () => {
      fc.assert(
        fc.property(record, record, record, stanza, (a, b, c, s) => {
          const none = e.remove(s)
          expect(e.modify(() => c)(none)).toBe(none)
          const t = e.add(a)(e.add(b)(none))
          expect(e.getAll(e.modify(() => c)(t))).toStrictEqual([c, c])
        }),
        RUNS,
      )
    })
  })
})

describe('ext laws: edge records', () => {
  it('MucJoin: the largest safe integers come back (an `int` value `codec.is` accepts decodes)', () => {
    for (const n of [Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 1e15, -1e15]) {
      const a: ext.MucJoin = { history: { maxchars: n, maxstanzas: n, seconds: n } }
      expect(ext.MucJoin.codec.is(a)).toBe(true)
      expect(show(ext.MucJoin.decode(ext.MucJoin.encode(a)))).toStrictEqual(E.right(a))
    }
  })

  it('Delay: a reason of white space only is not a record (it would decode as absent)', () => {
    const stamp = ext.DateTime.fromDate(new Date(0))
    for (const reason of [' ', '\n\t', '']) {
      const a = { stamp, reason }
      expect(ext.Delay.codec.is(a)).toBe(false)
      expect(show(ext.Delay.decode(ext.Delay.encode(a)))).toStrictEqual(E.right({ stamp }))
    }
  })
})
