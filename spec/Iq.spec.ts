import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as O from 'fp-ts/lib/Option.js'
import * as DecodeError from '../src/DecodeError.js'
import * as Iq from '../src/Iq.js'
import * as Jid from '../src/Jid.js'
import * as Message from '../src/Message.js'
import * as Stanza from '../src/Stanza.js'
import * as StanzaError from '../src/StanzaError.js'
import * as Xml from '../src/Xml.js'
import {
  iq as arbIq,
  jid as arbJid,
  contentNs,
  iqRequest,
  iqResponse,
  payloadElement,
} from './arbitraries/Stanza.js'
import { stanzaError } from './arbitraries/StanzaError.js'
import { jid } from './helpers.js'

const CLIENT = 'jabber:client'
const STANZAS = StanzaError.NS

// -------------------------------------------------------------------------------------
// helpers
// -------------------------------------------------------------------------------------

const right = <A>(r: E.Either<DecodeError.DecodeError, A>): A => {
  if (E.isLeft(r)) throw new Error(`expected Right, got:\n${DecodeError.format(r.left)}`)
  return r.right
}

const left = <A>(r: E.Either<DecodeError.DecodeError, A>): DecodeError.DecodeError => {
  if (E.isRight(r)) throw new Error(`expected Left, got ${JSON.stringify(r.right)}`)
  return r.left
}

const parse = (xml: string): Xml.XmlElement => {
  const r = Xml.parse(xml)
  if (E.isLeft(r)) throw new Error(`fixture does not parse: ${JSON.stringify(r.left)}`)
  return r.right
}

const el = (
  name: string,
  ns: string,
  attrs: Record<string, string> = {},
  children: ReadonlyArray<Xml.XmlNode> = [],
): Xml.XmlElement => Xml.element(name, ns, attrs, children)

/** The first problem's path and condition. */
const firstProblem = (xml: string): readonly [string, DecodeError.Condition] => {
  const p = left(Iq.decode(xml)).problems[0]
  return [p.path, p.condition]
}

const idChars = /^[A-Za-z0-9_-]{22}$/

// -------------------------------------------------------------------------------------
// golden fixtures (RFC 6120 §7.6.1, §8.2.3, §8.3.1; RFC 6121 §2.1.3–4; XEP-0030; XEP-0199)
// -------------------------------------------------------------------------------------

interface Fixture {
  readonly title: string
  /** The stanza as on the wire (whitespace only between the iq's own children). */
  readonly wire: string
  /** The stanza as `encode` writes it, modulo attribute order. */
  readonly canonical: string
  readonly record: Iq.Iq
}

const rosterQuery = el('query', 'jabber:iq:roster')
const rosterResult = el('query', 'jabber:iq:roster', { ver: 'ver11' }, [
  el(
    'item',
    'jabber:iq:roster',
    { jid: 'romeo@example.net', name: 'Romeo', subscription: 'both' },
    [el('group', 'jabber:iq:roster', {}, ['Friends'])],
  ),
  el('item', 'jabber:iq:roster', {
    jid: 'mercutio@example.com',
    name: 'Mercutio',
    subscription: 'from',
  }),
  el('item', 'jabber:iq:roster', {
    jid: 'benvolio@example.net',
    name: 'Benvolio',
    subscription: 'both',
  }),
])
const DISCO = 'http://jabber.org/protocol/disco#info'
const discoInfo = el('query', DISCO, {}, [
  el('identity', DISCO, { category: 'conference', type: 'text', name: 'Play-Specific Chatrooms' }),
  el('identity', DISCO, {
    category: 'directory',
    type: 'chatroom',
    name: 'Play-Specific Chatrooms',
  }),
  el('feature', DISCO, { var: 'http://jabber.org/protocol/disco#info' }),
  el('feature', DISCO, { var: 'http://jabber.org/protocol/muc' }),
])
const BIND = 'urn:ietf:params:xml:ns:xmpp-bind'

const fixtures: ReadonlyArray<Fixture> = [
  {
    title: 'roster get (RFC 6121 §2.1.3)',
    wire: `<iq from='juliet@example.com/balcony' id='bv1bs71f' type='get'>
  <query xmlns='jabber:iq:roster'/>
</iq>`,
    canonical:
      "<iq xmlns='jabber:client' from='juliet@example.com/balcony' type='get' id='bv1bs71f'><query xmlns='jabber:iq:roster'/></iq>",
    record: {
      kind: 'iq',
      type: 'get',
      id: 'bv1bs71f',
      from: jid('juliet@example.com/balcony'),
      payload: [rosterQuery],
    },
  },
  {
    title: 'roster result with items (RFC 6121 §2.1.4)',
    wire:
      "<iq id='bv1bs71f' to='juliet@example.com/chamber' type='result'>\n" +
      "  <query xmlns='jabber:iq:roster' ver='ver11'>" +
      "<item jid='romeo@example.net' name='Romeo' subscription='both'><group>Friends</group></item>" +
      "<item jid='mercutio@example.com' name='Mercutio' subscription='from'/>" +
      "<item jid='benvolio@example.net' name='Benvolio' subscription='both'/>" +
      '</query>\n</iq>',
    canonical:
      "<iq xmlns='jabber:client' to='juliet@example.com/chamber' type='result' id='bv1bs71f'>" +
      "<query xmlns='jabber:iq:roster' ver='ver11'>" +
      "<item jid='romeo@example.net' name='Romeo' subscription='both'><group>Friends</group></item>" +
      "<item jid='mercutio@example.com' name='Mercutio' subscription='from'/>" +
      "<item jid='benvolio@example.net' name='Benvolio' subscription='both'/>" +
      '</query></iq>',
    record: {
      kind: 'iq',
      type: 'result',
      id: 'bv1bs71f',
      to: jid('juliet@example.com/chamber'),
      payload: [rosterResult],
    },
  },
  {
    title: 'disco#info result (XEP-0030 §3.1)',
    wire:
      "<iq type='result' from='plays.shakespeare.lit' to='romeo@montague.net/orchard' id='info1'>" +
      `<query xmlns='${DISCO}'>` +
      "<identity category='conference' type='text' name='Play-Specific Chatrooms'/>" +
      "<identity category='directory' type='chatroom' name='Play-Specific Chatrooms'/>" +
      `<feature var='${DISCO}'/>` +
      "<feature var='http://jabber.org/protocol/muc'/>" +
      '</query></iq>',
    canonical:
      "<iq xmlns='jabber:client' to='romeo@montague.net/orchard' from='plays.shakespeare.lit' type='result' id='info1'>" +
      `<query xmlns='${DISCO}'>` +
      "<identity category='conference' type='text' name='Play-Specific Chatrooms'/>" +
      "<identity category='directory' type='chatroom' name='Play-Specific Chatrooms'/>" +
      `<feature var='${DISCO}'/>` +
      "<feature var='http://jabber.org/protocol/muc'/>" +
      '</query></iq>',
    record: {
      kind: 'iq',
      type: 'result',
      id: 'info1',
      from: jid('plays.shakespeare.lit'),
      to: jid('romeo@montague.net/orchard'),
      payload: [discoInfo],
    },
  },
  {
    title: 'ping get (XEP-0199 §4.2)',
    wire: "<iq from='capulet.lit' to='juliet@capulet.lit/balcony' id='s2c1' type='get'><ping xmlns='urn:xmpp:ping'/></iq>",
    canonical:
      "<iq xmlns='jabber:client' to='juliet@capulet.lit/balcony' from='capulet.lit' type='get' id='s2c1'><ping xmlns='urn:xmpp:ping'/></iq>",
    record: {
      kind: 'iq',
      type: 'get',
      id: 's2c1',
      from: jid('capulet.lit'),
      to: jid('juliet@capulet.lit/balcony'),
      payload: [el('ping', 'urn:xmpp:ping')],
    },
  },
  {
    title: 'service-unavailable error echoing the request payload (RFC 6120 §8.3.1, §8.2.3 rule 7)',
    wire: `<iq from='im.example.com' id='rg1' to='juliet@im.example.com/balcony' type='error'>
  <query xmlns='jabber:iq:roster'/>
  <error type='cancel'>
    <service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>
  </error>
</iq>`,
    canonical:
      "<iq xmlns='jabber:client' to='juliet@im.example.com/balcony' from='im.example.com' type='error' id='rg1'>" +
      "<query xmlns='jabber:iq:roster'/>" +
      "<error type='cancel'><service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>",
    record: {
      kind: 'iq',
      type: 'error',
      id: 'rg1',
      from: jid('im.example.com'),
      to: jid('juliet@im.example.com/balcony'),
      payload: [rosterQuery],
      error: { type: 'cancel', condition: 'service-unavailable' },
    },
  },
  {
    title: 'bind set (RFC 6120 §7.6.1)',
    wire: "<iq id='tn281v37' type='set'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></iq>",
    canonical:
      "<iq xmlns='jabber:client' type='set' id='tn281v37'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></iq>",
    record: { kind: 'iq', type: 'set', id: 'tn281v37', payload: [el('bind', BIND)] },
  },
  {
    title: 'bind result (RFC 6120 §7.6.1)',
    wire:
      "<iq id='tn281v37' type='result'>\n  <bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>" +
      '<jid>juliet@im.example.com/4db06f06b0b5e4b5</jid></bind>\n</iq>',
    canonical:
      "<iq xmlns='jabber:client' type='result' id='tn281v37'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>" +
      '<jid>juliet@im.example.com/4db06f06b0b5e4b5</jid></bind></iq>',
    record: {
      kind: 'iq',
      type: 'result',
      id: 'tn281v37',
      payload: [
        el('bind', BIND, {}, [el('jid', BIND, {}, ['juliet@im.example.com/4db06f06b0b5e4b5'])]),
      ],
    },
  },
]

describe('Iq', () => {
  describe('codecs: golden fixtures', () => {
    it.each(fixtures)('decode: $title', ({ wire, record }) => {
      expect(right(Iq.decode(wire))).toEqual(record)
    })

    it.each(fixtures)('encode: $title', ({ canonical, record }) => {
      const out = parse(Iq.encode(record))
      const expected = parse(canonical)
      expect(Xml.equals(out, expected)).toBe(true)
      // Only the root declares the content namespace.
      expect(Iq.encode(record).split("xmlns='jabber:client'")).toHaveLength(2)
    })

    it('decode: the error fixture, decoded, has no <text/>, by or app', () => {
      const f = fixtures.find((x) => x.record.type === 'error')
      if (f === undefined) throw new Error('no error fixture')
      const e = right(Iq.decode(f.wire)).error
      expect(e).toEqual({ type: 'cancel', condition: 'service-unavailable' })
    })
  })

  describe('codecs: decode rules (RFC 6120 §8.2.3)', () => {
    const ping = "<ping xmlns='urn:xmpp:ping'/>"
    const err = `<error type='cancel'><service-unavailable xmlns='${STANZAS}'/></error>`
    const table: ReadonlyArray<readonly [string, string, string]> = [
      ['id missing', `<iq type='get'>${ping}</iq>`, 'iq@id'],
      ['id empty', `<iq type='get' id=''>${ping}</iq>`, 'iq@id'],
      ['type missing', `<iq id='1'>${ping}</iq>`, 'iq@type'],
      ['type unknown', `<iq id='1' type='fetch'>${ping}</iq>`, 'iq@type'],
      ['type GET (case-sensitive)', `<iq id='1' type='GET'>${ping}</iq>`, 'iq@type'],
      ['type empty', `<iq id='1' type=''>${ping}</iq>`, 'iq@type'],
      ['get without a child', "<iq id='1' type='get'/>", 'iq'],
      ['set without a child', "<iq id='1' type='set'> </iq>", 'iq'],
      ['get with two children', `<iq id='1' type='get'>${ping}${ping}</iq>`, 'iq'],
      ['set with two children', `<iq id='1' type='set'>${ping}<x xmlns='urn:x'/></iq>`, 'iq'],
      ['result with two children', `<iq id='1' type='result'>${ping}${ping}</iq>`, 'iq'],
      ['error without <error/>', `<iq id='1' type='error'>${ping}</iq>`, 'iq'],
      ['error with two <error/>', `<iq id='1' type='error'>${err}${err}</iq>`, 'iq/error[2]'],
      [
        'error with two payload children',
        `<iq id='1' type='error'>${ping}${ping}${err}</iq>`,
        'iq',
      ],
      ['<error/> in a result', `<iq id='1' type='result'>${err}</iq>`, 'iq/error'],
      ['text directly inside', `<iq id='1' type='get'>hi${ping}</iq>`, 'iq'],
      [
        'an <error/> with a bad type',
        `<iq id='1' type='error'><error type='fatal'/></iq>`,
        'iq/error@type',
      ],
    ]

    it.each(table)('decode: %s is bad-request at its path', (_, xml, path) => {
      const e = left(Iq.decode(xml))
      expect(e.problems.map((p) => [p.path, p.condition])).toContainEqual([path, 'bad-request'])
      expect(DecodeError.condition(e)).toBe('bad-request')
      expect(DecodeError.isStanzaLevel(e)).toBe(true)
    })

    it('decode: the first problem of a missing id is at iq@id', () => {
      expect(firstProblem(`<iq type='get'>${ping}</iq>`)).toEqual(['iq@id', 'bad-request'])
      expect(firstProblem(`<iq id='x' type='GET'>${ping}</iq>`)).toEqual(['iq@type', 'bad-request'])
    })

    it('decode: an invalid to/from is jid-malformed at iq@to / iq@from', () => {
      expect(firstProblem(`<iq id='1' type='get' to='a@@b'>${ping}</iq>`)).toEqual([
        'iq@to',
        'jid-malformed',
      ])
      expect(firstProblem(`<iq id='1' type='get' from='@b'>${ping}</iq>`)).toEqual([
        'iq@from',
        'jid-malformed',
      ])
    })

    it('decode: get/set with exactly one child, result with zero or one are accepted', () => {
      for (const [type, children, n] of [
        ['get', ping, 1],
        ['set', ` ${ping}\n`, 1],
        ['result', '', 0],
        ['result', ping, 1],
      ] as const)
        expect(right(Iq.decode(`<iq id='1' type='${type}'>${children}</iq>`)).payload).toHaveLength(
          n,
        )
    })

    it('decode: an error keeps the request payload as payload', () => {
      const r = right(Iq.decode(`<iq id='1' type='error'>${ping}${err}</iq>`))
      expect(r.payload).toEqual([el('ping', 'urn:xmpp:ping')])
      expect(r.error).toEqual({ type: 'cancel', condition: 'service-unavailable' })
      expect(right(Iq.decode(`<iq id='1' type='error'>${err}${ping}</iq>`)).payload).toEqual([
        el('ping', 'urn:xmpp:ping'),
      ])
      expect(right(Iq.decode(`<iq id='1' type='error'>${err}</iq>`)).payload).toEqual([])
    })

    it('decode: unknown attributes are dropped, the id is kept verbatim', () => {
      const r = right(Iq.decode(`<iq id=' a b ' type='get' foo='bar' xml:lang='en'>${ping}</iq>`))
      expect(r).toEqual({
        kind: 'iq',
        id: ' a b ',
        type: 'get',
        lang: 'en',
        payload: [el('ping', 'urn:xmpp:ping')],
      })
    })

    it('decode: another kind is unsupported-stanza-type', () => {
      expect(DecodeError.condition(left(Iq.decode('<message/>')))).toBe('unsupported-stanza-type')
    })
  })

  describe('constructors', () => {
    it('get / set: generate a 22-character URL-safe id carrying 128 bits', () => {
      const ping = el('ping', 'urn:xmpp:ping')
      for (const make of [Iq.get, Iq.set]) {
        const q = make(ping)
        expect(q.id).toMatch(idChars)
        // 22 base64url characters decode to exactly 16 bytes, and re-encode to the same id.
        const bytes = Buffer.from(q.id, 'base64url')
        expect(bytes).toHaveLength(16)
        expect(bytes.toString('base64url')).toBe(q.id)
      }
    })

    it('get / set: ids are unique over 10,000 calls and use the whole alphabet', () => {
      const ping = el('ping', 'urn:xmpp:ping')
      const ids = new Set<string>()
      const chars = new Set<string>()
      for (let i = 0; i < 10_000; i++) {
        const id = (i % 2 === 0 ? Iq.get(ping) : Iq.set(ping)).id
        expect(id).toMatch(idChars)
        ids.add(id)
        for (const c of id.slice(0, 21)) chars.add(c)
      }
      expect(ids.size).toBe(10_000)
      expect(chars.size).toBe(64)
    })

    it('get / set: keep the given id, to and from; payload is the one element', () => {
      fc.assert(
        fc.property(
          payloadElement,
          arbJid,
          arbJid,
          fc.string({ minLength: 1 }),
          (p, to, from, id) => {
            expect(Iq.get(p, { to, from, id })).toEqual({
              kind: 'iq',
              type: 'get',
              id,
              to,
              from,
              payload: [p],
            })
            const s = Iq.set(p, { to })
            expect(s.type).toBe('set')
            expect(s.to).toBe(to)
            expect(Object.hasOwn(s, 'from')).toBe(false)
            expect(s.payload).toEqual([p])
          },
        ),
        { numRuns: 100 },
      )
    })

    it('get / set: the records are well-formed and round-trip', () => {
      fc.assert(
        fc.property(payloadElement, contentNs, (p, ns) => {
          const q = Iq.get(p)
          expect(right(Iq.decode(Iq.encode(q, { ns }), { ns }))).toEqual(q)
        }),
        { numRuns: 100 },
      )
    })

    it('result: a reply with type result, the same id, payload [payload] or []', () => {
      fc.assert(
        fc.property(iqRequest, fc.option(payloadElement, { nil: undefined }), (req, p) => {
          const r = Iq.result(req, p)
          expect(r.type).toBe('result')
          expect(r.id).toBe(req.id)
          expect(r.payload).toEqual(p === undefined ? [] : [p])
          if (req.from === undefined) expect(Object.hasOwn(r, 'to')).toBe(false)
          else expect(r.to).toBe(req.from)
          expect(Object.hasOwn(r, 'from')).toBe(false)
          expect(Object.hasOwn(r, 'error')).toBe(false)
          expect(right(Iq.decode(Iq.encode(r)))).toEqual(r)
        }),
        { numRuns: 200 },
      )
    })

    it('result: the bind example', () => {
      const req = Iq.set(el('bind', BIND), { id: 'tn281v37' })
      const jidEl = el('jid', BIND, {}, ['juliet@im.example.com/4db06f06b0b5e4b5'])
      expect(Iq.result(req, el('bind', BIND, {}, [jidEl]))).toEqual(
        fixtures.find((f) => f.title.startsWith('bind result'))?.record,
      )
    })

    it('make: requires a type; generates the id when absent; payload defaults to []', () => {
      const q = Iq.make({ type: 'result' })
      expect(q).toEqual({ kind: 'iq', type: 'result', id: q.id, payload: [] })
      expect(q.id).toMatch(idChars)
      expect(Iq.make({ type: 'result' }).id).not.toBe(q.id)
      const to = jid('example.com')
      expect(Iq.make({ type: 'get', id: 'x', to, payload: [el('a', 'urn:a')] })).toEqual({
        kind: 'iq',
        type: 'get',
        id: 'x',
        to,
        payload: [el('a', 'urn:a')],
      })
    })
  })

  describe('getters', () => {
    it('getQuery: the namespace of the first child named exactly query', () => {
      const q = (payload: ReadonlyArray<Xml.XmlElement>): Iq.Iq =>
        Iq.make({ type: 'result', id: '1', payload })
      expect(Iq.getQuery(q([el('query', 'jabber:iq:roster')]))).toEqual(O.some('jabber:iq:roster'))
      expect(Iq.getQuery(q([el('xquery', 'urn:x')]))).toEqual(O.none)
      expect(Iq.getQuery(q([el('pubsubquery', 'urn:x')]))).toEqual(O.none)
      expect(Iq.getQuery(q([el('Query', 'urn:x')]))).toEqual(O.none)
      expect(Iq.getQuery(q([]))).toEqual(O.none)
      expect(
        Iq.getQuery(q([el('xquery', 'urn:x'), el('query', 'urn:a'), el('query', 'urn:b')])),
      ).toEqual(O.some('urn:a'))
      expect(Iq.getQuery(q([el('query', '')]))).toEqual(O.some(''))
    })
  })

  describe('setters', () => {
    const base = Iq.get(el('ping', 'urn:xmpp:ping'), { id: 'q1' })

    it('setQuery: replaces the payload with one empty <query xmlns=ns/>', () => {
      expect(pipe(base, Iq.setQuery('jabber:iq:version'))).toEqual({
        ...base,
        payload: [el('query', 'jabber:iq:version')],
      })
    })

    it('setQuery: unchanged when that query is present; "" is a no-op', () => {
      const roster = Iq.make({
        type: 'result',
        id: '1',
        payload: [
          el('x', 'urn:x'),
          el('query', 'jabber:iq:roster', {}, [el('item', 'jabber:iq:roster')]),
        ],
      })
      expect(Iq.setQuery('jabber:iq:roster')(roster)).toEqual(roster)
      expect(Iq.setQuery('')(roster)).toEqual(roster)
      expect(Iq.setQuery('')(base)).toEqual(base)
      expect(Iq.setQuery('jabber:iq:private')(roster).payload).toEqual([
        el('query', 'jabber:iq:private'),
      ])
    })

    it('delQuery: removes every <query/>, keeps the rest in order', () => {
      const q = Iq.make({
        type: 'result',
        id: '1',
        payload: [
          el('query', 'urn:a'),
          el('x', 'urn:x'),
          el('query', 'urn:b'),
          el('xquery', 'urn:c'),
        ],
      })
      expect(Iq.delQuery(q)).toEqual({ ...q, payload: [el('x', 'urn:x'), el('xquery', 'urn:c')] })
      expect(Iq.getQuery(Iq.delQuery(q))).toEqual(O.none)
      expect(Iq.delQuery(base)).toEqual(base)
    })

    it('setPayload: one element or a list replaces the payload', () => {
      const a = el('a', 'urn:a')
      const b = el('b', 'urn:b')
      expect(Iq.setPayload(a)(base).payload).toEqual([a])
      expect(Iq.setPayload([a, b])(base).payload).toEqual([a, b])
      expect(Iq.setPayload([])(base).payload).toEqual([])
      expect(Iq.setPayload(a)(base)).toEqual({ ...base, payload: [a] })
    })
  })

  describe('rules', () => {
    it('reply: type result, same id, error removed, reply addressing; clear (default) empties the payload', () => {
      fc.assert(
        fc.property(iqRequest, fc.boolean(), (q, component) => {
          for (const r of [Iq.reply({ component })(q), Iq.reply({ clear: true, component })(q)]) {
            expect(r.type).toBe('result')
            expect(r.id).toBe(q.id)
            expect(Object.hasOwn(r, 'error')).toBe(false)
            expect(r.payload).toEqual([])
            if (q.from === undefined) expect(Object.hasOwn(r, 'to')).toBe(false)
            else expect(r.to).toBe(q.from)
            if (component && q.to !== undefined) expect(r.from).toBe(q.to)
            else expect(Object.hasOwn(r, 'from')).toBe(false)
            expect(r.lang).toBe(q.lang)
          }
        }),
        { numRuns: 200 },
      )
    })

    it('reply: clear: false keeps the payload', () => {
      fc.assert(
        fc.property(iqRequest, (q) => {
          const r = Iq.reply({ clear: false })(q)
          expect(r.payload).toEqual(q.payload)
          expect(r.type).toBe('result')
          expect(right(Iq.decode(Iq.encode(r)))).toEqual(r)
        }),
        { numRuns: 100 },
      )
    })

    it('reply: on an error iq (through Stanza.reply: Iq.reply takes requests only) removes the error', () => {
      const e = Iq.make({
        type: 'error',
        id: 'e1',
        payload: [el('a', 'urn:a')],
        error: StanzaError.make('conflict'),
      })
      expect(Stanza.reply({ clear: false })(e)).toEqual({
        kind: 'iq',
        type: 'result',
        id: 'e1',
        payload: [el('a', 'urn:a')],
      })
    })

    it('unhandled: a get/set gets feature-not-implemented (cancel), no <text>, same id', () => {
      fc.assert(
        fc.property(iqRequest, (q) => {
          const r = Iq.unhandled(q)
          if (O.isNone(r)) throw new Error('expected Some')
          const x = r.value
          expect(x.type).toBe('error')
          expect(x.id).toBe(q.id)
          expect(x.error).toEqual({ type: 'cancel', condition: 'feature-not-implemented' })
          if (q.from === undefined) expect(Object.hasOwn(x, 'to')).toBe(false)
          else expect(x.to).toBe(q.from)
          expect(right(Iq.decode(Iq.encode(x)))).toEqual(x)
          expect(Iq.encode(x)).not.toContain('<text')
        }),
        { numRuns: 200 },
      )
    })

    it('unhandled: a custom condition, service-unavailable for an unknown namespace (RFC 6120 §8.4)', () => {
      const req = Iq.get(el('query', 'urn:unknown'), {
        id: 'u1',
        from: jid('romeo@example.net/orchard'),
        to: jid('juliet@example.com/balcony'),
      })
      expect(Iq.unhandled(req, { condition: 'service-unavailable' })).toEqual(
        O.some({
          kind: 'iq',
          type: 'error',
          id: 'u1',
          to: 'romeo@example.net/orchard',
          payload: [],
          error: { type: 'cancel', condition: 'service-unavailable' },
        }),
      )
      expect(
        O.map((x: Iq.Iq) => x.from)(
          Iq.unhandled(req, { condition: 'service-unavailable', component: true }),
        ),
      ).toEqual(O.some('juliet@example.com/balcony'))
    })

    it('unhandled: result and error give None', () => {
      fc.assert(
        fc.property(iqResponse, (q) => {
          expect(Iq.unhandled(q)).toEqual(O.none)
          expect(Iq.unhandled(q, { condition: 'service-unavailable' })).toEqual(O.none)
        }),
        { numRuns: 100 },
      )
    })

    it('isRequest / isResponse: get/set versus result/error, and they narrow in filter', () => {
      fc.assert(
        fc.property(fc.array(arbIq, { maxLength: 6 }), (qs) => {
          const reqs: ReadonlyArray<Iq.Request> = qs.filter(Iq.isRequest)
          const resps: ReadonlyArray<Iq.Response> = qs.filter(Iq.isResponse)
          expect(reqs.length + resps.length).toBe(qs.length)
          for (const q of reqs) expect(['get', 'set']).toContain(q.type)
          for (const q of resps) expect(['result', 'error']).toContain(q.type)
        }),
        { numRuns: 100 },
      )
    })
  })

  describe('laws', () => {
    it('reply keeps the id, for every option', () => {
      fc.assert(
        fc.property(iqRequest, fc.boolean(), fc.boolean(), (q, clear, component) => {
          expect(Iq.reply({ clear, component })(q).id).toBe(q.id)
          expect(Iq.result(q).id).toBe(q.id)
        }),
        { numRuns: 200 },
      )
    })

    it('getQuery(setQuery(ns)(iq)) = some(ns) for non-empty ns', () => {
      fc.assert(
        fc.property(arbIq, fc.string({ minLength: 1 }), (q, ns) => {
          expect(Iq.getQuery(Iq.setQuery(ns)(q))).toEqual(O.some(ns))
        }),
        { numRuns: 200 },
      )
    })

    it('setQuery is idempotent; delQuery after setQuery leaves no query', () => {
      fc.assert(
        fc.property(arbIq, fc.string({ minLength: 1 }), (q, ns) => {
          const once = Iq.setQuery(ns)(q)
          expect(Iq.setQuery(ns)(once)).toEqual(once)
          expect(Iq.getQuery(Iq.delQuery(once))).toEqual(O.none)
        }),
        { numRuns: 100 },
      )
    })

    it('rules and setters never mutate frozen iqs', () => {
      fc.assert(
        fc.property(arbIq, stanzaError, (q, e) => {
          const before = structuredClone(q)
          const frozen = Object.freeze({ ...q, payload: Object.freeze([...q.payload]) })
          if (Iq.isRequest(frozen)) {
            Iq.reply()(frozen)
            Iq.reply({ clear: false })(frozen)
            Iq.result(frozen)
          }
          Stanza.reply()(frozen)
          Iq.unhandled(frozen)
          Iq.errorReply(e, { clear: false })(frozen)
          Iq.setQuery('urn:x')(frozen)
          Iq.delQuery(frozen)
          Iq.setPayload([])(frozen)
          Iq.encode(frozen)
          Stanza.reply()(
            Object.freeze({ ...frozen, type: 'error' as const, error: Object.freeze(e) }),
          )
          expect(frozen).toEqual(before)
        }),
        { numRuns: 100 },
      )
    })
  })

  describe('type tests', () => {
    it('the model cannot be built without kind, type or id', () => {
      // @ts-expect-error `type` is required by make
      const untyped: Iq.Iq = Iq.make({ id: 'x' })
      // @ts-expect-error a message is not an iq
      const wrong: Iq.Iq = Message.make()
      expect(untyped.kind).toBe('iq')
      expect(wrong.kind).toBe('message')
      expect(CLIENT).toBe('jabber:client')
    })
  })

  // -----------------------------------------------------------------------------------
  // who may answer a request (docs/security.md §6)
  describe('rules: allowedResponders / isResponseTo', () => {
    const ME = jid('juliet@example.com/balcony')
    const MY_BARE = jid('juliet@example.com')
    const MY_DOMAIN = jid('example.com')
    const MY_OTHER = jid('juliet@example.com/chamber')
    const PEER = jid('romeo@example.net/orchard')
    const PEER_BARE = jid('romeo@example.net')
    const PEER_DOMAIN = jid('example.net')
    const MALLORY = jid('mallory@evil.example/x')
    const pingEl = Xml.element('ping', 'urn:xmpp:ping')

    type From = Jid.Jid | undefined
    const everyone: ReadonlyArray<From> = [
      undefined,
      ME,
      MY_BARE,
      MY_OTHER,
      MY_DOMAIN,
      PEER,
      PEER_BARE,
      jid('romeo@example.net/Orchard'),
      PEER_DOMAIN,
      MALLORY,
    ]

    /**
     * The docs/security.md §6 table written again, by string surgery rather than the Jid
     * module: the resource starts at the first '/', and a bare JID's domain follows its '@'.
     */
    const reference =
      (to: From, me: From, acceptOwnDomain: boolean) =>
      (from: From): boolean => {
        const own = me?.split('/')[0]
        if (to === undefined) {
          if (from === undefined) return true
          if (own === undefined) return false
          return from === own || (acceptOwnDomain && from === own.split('@').pop())
        }
        if (from === undefined) return to === own
        return from === to
      }

    const ask = (to: From, id = 'q1'): Iq.Request =>
      Iq.get(pingEl, { id, ...(to === undefined ? {} : { to }) })
    const answer = (from: From, type: 'result' | 'error' = 'result', id = 'q1'): Iq.Iq =>
      Iq.make({ type, id, ...(from === undefined ? {} : { from }) })

    // The JIDs of a case, related to `me` so that the table's rows are all hit often.
    const cast = fc.tuple(arbJid, arbJid, arbJid).map(([me, stranger, other]) => {
      const bare = me.split('/')[0] as Jid.Jid
      const domain = bare.split('@').pop() as Jid.Jid
      return { me, related: [me, bare, domain, `${bare}/${other.length}` as Jid.Jid, stranger] }
    })
    const pick = (related: ReadonlyArray<Jid.Jid>) =>
      fc.oneof(
        fc.constant(undefined),
        fc.constantFrom(...related),
        arbJid.map((j): From => j),
      )
    const scenario = cast.chain(({ me, related }) =>
      fc.record({
        me: fc.option(fc.constant(me), { nil: undefined, freq: 4 }),
        to: pick(related),
        from: pick(related),
        acceptOwnDomain: fc.boolean(),
        request: iqRequest,
        response: iqResponse,
      }),
    )
    const withTo = (q: Iq.Request, to: From): Iq.Request => {
      const { to: _, ...rest } = q
      return to === undefined ? rest : { ...rest, to }
    }
    const withFrom = (r: Iq.Iq, from: From): Iq.Iq => {
      const { from: _, ...rest } = r
      return from === undefined ? rest : { ...rest, from }
    }
    const options = (acceptOwnDomain: boolean): Iq.ResponderOptions =>
      acceptOwnDomain ? { acceptOwnDomain } : {}

    it('allowedResponders: agrees with the table for random requests, senders and own JIDs', () => {
      fc.assert(
        fc.property(scenario, ({ me, to, from, acceptOwnDomain, request }) => {
          const r = Iq.allowedResponders(withTo(request, to), me, options(acceptOwnDomain))
          const allowed = from === undefined ? r.absent : from === r.jid || from === r.domain
          expect(allowed).toBe(reference(to, me, acceptOwnDomain)(from))
        }),
        { numRuns: 1000 },
      )
    })

    it('isResponseTo: kind iq, type result|error, same id and an allowed from — nothing else', () => {
      const kinds = fc.constantFrom('same', 'other-id', 'get', 'set', 'message')
      fc.assert(
        fc.property(scenario, kinds, (s, kind) => {
          const request = withTo(s.request, s.to)
          const base = withFrom({ ...s.response, id: request.id }, s.from)
          const response: Iq.Iq =
            kind === 'same'
              ? base
              : kind === 'other-id'
                ? { ...base, id: `${request.id}x` }
                : kind === 'message'
                  ? (Message.make({ id: request.id, type: 'error' }) as unknown as Iq.Iq)
                  : { ...base, type: kind, payload: [pingEl] }
          const expected = kind === 'same' && reference(s.to, s.me, s.acceptOwnDomain)(s.from)
          expect(Iq.isResponseTo(request, s.me, options(s.acceptOwnDomain))(response)).toBe(
            expected,
          )
        }),
        { numRuns: 1000 },
      )
    })

    it('isResponseTo: an unparsable or non-canonical from never matches', () => {
      const canonical = (s: string): boolean => {
        const r = Jid.parse(s)
        return E.isRight(r) && r.right === s
      }
      const mangle = (j: string): fc.Arbitrary<string> =>
        fc.constantFrom(
          j.toUpperCase(),
          ` ${j}`,
          `${j}/`,
          `@${j}`,
          `${j.split('/')[0]}@`,
          j.replace('@', '@@'),
          '',
        )
      const bogus = cast.chain(({ me, related }) =>
        fc.record({
          me: fc.constant(me),
          to: pick(related),
          from: fc.oneof(fc.string(), fc.constantFrom(...related).chain(mangle)),
          acceptOwnDomain: fc.boolean(),
        }),
      )
      fc.assert(
        fc.property(
          bogus.filter((b) => !canonical(b.from)),
          fc.constantFrom<'result' | 'error'>('result', 'error'),
          ({ me, to, from, acceptOwnDomain }, type) => {
            const answers = Iq.isResponseTo(ask(to), me, options(acceptOwnDomain))
            expect(answers(answer(from as Jid.Jid, type))).toBe(false)
          },
        ),
        { numRuns: 1000 },
      )
    })

    interface Row {
      readonly title: string
      readonly me: From
      readonly to: From
      readonly acceptOwnDomain?: boolean
      readonly allowed: ReadonlyArray<From>
    }
    const rows: ReadonlyArray<Row> = [
      {
        title: 'to absent → absent or bare(me)',
        me: ME,
        to: undefined,
        allowed: [undefined, MY_BARE],
      },
      {
        title: 'to absent, acceptOwnDomain → also domain(me)',
        me: ME,
        to: undefined,
        acceptOwnDomain: true,
        allowed: [undefined, MY_BARE, MY_DOMAIN],
      },
      {
        title: 'to absent, not bound → absent only',
        me: undefined,
        to: undefined,
        allowed: [undefined],
      },
      {
        title: 'to absent, not bound, acceptOwnDomain → absent only',
        me: undefined,
        to: undefined,
        acceptOwnDomain: true,
        allowed: [undefined],
      },
      {
        title: 'to bare(me) → bare(me) or absent',
        me: ME,
        to: MY_BARE,
        allowed: [MY_BARE, undefined],
      },
      {
        title: 'to bare(me), not bound → exactly that JID',
        me: undefined,
        to: MY_BARE,
        allowed: [MY_BARE],
      },
      { title: 'to a peer full JID → exactly it', me: ME, to: PEER, allowed: [PEER] },
      {
        title: 'to a peer bare JID → exactly it (not its resources)',
        me: ME,
        to: PEER_BARE,
        allowed: [PEER_BARE],
      },
      { title: 'to a domain → exactly it', me: ME, to: PEER_DOMAIN, allowed: [PEER_DOMAIN] },
      {
        title: 'to our own domain → exactly it, even with acceptOwnDomain',
        me: ME,
        to: MY_DOMAIN,
        acceptOwnDomain: true,
        allowed: [MY_DOMAIN],
      },
      { title: 'to our other resource → exactly it', me: ME, to: MY_OTHER, allowed: [MY_OTHER] },
      { title: 'to our own full JID → exactly it', me: ME, to: ME, allowed: [ME] },
    ]
    for (const row of rows) {
      it(`isResponseTo: ${row.title}`, () => {
        const answers = Iq.isResponseTo(ask(row.to), row.me, options(row.acceptOwnDomain === true))
        for (const from of everyone)
          for (const type of ['result', 'error'] as const)
            expect({ from, type, ok: answers(answer(from, type)) }).toEqual({
              from,
              type,
              ok: row.allowed.includes(from),
            })
      })
    }

    it('allowedResponders: the record for each kind of row', () => {
      expect(Iq.allowedResponders(ask(undefined), ME)).toEqual({
        absent: true,
        jid: MY_BARE,
        domain: undefined,
      })
      expect(Iq.allowedResponders(ask(undefined), ME, { acceptOwnDomain: true })).toEqual({
        absent: true,
        jid: MY_BARE,
        domain: MY_DOMAIN,
      })
      expect(Iq.allowedResponders(ask(undefined), undefined, { acceptOwnDomain: true })).toEqual({
        absent: true,
        jid: undefined,
        domain: undefined,
      })
      expect(Iq.allowedResponders(ask(MY_BARE), ME)).toEqual({
        absent: true,
        jid: MY_BARE,
        domain: undefined,
      })
      expect(Iq.allowedResponders(ask(PEER), ME, { acceptOwnDomain: true })).toEqual({
        absent: false,
        jid: PEER,
        domain: undefined,
      })
    })

    it('isResponseTo: the allowed set is fixed when the request and me are applied', () => {
      const request = ask(undefined)
      const unbound = Iq.isResponseTo(request, undefined)
      expect(unbound(answer(MY_BARE))).toBe(false)
      expect(Iq.isResponseTo(request, ME)(answer(MY_BARE))).toBe(true)
      expect(unbound(answer(MY_BARE))).toBe(false)
    })

    it('isResponseTo: a refinement usable with Array.filter', () => {
      const request = ask(PEER)
      const incoming: ReadonlyArray<Iq.Iq> = [
        answer(MALLORY),
        Iq.get(pingEl, { id: 'q1', from: PEER }),
        answer(PEER, 'error'),
        answer(PEER, 'result', 'q2'),
      ]
      const responses: ReadonlyArray<Iq.Response> = incoming.filter(Iq.isResponseTo(request, ME))
      expect(responses).toEqual([answer(PEER, 'error')])
    })
  })
})
