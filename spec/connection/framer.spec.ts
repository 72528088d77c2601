import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import * as O from 'fp-ts/lib/Option.js'
import * as Framer from '../../src/connection/framer.js'
import * as Xml from '../../src/Xml.js'

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s)

const STREAMS = 'http://etherx.jabber.org/streams'

const header = (ns = 'jabber:client', prefix = 'stream'): string =>
  `<?xml version='1.0'?><${prefix}:stream xmlns='${ns}' xmlns:${prefix}='${STREAMS}' from='example.com' id='s1' version='1.0' xml:lang='en'>`

/** Runs `input` through a fresh framer in the given chunks; all events, in order. */
const run = (chunks: ReadonlyArray<Uint8Array>, options?: Framer.FramerOptions) => {
  const f = Framer.framer(options)
  return chunks.flatMap((c) => f.push(c))
}

const runText = (s: string, options?: Framer.FramerOptions) => run([utf8(s)], options)

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

const tags = (events: ReadonlyArray<Framer.FrameEvent>) => events.map((e) => e._tag)

const elements = (events: ReadonlyArray<Framer.FrameEvent>): Xml.XmlElement[] =>
  events.flatMap((e) => (e._tag === 'Element' ? [e.element] : []))

const lastError = (events: ReadonlyArray<Framer.FrameEvent>) => {
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

describe('connection/framer', () => {
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
      const f = Framer.framer()
      expect(tags(f.push(utf8(`${header()}</stream:stream><message/>`)))).toEqual([
        'StreamOpen',
        'StreamClose',
      ])
      expect(f.push(utf8('<message/>'))).toEqual([])
    })

    it('reset: starts a new stream, dropping what was unfinished (RFC 6120 §5.4.3.3, §6.4.6)', () => {
      const f = Framer.framer()
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
      const f = Framer.framer()
      expect(tags(f.push(utf8('junk')))).toEqual(['StreamError'])
      expect(f.push(utf8(header()))).toEqual([])
      f.reset()
      expect(tags(f.push(utf8(header())))).toEqual(['StreamOpen'])
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

    it('framer: names from the JS object model are bad-format (SECURITY.md §2)', () => {
      expect(lastError(runText(`${header()}<__proto__/>`)).condition).toBe('bad-format')
    })

    it('framer: events before the fault in the same chunk are kept; nothing after it', () => {
      const f = Framer.framer()
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
      const f = Framer.framer({ limits: { maxBytes: 1000 } })
      expect(tags(f.push(utf8(`${header()}<message><body>`)))).toEqual(['StreamOpen'])
      const events: Framer.FrameEvent[] = []
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
      const f = Framer.framer()
      f.push(utf8(header()))
      const events = f.push(utf8('<a>'.repeat(33)))
      expect(lastError(events).condition).toBe('policy-violation')
      expect(tags(runText(`${header()}${'<a>'.repeat(32)}${'</a>'.repeat(32)}`))).toEqual([
        'StreamOpen',
        'Element',
      ])
    })

    it('framer: too many elements or attributes are policy-violation while arriving', () => {
      const f = Framer.framer({ limits: { maxElements: 10 } })
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

    const feedBytewise = (input: Uint8Array, options?: Framer.FramerOptions): number => {
      const f = Framer.framer(options)
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

  describe('encoding', () => {
    it('streamHeader: a c2s header the framer reads back', () => {
      const h = Framer.streamHeader({
        to: 'example.com',
        from: 'juliet@example.com',
        version: '1.0',
        lang: 'en',
        ns: 'jabber:client',
      })
      expect(h).toBe(
        `<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='${STREAMS}' to='example.com' from='juliet@example.com' version='1.0' xml:lang='en'>`,
      )
      const [open] = runText(h)
      expect(open?._tag === 'StreamOpen' && open.ns).toBe('jabber:client')
    })

    it('streamHeader: a component header (XEP-0114), no version', () => {
      expect(Framer.streamHeader({ to: 'c.example.com', ns: 'jabber:component:accept' })).toBe(
        `<?xml version='1.0'?><stream:stream xmlns='jabber:component:accept' xmlns:stream='${STREAMS}' to='c.example.com'>`,
      )
    })

    it('streamHeader: attribute values are escaped', () => {
      const h = Framer.streamHeader({ to: `a'><evil/>`, id: '"&', ns: 'jabber:client' })
      const [open, ...rest] = runText(h)
      expect(rest).toEqual([])
      expect(open?._tag === 'StreamOpen' && { ...open.attrs }).toEqual({
        to: `a'><evil/>`,
        id: '"&',
      })
    })

    it('streamClose: closes what streamHeader opens', () => {
      expect(
        tags(runText(Framer.streamHeader({ to: 'x', ns: 'jabber:client' }) + Framer.streamClose)),
      ).toEqual(['StreamOpen', 'StreamClose'])
    })
  })
})
