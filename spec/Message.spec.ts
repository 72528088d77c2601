/**
 * `<message/>` (RFC 6121 §5, docs/semantics.md §0, §3, §4): golden fixtures both ways, decode
 * rejections with their paths, getters and setters, reply rules and their laws, immutability.
 */
import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import * as O from 'fp-ts/lib/Option.js'
import * as DecodeError from '../src/DecodeError.js'
import * as Jid from '../src/Jid.js'
import * as Message from '../src/Message.js'
import * as Stanza from '../src/Stanza.js'
import * as StanzaError from '../src/StanzaError.js'
import * as Xml from '../src/Xml.js'
import {
  fullJid as arbFullJid,
  message as arbMessage,
  contentNamespaces,
} from './arbitraries/Stanza.js'
import { text as arbText } from './arbitraries/Xml.js'
import { deepFreeze, jid, noUndefined } from './helpers.js'

// -------------------------------------------------------------------------------------
// helpers
// -------------------------------------------------------------------------------------

type DecodeOptions = Parameters<typeof Message.decode>[1]

const STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas'
const runs = { numRuns: 100 }

const decoded = (xml: string, options?: DecodeOptions): Message.Message => {
  const r = Message.decode(xml, options)
  if (E.isLeft(r)) throw new Error(`expected Right, got ${DecodeError.format(r.left)}`)
  return r.right
}

/** Every problem as its formatted line. */
const rejected = (xml: string, options?: DecodeOptions): ReadonlyArray<string> => {
  const r = Message.decode(xml, options)
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

/** Bodies in other languages, as the decoder leaves them in `payload`. */
const foreignBody = (lang: string, text: string): Xml.XmlElement =>
  el('body', 'jabber:client', { 'xml:lang': lang }, text === '' ? [] : [text])

/** Well-formed messages plus bodies and subjects in languages none of the arbitraries use. */
const arbMessageWithLanguages: fc.Arbitrary<Message.Message> = fc
  .tuple(arbMessage, fc.subarray(['cs', 'ja', 'it']), fc.subarray(['cs', 'ja', 'it']), arbText)
  .map(([m, bodies, subjects, t]) => ({
    ...m,
    payload: [
      ...bodies.map((l) => foreignBody(l, `${l}:${t}`)),
      ...m.payload,
      ...subjects.map((l) => el('subject', 'jabber:client', { 'xml:lang': l }, [l])),
    ],
  }))

const nonEmpty = arbText.filter((s) => s !== '')

const romeo = jid('romeo@example.net')
const juliet = jid('juliet@example.com/balcony')

// -------------------------------------------------------------------------------------
// golden fixtures
// -------------------------------------------------------------------------------------

interface Fixture {
  readonly name: string
  /** As received. */
  readonly xml: string
  /** What `encode` writes for the record, as a tree (default: `xml`). */
  readonly canonical?: string
  readonly record: Message.Message
}

const fixtures: ReadonlyArray<Fixture> = [
  {
    name: 'RFC 6121 §5.1 chat message',
    xml: `<message from='juliet@example.com/balcony'
         id='ktx72v49'
         to='romeo@example.net'
         type='chat'
         xml:lang='en'>
  <body>Art thou not Romeo, and a Montague?</body>
</message>`,
    canonical:
      "<message from='juliet@example.com/balcony' id='ktx72v49' to='romeo@example.net' type='chat' xml:lang='en'><body>Art thou not Romeo, and a Montague?</body></message>",
    record: {
      kind: 'message',
      from: juliet,
      id: 'ktx72v49',
      to: romeo,
      type: 'chat',
      lang: 'en',
      body: 'Art thou not Romeo, and a Montague?',
      payload: [],
    },
  },
  {
    name: 'RFC 6121 §5.2.3 bodies in two languages',
    xml: `<message
    from='juliet@example.com/balcony'
    id='z94nb37h'
    to='romeo@example.net'
    type='chat'
    xml:lang='en'>
  <body>Wherefore art thou, Romeo?</body>
  <body xml:lang='cs'>Pro&#x010D;e&#x017E; jsi ty, Romeo?</body>
</message>`,
    canonical:
      "<message from='juliet@example.com/balcony' id='z94nb37h' to='romeo@example.net' type='chat' xml:lang='en'><body>Wherefore art thou, Romeo?</body><body xml:lang='cs'>Pročež jsi ty, Romeo?</body></message>",
    record: {
      kind: 'message',
      from: juliet,
      id: 'z94nb37h',
      to: romeo,
      type: 'chat',
      lang: 'en',
      body: 'Wherefore art thou, Romeo?',
      payload: [foreignBody('cs', 'Pročež jsi ty, Romeo?')],
    },
  },
  {
    name: 'RFC 6121 §5.2.4 subjects and bodies in two languages (modelled children first)',
    xml: "<message from='juliet@example.com/balcony' id='c8xg3nf8' to='romeo@example.net' type='chat' xml:lang='en'><subject>I implore you!</subject><subject xml:lang='cs'>&#x00DA;p&#x011B;nliv&#x011B; pros&#x00ED;m!</subject><body>Wherefore art thou, Romeo?</body><body xml:lang='cs'>Pro&#x010D;e&#x017E; jsi ty, Romeo?</body></message>",
    canonical:
      "<message from='juliet@example.com/balcony' id='c8xg3nf8' to='romeo@example.net' type='chat' xml:lang='en'><subject>I implore you!</subject><body>Wherefore art thou, Romeo?</body><subject xml:lang='cs'>Úpěnlivě prosím!</subject><body xml:lang='cs'>Pročež jsi ty, Romeo?</body></message>",
    record: {
      kind: 'message',
      from: juliet,
      id: 'c8xg3nf8',
      to: romeo,
      type: 'chat',
      lang: 'en',
      subject: 'I implore you!',
      body: 'Wherefore art thou, Romeo?',
      payload: [
        el('subject', 'jabber:client', { 'xml:lang': 'cs' }, ['Úpěnlivě prosím!']),
        foreignBody('cs', 'Pročež jsi ty, Romeo?'),
      ],
    },
  },
  {
    name: 'RFC 6121 §5.2.5 thread with a parent',
    xml: "<message from='juliet@example.com/balcony' to='romeo@example.net' type='chat' xml:lang='en'><body>Art thou not Romeo, and a Montague?</body><thread parent='e0ffe42b28561960c6b12b944a092794b9683a38'>0e3141cd80894871a68e6fe6b1ec56fa</thread></message>",
    record: {
      kind: 'message',
      from: juliet,
      to: romeo,
      type: 'chat',
      lang: 'en',
      body: 'Art thou not Romeo, and a Montague?',
      thread: '0e3141cd80894871a68e6fe6b1ec56fa',
      parentThread: 'e0ffe42b28561960c6b12b944a092794b9683a38',
      payload: [],
    },
  },
  {
    name: 'MUC groupchat message with delay and stanza-id (server output)',
    xml: "<message from='coven@chat.shakespeare.lit/firstwitch' id='162BEBB1-F6DB-4D9A-9BD8-CFDCC801A0B2' to='hag66@shakespeare.lit/pda' type='groupchat' xml:lang='en'><body>Thrice the brinded cat hath mew'd.</body><delay xmlns='urn:xmpp:delay' from='coven@chat.shakespeare.lit' stamp='2002-10-13T23:58:37Z'/><stanza-id xmlns='urn:xmpp:sid:0' id='5f3dbc5e-e1d3-4077-a492-693f3769c7ad' by='coven@chat.shakespeare.lit'/></message>",
    record: {
      kind: 'message',
      from: jid('coven@chat.shakespeare.lit/firstwitch'),
      id: '162BEBB1-F6DB-4D9A-9BD8-CFDCC801A0B2',
      to: jid('hag66@shakespeare.lit/pda'),
      type: 'groupchat',
      lang: 'en',
      body: "Thrice the brinded cat hath mew'd.",
      payload: [
        el('delay', 'urn:xmpp:delay', {
          from: 'coven@chat.shakespeare.lit',
          stamp: '2002-10-13T23:58:37Z',
        }),
        el('stanza-id', 'urn:xmpp:sid:0', {
          id: '5f3dbc5e-e1d3-4077-a492-693f3769c7ad',
          by: 'coven@chat.shakespeare.lit',
        }),
      ],
    },
  },
  {
    name: 'XEP-0085 chat message with an active chat state',
    xml: "<message from='bernardo@shakespeare.lit/pda' to='francisco@shakespeare.lit' type='chat' id='ms1'><body>Who's there?</body><active xmlns='http://jabber.org/protocol/chatstates'/></message>",
    record: {
      kind: 'message',
      from: jid('bernardo@shakespeare.lit/pda'),
      to: jid('francisco@shakespeare.lit'),
      type: 'chat',
      id: 'ms1',
      body: "Who's there?",
      payload: [el('active', 'http://jabber.org/protocol/chatstates')],
    },
  },
  {
    name: 'XEP-0085 standalone composing notification (no body)',
    xml: "<message from='bernardo@shakespeare.lit/pda' to='francisco@shakespeare.lit' type='chat'><composing xmlns='http://jabber.org/protocol/chatstates'/></message>",
    record: {
      kind: 'message',
      from: jid('bernardo@shakespeare.lit/pda'),
      to: jid('francisco@shakespeare.lit'),
      type: 'chat',
      payload: [el('composing', 'http://jabber.org/protocol/chatstates')],
    },
  },
  {
    name: 'headline with subject, body and an out-of-band URL',
    xml: "<message from='news.example.com' to='romeo@example.net' type='headline'><subject>Verona Times</subject><body>Montagues and Capulets clash again</body><x xmlns='jabber:x:oob'><url>https://news.example.com/1</url></x></message>",
    record: {
      kind: 'message',
      from: jid('news.example.com'),
      to: romeo,
      type: 'headline',
      subject: 'Verona Times',
      body: 'Montagues and Capulets clash again',
      payload: [
        el('x', 'jabber:x:oob', {}, [
          el('url', 'jabber:x:oob', {}, ['https://news.example.com/1']),
        ]),
      ],
    },
  },
  {
    name: 'error message echoing the body (RFC 6120 §8.3.3.19)',
    xml: "<message from='juliet@example.com' id='b4vs9km4' to='romeo@example.net/orchard' type='error'><body>Wherefore art thou?</body><error type='cancel'><service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/><text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas' xml:lang='en'>Juliet is offline</text></error></message>",
    record: {
      kind: 'message',
      from: jid('juliet@example.com'),
      id: 'b4vs9km4',
      to: jid('romeo@example.net/orchard'),
      type: 'error',
      body: 'Wherefore art thou?',
      error: StanzaError.make('service-unavailable', { text: 'Juliet is offline', lang: 'en' }),
      payload: [],
    },
  },
  {
    name: 'empty message',
    xml: '<message/>',
    record: { kind: 'message', payload: [] },
  },
  {
    name: 'empty body, subject and thread are kept as empty strings',
    xml: '<message><subject/><body/><thread/></message>',
    record: { kind: 'message', subject: '', body: '', thread: '', payload: [] },
  },
]

// -------------------------------------------------------------------------------------
// specs
// -------------------------------------------------------------------------------------

describe('Message', () => {
  describe('golden fixtures', () => {
    for (const f of fixtures) {
      it(`decode: ${f.name}`, () => {
        const r = Message.decode(f.xml)
        expect(r).toEqual(E.right(f.record))
        if (E.isRight(r)) expect(noUndefined(r.right)).toBe(true)
      })

      it(`encode: ${f.name}`, () => {
        const xml = Message.encode(f.record)
        expect(Xml.equals(tree(xml), tree(f.canonical ?? f.xml))).toBe(true)
        expect(Message.decode(xml)).toEqual(E.right(f.record))
      })
    }

    it('decode: the same fixtures through Stanza.decode give the same records', () => {
      for (const f of fixtures) expect(Stanza.decode(f.xml)).toEqual(E.right(f.record))
    })

    it('codec: decodes parsed fixtures and encodes records to the canonical tree', () => {
      for (const f of fixtures) {
        expect(Message.codec.decode(tree(f.xml))).toEqual(E.right(f.record))
        expect(Xml.equals(Message.codec.encode(f.record), tree(f.canonical ?? f.xml))).toBe(true)
      }
    })
  })

  describe('codecs', () => {
    it('encode: unprefixed root declaring the content namespace, default jabber:client', () => {
      expect(Message.encode(Message.make())).toMatch(/^<message xmlns=(['"])jabber:client\1\/>$/)
      const server = Message.encode(Message.make({ body: 'x' }), { ns: 'jabber:server' })
      expect(server).toMatch(/^<message xmlns=(['"])jabber:server\1>/)
      expect(tree(server, null).ns).toBe('jabber:server')
    })

    it('encode: modelled children (subject, body, thread), then payload, then error', () => {
      const m: Message.Message = {
        kind: 'message',
        type: 'error',
        thread: 't',
        body: 'b',
        subject: 's',
        error: StanzaError.make('gone'),
        payload: [el('x', 'urn:x')],
      }
      const names = tree(Message.encode(m)).children.map((c) =>
        typeof c === 'string' ? '#text' : c.name,
      )
      expect(names).toEqual(['subject', 'body', 'thread', 'x', 'error'])
    })

    it('encode: payload in the content namespace is written without a redundant xmlns', () => {
      const m: Message.Message = {
        kind: 'message',
        lang: 'en',
        payload: [foreignBody('cs', 'ahoj')],
      }
      const xml = Message.encode(m)
      expect(xml.match(/xmlns=/g)).toHaveLength(1)
      expect(
        Xml.equals(
          tree(xml),
          tree("<message xml:lang='en'><body xml:lang='cs'>ahoj</body></message>"),
        ),
      ).toBe(true)
    })

    it('encode: characters outside XML 1.0 become U+FFFD', () => {
      const xml = Message.encode(Message.make({ body: 'a\u0001b\uD800c\uFFFE', thread: '\u0000' }))
      expect(decoded(xml)).toEqual({
        kind: 'message',
        body: 'a\uFFFDb\uFFFDc\uFFFD',
        thread: '\uFFFD',
        payload: [],
      })
    })

    it('encode: markup characters in text and attributes survive', () => {
      const m = Message.make({
        id: `a'b"c<&>\t\n\r`,
        body: ']]> <x/> &amp; \r\n',
        thread: '<t>',
        parentThread: '"&"',
      })
      expect(Message.decode(Message.encode(m))).toEqual(E.right(m))
    })

    it('decode/encode: Law 1 for well-formed records in every content namespace', () => {
      fc.assert(
        fc.property(arbMessageWithLanguages, fc.constantFrom(...contentNamespaces), (m, ns) => {
          expect(Message.decode(Message.encode(m, { ns }), { ns })).toEqual(E.right(m))
        }),
        { numRuns: 150 },
      )
    })

    it('codec: io-ts round trip on elements, and is() recognises messages only', () => {
      fc.assert(
        fc.property(arbMessageWithLanguages, (m) => {
          expect(Message.codec.decode(Message.codec.encode(m))).toEqual(E.right(m))
          expect(Message.codec.is(m)).toBe(true)
        }),
        runs,
      )
      expect(Message.codec.is({ kind: 'presence', payload: [] })).toBe(false)
    })

    it('codec: rejects non-elements and other stanza kinds', () => {
      const notElement = Message.codec.decode(42)
      expect(E.isLeft(notElement)).toBe(true)
      const presence = Message.codec.decode(tree('<presence/>'))
      expect(E.isLeft(presence) && presence.left[0]?.message).toMatch(
        /^presence: unsupported-stanza-type: /,
      )
    })

    it('decode: Law 2 on the fixtures: encode(decode(x)) decodes to the same record', () => {
      for (const f of fixtures) {
        const once = decoded(f.xml)
        expect(Message.decode(Message.encode(once))).toEqual(E.right(once))
      }
    })

    it('decode: Law 2: a redundant xml:lang on the body is normalized away', () => {
      const once = decoded("<message xml:lang='en'><body xml:lang='EN'>x</body></message>")
      expect(once).toEqual({ kind: 'message', lang: 'en', body: 'x', payload: [] })
      const xml = Message.encode(once)
      expect(Xml.equals(tree(xml), tree("<message xml:lang='en'><body>x</body></message>"))).toBe(
        true,
      )
      expect(Message.decode(xml)).toEqual(E.right(once))
    })

    it('decode: never throws on arbitrary input', () => {
      fc.assert(
        fc.property(fc.string({ maxLength: 60 }), (s) => {
          const r = Message.decode(`<message>${s}</message>`)
          expect(E.isLeft(r) || E.isRight(r)).toBe(true)
        }),
        runs,
      )
    })
  })

  describe('decode rules', () => {
    it('decode: known types are stored, including normal', () => {
      for (const t of Message.types)
        expect(
          decoded(
            t === 'error'
              ? `<message type='error'><error type='cancel'><gone xmlns='${STANZAS}'/></error></message>`
              : `<message type='${t}'/>`,
          ).type,
        ).toBe(t)
    })

    it('decode: an unknown type (bogus, Chat, empty) is absent and getType gives normal', () => {
      for (const t of ['bogus', 'Chat', '', 'available']) {
        const m = decoded(`<message type='${t}'><body>x</body></message>`)
        expect('type' in m).toBe(false)
        expect(Message.getType(m)).toBe('normal')
        expect(m).toEqual({ kind: 'message', body: 'x', payload: [] })
      }
    })

    it("decode: type 'error' without an <error/> is bad-request", () => {
      expect(heads("<message type='error'><body>x</body></message>")).toEqual([
        'message: bad-request',
      ])
    })

    it("decode: an <error/> in a message whose type is not 'error' is bad-request", () => {
      expect(
        heads(
          `<message type='chat'><error type='cancel'><gone xmlns='${STANZAS}'/></error></message>`,
        ),
      ).toEqual(['message/error: bad-request'])
      expect(
        heads(
          `<message type='bogus'><error type='cancel'><gone xmlns='${STANZAS}'/></error></message>`,
        ),
      ).toEqual(['message/error: bad-request'])
    })

    it('decode: a second <error/> is bad-request at message/error[2]', () => {
      expect(
        heads("<message type='error'><error type='cancel'/><error type='wait'/></message>"),
      ).toEqual(['message/error[2]: bad-request'])
    })

    it('decode: an invalid error type is reported at message/error@type', () => {
      expect(heads("<message type='error'><error type='fatal'/></message>")).toEqual([
        'message/error@type: bad-request',
      ])
    })

    it('decode: two bodies in the same language are bad-request at message/body[2]', () => {
      expect(rejected('<message><body>a</body><body>b</body></message>')).toEqual([
        'message/body[2]: bad-request: a second <body/> in one language',
      ])
      expect(
        heads("<message xml:lang='en'><body>a</body><body xml:lang='en'>b</body></message>"),
      ).toEqual(['message/body[2]: bad-request'])
    })

    it('decode: languages compare case-insensitively (en = EN)', () => {
      expect(
        heads("<message xml:lang='en'><body>a</body><body xml:lang='EN'>b</body></message>"),
      ).toEqual(['message/body[2]: bad-request'])
      expect(
        heads(
          "<message><body xml:lang='cs'>a</body><body>x</body><body xml:lang='CS'>b</body></message>",
        ),
      ).toEqual(['message/body[3]: bad-request'])
    })

    it('decode: two subjects in the same language are bad-request at message/subject[2]', () => {
      expect(
        heads(
          "<message><subject xml:lang='de'>a</subject><subject xml:lang='DE'>b</subject></message>",
        ),
      ).toEqual(['message/subject[2]: bad-request'])
    })

    it("decode: the body with no xml:lang or the stanza's language is the field; others stay in payload, in order", () => {
      const m = decoded(
        "<message xml:lang='en'><body xml:lang='de'>Hallo</body><body xml:lang='EN'>Hello</body><x xmlns='urn:x'/><body xml:lang='fr'>Salut</body></message>",
      )
      expect(m.body).toBe('Hello')
      expect(m.payload).toEqual([
        foreignBody('de', 'Hallo'),
        el('x', 'urn:x'),
        foreignBody('fr', 'Salut'),
      ])
    })

    it('decode: without a stanza language, a tagged body is in another language', () => {
      const m = decoded("<message><body xml:lang='en'>Hello</body></message>")
      expect('body' in m).toBe(false)
      expect(m.payload).toEqual([foreignBody('en', 'Hello')])
      expect(Message.getBody(m)).toEqual(O.some('Hello'))
    })

    it('decode: a second thread is bad-request at message/thread[2]', () => {
      expect(rejected('<message><thread>a</thread><thread>b</thread></message>')).toEqual([
        'message/thread[2]: bad-request: more than one <thread/>',
      ])
    })

    it('decode: the thread parent attribute becomes parentThread, other attributes are dropped', () => {
      expect(decoded("<message><thread parent='p' foo='bar'>t</thread></message>")).toEqual({
        kind: 'message',
        thread: 't',
        parentThread: 'p',
        payload: [],
      })
      expect(decoded("<message><body foo='bar'>b</body></message>")).toEqual({
        kind: 'message',
        body: 'b',
        payload: [],
      })
    })

    it('decode: non-whitespace text directly in the stanza is bad-request; whitespace is dropped', () => {
      expect(heads('<message>hi<body>x</body></message>')).toEqual(['message: bad-request'])
      expect(decoded('<message>\n  <body>x</body>\t\r\n</message>')).toEqual({
        kind: 'message',
        body: 'x',
        payload: [],
      })
    })

    it('decode: invalid to/from are jid-malformed at message@to / message@from', () => {
      expect(heads("<message to='a@@b'/>")).toEqual(['message@to: jid-malformed'])
      expect(heads("<message from='@example.com'/>")).toEqual(['message@from: jid-malformed'])
      expect(heads("<message to='romeo@' from='x/'/>")).toEqual([
        'message@to: jid-malformed',
        'message@from: jid-malformed',
      ])
    })

    it('decode: valid JIDs are stored canonical', () => {
      const m = decoded("<message from='Juliet@Example.COM/Balcony' to='EXAMPLE.net.'/>")
      expect(m.from).toBe('juliet@example.com/Balcony')
      expect(m.to).toBe('example.net')
    })

    it("decode: an xml:lang that is not BCP 47 is bad-request at message@xml:lang; '' and valid tags are kept verbatim", () => {
      expect(heads("<message xml:lang='en_US'/>")).toEqual(['message@xml:lang: bad-request'])
      expect(heads("<message xml:lang='toolongtag'/>")).toEqual(['message@xml:lang: bad-request'])
      expect(decoded("<message xml:lang=''/>").lang).toBe('')
      expect(decoded("<message xml:lang='de-CH'/>").lang).toBe('de-CH')
      expect(decoded("<message xml:lang='EN-gb'/>").lang).toBe('EN-gb')
    })

    it('decode: modelled children holding elements are bad-request', () => {
      expect(heads('<message><body>a<b/></body></message>')).toEqual(['message/body: bad-request'])
      expect(heads('<message><subject><i>s</i></subject></message>')).toEqual([
        'message/subject: bad-request',
      ])
      expect(heads('<message><thread><x/></thread></message>')).toEqual([
        'message/thread: bad-request',
      ])
    })

    it('decode: modelled names in a foreign namespace go to payload untouched', () => {
      const m = decoded(
        "<message><body xmlns='urn:x'>a<b/></body><thread xmlns='jabber:server'>t</thread><subject xmlns=''>s</subject></message>",
      )
      expect(m).toEqual({
        kind: 'message',
        payload: [
          el('body', 'urn:x', {}, ['a', el('b', 'urn:x')]),
          el('thread', 'jabber:server', {}, ['t']),
          el('subject', '', {}, ['s']),
        ],
      })
      expect(Message.getThread(m)).toEqual(O.none)
    })

    it('decode: CDATA and references are text', () => {
      expect(
        decoded('<message><body>&lt;b&gt;<![CDATA[&amp;]]>&#x1F600;</body></message>').body,
      ).toBe('<b>&amp;😀')
    })

    it('decode: unknown stanza attributes are dropped, id kept verbatim (even empty)', () => {
      expect(decoded("<message id='' foo='bar' xmlns:p='urn:p' p:q='r'/>")).toEqual({
        kind: 'message',
        id: '',
        payload: [],
      })
    })

    it('decode: restricted to <message/>: other kinds and names are unsupported-stanza-type', () => {
      expect(heads('<presence/>')).toEqual(['presence: unsupported-stanza-type'])
      expect(heads("<iq type='get' id='1'><ping xmlns='urn:xmpp:ping'/></iq>")).toEqual([
        'iq: unsupported-stanza-type',
      ])
      expect(heads('<Message/>')).toEqual(['Message: unsupported-stanza-type'])
    })

    it('decode: a root in another content namespace, or unqualified with ns null, is invalid-namespace', () => {
      expect(heads("<message xmlns='jabber:server'/>")).toEqual(['message: invalid-namespace'])
      expect(heads('<message/>', { ns: null })).toEqual(['message: invalid-namespace'])
      expect(decoded('<message/>', { ns: 'jabber:server' })).toEqual({
        kind: 'message',
        payload: [],
      })
    })

    it('decode: on a server stream, jabber:client bodies are payload, not the body', () => {
      const m = decoded(
        "<message xmlns='jabber:server'><body xmlns='jabber:client'>x</body></message>",
        {
          ns: 'jabber:server',
        },
      )
      expect('body' in m).toBe(false)
      expect(m.payload).toEqual([el('body', 'jabber:client', {}, ['x'])])
    })

    it('decode: XML-level faults come alone with an offset path', () => {
      const lines = rejected('<message><body>x</message>')
      expect(lines).toHaveLength(1)
      expect(lines[0]).toMatch(/^offset \d+: not-well-formed: /)
    })

    it('decode: stanza-level problems are all collected; attributes before children', () => {
      expect(heads("<message to='a@@b'><body>a</body><body>b</body></message>")).toEqual([
        'message@to: jid-malformed',
        'message/body[2]: bad-request',
      ])
    })

    it('decode: problems come in document order (bodies before a later thread)', () => {
      // docs/semantics.md §3.2: "stanza: all, in document order"
      expect(
        heads(
          '<message><body>a</body><body>b</body><thread>1</thread><thread>2</thread></message>',
        ),
      ).toEqual(['message/body[2]: bad-request', 'message/thread[2]: bad-request'])
    })

    it('decode: problems come in document order (bodies before a later subject)', () => {
      expect(heads('<message><body/><body/><subject/><subject/></message>')).toEqual([
        'message/body[2]: bad-request',
        'message/subject[2]: bad-request',
      ])
    })

    it('decode: problems come in document order (a body before later stray text)', () => {
      expect(heads('<message><body>a</body><body>b</body>oops</message>')).toEqual([
        'message/body[2]: bad-request',
        'message: bad-request',
      ])
    })
  })

  describe('constructors', () => {
    it('make: no fields gives an empty message, no id generated', () => {
      expect(Message.make()).toEqual({ kind: 'message', payload: [] })
      expect(Object.keys(Message.make()).sort()).toEqual(['kind', 'payload'])
    })

    it("make: parentThread alone gets thread ''; an existing thread is kept", () => {
      expect(Message.make({ parentThread: 'p' })).toEqual({
        kind: 'message',
        thread: '',
        parentThread: 'p',
        payload: [],
      })
      expect(Message.make({ parentThread: 'p', thread: 't' }).thread).toBe('t')
    })

    it("make: keeps '' texts (an empty <body/> is legal)", () => {
      expect(Message.make({ body: '', subject: '' })).toEqual({
        kind: 'message',
        body: '',
        subject: '',
        payload: [],
      })
    })
  })

  describe('getters', () => {
    const rfc = decoded(
      "<message xml:lang='en'><subject>I implore you!</subject><subject xml:lang='cs'>Úpěnlivě prosím!</subject><body>Wherefore art thou, Romeo?</body><body xml:lang='cs'>Pročež jsi ty, Romeo?</body><body xml:lang='de'>Warum?</body></message>",
    )

    it('getType: absent is normal; a stored type is returned', () => {
      expect(Message.getType(Message.make())).toBe('normal')
      expect(Message.getType(Message.make({ type: 'headline' }))).toBe('headline')
    })

    it("getBody: defaults to the message's own language, i.e. the field", () => {
      expect(Message.getBody(rfc)).toEqual(O.some('Wherefore art thou, Romeo?'))
      expect(Message.getBody(rfc, 'en')).toEqual(O.some('Wherefore art thou, Romeo?'))
    })

    it('getBody: a requested language picks the payload body in that language, case-insensitively', () => {
      expect(Message.getBody(rfc, 'cs')).toEqual(O.some('Pročež jsi ty, Romeo?'))
      expect(Message.getBody(rfc, 'CS')).toEqual(O.some('Pročež jsi ty, Romeo?'))
      expect(Message.getBody(rfc, 'EN')).toEqual(O.some('Wherefore art thou, Romeo?'))
    })

    it('getBody: a language with no body falls back to the field', () => {
      expect(Message.getBody(rfc, 'fr')).toEqual(O.some('Wherefore art thou, Romeo?'))
    })

    it('getBody: without a field, falls back to the first payload body, not the last', () => {
      const m = Message.removeBody(rfc)
      expect(Message.getBody(m)).toEqual(O.some('Pročež jsi ty, Romeo?'))
      expect(Message.getBody(m, 'fr')).toEqual(O.some('Pročež jsi ty, Romeo?'))
      expect(Message.getBody(m, 'de')).toEqual(O.some('Warum?'))
    })

    it('getBody: None without any body; payload elements named body in other namespaces do not count', () => {
      expect(Message.getBody(Message.make())).toEqual(O.none)
      expect(Message.getBody(Message.make({ payload: [el('body', 'urn:x', {}, ['x'])] }))).toEqual(
        O.none,
      )
    })

    it("getBody: an empty body is Some('')", () => {
      expect(Message.getBody(decoded('<message><body/></message>'))).toEqual(O.some(''))
    })

    it("getBody: the field's language is the message's lang, even when another is requested first", () => {
      const m = decoded(
        "<message xml:lang='de'><body>Hallo</body><body xml:lang='en'>Hello</body></message>",
      )
      expect(Message.getBody(m)).toEqual(O.some('Hallo'))
      expect(Message.getBody(m, 'de')).toEqual(O.some('Hallo'))
      expect(Message.getBody(m, 'en')).toEqual(O.some('Hello'))
    })

    it('getSubject: same language rules as getBody', () => {
      expect(Message.getSubject(rfc)).toEqual(O.some('I implore you!'))
      expect(Message.getSubject(rfc, 'Cs')).toEqual(O.some('Úpěnlivě prosím!'))
      expect(Message.getSubject(rfc, 'de')).toEqual(O.some('I implore you!'))
      expect(Message.getSubject(Message.removeSubject(rfc), 'de')).toEqual(
        O.some('Úpěnlivě prosím!'),
      )
      expect(Message.getSubject(Message.make())).toEqual(O.none)
    })

    it('getThread / getParentThread: Option of the fields', () => {
      const m = Message.make({ thread: 't', parentThread: 'p' })
      expect(Message.getThread(m)).toEqual(O.some('t'))
      expect(Message.getParentThread(m)).toEqual(O.some('p'))
      expect(Message.getThread(Message.make())).toEqual(O.none)
      expect(Message.getParentThread(Message.make({ thread: 't' }))).toEqual(O.none)
    })

    it('getMucRoom / getMucNick: bare from and its resource for a groupchat message', () => {
      const m = Message.make({
        type: 'groupchat',
        from: jid('coven@chat.shakespeare.lit/firstwitch'),
      })
      expect(Message.getMucRoom(m)).toEqual(O.some('coven@chat.shakespeare.lit'))
      expect(Message.getMucNick(m)).toEqual(O.some('firstwitch'))
    })

    it('getMucRoom / getMucNick: a resource with spaces, @ and / is the whole nick', () => {
      const m = Message.make({ type: 'groupchat', from: jid('room@muc.example/x y@z/w') })
      expect(Message.getMucRoom(m)).toEqual(O.some('room@muc.example'))
      expect(Message.getMucNick(m)).toEqual(O.some('x y@z/w'))
    })

    it('getMucNick: None when the room itself sends (bare from)', () => {
      const m = Message.make({ type: 'groupchat', from: jid('coven@chat.shakespeare.lit') })
      expect(Message.getMucRoom(m)).toEqual(O.some('coven@chat.shakespeare.lit'))
      expect(Message.getMucNick(m)).toEqual(O.none)
    })

    it('getMucRoom / getMucNick: None unless type groupchat and from present', () => {
      const from = jid('coven@chat.shakespeare.lit/firstwitch')
      for (const m of [
        Message.make({ from }),
        Message.make({ type: 'chat', from }),
        Message.make({ type: 'normal', from }),
        Message.make({ type: 'groupchat', to: from }),
      ]) {
        expect(Message.getMucRoom(m)).toEqual(O.none)
        expect(Message.getMucNick(m)).toEqual(O.none)
      }
    })

    it('getMucRoom: property: Some(bare(from)) iff groupchat with from', () => {
      fc.assert(
        fc.property(arbMessage, (m) => {
          const expected =
            m.type === 'groupchat' && m.from !== undefined ? O.some(Jid.bare(m.from)) : O.none
          expect(Message.getMucRoom(m)).toEqual(expected)
          expect(Message.getMucNick(m)).toEqual(
            m.type === 'groupchat' && m.from !== undefined ? Jid.resource(m.from) : O.none,
          )
        }),
        runs,
      )
    })
  })

  describe('setters', () => {
    it("setType: writes every type, even 'normal'", () => {
      for (const t of Message.types) {
        const m = Message.setType(t)(Message.make())
        expect(m.type).toBe(t)
        expect(Message.getType(m)).toBe(t)
      }
      expect('type' in Message.setType('normal')(Message.make())).toBe(true)
    })

    it("chat / normal: set the type to 'chat' / 'normal'", () => {
      expect(Message.chat(Message.make({ type: 'headline' })).type).toBe('chat')
      expect(Message.normal(Message.make({ type: 'chat' })).type).toBe('normal')
    })

    it('setBody: sets the field only, leaving bodies in other languages', () => {
      const m = decoded(
        "<message xml:lang='en'><body>a</body><body xml:lang='cs'>b</body></message>",
      )
      const r = Message.setBody('c')(m)
      expect(r.body).toBe('c')
      expect(r.payload).toEqual(m.payload)
      expect(Message.getBody(r, 'cs')).toEqual(O.some('b'))
    })

    it("setBody: '' removes the field (the key is gone)", () => {
      const r = Message.setBody('')(Message.make({ body: 'x' }))
      expect('body' in r).toBe(false)
      expect(r).toEqual({ kind: 'message', payload: [] })
    })

    it('removeBody: removes the key, leaves payload bodies', () => {
      const m = decoded("<message><body>a</body><body xml:lang='cs'>b</body></message>")
      const r = Message.removeBody(m)
      expect(Object.keys(r)).not.toContain('body')
      expect(r.payload).toEqual(m.payload)
    })

    it("setSubject / removeSubject: like bodies; '' removes", () => {
      expect(Message.setSubject('s')(Message.make()).subject).toBe('s')
      expect('subject' in Message.setSubject('')(Message.make({ subject: 's' }))).toBe(false)
      expect('subject' in Message.removeSubject(Message.make({ subject: 's' }))).toBe(false)
    })

    it('setThread: sets the thread, keeping the parent', () => {
      const r = Message.setThread('u')(Message.make({ thread: 't', parentThread: 'p' }))
      expect(r).toEqual({ kind: 'message', thread: 'u', parentThread: 'p', payload: [] })
    })

    it("setThread(''): removes thread and parent", () => {
      const r = Message.setThread('')(Message.make({ thread: 't', parentThread: 'p' }))
      expect(r).toEqual({ kind: 'message', payload: [] })
    })

    it('removeThread: removes thread and parent', () => {
      const r = Message.removeThread(Message.make({ thread: 't', parentThread: 'p', body: 'b' }))
      expect(r).toEqual({ kind: 'message', body: 'b', payload: [] })
    })

    it("setParentThread: creates thread '' when there is none, keeps an existing one", () => {
      expect(Message.setParentThread('p')(Message.make())).toEqual({
        kind: 'message',
        thread: '',
        parentThread: 'p',
        payload: [],
      })
      expect(Message.setParentThread('p')(Message.make({ thread: 't' }))).toEqual({
        kind: 'message',
        thread: 't',
        parentThread: 'p',
        payload: [],
      })
    })

    it("setParentThread(''): removes only the parent", () => {
      const r = Message.setParentThread('')(Message.make({ thread: 't', parentThread: 'p' }))
      expect(r).toEqual({ kind: 'message', thread: 't', payload: [] })
    })

    it('removeParentThread: keeps the thread', () => {
      const r = Message.removeParentThread(Message.make({ thread: 't', parentThread: 'p' }))
      expect(r).toEqual({ kind: 'message', thread: 't', payload: [] })
    })

    it('setBody: get∘set = Some(x) for non-empty x, whatever the languages', () => {
      fc.assert(
        fc.property(arbMessageWithLanguages, nonEmpty, (m, x) => {
          const r = Message.setBody(x)(m)
          expect(Message.getBody(r)).toEqual(O.some(x))
          if (m.lang !== undefined) expect(Message.getBody(r, m.lang)).toEqual(O.some(x))
          expect(Message.getSubject(Message.setSubject(x)(m))).toEqual(O.some(x))
        }),
        runs,
      )
    })

    it('setBody / setSubject / setThread / setType: set∘set = the last set; set is idempotent', () => {
      fc.assert(
        fc.property(arbMessage, arbText, arbText, nonEmpty, (m, x, y, t) => {
          expect(Message.setBody(y)(Message.setBody(x)(m))).toEqual(Message.setBody(y)(m))
          expect(Message.setBody(x)(Message.setBody(x)(m))).toEqual(Message.setBody(x)(m))
          expect(Message.setSubject(y)(Message.setSubject(x)(m))).toEqual(Message.setSubject(y)(m))
          // setThread('') also drops the parent, so only a non-empty first set is forgotten
          expect(Message.setThread(y)(Message.setThread(t)(m))).toEqual(Message.setThread(y)(m))
          expect(Message.setThread(x)(Message.setThread(x)(m))).toEqual(Message.setThread(x)(m))
          expect(Message.setParentThread(x)(Message.setParentThread(x)(m))).toEqual(
            Message.setParentThread(x)(m),
          )
          expect(Message.chat(Message.normal(m))).toEqual(Message.chat(m))
        }),
        runs,
      )
    })

    it('setThread / setParentThread: get∘set for non-empty values', () => {
      fc.assert(
        fc.property(arbMessage, nonEmpty, nonEmpty, (m, t, p) => {
          expect(Message.getThread(Message.setThread(t)(m))).toEqual(O.some(t))
          const withParent = Message.setParentThread(p)(m)
          expect(Message.getParentThread(withParent)).toEqual(O.some(p))
          expect(Message.getThread(withParent)).toEqual(O.some(m.thread ?? ''))
        }),
        runs,
      )
    })

    it('removeBody / removeSubject / removeThread / removeParentThread: remove∘set = remove', () => {
      fc.assert(
        fc.property(arbMessage, nonEmpty, (m, x) => {
          expect(Message.removeBody(Message.setBody(x)(m))).toEqual(Message.removeBody(m))
          expect(Message.removeSubject(Message.setSubject(x)(m))).toEqual(Message.removeSubject(m))
          expect(Message.removeThread(Message.setThread(x)(m))).toEqual(Message.removeThread(m))
          expect(Message.removeParentThread(Message.setParentThread(x)(m))).toEqual({
            ...Message.removeParentThread(m),
            thread: m.thread ?? '',
          })
        }),
        runs,
      )
    })

    it('setters: leave every other field alone', () => {
      fc.assert(
        fc.property(arbMessage, nonEmpty, (m, x) => {
          const { body: _b, ...rest } = m
          const { body: _c, ...after } = Message.setBody(x)(m)
          expect(after).toEqual(rest)
          const { type: _t, ...rest2 } = m
          const { type: _u, ...after2 } = Message.chat(m)
          expect(after2).toEqual(rest2)
        }),
        runs,
      )
    })
  })

  describe('rules', () => {
    const incoming = Message.make({
      from: juliet,
      to: romeo,
      id: 'm1',
      type: 'chat',
      lang: 'en',
      body: 'Wherefore art thou?',
      subject: 'Query',
      thread: 't1',
      parentThread: 'p1',
      payload: [el('active', 'http://jabber.org/protocol/chatstates')],
    })

    it('reply: to = original from, no from, type, lang, thread and parentThread kept, id dropped, content cleared', () => {
      expect(Message.reply()(incoming)).toEqual({
        kind: 'message',
        to: juliet,
        type: 'chat',
        lang: 'en',
        thread: 't1',
        parentThread: 'p1',
        payload: [],
      })
    })

    it('reply: component mode swaps to and from', () => {
      const r = Message.reply({ component: true })(incoming)
      expect(r.to).toBe(juliet)
      expect(r.from).toBe(romeo)
      expect('id' in r).toBe(false)
    })

    it('reply: no original from means no to', () => {
      const r = Message.reply()(Message.make({ to: romeo, body: 'x' }))
      expect(r).toEqual({ kind: 'message', payload: [] })
      expect(Message.reply({ component: true })(Message.make({ to: romeo }))).toEqual({
        kind: 'message',
        from: romeo,
        payload: [],
      })
    })

    it('reply: clear: false keeps body, subject, payload and error', () => {
      const r = Message.reply({ clear: false })(incoming)
      expect(r).toEqual({ ...incoming, to: juliet, from: undefined, id: undefined })
      expect('from' in r || 'id' in r).toBe(false)
      const err = Message.make({ type: 'error', from: juliet, error: StanzaError.make('gone') })
      expect(Message.reply({ clear: false })(err).error).toEqual(StanzaError.make('gone'))
    })

    it('reply: clear removes the error too (type kept, classic)', () => {
      const err = Message.make({
        type: 'error',
        from: juliet,
        error: StanzaError.make('gone'),
        payload: [el('x', 'urn:x')],
      })
      expect(Message.reply()(err)).toEqual({
        kind: 'message',
        type: 'error',
        to: juliet,
        payload: [],
      })
    })

    it("reply: a non-empty body is set after clearing; '' means none", () => {
      expect(Message.reply({ body: 'pong' })(incoming).body).toBe('pong')
      expect('body' in Message.reply({ body: '' })(incoming)).toBe(false)
      const kept = Message.reply({ clear: false, body: 'pong' })(incoming)
      expect(kept.body).toBe('pong')
      expect(kept.subject).toBe('Query')
      expect(Message.reply({ clear: false, body: '' })(incoming).body).toBe('Wherefore art thou?')
    })

    it('reply: a groupchat message is answered to the bare room JID', () => {
      const m = Message.make({
        type: 'groupchat',
        from: jid('coven@chat.shakespeare.lit/firstwitch'),
        to: jid('hag66@shakespeare.lit/pda'),
        id: 'g1',
        body: 'Thrice the brinded cat',
      })
      expect(Message.reply()(m)).toEqual({
        kind: 'message',
        type: 'groupchat',
        to: jid('coven@chat.shakespeare.lit'),
        payload: [],
      })
    })

    it('reply: a groupchat message in component mode goes to the room and still sets from', () => {
      const m = Message.make({
        type: 'groupchat',
        from: jid('coven@chat.shakespeare.lit/firstwitch'),
        to: jid('gateway.shakespeare.lit'),
      })
      const r = Message.reply({ component: true })(m)
      expect(r.to).toBe('coven@chat.shakespeare.lit')
      expect(r.from).toBe('gateway.shakespeare.lit')
    })

    it('reply: a groupchat message without from gets no to', () => {
      const r = Message.reply()(Message.make({ type: 'groupchat', to: romeo }))
      expect('to' in r).toBe(false)
      expect('from' in r).toBe(false)
    })

    it('reply: property: addressing, type, thread and lang laws', () => {
      fc.assert(
        fc.property(arbMessage, fc.boolean(), (m, clear) => {
          const r = Message.reply({ clear })(m)
          const to =
            m.from === undefined ? undefined : m.type === 'groupchat' ? Jid.bare(m.from) : m.from
          expect(r.to).toBe(to)
          expect('to' in r).toBe(to !== undefined)
          expect('from' in r).toBe(false)
          expect('id' in r).toBe(false)
          expect(r.type).toBe(m.type)
          expect(r.lang).toBe(m.lang)
          expect(r.thread).toBe(m.thread)
          expect(r.parentThread).toBe(m.parentThread)
          expect(noUndefined(r)).toBe(true)
          if (clear) {
            expect(r.payload).toEqual([])
            for (const k of ['body', 'subject', 'error']) expect(k in r).toBe(false)
          } else {
            expect(r.payload).toEqual(m.payload)
            expect(r.body).toBe(m.body)
            expect(r.subject).toBe(m.subject)
            expect(r.error).toEqual(m.error)
          }
        }),
        runs,
      )
    })

    it('reply: reply of a reply has neither to nor from (from is dropped each time)', () => {
      fc.assert(
        fc.property(arbMessage, (m) => {
          const rr = Message.reply({ clear: false })(Message.reply({ clear: false })(m))
          expect('to' in rr).toBe(false)
          expect('from' in rr).toBe(false)
        }),
        runs,
      )
    })

    it('reply: in component mode, reply of a reply restores to and from (non-groupchat)', () => {
      fc.assert(
        fc.property(
          arbMessage.filter((m) => m.type !== 'groupchat'),
          (m) => {
            const once = Message.reply({ clear: false, component: true })
            const rr = once(once(m))
            expect(rr.to).toBe(m.to)
            expect(rr.from).toBe(m.from)
            expect('to' in rr).toBe('to' in m)
            expect('from' in rr).toBe('from' in m)
            const { id: _id, ...rest } = m
            expect(rr).toEqual(rest)
          },
        ),
        runs,
      )
    })

    it('reply: in component mode, a groupchat round trip gives the bare JIDs', () => {
      fc.assert(
        fc.property(arbFullJid, arbFullJid, (from, to) => {
          const once = Message.reply({ component: true })
          const rr = once(once(Message.make({ type: 'groupchat', from, to })))
          expect(rr.to).toBe(Jid.bare(to))
          expect(rr.from).toBe(Jid.bare(from))
        }),
        runs,
      )
    })

    it('Stanza.reply: dispatches messages to Message.reply', () => {
      fc.assert(
        fc.property(arbMessage, fc.boolean(), fc.boolean(), (m, clear, component) => {
          expect(Stanza.reply({ clear, component })(m)).toEqual(
            Message.reply({ clear, component })(m),
          )
        }),
        runs,
      )
    })

    it('Stanza.errorReply: same id, type error, plain addressing (no room rewrite), thread kept, content cleared', () => {
      const m = Message.make({
        type: 'groupchat',
        from: jid('coven@chat.shakespeare.lit/firstwitch'),
        to: jid('hag66@shakespeare.lit/pda'),
        id: 'g1',
        body: 'b',
        subject: 's',
        thread: 't',
        parentThread: 'p',
        payload: [el('x', 'urn:x')],
      })
      const error = StanzaError.make('not-acceptable')
      expect(Stanza.errorReply(error)(m)).toEqual(
        O.some({
          kind: 'message',
          type: 'error',
          to: jid('coven@chat.shakespeare.lit/firstwitch'),
          id: 'g1',
          thread: 't',
          parentThread: 'p',
          error,
          payload: [],
        }),
      )
    })

    it('Stanza.errorReply: clear: false keeps the content; None for an error message', () => {
      const error = StanzaError.make('service-unavailable')
      const r = Stanza.errorReply(error, { clear: false })(incoming)
      expect(r).toEqual(O.some({ ...incoming, to: juliet, from: undefined, type: 'error', error }))
      if (O.isSome(r)) {
        expect('from' in r.value).toBe(false)
        expect(Stanza.errorReply(error)(r.value)).toEqual(O.none)
        expect(Message.decode(Message.encode(r.value))).toEqual(E.right(r.value))
      }
    })
  })

  describe('immutability', () => {
    const operations: ReadonlyArray<readonly [string, (m: Message.Message) => unknown]> = [
      ['getType', Message.getType],
      ['setType', Message.setType('headline')],
      ['chat', Message.chat],
      ['normal', Message.normal],
      ['getBody', (m) => Message.getBody(m, 'cs')],
      ['setBody', Message.setBody('x')],
      ["setBody('')", Message.setBody('')],
      ['removeBody', Message.removeBody],
      ['getSubject', (m) => Message.getSubject(m, 'ja')],
      ['setSubject', Message.setSubject('s')],
      ['removeSubject', Message.removeSubject],
      ['getThread', Message.getThread],
      ['setThread', Message.setThread('t')],
      ["setThread('')", Message.setThread('')],
      ['removeThread', Message.removeThread],
      ['getParentThread', Message.getParentThread],
      ['setParentThread', Message.setParentThread('p')],
      ["setParentThread('')", Message.setParentThread('')],
      ['removeParentThread', Message.removeParentThread],
      ['getMucRoom', Message.getMucRoom],
      ['getMucNick', Message.getMucNick],
      ['reply', Message.reply()],
      ['reply clear: false', Message.reply({ clear: false, component: true, body: 'b' })],
      ['Stanza.reply', Stanza.reply()],
      ['Stanza.errorReply', Stanza.errorReply(StanzaError.make('gone'), { clear: false })],
      ['encode', (m) => Message.encode(m, { ns: 'jabber:server' })],
      ['codec.encode', Message.codec.encode],
      ['make', (m) => Message.make(m)],
    ]

    it('setters, getters, rules and codecs: never throw on deep-frozen records nor change them', () => {
      fc.assert(
        fc.property(arbMessageWithLanguages, (m) => {
          const before = structuredClone(m)
          const frozen = deepFreeze(m)
          for (const [, f] of operations) expect(() => f(frozen)).not.toThrow()
          expect(frozen).toEqual(before)
        }),
        { numRuns: 60 },
      )
    })

    it('setters: the result is a new record, the input keeps its values', () => {
      const m = deepFreeze(Message.make({ body: 'a', thread: 't', parentThread: 'p' }))
      const r = Message.setBody('b')(m)
      expect(r).not.toBe(m)
      expect(m.body).toBe('a')
      expect(Message.removeThread(m)).not.toBe(m)
      expect(m.thread).toBe('t')
    })

    it('codec.decode: does not change a deep-frozen element', () => {
      const x = deepFreeze(tree(fixtures[2]?.xml ?? '<message/>'))
      const before = structuredClone(x)
      expect(E.isRight(Message.codec.decode(x))).toBe(true)
      expect(x).toEqual(before)
    })
  })

  describe('absent fields', () => {
    it('decode: absent fields are missing keys', () => {
      const m = decoded("<message><body xml:lang='cs'>x</body></message>")
      expect(Object.keys(m).sort()).toEqual(['kind', 'payload'])
    })

    it('setters and removers: no key ever holds undefined; removed keys are gone', () => {
      fc.assert(
        fc.property(arbMessageWithLanguages, arbText, (m, x) => {
          const results = [
            Message.setBody(x)(m),
            Message.removeBody(m),
            Message.setSubject(x)(m),
            Message.removeSubject(m),
            Message.setThread(x)(m),
            Message.removeThread(m),
            Message.setParentThread(x)(m),
            Message.removeParentThread(m),
            Message.chat(m),
            Message.reply()(m),
            Message.reply({ clear: false, component: true, body: x })(m),
          ]
          for (const r of results) expect(noUndefined(r)).toBe(true)
          expect(Object.keys(Message.removeBody(m))).not.toContain('body')
          expect(Object.keys(Message.removeSubject(m))).not.toContain('subject')
          expect(Object.keys(Message.removeThread(m))).not.toContain('thread')
          expect(Object.keys(Message.removeThread(m))).not.toContain('parentThread')
          expect(Object.keys(Message.removeParentThread(m))).not.toContain('parentThread')
          if (x === '') {
            expect(Object.keys(Message.setBody(x)(m))).not.toContain('body')
            expect(Object.keys(Message.setThread(x)(m))).not.toContain('thread')
          }
        }),
        runs,
      )
    })

    it('decode: property: decoded records never hold undefined', () => {
      fc.assert(
        fc.property(arbMessageWithLanguages, (m) => {
          const r = Message.decode(Message.encode(m))
          expect(E.isRight(r) && noUndefined(r.right)).toBe(true)
        }),
        runs,
      )
    })
  })

  describe('types', () => {
    it('getMucRoom / getMucNick: read-only, there is no setMucRoom nor setMucNick', () => {
      // @ts-expect-error: the room is written by the server (XEP-0045 §7.4), no setter exists
      expect(Message.setMucRoom).toBeUndefined()
      // @ts-expect-error: no setter for the nick either
      expect(Message.setMucNick).toBeUndefined()
      expect('setMucRoom' in Message).toBe(false)
      expect('setMucNick' in Message).toBe(false)
    })

    it('setType: only the five message types compile', () => {
      // @ts-expect-error: 'bogus' is not a MessageType
      const bogus = Message.setType('bogus')
      expect(typeof bogus).toBe('function')
      expect(Message.types).not.toContain('bogus')
    })

    it('make: kind is not a field; records are readonly', () => {
      // @ts-expect-error: kind is fixed by the constructor
      expect(Message.make({ kind: 'presence' }).kind).toBe('message')
      const m = deepFreeze(Message.make({ body: 'a' }))
      expect(() => {
        // @ts-expect-error: records are readonly
        m.body = 'b'
      }).toThrow(TypeError)
    })

    it('make: JIDs must be parsed, not plain strings', () => {
      // @ts-expect-error: a string is not a Jid
      const m = Message.make({ to: 'romeo@example.net' })
      expect(m.to).toBe('romeo@example.net')
      expect(Message.make({ to: romeo }).to).toBe(romeo)
    })
  })
})
