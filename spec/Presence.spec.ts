/**
 * `<presence/>` (RFC 6121 §3, §4, docs/semantics.md §0, §3, §5): golden fixtures both ways, the
 * decode table with its paths, getters and setters, reply rules and their laws, immutability.
 */
import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import * as O from 'fp-ts/lib/Option.js'
import * as DecodeError from '../src/DecodeError.js'
import * as Presence from '../src/Presence.js'
import * as Stanza from '../src/Stanza.js'
import * as StanzaError from '../src/StanzaError.js'
import * as Xml from '../src/Xml.js'
import {
  presence as arbPresence,
  priority as arbPriority,
  contentNamespaces,
} from './arbitraries/Stanza.js'
import { text as arbText } from './arbitraries/Xml.js'
import { deepFreeze, jid, noUndefined } from './helpers.js'

// -------------------------------------------------------------------------------------
// helpers
// -------------------------------------------------------------------------------------

type DecodeOptions = Parameters<typeof Presence.decode>[1]

const STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas'
const runs = { numRuns: 100 }

const prio = (n: number): Presence.Priority => {
  const r = Presence.priority(n)
  if (E.isLeft(r)) throw new Error(`test setup: ${n} is not a priority`)
  return r.right
}

const decoded = (xml: string, options?: DecodeOptions): Presence.Presence => {
  const r = Presence.decode(xml, options)
  if (E.isLeft(r)) throw new Error(`expected Right, got ${DecodeError.format(r.left)}`)
  return r.right
}

/** Every problem as its formatted line. */
const rejected = (xml: string, options?: DecodeOptions): ReadonlyArray<string> => {
  const r = Presence.decode(xml, options)
  if (E.isRight(r)) throw new Error(`expected Left, got ${JSON.stringify(r.right)}`)
  return DecodeError.format(r.left).split('\n')
}

/** Every problem as `path: condition` (the message is free text). */
const heads = (xml: string, options?: DecodeOptions): ReadonlyArray<string> =>
  rejected(xml, options).map((line) => line.split(': ', 2).join(': '))

const tree = (xml: string, ns: string | null = 'jabber:client'): Xml.XmlElement => {
  const r = Xml.parse(xml, { ns })
  if (E.isLeft(r)) throw new Error(`test setup: ${r.left.message}`)
  return r.right
}

const el = (
  name: string,
  ns: string,
  attrs: Record<string, string> = {},
  children: ReadonlyArray<Xml.XmlNode> = [],
): Xml.XmlElement => Xml.element(name, ns, attrs, children)

const foreignStatus = (lang: string, text: string): Xml.XmlElement =>
  el('status', 'jabber:client', { 'xml:lang': lang }, text === '' ? [] : [text])

/** Well-formed presences plus statuses in languages none of the arbitraries use. */
const arbPresenceWithLanguages: fc.Arbitrary<Presence.Presence> = fc
  .tuple(arbPresence, fc.subarray(['cs', 'ja', 'it']), arbText)
  .map(([p, langs, t]) => ({
    ...p,
    payload: [...p.payload, ...langs.map((l) => foreignStatus(l, `${l}:${t}`))],
  }))

const arbShow: fc.Arbitrary<Presence.Show> = fc.constantFrom('away', 'chat', 'dnd', 'xa')
const arbType: fc.Arbitrary<Presence.PresenceType> = fc.constantFrom(...Presence.types)
const nonEmpty = arbText.filter((s) => s !== '')

const romeo = jid('romeo@example.net')
const juliet = jid('juliet@example.com')
const balcony = jid('juliet@example.com/balcony')

// -------------------------------------------------------------------------------------
// golden fixtures
// -------------------------------------------------------------------------------------

interface Fixture {
  readonly name: string
  /** As received. */
  readonly xml: string
  /** What `encode` writes for the record, as a tree (default: `xml`). */
  readonly canonical?: string
  readonly record: Presence.Presence
}

const fixtures: ReadonlyArray<Fixture> = [
  {
    name: 'RFC 6121 §4.2.1 initial presence',
    xml: '<presence/>',
    record: { kind: 'presence', payload: [] },
  },
  {
    name: 'RFC 6121 §4.2.2 initial presence broadcast by the server',
    xml: "<presence from='juliet@example.com/balcony' to='romeo@example.net' xml:lang='en'/>",
    record: { kind: 'presence', from: balcony, to: romeo, lang: 'en', payload: [] },
  },
  {
    name: 'RFC 6121 §4.7.2 show, statuses in two languages and priority',
    xml: `<presence from='romeo@example.net/orchard' id='pres1' xml:lang='en'>
  <show>dnd</show>
  <status>Wooing Juliet</status>
  <status xml:lang='cs'>Dvo&#x0159;&#x00ED;m se Julii</status>
  <priority>1</priority>
</presence>`,
    canonical:
      "<presence from='romeo@example.net/orchard' id='pres1' xml:lang='en'><show>dnd</show><status>Wooing Juliet</status><priority>1</priority><status xml:lang='cs'>Dvořím se Julii</status></presence>",
    record: {
      kind: 'presence',
      from: jid('romeo@example.net/orchard'),
      id: 'pres1',
      lang: 'en',
      show: 'dnd',
      status: 'Wooing Juliet',
      priority: prio(1),
      payload: [foreignStatus('cs', 'Dvořím se Julii')],
    },
  },
  {
    name: 'RFC 6121 §4.5.2 unavailable presence with a status',
    xml: "<presence from='juliet@example.com/balcony' to='romeo@example.net' type='unavailable' xml:lang='en'><status>going on vacation</status></presence>",
    record: {
      kind: 'presence',
      from: balcony,
      to: romeo,
      type: 'unavailable',
      lang: 'en',
      status: 'going on vacation',
      payload: [],
    },
  },
  {
    name: 'RFC 6121 §3.1.1 subscription request',
    xml: "<presence id='xk3h1v69' to='juliet@example.com' type='subscribe'/>",
    record: { kind: 'presence', id: 'xk3h1v69', to: juliet, type: 'subscribe', payload: [] },
  },
  {
    name: 'RFC 6121 §3.1.5 subscription approval',
    xml: "<presence id='h4v1c4kj' to='romeo@example.net' type='subscribed'/>",
    record: { kind: 'presence', id: 'h4v1c4kj', to: romeo, type: 'subscribed', payload: [] },
  },
  {
    name: 'RFC 6121 §3.3.1 unsubscribe',
    xml: "<presence id='ul4bs71n' to='juliet@example.com' type='unsubscribe'/>",
    record: { kind: 'presence', id: 'ul4bs71n', to: juliet, type: 'unsubscribe', payload: [] },
  },
  {
    name: 'RFC 6121 §4.3.1 presence probe',
    xml: "<presence from='romeo@example.net' id='ign291v5' to='juliet@example.com' type='probe'/>",
    record: {
      kind: 'presence',
      from: romeo,
      id: 'ign291v5',
      to: juliet,
      type: 'probe',
      payload: [],
    },
  },
  {
    name: 'XEP-0115 entity capabilities',
    xml: "<presence from='romeo@montague.lit/orchard'><c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='http://code.google.com/p/exodus' ver='QgayPKawpkPSDYmwT/WM94uAlu0='/></presence>",
    record: {
      kind: 'presence',
      from: jid('romeo@montague.lit/orchard'),
      payload: [
        el('c', 'http://jabber.org/protocol/caps', {
          hash: 'sha-1',
          node: 'http://code.google.com/p/exodus',
          ver: 'QgayPKawpkPSDYmwT/WM94uAlu0=',
        }),
      ],
    },
  },
  {
    name: 'XEP-0045 §7.2.3 occupant self-presence (muc#user item and status 110)',
    xml: "<presence from='coven@chat.shakespeare.lit/thirdwitch' id='n13mt3l' to='hag66@shakespeare.lit/pda'><x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='member' role='participant'/><status code='110'/></x></presence>",
    record: {
      kind: 'presence',
      from: jid('coven@chat.shakespeare.lit/thirdwitch'),
      id: 'n13mt3l',
      to: jid('hag66@shakespeare.lit/pda'),
      payload: [
        el('x', 'http://jabber.org/protocol/muc#user', {}, [
          el('item', 'http://jabber.org/protocol/muc#user', {
            affiliation: 'member',
            role: 'participant',
          }),
          el('status', 'http://jabber.org/protocol/muc#user', { code: '110' }),
        ]),
      ],
    },
  },
  {
    name: 'presence error (remote-server-not-found)',
    xml: `<presence from='juliet@example.com' id='xk3h1v69' to='romeo@example.net' type='error'><error type='cancel'><remote-server-not-found xmlns='${STANZAS}'/></error></presence>`,
    record: {
      kind: 'presence',
      from: juliet,
      id: 'xk3h1v69',
      to: romeo,
      type: 'error',
      error: StanzaError.make('remote-server-not-found'),
      payload: [],
    },
  },
  {
    name: 'away with a negative priority and an empty status',
    xml: '<presence><show>away</show><status/><priority>-1</priority></presence>',
    record: { kind: 'presence', show: 'away', status: '', priority: prio(-1), payload: [] },
  },
]

// -------------------------------------------------------------------------------------
// specs
// -------------------------------------------------------------------------------------

describe('Presence', () => {
  describe('golden fixtures', () => {
    for (const f of fixtures) {
      it(`decode: ${f.name}`, () => {
        const r = Presence.decode(f.xml)
        expect(r).toEqual(E.right(f.record))
        if (E.isRight(r)) expect(noUndefined(r.right)).toBe(true)
      })

      it(`encode: ${f.name}`, () => {
        const xml = Presence.encode(f.record)
        expect(Xml.equals(tree(xml), tree(f.canonical ?? f.xml))).toBe(true)
        expect(Presence.decode(xml)).toEqual(E.right(f.record))
      })
    }

    it('decode: the same fixtures through Stanza.decode give the same records', () => {
      for (const f of fixtures) expect(Stanza.decode(f.xml)).toEqual(E.right(f.record))
    })

    it('codec: decodes parsed fixtures and encodes records to the canonical tree', () => {
      for (const f of fixtures) {
        expect(Presence.codec.decode(tree(f.xml))).toEqual(E.right(f.record))
        expect(Xml.equals(Presence.codec.encode(f.record), tree(f.canonical ?? f.xml))).toBe(true)
      }
    })
  })

  describe('codecs', () => {
    it('encode: unprefixed root declaring the content namespace, default jabber:client', () => {
      expect(Presence.encode(Presence.make())).toMatch(/^<presence xmlns=(['"])jabber:client\1\/>$/)
      const xml = Presence.encode(Presence.make({ show: 'xa' }), {
        ns: 'jabber:component:accept',
      })
      expect(xml).toMatch(/^<presence xmlns=(['"])jabber:component:accept\1>/)
      expect(tree(xml, null).ns).toBe('jabber:component:accept')
    })

    it('encode: show, status, priority, then payload, then error', () => {
      const p: Presence.Presence = {
        kind: 'presence',
        type: 'error',
        priority: prio(5),
        status: 's',
        show: 'chat',
        error: StanzaError.make('gone'),
        payload: [el('c', 'http://jabber.org/protocol/caps')],
      }
      const names = tree(Presence.encode(p)).children.map((c) =>
        typeof c === 'string' ? '#text' : c.name,
      )
      expect(names).toEqual(['show', 'status', 'priority', 'c', 'error'])
    })

    it('encode: the priority is written in canonical decimal form', () => {
      const xml = Presence.encode(Presence.make({ priority: prio(-128) }))
      const priority = tree(xml).children[0]
      expect(priority !== undefined && typeof priority !== 'string' && Xml.getText(priority)).toBe(
        '-128',
      )
    })

    it('decode/encode: Law 1 for well-formed records in every content namespace', () => {
      fc.assert(
        fc.property(arbPresenceWithLanguages, fc.constantFrom(...contentNamespaces), (p, ns) => {
          expect(Presence.decode(Presence.encode(p, { ns }), { ns })).toEqual(E.right(p))
        }),
        { numRuns: 150 },
      )
    })

    it('codec: io-ts round trip on elements; is() recognises presences only', () => {
      fc.assert(
        fc.property(arbPresenceWithLanguages, (p) => {
          expect(Presence.codec.decode(Presence.codec.encode(p))).toEqual(E.right(p))
          expect(Presence.codec.is(p)).toBe(true)
        }),
        runs,
      )
      expect(Presence.codec.is({ kind: 'message', payload: [] })).toBe(false)
    })

    it('codec: reports the formatted problem for an invalid element', () => {
      const r = Presence.codec.decode(tree('<presence><priority>abc</priority></presence>'))
      expect(E.isLeft(r) && r.left.map((e) => e.message)).toEqual([
        'presence/priority: bad-request: expected an integer in -128..127, got "abc"',
      ])
    })

    it('decode: Law 2: normalizations (+007, whitespace, unknown attributes) decode to the same record', () => {
      const x =
        "<presence foo='bar'>\n <priority> +007 </priority>\n <show>\taway\n</show><status xml:lang='EN' lang='x'>s</status></presence>"
      const once = decoded(x.replace('<presence ', "<presence xml:lang='en' "))
      expect(once).toEqual({
        kind: 'presence',
        lang: 'en',
        priority: 7,
        show: 'away',
        status: 's',
        payload: [],
      })
      const again = Presence.decode(Presence.encode(once))
      expect(again).toEqual(E.right(once))
      for (const f of fixtures) {
        const r = decoded(f.xml)
        expect(Presence.decode(Presence.encode(r))).toEqual(E.right(r))
      }
    })

    it('decode: never throws on arbitrary input', () => {
      fc.assert(
        fc.property(fc.string({ maxLength: 60 }), (s) => {
          const r = Presence.decode(`<presence><priority>${s}</priority></presence>`)
          expect(E.isLeft(r) || E.isRight(r)).toBe(true)
        }),
        runs,
      )
    })
  })

  describe('decode rules', () => {
    it('decode: presence@type accepts absent and the seven RFC types', () => {
      expect('type' in decoded('<presence/>')).toBe(false)
      for (const t of Presence.types)
        expect(
          decoded(
            t === 'error'
              ? `<presence type='error'><error type='cancel'><gone xmlns='${STANZAS}'/></error></presence>`
              : `<presence type='${t}'/>`,
          ).type,
        ).toBe(t)
    })

    it("decode: presence@type rejects available, '', wrong case and unknown values", () => {
      expect(rejected("<presence type='available'/>")).toEqual([
        'presence@type: bad-request: expected one of unavailable, error, probe, subscribe, subscribed, unsubscribe, unsubscribed, got "available"',
      ])
      for (const t of ['', 'Subscribe', 'bogus', ' unavailable'])
        expect(heads(`<presence type='${t}'/>`)).toEqual(['presence@type: bad-request'])
    })

    it('decode: presence/show accepts away, chat, dnd, xa, whitespace trimmed', () => {
      for (const s of ['away', 'chat', 'dnd', 'xa'])
        expect(decoded(`<presence><show>${s}</show></presence>`).show).toBe(s)
      expect(decoded('<presence><show> xa\n\t</show></presence>').show).toBe('xa')
      expect(decoded('<presence><show>&#13;dnd&#10;</show></presence>').show).toBe('dnd')
    })

    it('decode: presence/show rejects other values, empty and wrong case', () => {
      expect(rejected('<presence><show>Away</show></presence>')).toEqual([
        'presence/show: bad-request: expected one of away, chat, dnd, xa, got "Away"',
      ])
      for (const s of ['<show/>', '<show> </show>', '<show>bogus</show>', '<show>online</show>'])
        expect(heads(`<presence>${s}</presence>`)).toEqual(['presence/show: bad-request'])
      expect(heads('<presence><show>\u00a0away</show></presence>')).toEqual([
        'presence/show: bad-request',
      ])
    })

    it('decode: a second show is rejected at presence/show[2], even with the same value', () => {
      expect(rejected('<presence><show>away</show><show>away</show></presence>')).toEqual([
        'presence/show[2]: bad-request: more than one <show/>',
      ])
    })

    it('decode: presence/priority is xs:byte (sign, leading zeros, trimmed, -128..127)', () => {
      const cases: ReadonlyArray<readonly [string, number]> = [
        ['0', 0],
        ['+007', 7],
        [' 5 ', 5],
        ['\n\t-0010\r\n', -10],
        ['-128', -128],
        ['127', 127],
        ['+127', 127],
        ['0000000000000000000000000000042', 42],
      ]
      for (const [raw, n] of cases)
        expect(decoded(`<presence><priority>${raw}</priority></presence>`).priority).toBe(n)
    })

    it('decode: presence/priority rejects the exact message for a non-number', () => {
      expect(rejected('<presence><priority>abc</priority></presence>')).toEqual([
        'presence/priority: bad-request: expected an integer in -128..127, got "abc"',
      ])
    })

    it('decode: presence/priority rejects out of range, decimals, exponents, hex and empty', () => {
      for (const raw of [
        '128',
        '-129',
        '1000',
        '1.5',
        '1.0',
        '1e2',
        '0x1F',
        '',
        '   ',
        '+',
        '-',
        '+-1',
        '1 2',
        '\u00a05',
        '５',
        'Infinity',
        'NaN',
      ])
        expect(heads(`<presence><priority>${raw}</priority></presence>`)).toEqual([
          'presence/priority: bad-request',
        ])
      expect(heads('<presence><priority/></presence>')).toEqual(['presence/priority: bad-request'])
    })

    it('decode: a second priority is rejected at presence/priority[2]', () => {
      expect(rejected('<presence><priority>1</priority><priority>1</priority></presence>')).toEqual(
        ['presence/priority[2]: bad-request: more than one <priority/>'],
      )
    })

    it('decode: priority property: every integer string in range decodes to its value', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: -128, max: 127 }),
          fc.nat({ max: 3 }),
          fc.constantFrom('', ' ', '\n'),
          (n, zeros, pad) => {
            const raw = `${n < 0 ? '-' : ''}${'0'.repeat(zeros)}${Math.abs(n)}`
            const p = decoded(`<presence><priority>${pad}${raw}${pad}</priority></presence>`)
            expect(p.priority).toBe(n)
          },
        ),
        runs,
      )
      fc.assert(
        fc.property(
          fc.oneof(fc.integer({ min: 128, max: 100000 }), fc.integer({ min: -100000, max: -129 })),
          (n) => {
            expect(heads(`<presence><priority>${n}</priority></presence>`)).toEqual([
              'presence/priority: bad-request',
            ])
          },
        ),
        runs,
      )
    })

    it('decode: priority -0 is the number 0, so the record round-trips (Law 1)', () => {
      // xs:byte's value space has one zero; a record holding -0 is not decode(encode(r))
      const p = decoded('<presence><priority>-0</priority></presence>')
      expect(Object.is(Presence.getPriority(p), 0)).toBe(true)
      expect(Presence.decode(Presence.encode(p))).toEqual(E.right(p))
    })

    it('decode: presence/status[n]: one per language, compared case-insensitively', () => {
      expect(rejected('<presence><status>a</status><status>b</status></presence>')).toEqual([
        'presence/status[2]: bad-request: a second <status/> in one language',
      ])
      expect(
        heads(
          "<presence xml:lang='en'><status xml:lang='de'>a</status><status>b</status><status xml:lang='EN'>c</status></presence>",
        ),
      ).toEqual(['presence/status[3]: bad-request'])
      expect(
        heads(
          "<presence><status xml:lang='cs'>a</status><status xml:lang='CS'>b</status></presence>",
        ),
      ).toEqual(['presence/status[2]: bad-request'])
    })

    it("decode: the status in the stanza's language is the field; other languages stay in payload", () => {
      const p = decoded(
        "<presence xml:lang='en'><status xml:lang='cs'>Ahoj</status><status>Hello</status></presence>",
      )
      expect(p.status).toBe('Hello')
      expect(p.payload).toEqual([foreignStatus('cs', 'Ahoj')])
    })

    it('decode: modelled children holding elements are bad-request', () => {
      expect(heads('<presence><show><away/></show></presence>')).toEqual([
        'presence/show: bad-request',
      ])
      expect(heads('<presence><status>a<b/></status></presence>')).toEqual([
        'presence/status: bad-request',
      ])
      expect(heads('<presence><priority><i>1</i></priority></presence>')).toEqual([
        'presence/priority: bad-request',
      ])
    })

    it('decode: modelled names in a foreign namespace go to payload untouched', () => {
      const p = decoded(
        "<presence><show xmlns='urn:x'>online</show><priority xmlns='jabber:server'>500</priority><status xmlns='http://jabber.org/protocol/muc#user' code='110'/></presence>",
      )
      expect(p).toEqual({
        kind: 'presence',
        payload: [
          el('show', 'urn:x', {}, ['online']),
          el('priority', 'jabber:server', {}, ['500']),
          el('status', 'http://jabber.org/protocol/muc#user', { code: '110' }),
        ],
      })
      expect(Presence.getStatus(p)).toEqual(O.none)
      expect(Presence.getPriority(p)).toBe(0)
    })

    it('decode: text directly in the stanza is bad-request; whitespace is dropped', () => {
      expect(heads('<presence>away</presence>')).toEqual(['presence: bad-request'])
      expect(decoded('<presence>\n <show>away</show>\n</presence>')).toEqual({
        kind: 'presence',
        show: 'away',
        payload: [],
      })
    })

    it('decode: invalid to/from are jid-malformed at presence@to / presence@from; valid ones canonical', () => {
      expect(heads("<presence to='@example.com'/>")).toEqual(['presence@to: jid-malformed'])
      expect(heads("<presence from='juliet@example.com/'/>")).toEqual([
        'presence@from: jid-malformed',
      ])
      expect(decoded("<presence from='Juliet@EXAMPLE.com/Balcony'/>").from).toBe(
        'juliet@example.com/Balcony',
      )
    })

    it('decode: an xml:lang that is not BCP 47 is bad-request at presence@xml:lang', () => {
      expect(heads("<presence xml:lang='e'/>")).toEqual(['presence@xml:lang: bad-request'])
      expect(heads("<presence xml:lang='en US'/>")).toEqual(['presence@xml:lang: bad-request'])
      expect(decoded("<presence xml:lang='zh-Hant-TW'/>").lang).toBe('zh-Hant-TW')
    })

    it("decode: type 'error' requires exactly one <error/>, other types none", () => {
      expect(heads("<presence type='error'/>")).toEqual(['presence: bad-request'])
      expect(
        heads(
          `<presence type='unavailable'><error type='cancel'><gone xmlns='${STANZAS}'/></error></presence>`,
        ),
      ).toEqual(['presence/error: bad-request'])
      expect(
        heads(`<presence><error type='cancel'><gone xmlns='${STANZAS}'/></error></presence>`),
      ).toEqual(['presence/error: bad-request'])
      expect(
        heads("<presence type='error'><error type='cancel'/><error type='cancel'/></presence>"),
      ).toEqual(['presence/error[2]: bad-request'])
    })

    it('decode: on a component stream a jabber:client <error/> counts as the error', () => {
      const p = decoded(
        `<presence xmlns='jabber:component:accept' type='error'><error xmlns='jabber:client' type='cancel'><gone xmlns='${STANZAS}'/></error></presence>`,
        { ns: 'jabber:component:accept' },
      )
      expect(p).toEqual({
        kind: 'presence',
        type: 'error',
        error: StanzaError.make('gone'),
        payload: [],
      })
    })

    it('decode: restricted to <presence/>; wrong namespaces are invalid-namespace', () => {
      expect(heads('<message/>')).toEqual(['message: unsupported-stanza-type'])
      expect(heads('<Presence/>')).toEqual(['Presence: unsupported-stanza-type'])
      expect(heads("<presence xmlns='jabber:component:accept'/>")).toEqual([
        'presence: invalid-namespace',
      ])
      expect(heads('<presence/>', { ns: null })).toEqual(['presence: invalid-namespace'])
    })

    it('decode: all stanza-level problems are collected', () => {
      expect(
        heads(
          "<presence to='@x'><show>bogus</show><priority>300</priority><status/><status/></presence>",
        ),
      ).toEqual([
        'presence@to: jid-malformed',
        'presence/show: bad-request',
        'presence/priority: bad-request',
        'presence/status[2]: bad-request',
      ])
    })

    it('decode: problems come in document order (statuses before a later show)', () => {
      // docs/semantics.md §3.2: "stanza: all, in document order"
      expect(
        heads('<presence><status>a</status><status>b</status><show>bogus</show></presence>'),
      ).toEqual(['presence/status[2]: bad-request', 'presence/show: bad-request'])
    })

    it('decode: problems come in document order (a priority before a later <error/>)', () => {
      expect(
        heads("<presence type='error'><priority>x</priority><error type='bogus'/></presence>"),
      ).toEqual(['presence/priority: bad-request', 'presence/error@type: bad-request'])
    })

    it('decode: problems come in document order (the type attribute before content text)', () => {
      expect(heads("<presence type='bogus'>x</presence>")).toEqual([
        'presence@type: bad-request',
        'presence: bad-request',
      ])
    })
  })

  describe('constructors', () => {
    it('make: no fields gives an empty presence (available), no id generated', () => {
      expect(Presence.make()).toEqual({ kind: 'presence', payload: [] })
      expect(Object.keys(Presence.make()).sort()).toEqual(['kind', 'payload'])
      expect(Presence.getType(Presence.make())).toBe('available')
    })

    it("make: keeps '' status (an empty <status/> is legal)", () => {
      expect(Presence.make({ status: '' })).toEqual({ kind: 'presence', status: '', payload: [] })
      expect(Presence.getStatus(Presence.make({ status: '' }))).toEqual(O.some(''))
    })

    it('priority: Right iff an integer in -128..127', () => {
      for (const n of [-128, -1, 0, 1, 127]) expect(Presence.priority(n)).toEqual(E.right(n))
      for (const n of [128, -129, 500, 1.5, -0.5, Number.NaN, Infinity, -Infinity, 2 ** 53])
        expect(Presence.priority(n)).toEqual(
          E.left(expect.objectContaining({ _tag: 'PriorityError' })),
        )
    })

    it('priority: property over integers and doubles', () => {
      fc.assert(
        fc.property(fc.integer({ min: -1000, max: 1000 }), (n) => {
          expect(E.isRight(Presence.priority(n))).toBe(n >= -128 && n <= 127)
        }),
        runs,
      )
      fc.assert(
        fc.property(
          fc.double().filter((d) => !Number.isInteger(d)),
          (d) => {
            expect(E.isLeft(Presence.priority(d))).toBe(true)
          },
        ),
        runs,
      )
    })
  })

  describe('getters', () => {
    it('getType: the type wins over the show', () => {
      expect(Presence.getType(Presence.make({ type: 'unavailable', show: 'away' }))).toBe(
        'unavailable',
      )
    })

    it("getType: else the show, else 'available'", () => {
      expect(Presence.getType(Presence.make({ show: 'dnd' }))).toBe('dnd')
      expect(Presence.getType(Presence.make())).toBe('available')
    })

    it("getType: property: type ?? show ?? 'available'", () => {
      fc.assert(
        fc.property(arbPresence, (p) => {
          expect(Presence.getType(p)).toBe(p.type ?? p.show ?? 'available')
        }),
        runs,
      )
    })

    it('getShow: Option of the show', () => {
      expect(Presence.getShow(Presence.make({ show: 'xa' }))).toEqual(O.some('xa'))
      expect(Presence.getShow(Presence.make())).toEqual(O.none)
    })

    it('getStatus: language rules like Message.getBody (RFC 6121 §4.7.2.2)', () => {
      const p = decoded(
        "<presence xml:lang='en'><status>Wooing Juliet</status><status xml:lang='cs'>Dvořím se Julii</status><status xml:lang='de'>Werbe um Julia</status></presence>",
      )
      expect(Presence.getStatus(p)).toEqual(O.some('Wooing Juliet'))
      expect(Presence.getStatus(p, 'EN')).toEqual(O.some('Wooing Juliet'))
      expect(Presence.getStatus(p, 'cs')).toEqual(O.some('Dvořím se Julii'))
      expect(Presence.getStatus(p, 'CS')).toEqual(O.some('Dvořím se Julii'))
      expect(Presence.getStatus(p, 'fr')).toEqual(O.some('Wooing Juliet'))
      const noField = Presence.removeStatus(p)
      expect(Presence.getStatus(noField)).toEqual(O.some('Dvořím se Julii'))
      expect(Presence.getStatus(noField, 'de')).toEqual(O.some('Werbe um Julia'))
      expect(Presence.getStatus(Presence.make())).toEqual(O.none)
    })

    it("getStatus: an empty status is Some('')", () => {
      expect(Presence.getStatus(decoded('<presence><status/></presence>'))).toEqual(O.some(''))
    })

    it('getPriority: absent is 0; otherwise the number', () => {
      expect(Presence.getPriority(Presence.make())).toBe(0)
      expect(Presence.getPriority(Presence.make({ priority: prio(-5) }))).toBe(-5)
      expect(Presence.getPriority(decoded('<presence><priority>+007</priority></presence>'))).toBe(
        7,
      )
    })
  })

  describe('setters', () => {
    it('setType: a PresenceType sets the type and removes the show', () => {
      for (const t of Presence.types) {
        const r = Presence.setType(t)(Presence.make({ show: 'away', status: 's' }))
        expect(r).toEqual({ kind: 'presence', type: t, status: 's', payload: [] })
        expect(Presence.getType(r)).toBe(t)
      }
    })

    it("setType('available'): removes both type and show", () => {
      const r = Presence.setType('available')(Presence.make({ type: 'unavailable', show: 'xa' }))
      expect(r).toEqual({ kind: 'presence', payload: [] })
      expect(Presence.getType(r)).toBe('available')
    })

    it('setType: a Show sets the show and leaves the type untouched (classic)', () => {
      const r = Presence.setType('away')(Presence.make({ type: 'unavailable' }))
      expect(r).toEqual({ kind: 'presence', type: 'unavailable', show: 'away', payload: [] })
      expect(Presence.getType(r)).toBe('unavailable')
      expect(Presence.getType(Presence.setType('dnd')(Presence.make()))).toBe('dnd')
    })

    it('setType: property over every value', () => {
      const values: ReadonlyArray<Presence.PresenceType | Presence.Show | 'available'> = [
        ...Presence.types,
        'away',
        'chat',
        'dnd',
        'xa',
        'available',
      ]
      fc.assert(
        fc.property(arbPresence, fc.constantFrom(...values), (p, v) => {
          const r = Presence.setType(v)(p)
          if (v === 'available') {
            expect('type' in r || 'show' in r).toBe(false)
            expect(Presence.getType(r)).toBe('available')
          } else if (Presence.isShow(v)) {
            expect(r.show).toBe(v)
            expect(r.type).toBe(p.type)
            expect(Presence.getType(r)).toBe(p.type ?? v)
          } else {
            expect(r.type).toBe(v)
            expect('show' in r).toBe(false)
            expect(Presence.getType(r)).toBe(v)
          }
          expect(Presence.setType(v)(r)).toEqual(r)
        }),
        runs,
      )
    })

    it('delType: removes both type and show, nothing else', () => {
      const r = Presence.delType(
        Presence.make({ type: 'unavailable', show: 'away', status: 's', priority: prio(1) }),
      )
      expect(r).toEqual({ kind: 'presence', status: 's', priority: 1, payload: [] })
    })

    it('setShow / removeShow: set and remove the show only', () => {
      const p = Presence.make({ type: 'probe', show: 'xa' })
      expect(Presence.setShow('chat')(p)).toEqual({ ...p, show: 'chat' })
      expect(Presence.removeShow(p)).toEqual({ kind: 'presence', type: 'probe', payload: [] })
    })

    it("setStatus: sets the field only; '' removes it", () => {
      const p = decoded("<presence><status>a</status><status xml:lang='cs'>b</status></presence>")
      const r = Presence.setStatus('c')(p)
      expect(r.status).toBe('c')
      expect(r.payload).toEqual(p.payload)
      expect('status' in Presence.setStatus('')(p)).toBe(false)
      expect(Presence.setStatus('')(p).payload).toEqual(p.payload)
    })

    it('removeStatus: removes the key', () => {
      expect(Presence.removeStatus(Presence.make({ status: 's' }))).toEqual({
        kind: 'presence',
        payload: [],
      })
    })

    it('setPriority / removePriority: set and remove the priority', () => {
      const r = Presence.setPriority(prio(-128))(Presence.make())
      expect(r).toEqual({ kind: 'presence', priority: -128, payload: [] })
      expect(Presence.removePriority(r)).toEqual({ kind: 'presence', payload: [] })
      expect(Presence.getPriority(Presence.removePriority(r))).toBe(0)
    })

    it('setShow / setStatus / setPriority: get∘set', () => {
      fc.assert(
        fc.property(arbPresenceWithLanguages, arbShow, nonEmpty, arbPriority, (p, s, x, n) => {
          expect(Presence.getShow(Presence.setShow(s)(p))).toEqual(O.some(s))
          expect(Presence.getStatus(Presence.setStatus(x)(p))).toEqual(O.some(x))
          expect(Presence.getPriority(Presence.setPriority(n)(p))).toBe(n)
        }),
        runs,
      )
    })

    it('setShow / setStatus / setPriority / setType: set∘set = the last set; set is idempotent', () => {
      fc.assert(
        fc.property(
          arbPresence,
          fc.tuple(arbShow, arbShow),
          fc.tuple(arbText, arbText),
          fc.tuple(arbPriority, arbPriority),
          fc.tuple(arbType, arbType),
          (p, [s1, s2], [x1, x2], [n1, n2], [t1, t2]) => {
            expect(Presence.setShow(s2)(Presence.setShow(s1)(p))).toEqual(Presence.setShow(s2)(p))
            expect(Presence.setStatus(x2)(Presence.setStatus(x1)(p))).toEqual(
              Presence.setStatus(x2)(p),
            )
            expect(Presence.setPriority(n2)(Presence.setPriority(n1)(p))).toEqual(
              Presence.setPriority(n2)(p),
            )
            expect(Presence.setType(t2)(Presence.setType(t1)(p))).toEqual(Presence.setType(t2)(p))
            expect(Presence.setShow(s1)(Presence.setShow(s1)(p))).toEqual(Presence.setShow(s1)(p))
            expect(Presence.setStatus(x1)(Presence.setStatus(x1)(p))).toEqual(
              Presence.setStatus(x1)(p),
            )
            expect(Presence.delType(Presence.delType(p))).toEqual(Presence.delType(p))
          },
        ),
        runs,
      )
    })

    it('removeShow / removeStatus / removePriority: remove∘set = remove', () => {
      fc.assert(
        fc.property(arbPresence, arbShow, nonEmpty, arbPriority, (p, s, x, n) => {
          expect(Presence.removeShow(Presence.setShow(s)(p))).toEqual(Presence.removeShow(p))
          expect(Presence.removeStatus(Presence.setStatus(x)(p))).toEqual(Presence.removeStatus(p))
          expect(Presence.removePriority(Presence.setPriority(n)(p))).toEqual(
            Presence.removePriority(p),
          )
        }),
        runs,
      )
    })
  })

  describe('rules', () => {
    it('reply: subscribe → subscribed, unsubscribe → unsubscribed, id kept, to = original from', () => {
      const sub = Presence.make({ type: 'subscribe', from: romeo, to: juliet, id: 'xk3h1v69' })
      expect(Presence.reply()(sub)).toEqual({
        kind: 'presence',
        type: 'subscribed',
        to: romeo,
        id: 'xk3h1v69',
        payload: [],
      })
      const unsub = Presence.make({ type: 'unsubscribe', from: romeo, id: 'u1' })
      expect(Presence.reply()(unsub)).toEqual({
        kind: 'presence',
        type: 'unsubscribed',
        to: romeo,
        id: 'u1',
        payload: [],
      })
    })

    it('reply: other types are kept, probe included; absent stays absent', () => {
      for (const t of ['probe', 'subscribed', 'unsubscribed', 'unavailable'] as const)
        expect(Presence.reply()(Presence.make({ type: t })).type).toBe(t)
      expect('type' in Presence.reply()(Presence.make({ show: 'away' }))).toBe(false)
    })

    it('reply: clear removes show, status, priority, payload and error; lang kept', () => {
      const p = Presence.make({
        from: balcony,
        to: romeo,
        lang: 'en',
        show: 'dnd',
        status: 's',
        priority: prio(3),
        payload: [el('c', 'http://jabber.org/protocol/caps')],
      })
      expect(Presence.reply()(p)).toEqual({
        kind: 'presence',
        to: balcony,
        lang: 'en',
        payload: [],
      })
      const err = Presence.make({ type: 'error', from: juliet, error: StanzaError.make('gone') })
      expect(Presence.reply()(err)).toEqual({
        kind: 'presence',
        type: 'error',
        to: juliet,
        payload: [],
      })
    })

    it('reply: clear: false keeps all content', () => {
      const p = Presence.make({
        type: 'subscribe',
        from: balcony,
        to: romeo,
        id: 'i',
        show: 'dnd',
        status: 's',
        priority: prio(3),
        payload: [el('nick', 'http://jabber.org/protocol/nick', {}, ['Juliet'])],
      })
      const r = Presence.reply({ clear: false })(p)
      expect(r).toEqual({ ...p, type: 'subscribed', to: balcony, from: undefined })
      expect('from' in r).toBe(false)
    })

    it('reply: component mode swaps to and from', () => {
      const r = Presence.reply({ component: true })(
        Presence.make({ type: 'probe', from: romeo, to: juliet }),
      )
      expect(r).toEqual({ kind: 'presence', type: 'probe', to: romeo, from: juliet, payload: [] })
    })

    it('reply: property: addressing, type mapping, id and lang', () => {
      const answer = (t: Presence.PresenceType | undefined) =>
        t === 'subscribe' ? 'subscribed' : t === 'unsubscribe' ? 'unsubscribed' : t
      fc.assert(
        fc.property(arbPresence, fc.boolean(), (p, clear) => {
          const r = Presence.reply({ clear })(p)
          expect(r.to).toBe(p.from)
          expect('to' in r).toBe('from' in p)
          expect('from' in r).toBe(false)
          expect(r.type).toBe(answer(p.type))
          expect(r.id).toBe(p.id)
          expect(r.lang).toBe(p.lang)
          expect(noUndefined(r)).toBe(true)
          if (clear) {
            expect(r.payload).toEqual([])
            for (const k of ['show', 'status', 'priority', 'error']) expect(k in r).toBe(false)
          } else {
            expect(r.payload).toEqual(p.payload)
            expect(r.show).toBe(p.show)
            expect(r.status).toBe(p.status)
            expect(r.priority).toBe(p.priority)
            expect(r.error).toEqual(p.error)
          }
        }),
        runs,
      )
    })

    it('reply: reply of a reply has neither to nor from; id survives', () => {
      fc.assert(
        fc.property(arbPresence, (p) => {
          const rr = Presence.reply()(Presence.reply()(p))
          expect('to' in rr || 'from' in rr).toBe(false)
          expect(rr.id).toBe(p.id)
        }),
        runs,
      )
    })

    it('reply: in component mode, reply of a reply restores to and from', () => {
      fc.assert(
        fc.property(arbPresence, (p) => {
          const once = Presence.reply({ clear: false, component: true })
          const rr = once(once(p))
          expect(rr.to).toBe(p.to)
          expect(rr.from).toBe(p.from)
          expect('to' in rr).toBe('to' in p)
          expect('from' in rr).toBe('from' in p)
          const expectedType =
            p.type === 'subscribe'
              ? 'subscribed'
              : p.type === 'unsubscribe'
                ? 'unsubscribed'
                : p.type
          expect(rr).toEqual(expectedType === undefined ? p : { ...p, type: expectedType })
        }),
        runs,
      )
    })

    it('Stanza.reply: dispatches presences to Presence.reply', () => {
      fc.assert(
        fc.property(arbPresence, fc.boolean(), fc.boolean(), (p, clear, component) => {
          expect(Stanza.reply({ clear, component })(p)).toEqual(
            Presence.reply({ clear, component })(p),
          )
        }),
        runs,
      )
    })

    it('Stanza.errorReply: same id, type error; clear removes show, status, priority, payload', () => {
      const p = Presence.make({
        type: 'subscribe',
        from: romeo,
        to: juliet,
        id: 's1',
        show: 'away',
        status: 's',
        priority: prio(2),
        payload: [el('x', 'urn:x')],
      })
      const error = StanzaError.make('forbidden')
      expect(Stanza.errorReply(error)(p)).toEqual(
        O.some({ kind: 'presence', type: 'error', to: romeo, id: 's1', error, payload: [] }),
      )
    })

    it('Stanza.errorReply: clear: false keeps status, priority and payload but drops show; None for an error', () => {
      const p = Presence.make({
        from: romeo,
        show: 'away',
        status: 's',
        priority: prio(2),
        payload: [el('x', 'urn:x')],
      })
      const error = StanzaError.make('not-allowed')
      const r = Stanza.errorReply(error, { clear: false })(p)
      expect(r).toEqual(
        O.some({
          kind: 'presence',
          type: 'error',
          to: romeo,
          status: 's',
          priority: 2,
          error,
          payload: [el('x', 'urn:x')],
        }),
      )
      if (O.isSome(r)) {
        expect(Stanza.errorReply(error)(r.value)).toEqual(O.none)
        expect(Presence.decode(Presence.encode(r.value))).toEqual(E.right(r.value))
      }
    })
  })

  describe('immutability', () => {
    const operations: ReadonlyArray<readonly [string, (p: Presence.Presence) => unknown]> = [
      ['getType', Presence.getType],
      ['setType type', Presence.setType('unavailable')],
      ['setType show', Presence.setType('away')],
      ['setType available', Presence.setType('available')],
      ['delType', Presence.delType],
      ['getShow', Presence.getShow],
      ['setShow', Presence.setShow('dnd')],
      ['removeShow', Presence.removeShow],
      ['getStatus', (p) => Presence.getStatus(p, 'ja')],
      ['setStatus', Presence.setStatus('s')],
      ["setStatus('')", Presence.setStatus('')],
      ['removeStatus', Presence.removeStatus],
      ['getPriority', Presence.getPriority],
      ['setPriority', Presence.setPriority(prio(9))],
      ['removePriority', Presence.removePriority],
      ['reply', Presence.reply()],
      ['reply clear: false', Presence.reply({ clear: false, component: true })],
      ['Stanza.reply', Stanza.reply()],
      ['Stanza.errorReply', Stanza.errorReply(StanzaError.make('gone'), { clear: false })],
      ['encode', (p) => Presence.encode(p, { ns: 'jabber:server' })],
      ['codec.encode', Presence.codec.encode],
      ['make', (p) => Presence.make(p)],
    ]

    it('setters, getters, rules and codecs: never throw on deep-frozen records nor change them', () => {
      fc.assert(
        fc.property(arbPresenceWithLanguages, (p) => {
          const before = structuredClone(p)
          const frozen = deepFreeze(p)
          for (const [, f] of operations) expect(() => f(frozen)).not.toThrow()
          expect(frozen).toEqual(before)
        }),
        { numRuns: 60 },
      )
    })

    it('setters: the result is a new record, the input keeps its values', () => {
      const p = deepFreeze(Presence.make({ show: 'away', priority: prio(1) }))
      expect(Presence.setShow('xa')(p)).not.toBe(p)
      expect(Presence.delType(p)).not.toBe(p)
      expect(p.show).toBe('away')
      expect(p.priority).toBe(1)
    })

    it('codec.decode: does not change a deep-frozen element', () => {
      const x = deepFreeze(tree(fixtures[9]?.xml ?? '<presence/>'))
      const before = structuredClone(x)
      expect(E.isRight(Presence.codec.decode(x))).toBe(true)
      expect(x).toEqual(before)
    })
  })

  describe('absent fields', () => {
    it('decode: absent fields are missing keys', () => {
      const p = decoded("<presence><status xml:lang='cs'>x</status></presence>")
      expect(Object.keys(p).sort()).toEqual(['kind', 'payload'])
    })

    it('setters and removers: no key ever holds undefined; removed keys are gone', () => {
      fc.assert(
        fc.property(arbPresenceWithLanguages, arbText, arbShow, arbPriority, (p, x, s, n) => {
          const results = [
            Presence.setType('available')(p),
            Presence.setType('away')(p),
            Presence.setType('probe')(p),
            Presence.delType(p),
            Presence.setShow(s)(p),
            Presence.removeShow(p),
            Presence.setStatus(x)(p),
            Presence.removeStatus(p),
            Presence.setPriority(n)(p),
            Presence.removePriority(p),
            Presence.reply()(p),
            Presence.reply({ clear: false, component: true })(p),
          ]
          for (const r of results) expect(noUndefined(r)).toBe(true)
          expect(Object.keys(Presence.delType(p))).not.toContain('type')
          expect(Object.keys(Presence.delType(p))).not.toContain('show')
          expect(Object.keys(Presence.removeShow(p))).not.toContain('show')
          expect(Object.keys(Presence.removeStatus(p))).not.toContain('status')
          expect(Object.keys(Presence.removePriority(p))).not.toContain('priority')
          if (x === '') expect(Object.keys(Presence.setStatus(x)(p))).not.toContain('status')
        }),
        runs,
      )
    })

    it('decode: property: decoded records never hold undefined', () => {
      fc.assert(
        fc.property(arbPresenceWithLanguages, (p) => {
          const r = Presence.decode(Presence.encode(p))
          expect(E.isRight(r) && noUndefined(r.right)).toBe(true)
        }),
        runs,
      )
    })
  })

  describe('types', () => {
    it('setShow: only away, chat, dnd and xa compile', () => {
      // @ts-expect-error: 'bogus' is not a Show
      const set = Presence.setShow('bogus')
      expect(typeof set).toBe('function')
      expect(Presence.isShow('bogus')).toBe(false)
      expect(Presence.setShow(Presence.Show.away)(Presence.make()).show).toBe('away')
    })

    it('setPriority: needs the branded Priority, a plain number does not compile', () => {
      // @ts-expect-error: 500 is a number, not a Priority
      const set = Presence.setPriority(500)
      expect(typeof set).toBe('function')
      expect(E.isLeft(Presence.priority(500))).toBe(true)
      // @ts-expect-error: nor in make
      expect(Presence.make({ priority: 5 }).priority).toBe(5)
    })

    it("setType: 'online' is neither a PresenceType nor a Show", () => {
      // @ts-expect-error: not a presence type
      const set = Presence.setType('online')
      expect(typeof set).toBe('function')
      expect(Presence.isPresenceType('online') || Presence.isShow('online')).toBe(false)
    })

    it('records are readonly', () => {
      const p = deepFreeze(Presence.make({ show: 'away' }))
      expect(() => {
        // @ts-expect-error: records are readonly
        p.show = 'xa'
      }).toThrow(TypeError)
    })
  })
})
