import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import * as Jid from '../src/Jid.js'
import * as StanzaError from '../src/StanzaError.js'
import * as Xml from '../src/Xml.js'
import { stanzaError } from './arbitraries/StanzaError.js'
import { element as arbElement, name as arbName, text as arbText } from './arbitraries/Xml.js'

const NS = StanzaError.NS
const CLIENT = 'jabber:client'
const contentNs = fc.constantFrom(CLIENT, 'jabber:server', 'jabber:component:accept')

const parse = (xml: string, ns: string = CLIENT): Xml.XmlElement => {
  const r = Xml.parse(xml, { ns })
  if (E.isLeft(r)) throw new Error(`fixture does not parse: ${JSON.stringify(r.left)}`)
  return r.right
}

const jid = (s: string): Jid.Jid => {
  const r = Jid.parse(s)
  if (E.isLeft(r)) throw new Error(`fixture is not a JID: ${s}`)
  return r.right
}

const decode = (xml: string, path = 'iq/error') => StanzaError.decodeElement(parse(xml), path)

const decoded = (xml: string): StanzaError.StanzaError => {
  const r = decode(xml)
  if (E.isLeft(r)) throw new Error(`expected Right, got ${JSON.stringify(r.left)}`)
  return r.right
}

/** The serializer's exact output for the error inside a `jabber:client` stanza. */
const encode = (e: StanzaError.StanzaError): string =>
  Xml.serialize(StanzaError.encodeElement(e, CLIENT), { parentNs: CLIENT })

const hasUndefinedValue = (r: object): boolean => Object.values(r).some((v) => v === undefined)

// RFC 6120 §8.3.3.n, condition, the type the RFC gives (the first where it gives two).
const table: ReadonlyArray<readonly [number, StanzaError.Condition, StanzaError.ErrorType]> = [
  [1, 'bad-request', 'modify'],
  [2, 'conflict', 'cancel'],
  [3, 'feature-not-implemented', 'cancel'],
  [4, 'forbidden', 'auth'],
  [5, 'gone', 'cancel'],
  [6, 'internal-server-error', 'cancel'],
  [7, 'item-not-found', 'cancel'],
  [8, 'jid-malformed', 'modify'],
  [9, 'not-acceptable', 'modify'],
  [10, 'not-allowed', 'cancel'],
  [11, 'not-authorized', 'auth'],
  [12, 'policy-violation', 'modify'],
  [13, 'recipient-unavailable', 'wait'],
  [14, 'redirect', 'modify'],
  [15, 'registration-required', 'auth'],
  [16, 'remote-server-not-found', 'cancel'],
  [17, 'remote-server-timeout', 'wait'],
  [18, 'resource-constraint', 'wait'],
  [19, 'service-unavailable', 'cancel'],
  [20, 'subscription-required', 'auth'],
  [21, 'undefined-condition', 'cancel'],
  [22, 'unexpected-request', 'wait'],
]

// Golden fixtures, checked in both directions: the XML decodes to the record, and the record
// encodes to exactly this XML.
const golden: ReadonlyArray<{
  readonly title: string
  readonly xml: string
  readonly record: StanzaError.StanzaError
}> = [
  {
    title: 'RFC 6120 §8.3.2: service-unavailable, cancel',
    xml: `<error type='cancel'><service-unavailable xmlns='${NS}'/></error>`,
    record: { type: 'cancel', condition: 'service-unavailable' },
  },
  {
    title: 'RFC 6120 §8.3.2: text with xml:lang and an application-specific condition',
    xml:
      `<error type='modify'><undefined-condition xmlns='${NS}'/>` +
      `<text xmlns='${NS}' xml:lang='en'>[ ... application-specific information ... ]</text>` +
      `<too-many-parameters xmlns='application-ns'/></error>`,
    record: {
      type: 'modify',
      condition: 'undefined-condition',
      text: '[ ... application-specific information ... ]',
      lang: 'en',
      app: Xml.element('too-many-parameters', 'application-ns'),
    },
  },
  {
    title: 'XEP-0060 §7.2.3.3: a defined condition with an application condition and its attribute',
    xml:
      `<error type='cancel'><feature-not-implemented xmlns='${NS}'/>` +
      `<unsupported xmlns='http://jabber.org/protocol/pubsub#errors' feature='retrieve-items'/></error>`,
    record: {
      type: 'cancel',
      condition: 'feature-not-implemented',
      app: Xml.element('unsupported', 'http://jabber.org/protocol/pubsub#errors', {
        feature: 'retrieve-items',
      }),
    },
  },
  {
    title: 'text without xml:lang',
    xml: `<error type='cancel'><item-not-found xmlns='${NS}'/><text xmlns='${NS}'>No such node &amp; no &lt;item/&gt;</text></error>`,
    record: { type: 'cancel', condition: 'item-not-found', text: 'No such node & no <item/>' },
  },
  {
    title: 'RFC 6120 §8.3.3.5: gone with the new address as an XMPP URI, and by',
    xml: `<error type='cancel' by='conference.example.org'><gone xmlns='${NS}'>xmpp:characters@conference.example.org</gone></error>`,
    record: {
      type: 'cancel',
      condition: 'gone',
      by: jid('conference.example.org'),
      redirect: 'xmpp:characters@conference.example.org',
    },
  },
  {
    title: 'RFC 6120 §8.3.3.14: redirect with an XMPP URI',
    xml: `<error type='modify'><redirect xmlns='${NS}'>xmpp:characters@conference.example.org</redirect></error>`,
    record: {
      type: 'modify',
      condition: 'redirect',
      redirect: 'xmpp:characters@conference.example.org',
    },
  },
  {
    title: 'a full JID in by',
    xml: `<error type='wait' by='room@muc.example/nick'><resource-constraint xmlns='${NS}'/></error>`,
    record: { type: 'wait', condition: 'resource-constraint', by: jid('room@muc.example/nick') },
  },
]

describe('StanzaError', () => {
  describe('model', () => {
    it('conditions: the 22 conditions of RFC 6120 §8.3.3, in its order, without duplicates', () => {
      expect(StanzaError.conditions).toEqual(table.map(([, c]) => c))
      expect(new Set(StanzaError.conditions).size).toBe(22)
    })

    it.each(table)('defaultType: §8.3.3.%i %s defaults to %s', (n, c, type) => {
      expect(StanzaError.conditions[n - 1]).toBe(c)
      expect(StanzaError.defaultType[c]).toBe(type)
      expect(StanzaError.make(c)).toEqual({ type, condition: c })
    })

    it('defaultType: has exactly the 22 conditions as keys', () => {
      expect(Object.keys(StanzaError.defaultType).sort()).toEqual(
        [...StanzaError.conditions].sort(),
      )
    })

    it('errorTypes: the five types of RFC 6120 §8.3.2', () => {
      expect(StanzaError.errorTypes).toEqual(['auth', 'cancel', 'continue', 'modify', 'wait'])
    })
  })

  describe('constructors', () => {
    it('make: an explicit type overrides the default', () => {
      expect(StanzaError.make('policy-violation', { type: 'wait' })).toEqual({
        type: 'wait',
        condition: 'policy-violation',
      })
    })

    it('make: keeps every given option', () => {
      const app = Xml.element('x', 'urn:app')
      expect(
        StanzaError.make('gone', {
          text: 'moved',
          lang: 'en',
          by: jid('example.net'),
          redirect: 'xmpp:a@b',
          app,
        }),
      ).toEqual({
        type: 'cancel',
        condition: 'gone',
        text: 'moved',
        lang: 'en',
        by: 'example.net',
        redirect: 'xmpp:a@b',
        app,
      })
    })

    it("make: text '' means no text, and lang without text is dropped", () => {
      const e = StanzaError.make('conflict', { text: '', lang: 'en' })
      expect(e).toEqual({ type: 'cancel', condition: 'conflict' })
      expect(Object.hasOwn(e, 'text')).toBe(false)
      expect(Object.hasOwn(e, 'lang')).toBe(false)
      expect(StanzaError.make('conflict', { lang: 'en' })).toEqual({
        type: 'cancel',
        condition: 'conflict',
      })
    })

    it('make: redirect is kept, trimmed, only for gone and redirect', () => {
      expect(StanzaError.make('redirect', { redirect: ' xmpp:a@b\n' }).redirect).toBe('xmpp:a@b')
      expect(Object.hasOwn(StanzaError.make('gone', { redirect: ' \t' }), 'redirect')).toBe(false)
      expect(
        Object.hasOwn(StanzaError.make('conflict', { redirect: 'xmpp:a@b' }), 'redirect'),
      ).toBe(false)
    })

    it('make: an unknown condition or type is a programmer error and throws', () => {
      // @ts-expect-error RFC 3920's payment-required is not an RFC 6120 condition
      expect(() => StanzaError.make('payment-required')).toThrow(TypeError)
      // @ts-expect-error no such type
      expect(() => StanzaError.make('conflict', { type: 'fatal' })).toThrow(TypeError)
      // @ts-expect-error Object.prototype keys are not conditions
      expect(() => StanzaError.make('toString')).toThrow(TypeError)
    })

    it('make: never produces undefined-valued keys, and its result is well-formed', () => {
      const options = fc.record(
        {
          type: fc.constantFrom(...StanzaError.errorTypes),
          text: fc.oneof(fc.constant(''), arbText),
          lang: fc.constantFrom('en', '', 'fr-CA'),
          by: fc.constantFrom(jid('example.com'), jid('a@b.example/c')),
          redirect: fc.oneof(fc.constant(''), fc.constant('  '), fc.constant('xmpp:x@y')),
          app: arbElement,
        },
        { requiredKeys: [], noNullPrototype: true },
      )
      fc.assert(
        fc.property(
          fc.constantFrom(...StanzaError.conditions),
          options,
          fc.boolean(),
          (c, o, explicitUndefined) => {
            // A JavaScript caller may pass `undefined` for an option: it must read as absent.
            const opts = explicitUndefined ? { text: undefined, lang: undefined, ...o } : o
            const e = StanzaError.make(c, opts as StanzaError.MakeOptions)
            expect(hasUndefinedValue(e)).toBe(false)
            expect(StanzaError.is(e)).toBe(true)
            expect(
              StanzaError.decodeElement(StanzaError.encodeElement(e, CLIENT), 'error'),
            ).toEqual(E.right(e))
          },
        ),
      )
    })
  })

  describe('refinements', () => {
    it('isCondition: exactly the 22, case-sensitive, not prototype keys', () => {
      for (const c of StanzaError.conditions) expect(StanzaError.isCondition(c)).toBe(true)
      for (const u of [
        'payment-required',
        'Bad-Request',
        'text',
        '',
        '__proto__',
        'toString',
        5,
        null,
      ])
        expect(StanzaError.isCondition(u)).toBe(false)
    })

    it('isErrorType: exactly the five, case-sensitive, not prototype keys', () => {
      for (const t of ['auth', 'cancel', 'continue', 'modify', 'wait'])
        expect(StanzaError.isErrorType(t)).toBe(true)
      for (const u of ['Cancel', 'error', '', 'constructor', undefined, {}])
        expect(StanzaError.isErrorType(u)).toBe(false)
    })

    it('is: accepts every well-formed record', () => {
      fc.assert(fc.property(stanzaError, (e) => StanzaError.is(e)))
    })

    it('is: rejects wrong shapes, undefined-valued keys and non-canonical JIDs', () => {
      const ok: StanzaError.StanzaError = { type: 'cancel', condition: 'conflict' }
      expect(StanzaError.is(ok)).toBe(true)
      for (const u of [
        null,
        'conflict',
        { type: 'cancel' },
        { type: 'fatal', condition: 'conflict' },
        { type: 'cancel', condition: 'payment-required' },
        { ...ok, text: undefined },
        { ...ok, text: 5 },
        { ...ok, by: 'Example.COM' },
        { ...ok, by: 'a@@b' },
        { ...ok, app: '<x/>' },
      ])
        expect(StanzaError.is(u)).toBe(false)
      expect(StanzaError.is({ ...ok, by: 'example.com', app: Xml.element('x', '') })).toBe(true)
    })
  })

  describe('codecs', () => {
    it.each(golden)('decodeElement: golden $title', ({ xml, record }) => {
      expect(decode(xml)).toEqual(E.right(record))
    })

    it.each(golden)('encodeElement: golden $title', ({ xml, record }) => {
      expect(encode(record)).toBe(xml)
    })

    it('decodeElement: the RFC as printed, indented, with by first and the legacy code', () => {
      const e = decoded(`<error by='example.net' code='404' type='cancel'>
        <gone xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>
          xmpp:romeo@afterwards.example.net
        </gone>
        <text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas' xml:lang='en'> kept as is </text>
      </error>`)
      expect(e).toEqual({
        type: 'cancel',
        condition: 'gone',
        by: 'example.net',
        redirect: 'xmpp:romeo@afterwards.example.net',
        text: ' kept as is ',
        lang: 'en',
      })
    })

    it('decodeElement: the legacy code attribute is ignored and not written back', () => {
      const e = decoded(
        `<error code='503' type='cancel'><service-unavailable xmlns='${NS}'/></error>`,
      )
      expect(e).toEqual({ type: 'cancel', condition: 'service-unavailable' })
      expect(encode(e)).not.toContain('code')
    })

    it('decodeElement: an unknown condition gives undefined-condition and is kept as app', () => {
      expect(decode(`<error type='auth'><payment-required xmlns='${NS}'/></error>`)).toEqual(
        E.right({
          type: 'auth',
          condition: 'undefined-condition',
          app: Xml.element('payment-required', NS),
        }),
      )
    })

    it('decodeElement: no condition child gives undefined-condition', () => {
      expect(decode("<error type='cancel'/>")).toEqual(
        E.right({ type: 'cancel', condition: 'undefined-condition' }),
      )
    })

    it('decodeElement: a condition name outside the stanzas namespace is not a condition', () => {
      // Unqualified, the child inherits jabber:client.
      expect(decode("<error type='cancel'><item-not-found/></error>")).toEqual(
        E.right({
          type: 'cancel',
          condition: 'undefined-condition',
          app: Xml.element('item-not-found', CLIENT),
        }),
      )
    })

    it('decodeElement: the first defined condition wins, wherever it is; the first other child is app', () => {
      const e = decoded(
        `<error type='modify'><payment-required xmlns='${NS}'/><a xmlns='urn:a'/>` +
          `<bad-request xmlns='${NS}'/><conflict xmlns='${NS}'/></error>`,
      )
      expect(e).toEqual({
        type: 'modify',
        condition: 'bad-request',
        app: Xml.element('payment-required', NS),
      })
    })

    it('decodeElement: the first <text/> counts, an empty one as none', () => {
      expect(
        decoded(
          `<error type='cancel'><conflict xmlns='${NS}'/><text xmlns='${NS}' xml:lang='en'>one</text>` +
            `<text xmlns='${NS}' xml:lang='de'>eins</text></error>`,
        ),
      ).toEqual({ type: 'cancel', condition: 'conflict', text: 'one', lang: 'en' })
      const empty = decoded(
        `<error type='cancel'><conflict xmlns='${NS}'/><text xmlns='${NS}' xml:lang='en'/></error>`,
      )
      expect(empty).toEqual({ type: 'cancel', condition: 'conflict' })
      expect(hasUndefinedValue(empty)).toBe(false)
    })

    it('decodeElement: <text/> outside the stanzas namespace is app, not text', () => {
      expect(
        decoded(
          `<error type='cancel'><conflict xmlns='${NS}'/><text xmlns='urn:x'>hi</text></error>`,
        ),
      ).toEqual({
        type: 'cancel',
        condition: 'conflict',
        app: Xml.element('text', 'urn:x', {}, ['hi']),
      })
    })

    it('decodeElement: redirect only from gone/redirect with non-blank text', () => {
      expect(decoded(`<error type='cancel'><gone xmlns='${NS}'/></error>`)).toEqual({
        type: 'cancel',
        condition: 'gone',
      })
      expect(decoded(`<error type='cancel'><gone xmlns='${NS}'> \n </gone></error>`)).toEqual({
        type: 'cancel',
        condition: 'gone',
      })
      expect(
        decoded(`<error type='modify'><bad-request xmlns='${NS}'>xmpp:a@b</bad-request></error>`),
      ).toEqual({
        type: 'modify',
        condition: 'bad-request',
      })
    })

    it('decodeElement: a missing type is bad-request at the error@type path', () => {
      expect(decode(`<error><conflict xmlns='${NS}'/></error>`, 'message/error')).toEqual(
        E.left([
          {
            path: 'message/error@type',
            condition: 'bad-request',
            message: 'expected one of auth, cancel, continue, modify, wait, got nothing',
          },
        ]),
      )
    })

    it('decodeElement: an unknown type is bad-request, quoted and bounded', () => {
      expect(decode(`<error type='Cancel'><conflict xmlns='${NS}'/></error>`)).toEqual(
        E.left([
          {
            path: 'iq/error@type',
            condition: 'bad-request',
            message: 'expected one of auth, cancel, continue, modify, wait, got "Cancel"',
          },
        ]),
      )
      const r = decode(`<error type='${'x'.repeat(5000)}'/>`)
      expect(E.isLeft(r) && r.left[0].message.length < 120).toBe(true)
      for (const type of ['', 'toString', '__proto__', 'error'])
        expect(
          E.isLeft(StanzaError.decodeElement(Xml.element('error', CLIENT, { type }), 'e')),
        ).toBe(true)
    })

    it('decodeElement: by is stored canonical; a bad one is jid-malformed at error@by', () => {
      expect(decoded("<error type='cancel' by='Example.NET.'/>").by).toBe('example.net')
      const r = decode("<error type='cancel' by='a@@b'/>", 'presence/error')
      expect(E.isLeft(r) && r.left).toMatchObject([
        { path: 'presence/error@by', condition: 'jid-malformed' },
      ])
      expect(E.isLeft(decode("<error type='cancel' by=''/>"))).toBe(true)
    })

    it('decodeElement: reports a bad type and a bad by together, in that order', () => {
      const r = decode("<error by='@x' type='oops'/>")
      expect(E.isLeft(r) && r.left.map((p) => [p.path, p.condition])).toEqual([
        ['iq/error@type', 'bad-request'],
        ['iq/error@by', 'jid-malformed'],
      ])
    })

    it('decodeElement: rejects another element, and with stanzaNs another namespace', () => {
      const r = StanzaError.decodeElement(Xml.element('err', CLIENT, { type: 'cancel' }), 'iq/err')
      expect(E.isLeft(r) && r.left).toMatchObject([{ path: 'iq/err', condition: 'bad-request' }])
      const server = Xml.element('error', 'jabber:server', { type: 'cancel' })
      expect(E.isRight(StanzaError.decodeElement(server, 'iq/error'))).toBe(true)
      expect(E.isRight(StanzaError.decodeElement(server, 'iq/error', 'jabber:server'))).toBe(true)
      expect(StanzaError.decodeElement(server, 'iq/error', CLIENT)).toMatchObject(
        E.left([{ path: 'iq/error', condition: 'bad-request' }]),
      )
    })

    it('decodeElement: element names from the object model are ordinary unknown names', () => {
      const el = Xml.element('error', CLIENT, { type: 'wait' }, [
        Xml.element('toString', NS),
        Xml.element('constructor', NS),
      ])
      expect(StanzaError.decodeElement(el, 'e')).toEqual(
        E.right({
          type: 'wait',
          condition: 'undefined-condition',
          app: Xml.element('toString', NS),
        }),
      )
    })

    it('encodeElement: the error in the content namespace, condition and text in the stanzas namespace, in order', () => {
      const app = Xml.element('x', 'urn:app')
      const el = StanzaError.encodeElement(
        {
          type: 'cancel',
          condition: 'gone',
          text: 'bye',
          lang: 'en',
          by: jid('example.com'),
          redirect: 'xmpp:a@b',
          app,
        },
        'jabber:component:accept',
      )
      expect(el).toEqual(
        Xml.element('error', 'jabber:component:accept', { type: 'cancel', by: 'example.com' }, [
          Xml.element('gone', NS, {}, ['xmpp:a@b']),
          Xml.element('text', NS, { 'xml:lang': 'en' }, ['bye']),
          app,
        ]),
      )
      expect(el.children[2]).toBe(app)
    })

    it('encodeElement: writes redirect only into gone and redirect', () => {
      const el = StanzaError.encodeElement(
        { type: 'modify', condition: 'bad-request', redirect: 'xmpp:a@b' },
        CLIENT,
      )
      expect(el.children).toEqual([Xml.element('bad-request', NS)])
    })

    it('decodeElement: inverts encodeElement on well-formed records (round-trip law)', () => {
      fc.assert(
        fc.property(stanzaError, contentNs, (e, ns) => {
          expect(
            StanzaError.decodeElement(StanzaError.encodeElement(e, ns), 'iq/error', ns),
          ).toEqual(E.right(e))
        }),
      )
    })

    it('decodeElement: the round trip also holds through serialized XML', () => {
      fc.assert(
        fc.property(stanzaError, contentNs, (e, ns) => {
          const xml = Xml.serialize(StanzaError.encodeElement(e, ns))
          expect(StanzaError.decodeElement(parse(xml, ns), 'iq/error', ns)).toEqual(E.right(e))
        }),
      )
    })

    it('decodeElement: never throws on arbitrary elements; what it accepts is well-formed', () => {
      const childOfError = fc.oneof(
        arbElement,
        fc
          .tuple(
            fc.oneof(
              fc.constantFrom(...StanzaError.conditions, 'text', 'payment-required'),
              arbName,
            ),
            fc.constantFrom(NS, CLIENT, ''),
            fc.array(fc.oneof(arbText, arbElement), { maxLength: 3 }),
          )
          .map(([n, u, c]) => Xml.element(n, u, {}, c)),
        arbText,
      )
      const errorLike = fc
        .tuple(
          fc.option(fc.oneof(fc.constantFrom(...StanzaError.errorTypes), arbText), {
            nil: undefined,
          }),
          fc.option(fc.oneof(fc.constantFrom('example.com', 'a@b/c', 'A@B', '@', ''), arbText), {
            nil: undefined,
          }),
          fc.array(childOfError, { maxLength: 5 }),
        )
        .map(([type, by, children]) =>
          Xml.element(
            'error',
            CLIENT,
            { ...(type === undefined ? {} : { type }), ...(by === undefined ? {} : { by }) },
            children,
          ),
        )
      fc.assert(
        fc.property(fc.oneof(arbElement, errorLike), fc.boolean(), (el, withNs) => {
          const r = StanzaError.decodeElement(el, 'x/error', withNs ? CLIENT : undefined)
          if (E.isLeft(r)) return
          const e = r.right
          expect(StanzaError.is(e)).toBe(true)
          expect(hasUndefinedValue(e)).toBe(false)
          expect(StanzaError.decodeElement(StanzaError.encodeElement(e, CLIENT), 'e')).toEqual(
            E.right(e),
          )
        }),
      )
    })

    it('codec: decodes <error/> in jabber:client and encodes back to it', () => {
      const fixture = golden[1]
      if (fixture === undefined) throw new Error('fixture missing')
      const r = StanzaError.codec.decode(parse(fixture.xml))
      expect(r).toEqual(E.right(fixture.record))
      expect(StanzaError.codec.encode(fixture.record)).toEqual(parse(fixture.xml))
      expect(StanzaError.codec.is(fixture.record)).toBe(true)
      expect(StanzaError.codec.name).toBe('StanzaError')
    })

    it('codec: reports problems as io-ts errors with the path, and rejects non-elements', () => {
      const bad = StanzaError.codec.decode(parse("<error type='x' by='@'/>"))
      expect(E.isLeft(bad) && bad.left.map((e) => e.message)).toEqual([
        'error@type: bad-request: expected one of auth, cancel, continue, modify, wait, got "x"',
        expect.stringMatching(/^error@by: jid-malformed: /),
      ])
      expect(E.isLeft(StanzaError.codec.decode('<error/>'))).toBe(true)
      expect(E.isLeft(StanzaError.codec.decode(null))).toBe(true)
    })

    it('codec: a record with junk children is a Left, never a throw', () => {
      const hostile = {
        name: 'error',
        ns: CLIENT,
        attrs: { type: 'cancel' },
        children: [null, 5, { name: 'x' }, Xml.element('conflict', NS)],
      }
      const r = StanzaError.codec.decode(hostile)
      expect(E.isLeft(r) && r.left[0]?.message).toBe('expected an XmlElement')
    })

    it('codecFor: the error element of another content namespace', () => {
      const server = StanzaError.codecFor('jabber:server')
      const el = parse(
        `<error type='wait'><remote-server-timeout xmlns='${NS}'/></error>`,
        'jabber:server',
      )
      expect(server.decode(el)).toEqual(
        E.right({ type: 'wait', condition: 'remote-server-timeout' }),
      )
      expect(E.isLeft(StanzaError.codec.decode(el))).toBe(true)
      expect(server.encode({ type: 'wait', condition: 'remote-server-timeout' }).ns).toBe(
        'jabber:server',
      )
    })
  })
})
