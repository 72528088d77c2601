import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import * as O from 'fp-ts/lib/Option.js'
import * as DecodeError from '../../src/DecodeError.js'
import * as Framing from '../../src/internal/framer.js'
import * as NS from '../../src/internal/ns.js'
import * as Stanza from '../../src/Stanza.js'
import * as Xml from '../../src/Xml.js'
import { element as arbElement } from '../arbitraries/Xml.js'

type FrameEvent = Framing.FrameEvent<Xml.XmlElement>
type Fault = Framing.Fault<Xml.XmlError>
type Event = FrameEvent | Fault

interface Options {
  readonly limits?: Partial<Xml.Limits>
  readonly onFault?: Framing.FaultPolicy
  readonly ns?: string
}

const parser: Framing.Parser<Xml.XmlElement, Xml.XmlError> = {
  parse: Xml.parse,
  fault: (condition, message, offset) => ({ _tag: 'XmlError', condition, message, offset }),
}

/** A framer reading with `Xml.parse`, as `connection/framer.ts` makes it. */
const make = (options: Options = {}): Framing.Framer<Event> =>
  Framing.framer(parser, { ...options, limits: { ...Xml.defaultLimits, ...options.limits } })

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s)

const STREAMS = 'http://etherx.jabber.org/streams'

const header = (ns = 'jabber:client', prefix = 'stream'): string =>
  `<?xml version='1.0'?><${prefix}:stream xmlns='${ns}' xmlns:${prefix}='${STREAMS}' from='example.com' id='s1' version='1.0' xml:lang='en'>`

/** Runs `input` through a fresh framer in the given chunks; all events, in order. */
const run = (chunks: ReadonlyArray<Uint8Array>, options?: Options) => {
  const f = make(options)
  return chunks.flatMap((c) => f.push(c))
}

const runText = (s: string, options?: Options) => run([utf8(s)], options)

/** Splits `bytes` at the given cut points (sorted, deduplicated, in range). */
const cut = (bytes: Uint8Array, points: ReadonlyArray<number>): Uint8Array[] => {
  const sorted = [...new Set(points.map((p) => p % (bytes.length + 1)))].sort((a, b) => a - b)
  const out: Uint8Array[] = []
  let from = 0
  for (const p of sorted) {
    out.push(bytes.subarray(from, p))
    from = p
  }
  out.push(bytes.subarray(from))
  return out
}

const bytewise = (bytes: Uint8Array): Uint8Array[] =>
  Array.from(bytes, (_, i) => bytes.subarray(i, i + 1))

const bodyText = (el: Xml.XmlElement | undefined): string | undefined => {
  if (el === undefined) return undefined
  const body = Xml.getChild('body', 'jabber:client')(el)
  return O.isSome(body) ? Xml.getText(body.value) : undefined
}

/** Minimal escaping for generated text and attribute values. */
const escapeXml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/'/g, '&apos;')

const tags = (events: ReadonlyArray<Event>) => events.map((e) => e._tag)

const elements = (events: ReadonlyArray<Event>): Xml.XmlElement[] =>
  events.flatMap((e) => (e._tag === 'Element' ? [e.element] : []))

const lastError = (events: ReadonlyArray<Event>) => {
  const e = events[events.length - 1]
  if (e?._tag !== 'StreamError') throw new Error(`expected a StreamError last, got ${e?._tag}`)
  return e
}

// A realistic server-to-client stream: features, SASL, stanzas with multi-byte characters
// (2, 3 and 4 octets), CDATA, `>` and `/>` in attribute values, references, keepalives.
const realistic = [
  header(),
  `<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>`,
  `<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>SCRAM-SHA-1</mechanism>`,
  `<mechanism>PLAIN</mechanism></mechanisms></stream:features>`,
  '\n \t\r\n',
  `<message from='juliet@example.com/balcony' to='romeo@example.net' type='chat' id='a>b/>c'>`,
  `<body>Wherefore art thou, Romeo? é ü 中文 😀 &lt;3 &#x1F600;</body>`,
  `<thread>e0ffe42b28561960c6b12b944a092794b9683a38</thread></message>`,
  ' ',
  `<iq type='get' id="x'y>" to='example.com'><ping xmlns='urn:xmpp:ping'/></iq>`,
  `<message id='c'><body><![CDATA[<not> a ]] tag ]]]></body></message>`,
  `<presence from='nurse@example.com/chamber' xml:lang='de'><show>away</show>`,
  `<status>Schläft 💤</status><x xmlns='vcard-temp:x:update'><photo/></x></presence>`,
  '\n',
  `<stream:error><not-authorized xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>`,
  '</stream:stream>',
].join('')

describe('internal/framer: stop', () => {
  describe('framing', () => {
    it('framer: header, top-level elements and close of a realistic stream', () => {
      const events = runText(realistic)
      expect(tags(events)).toEqual([
        'StreamOpen',
        'Element',
        'Element',
        'Element',
        'Element',
        'Element',
        'Element',
        'StreamClose',
      ])
      const open = events[0]
      if (open?._tag !== 'StreamOpen') throw new Error('no StreamOpen')
      expect(open.ns).toBe('jabber:client')
      expect([...open.prefixes]).toEqual([['stream', STREAMS]])
      expect({ ...open.attrs }).toEqual({
        from: 'example.com',
        id: 's1',
        version: '1.0',
        'xml:lang': 'en',
      })
      expect(elements(events).map((e) => [e.name, e.ns])).toEqual([
        ['features', STREAMS],
        ['message', 'jabber:client'],
        ['iq', 'jabber:client'],
        ['message', 'jabber:client'],
        ['presence', 'jabber:client'],
        ['error', STREAMS],
      ])
    })

    it('framer: element text, attributes and CDATA are decoded', () => {
      const [, message, iq, cdata] = elements(runText(realistic))
      expect(message?.attrs.id).toBe('a>b/>c')
      expect(bodyText(message)).toBe('Wherefore art thou, Romeo? é ü 中文 😀 <3 😀')
      expect(iq?.attrs.id).toBe(`x'y>`)
      expect(bodyText(cdata)).toBe('<not> a ]] tag ]')
    })

    it('framer: `xml` re-declares the header prefixes an element uses, and parses alone', () => {
      const events = runText(realistic)
      for (const e of events) {
        if (e._tag !== 'Element') continue
        const again = Xml.parse(e.xml, { ns: 'jabber:client' })
        expect(again).toEqual({ _tag: 'Right', right: e.element })
      }
      const features = events.find((e) => e._tag === 'Element')
      expect(features?._tag === 'Element' && features.xml).toMatch(
        /^<stream:features xmlns:stream='http:\/\/etherx\.jabber\.org\/streams'>/,
      )
      // A stanza that uses no header prefix is passed on as it came.
      const iq = events.find((e) => e._tag === 'Element' && e.element.name === 'iq')
      expect(iq?._tag === 'Element' && iq.xml).toBe(
        `<iq type='get' id="x'y>" to='example.com'><ping xmlns='urn:xmpp:ping'/></iq>`,
      )
    })

    it('framer: any prefix bound to the streams namespace; an element declaring it itself', () => {
      const events = runText(
        `${header('jabber:client', 's')}<s:features/><s:error xmlns:s='${STREAMS}'/><message/></s:stream>`,
      )
      expect(tags(events)).toEqual(['StreamOpen', 'Element', 'Element', 'Element', 'StreamClose'])
      expect(elements(events).map((e) => [e.name, e.ns])).toEqual([
        ['features', STREAMS],
        ['error', STREAMS],
        ['message', 'jabber:client'],
      ])
    })

    it('framer: prefixed attributes from the header scope resolve', () => {
      const open = `<stream:stream xmlns='jabber:client' xmlns:stream='${STREAMS}' xmlns:x='urn:x'>`
      const [m] = elements(runText(`${open}<message x:a='1'><b x:c='2'/></message>`))
      expect(m?.attrs['{urn:x}a']).toBe('1')
    })

    it('framer: stanzas get the content namespace of the stream (component, RFC 6120 §4.8.3)', () => {
      const component = `<stream:stream xmlns='jabber:component:accept' xmlns:stream='${STREAMS}' from='c.example.com' id='3BF96D32'>`
      const events = runText(`${component}<handshake/><message to='a@b'/><iq type='get' id='1'/>`)
      const open = events[0]
      expect(open?._tag === 'StreamOpen' && open.ns).toBe('jabber:component:accept')
      expect(elements(events).map((e) => e.ns)).toEqual(Array(3).fill('jabber:component:accept'))
    })

    it('framer: an element declaring its own default namespace keeps it', () => {
      const [el] = elements(runText(`${header()}<message xmlns='jabber:server'/>`))
      expect(el?.ns).toBe('jabber:server')
    })

    it('framer: keepalives produce nothing; the XML declaration is optional', () => {
      const noDecl = `<stream:stream xmlns='jabber:client' xmlns:stream='${STREAMS}'>`
      expect(tags(runText(`${noDecl}  \n\n \t <a/> \r\n `))).toEqual(['StreamOpen', 'Element'])
      expect(tags(runText(' \n'))).toEqual([])
    })

    it('framer: header attribute values are decoded', () => {
      const [open] = runText(
        `<stream:stream xmlns='jabber:client' xmlns:stream='${STREAMS}' id='a&amp;b&#x20;c' from="x'y">`,
      )
      expect(open?._tag === 'StreamOpen' && { ...open.attrs }).toEqual({ id: 'a&b c', from: "x'y" })
    })

    it('framer: `<stream:stream/>` is an empty stream', () => {
      expect(
        tags(runText(`<stream:stream xmlns='jabber:client' xmlns:stream='${STREAMS}'/>`)),
      ).toEqual(['StreamOpen', 'StreamClose'])
    })

    it('framer: nothing is read after the close, until reset', () => {
      const f = make()
      expect(tags(f.push(utf8(`${header()}</stream:stream><message/>`)))).toEqual([
        'StreamOpen',
        'StreamClose',
      ])
      expect(f.push(utf8('<message/>'))).toEqual([])
    })

    it('reset: starts a new stream, dropping what was unfinished (RFC 6120 §5.4.3.3, §6.4.6)', () => {
      const f = make()
      expect(
        tags(f.push(utf8(`${header()}<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/><mess`))),
      ).toEqual(['StreamOpen', 'Element'])
      f.reset()
      // A new header, XML declaration included; the half element and a half character are gone.
      const events = f.push(utf8(`${header('jabber:client')}<message id='2'/>`))
      expect(tags(events)).toEqual(['StreamOpen', 'Element'])
      expect(elements(events)[0]?.attrs.id).toBe('2')
      f.push(new Uint8Array([0xe4, 0xb8]))
      f.reset()
      expect(tags(f.push(utf8(`${header()}<a/>`)))).toEqual(['StreamOpen', 'Element'])
    })

    it('reset: revives a framer after a StreamError or a close', () => {
      const f = make()
      expect(tags(f.push(utf8('junk')))).toEqual(['StreamError'])
      expect(f.push(utf8(header()))).toEqual([])
      f.reset()
      expect(tags(f.push(utf8(header())))).toEqual(['StreamOpen'])
    })
  })

  describe('positions and end', () => {
    it('framer: events carry the line and offset of their `<`', () => {
      const events = runText(`${header()}\n  <message/>\n<iq type='get' id='1'/>`)
      expect(
        events.map((e) =>
          e._tag === 'StreamOpen' || e._tag === 'Element' ? [e.line, e.offset] : [],
        ),
      ).toEqual([
        [1, 21],
        [2, header().length + 3],
        [3, header().length + 14],
      ])
    })

    it('end: nothing when the input ends between elements; a StreamError inside one', () => {
      const f = make()
      f.push(utf8(`${header()}<message/>`))
      expect(f.end()).toEqual([])
      const g = make()
      g.push(utf8(`${header()}<message><body>`))
      expect(lastError(g.end()).condition).toBe('not-well-formed')
      const h = make()
      h.push(new Uint8Array([...utf8(header()), 0xe4]))
      expect(lastError(h.end()).condition).toBe('not-well-formed')
    })
  })

  describe('chunking', () => {
    const bytes = utf8(realistic)
    const whole = run([bytes])

    it('framer: byte by byte gives the same events as one chunk', () => {
      expect(run(bytewise(bytes))).toEqual(whole)
    })

    it('framer: any split gives the same events as one chunk (property)', () => {
      fc.assert(
        fc.property(fc.array(fc.nat(), { maxLength: 40 }), (points) => {
          expect(run(cut(bytes, points))).toEqual(whole)
        }),
        { numRuns: 300 },
      )
    })

    it('framer: any split of a faulty stream gives the same StreamError (property)', () => {
      const faulty = [
        `${header()}<message><!-- no --></message>`,
        `${header()}<message><body>x</body></message>junk`,
        `${header()}<a b='1' b='2'/>`,
        `${header()}<a><b></a></b>`,
        `${realistic.slice(0, 400)}\u0000`,
        `${header()}<a>&nbsp;</a>`,
        `${header()}<a x='>'></a x>`,
      ].map(utf8)
      fc.assert(
        fc.property(
          fc.constantFrom(...faulty),
          fc.array(fc.nat(), { maxLength: 20 }),
          (input, points) => {
            const expected = run([input])
            expect(expected[expected.length - 1]?._tag).toBe('StreamError')
            expect(run(cut(input, points))).toEqual(expected)
          },
        ),
        { numRuns: 300 },
      )
    })

    it('framer: generated stanzas survive random splits (property)', () => {
      // Printable text of 1 to 4 octets per character, surrogate pairs included.
      const text = fc
        .string({ unit: 'grapheme', maxLength: 12 })
        .map((t) => t.replace(/[\x00-\x1f\ufffe\uffff]/g, ''))
      const stanza = fc
        .tuple(text, text, fc.constantFrom('', ' ', '\n'))
        .map(
          ([id, body, keepalive]) =>
            `<message id='${escapeXml(id)}'><body>${escapeXml(body)}</body><x xmlns='urn:x'><![CDATA[${body.replaceAll(']]>', '')}]]></x></message>${keepalive}`,
        )
      fc.assert(
        fc.property(
          fc.array(stanza, { maxLength: 6 }),
          fc.array(fc.nat(), { maxLength: 30 }),
          (stanzas, points) => {
            const input = utf8(`${header()}${stanzas.join('')}</stream:stream>`)
            const expected = run([input])
            expect(tags(expected)).toEqual([
              'StreamOpen',
              ...stanzas.map(() => 'Element'),
              'StreamClose',
            ])
            expect(run(cut(input, points))).toEqual(expected)
          },
        ),
        { numRuns: 200 },
      )
    })
  })

  describe('faults', () => {
    it('framer: invalid UTF-8 is not-well-formed, also split across chunks', () => {
      for (const bad of [
        [0xc3, 0x28],
        [0xed, 0xa0, 0x80],
        [0xf8, 0x88, 0x80, 0x80, 0x80],
        [0xc0, 0xaf],
      ]) {
        const input = new Uint8Array([
          ...utf8(`${header()}<message><body>`),
          ...bad,
          ...utf8('</body></message>'),
        ])
        expect(lastError(run([input])).condition).toBe('not-well-formed')
        expect(lastError(run(bytewise(input))).condition).toBe('not-well-formed')
      }
    })

    it('framer: UTF-16 or UTF-32 input is unsupported-encoding (RFC 6120 §11.6)', () => {
      const utf16 = Buffer.from(`\ufeff${header()}`, 'utf16le')
      expect(lastError(run([utf16])).condition).toBe('unsupported-encoding')
      expect(lastError(run([Buffer.from(header(), 'utf16le')])).condition).toBe(
        'unsupported-encoding',
      )
      expect(lastError(runText(`<?xml version='1.0' encoding='ISO-8859-1'?>`)).condition).toBe(
        'unsupported-encoding',
      )
    })

    it.each([
      ['a comment between stanzas', `${header()}<!-- c -->`],
      ['a comment inside a stanza', `${header()}<message><!-- c --></message>`],
      ['a processing instruction', `${header()}<message><?php x?></message>`],
      ['a PI at stream level', `${header()}<?php x?>`],
      ['a late XML declaration', `${header()}<?xml version='1.0'?>`],
      ['a DOCTYPE', `<!DOCTYPE x><stream:stream/>`],
      ['a DOCTYPE inside a stanza', `${header()}<message><!DOCTYPE x></message>`],
      ['an entity other than the five', `${header()}<message><body>&nbsp;</body></message>`],
    ])('framer: %s is restricted-xml (RFC 6120 §11.1)', (_, input) => {
      expect(lastError(runText(input)).condition).toBe('restricted-xml')
    })

    it.each([
      ['text at stream level', `${header()}hello`],
      ['text before the header', `hello${header()}`],
      ['a U+FEFF before the header', `\ufeff${header()}`],
      ['mismatched tags', `${header()}<a><b></a></b>`],
      ['a stray end tag', `${header()}</message>`],
      ['a wrong stream end tag', `${header()}</stream:streamx>`],
      ['an unquoted attribute', `${header()}<a b=c/>`],
      ['a duplicate attribute', `${header()}<a b='1' b='2'/>`],
      ['`<` in a tag', `${header()}<a <b/>`],
      ['`< ` ', `${header()}< a/>`],
      ['an undeclared prefix', `${header()}<x:a/>`],
      ['`]]>` in text', `${header()}<a>]]></a>`],
    ])('framer: %s is not-well-formed', (_, input) => {
      expect(lastError(runText(input)).condition).toBe('not-well-formed')
    })

    it('framer: the header must be a stream header with a content namespace', () => {
      expect(lastError(runText(`<message xmlns='jabber:client'>`)).condition).toBe('bad-format')
      expect(
        lastError(runText(`<stream:stream xmlns:stream='urn:other' xmlns='jabber:client'>`))
          .condition,
      ).toBe('invalid-namespace')
      expect(lastError(runText(`<stream:stream xmlns:stream='${STREAMS}'>`)).condition).toBe(
        'invalid-namespace',
      )
      expect(lastError(runText(`<stream xmlns='${STREAMS}'>`)).condition).toBe('invalid-namespace')
    })

    it('framer: names from the JS object model are bad-format (docs/security.md §2)', () => {
      expect(lastError(runText(`${header()}<__proto__/>`)).condition).toBe('bad-format')
    })

    it('framer: events before the fault in the same chunk are kept; nothing after it', () => {
      const f = make()
      expect(tags(f.push(utf8(`${header()}<a/><!-- x --><b/>`)))).toEqual([
        'StreamOpen',
        'Element',
        'StreamError',
      ])
      expect(f.push(utf8('<c/>'))).toEqual([])
    })
  })

  describe('limits', () => {
    it('framer: an element over maxBytes is cut off before its end arrives', () => {
      const f = make({ limits: { maxBytes: 1000 } })
      expect(tags(f.push(utf8(`${header()}<message><body>`)))).toEqual(['StreamOpen'])
      const events: Event[] = []
      let sent = 0
      // An endless element: the framer must give up by itself, holding at most the cap.
      while (events.length === 0 && sent < 100_000) {
        events.push(...f.push(utf8('x'.repeat(100))))
        sent += 100
      }
      expect(lastError(events).condition).toBe('policy-violation')
      expect(sent).toBeLessThanOrEqual(1000)
    })

    it('framer: maxBytes counts UTF-8 octets, exactly, per element', () => {
      const limits = { maxBytes: 100 }
      const open = `<stream:stream xmlns='jabber:client' xmlns:stream='${STREAMS}'>`
      const at = (body: string) => `<message><body>${body}</body></message>`
      const fits = at(`${'x'.repeat(60)}éé😀`)
      const over = at(`${'x'.repeat(61)}éé😀`)
      expect([utf8(fits).length, utf8(over).length]).toEqual([100, 101])
      for (const chunks of [(b: Uint8Array) => [b], bytewise]) {
        expect(tags(run(chunks(utf8(`${open}${fits} ${fits}`)), { limits }))).toEqual([
          'StreamOpen',
          'Element',
          'Element',
        ])
        expect(lastError(run(chunks(utf8(`${open}${over}`)), { limits })).condition).toBe(
          'policy-violation',
        )
      }
    })

    it('framer: injected prefix declarations do not count against the caps', () => {
      const open = `<stream:stream xmlns='jabber:client' xmlns:stream='${STREAMS}'>`
      const el = `<stream:features a='${'x'.repeat(open.length)}' b='1'/>`
      const events = runText(`${open}${el}`, { limits: { maxBytes: el.length, maxAttributes: 2 } })
      expect(tags(events)).toEqual(['StreamOpen', 'Element'])
    })

    it('framer: a depth bomb is policy-violation as soon as it is too deep', () => {
      const f = make()
      f.push(utf8(header()))
      const events = f.push(utf8('<a>'.repeat(33)))
      expect(lastError(events).condition).toBe('policy-violation')
      expect(tags(runText(`${header()}${'<a>'.repeat(32)}${'</a>'.repeat(32)}`))).toEqual([
        'StreamOpen',
        'Element',
      ])
    })

    it('framer: too many elements or attributes are policy-violation while arriving', () => {
      const f = make({ limits: { maxElements: 10 } })
      f.push(utf8(header()))
      expect(lastError(f.push(utf8(`<a>${'<b/>'.repeat(10)}`))).condition).toBe('policy-violation')
      const attrs = Array.from({ length: 65 }, (_, i) => ` a${i}='1'`).join('')
      expect(lastError(runText(`${header()}<a${attrs}>`)).condition).toBe('policy-violation')
    })

    it('framer: limits Xml.parse enforces on the complete element apply too', () => {
      const long = `${header()}<${'n'.repeat(300)}/>`
      expect(lastError(runText(long)).condition).toBe('policy-violation')
    })

    it('framer: the header is held to the caps as well', () => {
      const big = `<stream:stream xmlns='jabber:client' xmlns:stream='${STREAMS}' id='${'x'.repeat(2000)}'>`
      expect(lastError(runText(big, { limits: { maxBytes: 1000 } })).condition).toBe(
        'policy-violation',
      )
    })
  })

  describe('linearity', () => {
    const time = (f: () => void): number => {
      let best = Number.POSITIVE_INFINITY
      for (let k = 0; k < 2; k++) {
        const t = performance.now()
        f()
        best = Math.min(best, performance.now() - t)
      }
      return best
    }

    const feedBytewise = (input: Uint8Array, options?: Options): number => {
      const f = make(options)
      let count = 0
      for (let i = 0; i < input.length; i++) count += f.push(input.subarray(i, i + 1)).length
      return count
    }

    it('framer: 1 MB of stanzas in 1-byte chunks costs about 4× 256 KB (no re-scanning)', () => {
      const stanza = `<message to='romeo@example.net' id='m'><body>Wherefore art thou? é 😀</body></message> `
      const stream = (size: number) =>
        utf8(`${header()}${stanza.repeat(Math.ceil(size / stanza.length))}</stream:stream>`)
      const small = stream(256 * 1024)
      const large = stream(1024 * 1024)
      expect(feedBytewise(large)).toBe(2 + Math.ceil((1024 * 1024) / stanza.length))
      const ratio = time(() => feedBytewise(large)) / time(() => feedBytewise(small))
      // Linear: ~4. Re-scanning the stream or the element so far per chunk would be ~16 or worse.
      expect(ratio).toBeLessThan(8)
    })

    it('framer: one big element in 1-byte chunks costs no more per byte than small ones', () => {
      const limits = { maxBytes: 300 * 1024 }
      const body = 'abcdefghijklmnopqrstuvwxyz é 😀 '.repeat(8000)
      const big = utf8(`${header()}<message><body>${body}</body></message>`)
      const pieces = Math.ceil(body.length / 200)
      const small = utf8(
        `${header()}${Array.from({ length: pieces }, (_, i) => `<message><body>${body.slice(i * 200, (i + 1) * 200)}</body></message>`).join('')}`,
      )
      expect(feedBytewise(big, { limits })).toBe(2)
      const perByte = (input: Uint8Array) =>
        time(() => feedBytewise(input, { limits })) / input.length
      // Quadratic in the element (re-reading what was buffered) would be ~1000× here.
      expect(perByte(big) / perByte(small)).toBeLessThan(5)
    })
  })
})

// -------------------------------------------------------------------------------------
// 'resync': reading a dump, as the CLI does
// -------------------------------------------------------------------------------------

/** A top-level piece of a dump, with the content namespace in scope and its decoding. */
interface Piece {
  readonly xml: string
  readonly name: string
  readonly ns: string
  readonly contentNs: string
  readonly complete: boolean
  readonly line: number
  readonly offset: number
  readonly decoded: E.Either<DecodeError.DecodeError, Stanza.Stanza>
}

const rootName = (xml: string): string => /^<([^\s/>]*)/.exec(xml)?.[1] ?? ''

/** Reads `input` with a `'resync'` framer, in the given chunks, up to its end. */
const dump = (
  input: string | Uint8Array,
  options: { readonly ns?: string; readonly limits?: Partial<Xml.Limits> } = {},
  chunks: (bytes: Uint8Array) => ReadonlyArray<Uint8Array> = (b) => [b],
) => {
  const bytes = typeof input === 'string' ? utf8(input) : input
  const f = make({ ...options, onFault: 'resync' })
  const events = [...chunks(bytes).flatMap((c) => f.push(c)), ...f.end()]
  const fallback = options.ns ?? 'jabber:client'
  let contentNs = fallback
  const pieces: Piece[] = []
  const headers: Array<Extract<Event, { _tag: 'StreamOpen' }>> = []
  for (const e of events)
    switch (e._tag) {
      case 'StreamOpen':
        contentNs = e.ns
        headers.push(e)
        break
      case 'StreamClose':
        contentNs = fallback
        break
      case 'Element':
        pieces.push({
          xml: e.xml,
          name: rootName(e.xml),
          ns: e.element.ns,
          contentNs,
          complete: true,
          line: e.line,
          offset: e.offset,
          decoded: Stanza.decode(e.xml, { ns: contentNs }),
        })
        break
      case 'Fault':
        pieces.push({
          xml: e.xml,
          name: e.name,
          ns: e.ns,
          contentNs,
          complete: e.complete,
          line: e.line,
          offset: e.offset,
          decoded: E.left(DecodeError.fromXmlError(e.error)),
        })
        break
      case 'StreamError':
        break
    }
  return { events, pieces, headers, closed: events.at(-1)?._tag === 'StreamClose' }
}

const texts = (input: string): ReadonlyArray<string> => dump(input).pieces.map((p) => p.xml)

const only = (input: string): Piece => {
  const { pieces } = dump(input)
  expect(pieces).toHaveLength(1)
  const [piece] = pieces
  if (piece === undefined) throw new Error('no piece')
  return piece
}

const level = (p: Piece): 'stanza' | 'stream' => (NS.streamLevel.has(p.ns) ? 'stream' : 'stanza')

const condition = (p: Pick<Piece, 'decoded'>): string =>
  E.isLeft(p.decoded)
    ? `${DecodeError.condition(p.decoded.left)}: ${DecodeError.format(p.decoded.left)}`
    : 'ok'

const dumpHeader = (attrs = "xmlns='jabber:client'"): string =>
  `<stream:stream to='example.com' version='1.0' ${attrs} xmlns:stream='${STREAMS}'>`

describe('internal/framer: resync', () => {
  describe('framing', () => {
    it('framer: a bare stanza sequence, with offsets, lines and the default content namespace', () => {
      const input =
        "<message id='1'/>\n<presence>\n  <show>away</show>\n</presence>\n\n<iq id='2' type='get'><ping xmlns='urn:xmpp:ping'/></iq>"
      const { pieces, headers, closed } = dump(input)
      expect(pieces.map((c) => [c.name, c.offset, c.line, c.complete])).toEqual([
        ['message', 0, 1, true],
        ['presence', 18, 2, true],
        ['iq', 62, 6, true],
      ])
      expect(pieces.map((c) => c.xml)).toEqual([
        "<message id='1'/>",
        '<presence>\n  <show>away</show>\n</presence>',
        "<iq id='2' type='get'><ping xmlns='urn:xmpp:ping'/></iq>",
      ])
      expect(pieces.every((c) => c.contentNs === 'jabber:client' && level(c) === 'stanza')).toBe(
        true,
      )
      expect(headers).toEqual([])
      expect(closed).toBe(false)
    })

    it('framer: a stream dump: declaration, header, keepalives and the close are not pieces', () => {
      const input = `<?xml version='1.0'?>\n${dumpHeader()}\n <message id='a'/> \n\n\t<presence/>   </stream:stream>\n`
      const { pieces, headers, closed } = dump(input)
      expect(pieces.map((c) => c.xml)).toEqual(["<message id='a'/>", '<presence/>'])
      expect(pieces.map((c) => c.line)).toEqual([3, 5])
      expect(headers).toHaveLength(1)
      expect(headers[0]).toMatchObject({ offset: 22, line: 2, ns: 'jabber:client' })
      expect([...(headers[0]?.prefixes ?? [])]).toEqual([['stream', STREAMS]])
      expect(closed).toBe(true)
    })

    it('framer: any stream prefix; the header sets the content namespace, else the option does', () => {
      const s = `<s:stream xmlns='jabber:server' xmlns:s="${STREAMS}"><message/></s:stream>`
      expect(only(s)).toMatchObject({ contentNs: 'jabber:server', name: 'message' })
      expect(dump('<message/>', { ns: 'jabber:component:accept' }).pieces[0]?.contentNs).toBe(
        'jabber:component:accept',
      )
      const bare = `<stream:stream xmlns:stream='${STREAMS}'><message/>`
      expect(dump(bare, { ns: 'jabber:server' }).pieces[0]?.contentNs).toBe('jabber:server')
      // A header declaring no content namespace gets the option's, `jabber:client` by default.
      expect(dump(bare).headers[0]?.ns).toBe('jabber:client')
    })

    it('framer: a stream restart: a later declaration and header start a new scope', () => {
      const input = `<?xml version='1.0'?>${dumpHeader()}<message/><?xml version='1.0'?>${dumpHeader("xmlns='jabber:server'")}<iq/></stream:stream>`
      const { pieces, headers } = dump(input)
      expect(pieces.map((c) => [c.name, c.contentNs])).toEqual([
        ['message', 'jabber:client'],
        ['iq', 'jabber:server'],
      ])
      expect(headers.map((h) => h.ns)).toEqual(['jabber:client', 'jabber:server'])
    })

    it('framer: `>` in attribute values and end tags inside CDATA frame nothing', () => {
      const valid = `<message id="a>b/>" to='romeo@example.net'><body><![CDATA[</message><iq>]]></body></message>`
      expect(texts(`${valid}<presence/>`)).toEqual([valid, '<presence/>'])
      expect(condition(only(valid))).toBe('ok')
    })

    it('framer: a raw end tag inside a quoted value frames nothing; the parser rejects it', () => {
      const input = `<message><x a='</message>' b="<iq/>"/></message><presence/>`
      const { pieces } = dump(input)
      expect(pieces.map((c) => c.xml)).toEqual([
        `<message><x a='</message>' b="<iq/>"/></message>`,
        '<presence/>',
      ])
      const first = pieces[0]
      if (first === undefined) throw new Error('no piece')
      expect(condition(first)).toMatch(/^not-well-formed: /)
    })

    it('framer: comments and PIs inside an element stay in it, for the parser to reject', () => {
      const piece = only('<message><!-- </message> --><body>x</body><?pi </message>?></message>')
      expect(piece.complete).toBe(true)
      expect(condition(piece)).toMatch(/^restricted-xml: /)
    })

    it('framer: an end tag closes the innermost open element of its name, so framing recovers', () => {
      expect(texts('<message><body>hi</message><presence/>')).toEqual([
        '<message><body>hi</message>',
        '<presence/>',
      ])
      expect(texts('<message></body></message><iq/>')).toEqual([
        '<message></body></message>',
        '<iq/>',
      ])
      expect(texts('<message><x><x></x></x></message><iq/>')).toEqual([
        '<message><x><x></x></x></message>',
        '<iq/>',
      ])
    })
  })

  describe('malformed and truncated input', () => {
    it('framer: a truncated last element is an incomplete piece, the rest is intact', () => {
      for (const tail of [
        "<message id='1'><body>cut",
        "<message id='1",
        '<message><!-- cut',
        '<message><![CDATA[ cut',
        '<message><body>x</bo',
      ]) {
        const { pieces } = dump(`${dumpHeader()}<presence/>\n${tail}`)
        expect(pieces.map((c) => [c.xml, c.complete])).toEqual([
          ['<presence/>', true],
          [tail, false],
        ])
        const last = pieces[1]
        if (last === undefined) throw new Error('no piece')
        // A cut comment or CDATA is reported as what it is (comments are restricted XML).
        expect(condition(last)).toMatch(/^(not-well-formed|restricted-xml): /)
      }
    })

    it('framer: the stream closing or restarting inside an element ends it, incomplete', () => {
      const closedInside = dump(`${dumpHeader()}<message><body>hi</stream:stream>`)
      expect(closedInside.pieces.map((c) => [c.xml, c.complete])).toEqual([
        ['<message><body>hi', false],
      ])
      expect(closedInside.closed).toBe(true)
      const restarted = dump(`${dumpHeader()}<message><body>hi${dumpHeader()}<presence/>`)
      expect(restarted.pieces.map((c) => [c.xml, c.complete])).toEqual([
        ['<message><body>hi', false],
        ['<presence/>', true],
      ])
      expect(restarted.headers).toHaveLength(2)
    })

    it('framer: text, comments, PIs, stray end tags and a late XML declaration become pieces', () => {
      const input = `${dumpHeader()}hello <!-- c --><?pi x?></iq><?xml version='1.0'?><message/>< oops`
      const { pieces } = dump(input)
      expect(pieces.map((c) => [c.xml, c.name])).toEqual([
        ['hello ', ''],
        ['<!-- c -->', ''],
        ['<?pi x?>', ''],
        ['</iq>', ''],
        ["<?xml version='1.0'?>", ''],
        ['<message/>', 'message'],
        ['< oops', ''],
      ])
      expect(pieces.map((c) => condition(c).split(':')[0])).toEqual([
        'not-well-formed',
        'restricted-xml',
        'restricted-xml',
        'not-well-formed',
        'restricted-xml',
        'ok',
        'not-well-formed',
      ])
    })

    it('framer: the leading XML declaration is accepted once; a second one is reported', () => {
      expect(texts("<?xml version='1.0'?> <message/>")).toEqual(['<message/>'])
      expect(texts("<?xml version='1.0'?><?xml version='1.0'?><message/>")).toEqual([
        "<?xml version='1.0'?>",
        '<message/>',
      ])
    })

    it('framer: never throws on arbitrary input, and pieces are disjoint, ordered slices of it', () => {
      const piece = fc.oneof(
        fc.string({ unit: 'binary', maxLength: 6 }),
        fc.constantFrom(
          '<',
          '>',
          '/>',
          '</',
          '<!--',
          '-->',
          '<![CDATA[',
          ']]>',
          '<?',
          '?>',
          "'",
          '"',
        ),
        fc.constantFrom(
          '<message>',
          '</message>',
          '<stream:stream>',
          '</stream:stream>',
          ' a="x"',
          '<!DOCTYPE x [',
          ']',
        ),
      )
      fc.assert(
        fc.property(fc.array(piece, { maxLength: 30 }), (pieces) => {
          const bytes = utf8(pieces.join(''))
          // What the framer reads: lone surrogates were encoded as U+FFFD.
          const input = new TextDecoder().decode(bytes)
          const { events, pieces: found } = dump(bytes)
          // A NUL in the first two octets: UTF-16 or UTF-32, the one fault that stops a dump.
          const wide = bytes[0] === 0 || bytes[1] === 0
          expect(events.some((e) => e._tag === 'StreamError')).toBe(wide)
          let at = 0
          for (const c of found) {
            expect(c.offset).toBeGreaterThanOrEqual(at)
            expect(input.slice(c.offset, c.offset + c.xml.length)).toBe(c.xml)
            expect(c.xml.length).toBeGreaterThan(0)
            at = c.offset + c.xml.length
          }
        }),
        { numRuns: 500 },
      )
    })

    it('framer: well-formed elements joined by keepalives come back exactly', () => {
      fc.assert(
        fc.property(
          fc.array(arbElement, { minLength: 1, maxLength: 5 }),
          fc.constantFrom(' ', '\n', '\r\n\t '),
          (elements, space) => {
            const serialized = elements.map((e) => Xml.serialize(e))
            const { pieces } = dump(
              `${dumpHeader()}${space}${serialized.join(space)}${space}</stream:stream>`,
            )
            expect(pieces.map((c) => c.xml)).toEqual(serialized)
            expect(pieces.every((c) => c.complete)).toBe(true)
          },
        ),
      )
    })

    it('framer: linear: deep nesting, mismatched end tags and one-line dumps stay fast', () => {
      const cases = [
        `<message>${'<a>'.repeat(100_000)}${'</b>'.repeat(100_000)}`,
        '<message/>'.repeat(100_000),
        `<message>${'<a x="1" y=\'2\'>'.repeat(50_000)}${'</a>'.repeat(50_000)}</message>`,
        '<!--'.repeat(100_000),
        `${dumpHeader()}${' '.repeat(1_000_000)}`,
      ]
      const frame = (input: string): ReadonlyArray<Event> => {
        const f = make({ onFault: 'resync' })
        return [...f.push(utf8(input)), ...f.end()]
      }
      for (const input of cases) {
        const t0 = performance.now()
        frame(input)
        // Quadratic work on these sizes would take minutes.
        expect(performance.now() - t0).toBeLessThan(2000)
      }
      expect(frame('<message/>'.repeat(100_000)).filter((e) => e._tag === 'Element')).toHaveLength(
        100_000,
      )
    })
  })

  describe('namespaces', () => {
    it('framer: stream-level elements are found by their namespace', () => {
      const input = `${dumpHeader()}<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></stream:features><r xmlns='urn:xmpp:sm:3'/><stream:error><conflict xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error><message/>`
      expect(dump(input).pieces.map((c) => [c.name, c.ns, level(c)])).toEqual([
        ['stream:features', STREAMS, 'stream'],
        ['r', 'urn:xmpp:sm:3', 'stream'],
        ['stream:error', STREAMS, 'stream'],
        ['message', 'jabber:client', 'stanza'],
      ])
    })

    it('framer: a broken piece still has its root name and declared namespace', () => {
      const { pieces } = dump(
        `${dumpHeader()}<stream:features><x></stream:features><r xmlns='urn:xmpp:sm:3'><a/>`,
      )
      expect(pieces.map((c) => [c.name, c.ns, c.complete, level(c)])).toEqual([
        ['stream:features', STREAMS, true, 'stream'],
        ['r', 'urn:xmpp:sm:3', false, 'stream'],
      ])
    })

    it('framer: prefixes declared only on the header are re-declared on the stanza that uses them, as written', () => {
      const input = `${dumpHeader("xmlns='jabber:client' xmlns:f='urn:f' xmlns:g=\"urn:g\"")}<message id='1'><f:x g:a='1'/></message>`
      const piece = only(input)
      const source = "<message id='1'><f:x g:a='1'/></message>"
      expect(input.slice(piece.offset)).toBe(source)
      expect(piece.xml).toBe(
        `<message xmlns:f='urn:f' xmlns:g="urn:g" id='1'><f:x g:a='1'/></message>`,
      )
      expect(condition(piece)).toBe('ok')
      expect(condition({ decoded: Stanza.decode(source) })).toMatch(
        /^not-well-formed: .*undeclared prefix/,
      )
    })

    it('framer: nothing is re-declared when the stanza declares the prefix itself or uses none', () => {
      const h = dumpHeader("xmlns='jabber:client' xmlns:f='urn:f'")
      for (const s of [
        "<message xmlns:f='urn:other'><f:x/></message>",
        '<message><x/></message>',
      ]) {
        const piece = only(`${h}${s}`)
        expect(piece.xml).toBe(s)
      }
    })
  })

  describe('faults', () => {
    it('framer: invalid UTF-8 spoils only the piece holding it, with its line, however chunked', () => {
      const input = new Uint8Array([
        ...utf8(`${dumpHeader()}\n<message id='a'/>\n<message id='b'><body>`),
        0xc3,
        0x28,
        ...utf8("</body></message>\n<message id='c'/>\n"),
        0xff,
        ...utf8("\n<message id='d'/>"),
      ])
      for (const chunks of [(b: Uint8Array) => [b], bytewise]) {
        const { pieces } = dump(input, {}, chunks)
        expect(pieces.map((p) => [p.line, condition(p).split(':')[0], p.xml === ''])).toEqual([
          [2, 'ok', false],
          [3, 'not-well-formed', true],
          [4, 'ok', false],
          [5, 'not-well-formed', true],
          [6, 'ok', false],
        ])
        const spoilt = pieces[1]
        expect(spoilt && condition(spoilt)).toMatch(/invalid UTF-8/)
      }
    })

    it('framer: input ending inside a character spoils the last piece', () => {
      const { pieces } = dump(new Uint8Array([...utf8("<message/><message id='"), 0xe4, 0xb8]))
      expect(pieces.map((p) => [condition(p).split(':')[0], p.complete])).toEqual([
        ['ok', true],
        ['not-well-formed', false],
      ])
    })

    it('framer: a limit spoils one piece while it arrives; the next is read', () => {
      const big = `<message id='big'><body>${'x'.repeat(2000)}</body></message>`
      const input = utf8(`${big}\n<message id='next'/>`)
      const limits = { maxBytes: 1000 }
      // Arriving in chunks, it is dropped at the cap; whole in one chunk, the parser measures it.
      const inChunks = dump(input, { limits }, (b) =>
        cut(b, [100, 200, 300, 400, 500, 600, 700, 800, 900, 1000, 1100]),
      )
      expect(
        inChunks.pieces.map((p) => [p.line, condition(p).split(':')[0], p.xml.length]),
      ).toEqual([
        [1, 'policy-violation', 0],
        [2, 'ok', "<message id='next'/>".length],
      ])
      const whole = dump(input, { limits })
      expect(whole.pieces.map((p) => [p.line, condition(p).split(':')[0]])).toEqual([
        [1, 'policy-violation'],
        [2, 'ok'],
      ])
      const deep = `${'<a>'.repeat(40)}${'</a>'.repeat(40)}<message/>`
      expect(dump(deep).pieces.map((p) => condition(p).split(':')[0])).toEqual([
        'policy-violation',
        'ok',
      ])
    })

    it('framer: UTF-16 or UTF-32 input still stops the stream', () => {
      const f = make({ onFault: 'resync' })
      const events = f.push(Buffer.from("<message id='a'/>", 'utf16le'))
      expect(tags(events)).toEqual(['StreamError'])
      expect(lastError(events).condition).toBe('unsupported-encoding')
      expect(f.push(utf8('<message/>'))).toEqual([])
    })

    it('framer: any split of a faulty dump gives the same events (property)', () => {
      const input = new Uint8Array([
        ...utf8(
          `<message id='1'><body>é 😀</body></message>\n<!-- c -->\n<iq type='get'/>${dumpHeader("xmlns='jabber:client' xmlns:f='urn:f'")}<message><f:x/></message><message><body>hi</message>`,
        ),
        0xed,
        0xa0,
        0x80,
        ...utf8(`<presence/>${dumpHeader()}<iq><x>`),
      ])
      const whole = dump(input).events
      expect(whole.some((e) => e._tag === 'Fault')).toBe(true)
      fc.assert(
        fc.property(fc.array(fc.nat(), { maxLength: 30 }), (points) => {
          expect(dump(input, {}, (b) => cut(b, points)).events).toEqual(whole)
        }),
        { numRuns: 300 },
      )
    })
  })
})
