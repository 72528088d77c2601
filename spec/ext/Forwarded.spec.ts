import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as O from 'fp-ts/lib/Option.js'
import * as DecodeError from '../../src/DecodeError.js'
import { Delay } from '../../src/ext/Delay.js'
import { Forwarded, NS } from '../../src/ext/Forwarded.js'
import * as Message from '../../src/Message.js'
import * as Stanza from '../../src/Stanza.js'
import * as Xml from '../../src/Xml.js'
import { forwarded as arbForwarded } from '../arbitraries/ext.js'
import { message as arbMessage, stanza as arbStanza } from '../arbitraries/Stanza.js'
import { jid } from '../helpers.js'

const CLIENT = 'jabber:client'
const SERVER = 'jabber:server'

const decodeMessage = (xml: string): Message.Message => {
  const r = Stanza.decode(xml)
  if (E.isLeft(r)) throw new Error(DecodeError.format(r.left))
  if (r.right.kind !== 'message') throw new Error('not a message')
  return r.right
}

const fixture = (file: string): Message.Message =>
  decodeMessage(readFileSync(resolve(__dirname, '..', 'fixtures', file), 'utf8'))

const xml = (s: string): Xml.XmlElement => {
  const r = Xml.parse(s, { ns: null })
  if (E.isLeft(r)) throw new Error(r.left.message)
  return r.right
}

/** A message forwarding `inner` (the XML of a stanza, with its own xmlns). */
const forwarding = (inner: string, delay = ''): Message.Message =>
  decodeMessage(
    `<message xmlns='jabber:client' to='mercutio@verona.lit' from='romeo@montague.lit/orchard' id='28gs'><body>fwd</body><forwarded xmlns='${NS}'>${delay}${inner}</forwarded></message>`,
  )

const juliet = (ns: string): string =>
  `<message xmlns='${ns}' from='juliet@capulet.lit/orchard' id='0202197' to='romeo@montague.lit' type='chat'><body>Yet I should kill thee with much cherishing.</body><mood xmlns='http://jabber.org/protocol/mood'><amorous/></mood></message>`

const lines = <A>(r: E.Either<DecodeError.DecodeError, A>): ReadonlyArray<string> =>
  E.isLeft(r) ? DecodeError.format(r.left).split('\n') : []

const heads = <A>(r: E.Either<DecodeError.DecodeError, A>): ReadonlyArray<string> =>
  lines(r).map((l) => l.split(': ').slice(0, 2).join(': '))

const the = <A>(o: O.Option<A>): A => {
  if (O.isNone(o)) throw new Error('expected Some')
  return o.value
}

describe('ext/Forwarded', () => {
  describe('model', () => {
    it('Forwarded: <forwarded xmlns="urn:xmpp:forward:0"> in messages, disco feature urn:xmpp:forward:0 (XEP-0297 §3.1, §4)', () => {
      expect(Forwarded.name).toBe('forwarded')
      expect(Forwarded.ns).toBe('urn:xmpp:forward:0')
      expect(Forwarded.kinds).toStrictEqual(['message'])
      expect(Forwarded.feature).toBe('urn:xmpp:forward:0')
    })
  })

  describe('jabber:client', () => {
    it('Forwarded: the embedded jabber:client stanza of XEP-0297 Example 2, with its delay (XEP-0297 §3.1)', () => {
      const r = the(Forwarded.get(fixture('xep-0297/forwarded-message.xml')))
      expect(r.delay).toStrictEqual({ stamp: '2010-07-10T23:08:25Z' })
      expect(r.stanza).toMatchObject({
        kind: 'message',
        from: jid('juliet@capulet.lit/orchard'),
        to: jid('romeo@montague.lit'),
        id: '0202197',
        type: 'chat',
        body: 'Yet I should kill thee with much cherishing.',
      })
      // The inner stanza keeps its payload (XEP-0297 §3.2 rule 1: all relevant children).
      expect(r.stanza.payload.map((p) => [p.name, p.ns])).toStrictEqual([
        ['mood', 'http://jabber.org/protocol/mood'],
      ])
      expect('$ns' in r).toBe(false)
    })

    it('Forwarded: a jabber:client stanza is written back in jabber:client (XEP-0297 §3.2 rule 3)', () => {
      const m = forwarding(juliet(CLIENT))
      const el = the(O.fromNullable(m.payload[0]))
      const r = the(Forwarded.get(m))
      expect(Xml.equals(Forwarded.encode(r), el)).toBe(true)
      expect(Xml.serialize(Forwarded.encode(r))).toContain(`<message xmlns='${CLIENT}'`)
    })

    it('Forwarded: the delay is optional (XEP-0297 §3.2 rule 2: SHOULD)', () => {
      const r = the(Forwarded.get(forwarding(juliet(CLIENT))))
      expect('delay' in r).toBe(false)
    })

    it('Forwarded: presences and iqs are forwarded too (XEP-0297 §8)', () => {
      const p = the(Forwarded.get(forwarding(`<presence xmlns='${CLIENT}' type='unavailable'/>`)))
      expect(p.stanza).toStrictEqual({ kind: 'presence', type: 'unavailable', payload: [] })
      const i = the(Forwarded.get(forwarding(`<iq xmlns='${CLIENT}' type='result' id='r1'/>`)))
      expect(i.stanza).toStrictEqual({ kind: 'iq', type: 'result', id: 'r1', payload: [] })
    })
  })

  describe('jabber:server', () => {
    it('Forwarded: an embedded jabber:server stanza decodes (XEP-0297 §8)', () => {
      const r = the(Forwarded.get(forwarding(juliet(SERVER))))
      expect(r.stanza).toMatchObject({
        kind: 'message',
        from: jid('juliet@capulet.lit/orchard'),
        body: 'Yet I should kill thee with much cherishing.',
      })
      expect(r.$ns).toBe(SERVER)
      // The same stanza as in jabber:client: only the namespace differs.
      const client = the(Forwarded.get(forwarding(juliet(CLIENT))))
      expect(r.stanza).toStrictEqual(client.stanza)
    })

    it('Forwarded: a jabber:server stanza is written back in jabber:server (XEP-0297 §3.2 rule 3: the namespace MUST be preserved)', () => {
      const m = forwarding(
        juliet(SERVER),
        `<delay xmlns='urn:xmpp:delay' stamp='2010-07-10T23:08:25Z'/>`,
      )
      const el = the(O.fromNullable(m.payload[0]))
      const r = the(Forwarded.get(m))
      const out = Forwarded.encode(r)
      expect(Xml.equals(out, el)).toBe(true)
      const inner = out.children[1] as Xml.XmlElement
      expect(inner.ns).toBe(SERVER)
      expect(inner.children.map((c) => typeof c !== 'string' && c.ns)).toStrictEqual([
        SERVER,
        'http://jabber.org/protocol/mood',
      ])
      // And a modify(identity) keeps it there.
      expect(Xml.equals(the(O.fromNullable(Forwarded.modify((x) => x)(m).payload[0])), el)).toBe(
        true,
      )
    })

    it('Forwarded: set with $ns writes the stanza in jabber:server, and it reads back (XEP-0297 §3.2 rule 3)', () => {
      const inner = Message.make({ type: 'chat', body: 'hi', to: jid('juliet@capulet.lit') })
      const m = pipe(Message.make({ body: 'fwd' }), Forwarded.set({ stanza: inner, $ns: SERVER }))
      expect(Stanza.encode(m)).toContain(
        `<forwarded xmlns='${NS}'><message xmlns='${SERVER}' to='juliet@capulet.lit' type='chat'><body>hi</body></message></forwarded>`,
      )
      const back = decodeMessage(Stanza.encode(m))
      expect(Forwarded.get(back)).toStrictEqual(O.some({ stanza: inner, $ns: SERVER }))
    })
  })

  describe('errors', () => {
    it('Forwarded: an invalid embedded stanza is an error with its path below the forwarded element (XEP-0297 §3.1)', () => {
      const m = forwarding(`<message xmlns='${CLIENT}' to='juliet@@capulet.lit'/>`)
      expect(Forwarded.has(m)).toBe(true)
      expect(Forwarded.get(m)).toStrictEqual(O.none)
      const r = Forwarded.getEither(m)
      expect(lines(r)).toHaveLength(1)
      expect(lines(r)[0]).toMatch(/^message\/forwarded\/message@to: jid-malformed: ./)
      expect(heads(Forwarded.decode(the(O.fromNullable(m.payload[0]))))).toStrictEqual([
        'forwarded/message@to: jid-malformed',
      ])
    })

    it('Forwarded: the same for a jabber:server stanza and for each kind (XEP-0297 §8)', () => {
      expect(
        heads(Forwarded.getEither(forwarding(`<message xmlns='${SERVER}' from='@x'/>`))),
      ).toStrictEqual(['message/forwarded/message@from: jid-malformed'])
      expect(
        heads(Forwarded.getEither(forwarding(`<iq xmlns='${CLIENT}' type='bogus' id='1'/>`))),
      ).toStrictEqual(['message/forwarded/iq@type: bad-request'])
      expect(
        heads(
          Forwarded.getEither(
            forwarding(`<presence xmlns='${CLIENT}'><priority>300</priority></presence>`),
          ),
        ),
      ).toStrictEqual(['message/forwarded/presence/priority: bad-request'])
    })

    it('Forwarded: an invalid delay is an error at message/forwarded/delay@stamp (XEP-0203 §2)', () => {
      const m = forwarding(juliet(CLIENT), `<delay xmlns='urn:xmpp:delay' stamp='yesterday'/>`)
      expect(heads(Forwarded.getEither(m))).toStrictEqual([
        'message/forwarded/delay@stamp: bad-request',
      ])
    })

    it('Forwarded: a stanza in another namespace is not forwarded (XEP-0297 §3.2 rule 3, §8)', () => {
      for (const ns of ['jabber:component:accept', 'urn:example'])
        expect(heads(Forwarded.getEither(forwarding(juliet(ns))))).toStrictEqual([
          'message/forwarded: bad-request',
        ])
      // Without its own xmlns the stanza would be in urn:xmpp:forward:0, "which is wrong".
      const bare = decodeMessage(
        `<message><forwarded xmlns='${NS}'><message to='juliet@capulet.lit'/></forwarded></message>`,
      )
      expect(heads(Forwarded.getEither(bare))).toStrictEqual(['message/forwarded: bad-request'])
    })

    it('Forwarded: a forwarded element without a stanza is an error (XEP-0297 §3.1)', () => {
      expect(lines(Forwarded.decode(xml(`<forwarded xmlns='${NS}'/>`)))).toStrictEqual([
        'forwarded: bad-request: missing element (Stanza)',
      ])
    })
  })

  describe('laws', () => {
    it('Forwarded: any stanza, in either namespace, survives a trip through the outer stanza (XEP-0297 §3.2 rule 3)', () => {
      fc.assert(
        fc.property(arbMessage, arbForwarded, (outer, f) => {
          const m = Forwarded.set(f)(outer)
          const back = Stanza.decode(Stanza.encode(m))
          expect(
            E.isRight(back) && back.right.kind === 'message' && Forwarded.get(back.right),
          ).toStrictEqual(O.some(f))
        }),
        { numRuns: 60 },
      )
    })

    it('Forwarded: the embedded element is the stanza’s own encoding in its namespace (XEP-0297 §3.2 rule 3)', () => {
      fc.assert(
        fc.property(arbStanza, fc.boolean(), (s, server) => {
          const el = Forwarded.encode(server ? { stanza: s, $ns: SERVER } : { stanza: s })
          const inner = el.children.find((c): c is Xml.XmlElement => typeof c !== 'string')
          expect(inner && Xml.equals(inner, Stanza.toElement(s, server ? SERVER : CLIENT))).toBe(
            true,
          )
        }),
        { numRuns: 60 },
      )
    })

    it('Forwarded: the delay is an XEP-0203 Delay (XEP-0297 §3.2 rule 2)', () => {
      const r = the(Forwarded.get(fixture('xep-0297/forwarded-message.xml')))
      const el = Forwarded.encode(r)
      const delay = el.children.find(
        (c): c is Xml.XmlElement => typeof c !== 'string' && Delay.is(c),
      )
      expect(delay && Delay.decode(delay)).toStrictEqual(E.right(r.delay))
    })
  })
})
