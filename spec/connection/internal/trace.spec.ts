/**
 * The `trace` text: credentials cut out of SASL and component-handshake elements (start tags
 * kept, stanzas untouched, a property over secrets), and the text of each incoming frame event,
 * from events built by hand and from the real framer.
 */
import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { type FrameEvent, framer } from '../../../src/connection/framer.js'
import { frameText, redact } from '../../../src/connection/internal/trace.js'
import * as Xml from '../../../src/Xml.js'

// -------------------------------------------------------------------------------------
// fixtures
// -------------------------------------------------------------------------------------

const SASL = 'urn:ietf:params:xml:ns:xmpp-sasl'
const STREAM = 'http://etherx.jabber.org/streams'
const AUTH_PLAIN = `<auth xmlns='${SASL}' mechanism='PLAIN'>`
/** base64 of "\0alice\0hunter2": a PLAIN initial response. */
const PLAIN_PAYLOAD = Buffer.from('\0alice\0hunter2').toString('base64')

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s)

/** Every event the real framer reads from `s`, as one chunk. */
const frame = (s: string): ReadonlyArray<FrameEvent> => framer().push(utf8(s))

const elementEvent = (xml: string): FrameEvent => ({
  _tag: 'Element',
  xml,
  element: Xml.element('x', 'urn:example'), // frameText reads the text only
  line: 1,
  offset: 0,
})

const arbBase64 = fc
  .string({
    unit: fc.constantFrom(
      ...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/='.split(''),
    ),
  })
  .map((s) => `SECRET${s}`)

// -------------------------------------------------------------------------------------
// specs
// -------------------------------------------------------------------------------------

describe('connection/internal/trace', () => {
  describe('redact', () => {
    it.each([
      [`${AUTH_PLAIN}${PLAIN_PAYLOAD}</auth>`, `${AUTH_PLAIN}[redacted]</auth>`],
      [
        `<auth xmlns='${SASL}' mechanism='SCRAM-SHA-256'>biwsbj1hbGljZSxyPWZ5a28=</auth>`,
        `<auth xmlns='${SASL}' mechanism='SCRAM-SHA-256'>[redacted]</auth>`,
      ],
      [
        `<challenge xmlns='${SASL}'>cj1meWtvK2QybGJiRmdPTlJ2OXFreGRhd0wzcmZjTkhZSlkxWlZ2V1ZzN2oscz1RU1hDUitRNnNlazhiZjkyLGk9NDA5Ng==</challenge>`,
        `<challenge xmlns='${SASL}'>[redacted]</challenge>`,
      ],
      [
        `<response xmlns="${SASL}">Yz1iaXdzLHI9ZnlrbytkMmxiYkZnT05Sdjlxa3hkYXdMM3JmY05IWUpZMVpWdldWczdqLHA9djBYOHYzQnoyVDBDSkdiSlF5RjBYK0hJNFRzPQ==</response>`,
        `<response xmlns="${SASL}">[redacted]</response>`,
      ],
      [
        `<success xmlns='${SASL}'>dj1ybUY5cHFWOFM3c3VBb1pXamE0ZEpSa0ZzS1E9</success>`,
        `<success xmlns='${SASL}'>[redacted]</success>`,
      ],
      [
        '<handshake>aaee83c26aeeafcbabeabfcbcd50df997e0a2a1e</handshake>',
        '<handshake>[redacted]</handshake>',
      ],
      [
        `<auth\n  xmlns='${SASL}'\tmechanism='PLAIN'>${PLAIN_PAYLOAD}</auth>`,
        `<auth\n  xmlns='${SASL}'\tmechanism='PLAIN'>[redacted]</auth>`,
      ],
    ])('%p → the start tag, then [redacted]', (xml, expected) => {
      expect(redact(xml)).toBe(expected)
    })

    it('an attribute value holding `>` (or `/>`, or the other quote) does not end the start tag', () => {
      expect(
        redact(`<auth xmlns='${SASL}' x='a>b' mechanism='PLAIN'>${PLAIN_PAYLOAD}</auth>`),
      ).toBe(`<auth xmlns='${SASL}' x='a>b' mechanism='PLAIN'>[redacted]</auth>`)
      expect(redact(`<auth xmlns="${SASL}" x="a/>b" y="it's">${PLAIN_PAYLOAD}</auth>`)).toBe(
        `<auth xmlns="${SASL}" x="a/>b" y="it's">[redacted]</auth>`,
      )
      expect(redact(`<success xmlns='${SASL}' x='/'>dj1wcm9vZg==</success>`)).toBe(
        `<success xmlns='${SASL}' x='/'>[redacted]</success>`,
      )
    })

    it('whatever is inside goes: child elements, CDATA, entities', () => {
      expect(redact(`<response xmlns='${SASL}'><x>secret</x><![CDATA[s]]>&amp;</response>`)).toBe(
        `<response xmlns='${SASL}'>[redacted]</response>`,
      )
    })

    it.each([
      `<success xmlns='${SASL}'/>`,
      `<success xmlns='${SASL}' />`,
      `<auth xmlns='${SASL}' mechanism='EXTERNAL'/>`,
      `<response xmlns="${SASL}"/>`,
      '<handshake/>',
    ])('an empty element is unchanged: %p', (xml) => {
      expect(redact(xml)).toBe(xml)
    })

    it.each([
      "<message to='bob@example.com' type='chat'><body>hi</body></message>",
      "<message to='bob@example.com'><body>&lt;auth>c2VjcmV0&lt;/auth></body></message>",
      "<message to='bob@example.com'><body><![CDATA[<auth>c2VjcmV0</auth>]]></body></message>",
      "<iq type='set' id='b1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>auth</resource></bind></iq>",
      '<presence><status>success</status></presence>',
      `<failure xmlns='${SASL}'><not-authorized/><text>Unable to authorize you</text></failure>`,
      `<stream:features xmlns:stream='${STREAM}'><mechanisms xmlns='${SASL}'><mechanism>PLAIN</mechanism></mechanisms></stream:features>`,
      "<?xml version='1.0'?><stream:stream xmlns='jabber:client' to='localhost' version='1.0'>",
      '</stream:stream>',
      '<authentication>not a SASL element</authentication>',
      '<successor>x</successor>',
      '<responses>x</responses>',
      ' <auth>leading space: not a top-level element as written</auth>',
      '',
    ])('anything else is unchanged: %p', (xml) => {
      expect(redact(xml)).toBe(xml)
    })

    it('a start tag cut short keeps only its name', () => {
      expect(redact(`<auth xmlns='${SASL}' mechanism='PLAIN`)).toBe('<auth [redacted]')
      expect(redact("<challenge xmlns='")).toBe('<challenge [redacted]')
      expect(redact('<challenge')).toBe('<challenge') // no name end yet: nothing to hide
      expect(redact(`<auth x='>${PLAIN_PAYLOAD}</auth>`)).toBe('<auth [redacted]')
    })

    it('property: the secret of a PLAIN <auth> never survives', () => {
      fc.assert(
        fc.property(arbBase64, (secret) => {
          const out = redact(`${AUTH_PLAIN}${secret}</auth>`)
          expect(out).not.toContain(secret)
          expect(out).toBe(`${AUTH_PLAIN}[redacted]</auth>`)
        }),
      )
    })

    it('property: the same for every credential-bearing element, whatever its attributes', () => {
      fc.assert(
        fc.property(
          fc.constantFrom('auth', 'challenge', 'response', 'success', 'handshake'),
          fc.array(
            fc.tuple(
              fc.constantFrom('xmlns', 'mechanism', 'x', 'y:z'),
              fc.string({ unit: fc.constantFrom('a', '>', '/', '"', ' ', '<') }),
            ),
            { maxLength: 3 },
          ),
          arbBase64,
          (name, attrs, secret) => {
            const tag = `<${name}${attrs.map(([k, v]) => ` ${k}='${v.replaceAll("'", '')}'`).join('')}>`
            const out = redact(`${tag}${secret}</${name}>`)
            expect(out).not.toContain(secret)
            expect(out).toBe(`${tag}[redacted]</${name}>`)
          },
        ),
      )
    })
  })

  describe('frameText', () => {
    it('StreamOpen: the header rebuilt with its namespace, prefixes and attributes, escaped', () => {
      const e: FrameEvent = {
        _tag: 'StreamOpen',
        attrs: { from: 'localhost', id: "a'b&c<d", version: '1.0', 'xml:lang': 'en' },
        ns: 'jabber:client',
        prefixes: new Map([
          ['stream', STREAM],
          ['db', 'jabber:server:dialback'],
        ]),
        line: 1,
        offset: 21,
      }
      expect(frameText(e)).toBe(
        `<stream:stream xmlns='jabber:client' xmlns:stream='${STREAM}' xmlns:db='jabber:server:dialback' from='localhost' id='a&apos;b&amp;c&lt;d' version='1.0' xml:lang='en'>`,
      )
    })

    it('Element: its text, redacted when it carries a credential', () => {
      const msg = "<message from='a@b'><body>&lt;auth>x&lt;/auth></body></message>"
      expect(frameText(elementEvent(msg))).toBe(msg)
      expect(frameText(elementEvent(`<challenge xmlns='${SASL}'>cj1h</challenge>`))).toBe(
        `<challenge xmlns='${SASL}'>[redacted]</challenge>`,
      )
    })

    it('StreamClose: the close tag', () => {
      expect(frameText({ _tag: 'StreamClose' })).toBe('</stream:stream>')
    })

    it('StreamError (a framing fault, not an element): nothing', () => {
      const e: FrameEvent = { _tag: 'StreamError', condition: 'not-well-formed', message: 'x' }
      expect(frameText(e)).toBeUndefined()
    })

    it('over the real framer: header, features, a SASL <success> with a payload, a stanza, the close', () => {
      const header = `<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='${STREAM}' from='localhost' id='s&amp;1' version='1.0' xml:lang='en'>`
      const features = `<stream:features><mechanisms xmlns='${SASL}'><mechanism>PLAIN</mechanism></mechanisms></stream:features>`
      const success = `<success xmlns='${SASL}'>dj1ybUY5cHFWOFM3c3VBb1pXamE0ZEpSa0ZzS1E9</success>`
      const message = "<message from='a@localhost'><body>hi &lt;auth></body></message>"
      const events = frame(`${header}${features}${success}${message}</stream:stream>`)
      expect(events.map((e) => e._tag)).toEqual([
        'StreamOpen',
        'Element',
        'Element',
        'Element',
        'StreamClose',
      ])
      expect(events.map(frameText)).toEqual([
        `<stream:stream xmlns='jabber:client' xmlns:stream='${STREAM}' from='localhost' id='s&amp;1' version='1.0' xml:lang='en'>`,
        `<stream:features xmlns:stream='${STREAM}'><mechanisms xmlns='${SASL}'><mechanism>PLAIN</mechanism></mechanisms></stream:features>`,
        `<success xmlns='${SASL}'>[redacted]</success>`,
        message,
        '</stream:stream>',
      ])
    })

    it('over the real framer: the rebuilt header reads back as the same header', () => {
      const header = `<stream:stream xmlns:stream="${STREAM}" xmlns="jabber:component:accept" xmlns:x="urn:x" to="c.localhost" id="&lt;&quot;">`
      const [open] = frame(header)
      const text = open === undefined ? undefined : frameText(open)
      expect(text).toBeDefined()
      const [again] = frame(text ?? '')
      expect(again).toEqual(open)
    })

    it('over the real framer: an empty <success/> stays as it is', () => {
      const header = `<stream:stream xmlns='jabber:client' xmlns:stream='${STREAM}'>`
      const events = frame(`${header}<success xmlns='${SASL}'/>`)
      expect(events.map(frameText)[1]).toBe(`<success xmlns='${SASL}'/>`)
    })
  })
})
