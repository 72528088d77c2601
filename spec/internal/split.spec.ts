import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import * as DecodeError from '../../src/DecodeError.js'
import { type Chunk, STREAMS_NS, split } from '../../src/internal/split.js'
import * as Stanza from '../../src/Stanza.js'
import * as Xml from '../../src/Xml.js'
import { element as arbElement } from '../arbitraries/Xml.js'

const header = (attrs = "xmlns='jabber:client'"): string =>
  `<stream:stream to='example.com' version='1.0' ${attrs} xmlns:stream='${STREAMS_NS}'>`

const texts = (input: string): ReadonlyArray<string> => split(input).chunks.map((c) => c.text)

const only = (input: string): Chunk => {
  const { chunks } = split(input)
  expect(chunks).toHaveLength(1)
  const [chunk] = chunks
  if (chunk === undefined) throw new Error('no chunk')
  return chunk
}

const condition = (chunk: Chunk): string => {
  const r = Stanza.decode(chunk.xml, { ns: chunk.contentNs })
  return E.isLeft(r) ? `${DecodeError.condition(r.left)}: ${DecodeError.format(r.left)}` : 'ok'
}

describe('internal/split', () => {
  describe('framing', () => {
    it('split: a bare stanza sequence, with offsets, lines and the default content namespace', () => {
      const input =
        "<message id='1'/>\n<presence>\n  <show>away</show>\n</presence>\n\n<iq id='2' type='get'><ping xmlns='urn:xmpp:ping'/></iq>"
      const { chunks, headers, closed } = split(input)
      expect(chunks.map((c) => [c.name, c.offset, c.line, c.complete])).toEqual([
        ['message', 0, 1, true],
        ['presence', 18, 2, true],
        ['iq', 62, 6, true],
      ])
      expect(chunks.map((c) => c.text)).toEqual([
        "<message id='1'/>",
        '<presence>\n  <show>away</show>\n</presence>',
        "<iq id='2' type='get'><ping xmlns='urn:xmpp:ping'/></iq>",
      ])
      expect(chunks.every((c) => c.contentNs === 'jabber:client' && c.level === 'stanza')).toBe(
        true,
      )
      expect(headers).toEqual([])
      expect(closed).toBe(false)
    })

    it('split: a stream dump: declaration, header, keepalives and the close are not chunks', () => {
      const input = `<?xml version='1.0'?>\n${header()}\n <message id='a'/> \n\n\t<presence/>   </stream:stream>\n`
      const { chunks, headers, closed } = split(input)
      expect(chunks.map((c) => c.text)).toEqual(["<message id='a'/>", '<presence/>'])
      expect(chunks.map((c) => c.line)).toEqual([3, 5])
      expect(headers).toHaveLength(1)
      expect(headers[0]).toMatchObject({ offset: 22, line: 2, ns: 'jabber:client' })
      expect(headers[0]?.declarations).toEqual([
        { prefix: 'stream', uri: STREAMS_NS, raw: `xmlns:stream='${STREAMS_NS}'` },
      ])
      expect(closed).toBe(true)
    })

    it('split: any stream prefix; the header sets the content namespace, else the option does', () => {
      const s = `<s:stream xmlns='jabber:server' xmlns:s="${STREAMS_NS}"><message/></s:stream>`
      expect(only(s)).toMatchObject({ contentNs: 'jabber:server', name: 'message' })
      expect(split('<message/>', { ns: 'jabber:component:accept' }).chunks[0]?.contentNs).toBe(
        'jabber:component:accept',
      )
      const bare = `<stream:stream xmlns:stream='${STREAMS_NS}'><message/>`
      expect(split(bare, { ns: 'jabber:server' }).chunks[0]?.contentNs).toBe('jabber:server')
      expect(split(bare).headers[0]).not.toHaveProperty('ns')
    })

    it('split: a stream restart: a later declaration and header start a new scope', () => {
      const input = `<?xml version='1.0'?>${header()}<message/><?xml version='1.0'?>${header("xmlns='jabber:server'")}<iq/></stream:stream>`
      const { chunks, headers } = split(input)
      expect(chunks.map((c) => [c.name, c.contentNs])).toEqual([
        ['message', 'jabber:client'],
        ['iq', 'jabber:server'],
      ])
      expect(headers.map((h) => h.ns)).toEqual(['jabber:client', 'jabber:server'])
    })

    it('split: `>` in attribute values and end tags inside CDATA frame nothing', () => {
      const valid = `<message id="a>b/>" to='romeo@example.net'><body><![CDATA[</message><iq>]]></body></message>`
      expect(texts(`${valid}<presence/>`)).toEqual([valid, '<presence/>'])
      expect(condition(only(valid))).toBe('ok')
    })

    it('split: a raw end tag inside a quoted value frames nothing; the decoder rejects it', () => {
      const input = `<message><x a='</message>' b="<iq/>"/></message><presence/>`
      const { chunks } = split(input)
      expect(chunks.map((c) => c.text)).toEqual([
        `<message><x a='</message>' b="<iq/>"/></message>`,
        '<presence/>',
      ])
      const first = chunks[0]
      if (first === undefined) throw new Error('no chunk')
      expect(condition(first)).toMatch(/^not-well-formed: /)
    })

    it('split: comments and PIs inside an element stay in it, for the decoder to reject', () => {
      const chunk = only('<message><!-- </message> --><body>x</body><?pi </message>?></message>')
      expect(chunk.complete).toBe(true)
      expect(condition(chunk)).toMatch(/^restricted-xml: /)
    })

    it('split: an end tag closes the innermost open element of its name, so framing recovers', () => {
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
    it('split: a truncated last element is an incomplete chunk, the rest is intact', () => {
      for (const tail of [
        "<message id='1'><body>cut",
        "<message id='1",
        '<message><!-- cut',
        '<message><![CDATA[ cut',
        '<message><body>x</bo',
      ]) {
        const { chunks } = split(`${header()}<presence/>\n${tail}`)
        expect(chunks.map((c) => [c.text, c.complete])).toEqual([
          ['<presence/>', true],
          [tail, false],
        ])
        const last = chunks[1]
        if (last === undefined) throw new Error('no chunk')
        // A cut comment or CDATA is reported as what it is (comments are restricted XML).
        expect(condition(last)).toMatch(/^(not-well-formed|restricted-xml): /)
      }
    })

    it('split: the stream closing or restarting inside an element ends it, incomplete', () => {
      const closedInside = split(`${header()}<message><body>hi</stream:stream>`)
      expect(closedInside.chunks.map((c) => [c.text, c.complete])).toEqual([
        ['<message><body>hi', false],
      ])
      expect(closedInside.closed).toBe(true)
      const restarted = split(`${header()}<message><body>hi${header()}<presence/>`)
      expect(restarted.chunks.map((c) => [c.text, c.complete])).toEqual([
        ['<message><body>hi', false],
        ['<presence/>', true],
      ])
      expect(restarted.headers).toHaveLength(2)
    })

    it('split: text, comments, PIs, stray end tags and a late XML declaration become chunks', () => {
      const input = `${header()}hello <!-- c --><?pi x?></iq><?xml version='1.0'?><message/>< oops`
      const { chunks } = split(input)
      expect(chunks.map((c) => [c.text, c.name])).toEqual([
        ['hello ', ''],
        ['<!-- c -->', ''],
        ['<?pi x?>', ''],
        ['</iq>', ''],
        ["<?xml version='1.0'?>", ''],
        ['<message/>', 'message'],
        ['< oops', ''],
      ])
      expect(chunks.map((c) => condition(c).split(':')[0])).toEqual([
        'not-well-formed',
        'restricted-xml',
        'restricted-xml',
        'not-well-formed',
        'restricted-xml',
        'ok',
        'not-well-formed',
      ])
    })

    it('split: the leading XML declaration is accepted once; a second one is reported', () => {
      expect(texts("<?xml version='1.0'?> <message/>")).toEqual(['<message/>'])
      expect(texts("<?xml version='1.0'?><?xml version='1.0'?><message/>")).toEqual([
        "<?xml version='1.0'?>",
        '<message/>',
      ])
    })

    it('split: never throws on arbitrary input, and chunks are disjoint, ordered slices of it', () => {
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
          const input = pieces.join('')
          const { chunks } = split(input)
          let at = 0
          for (const c of chunks) {
            expect(c.offset).toBeGreaterThanOrEqual(at)
            expect(input.slice(c.offset, c.offset + c.text.length)).toBe(c.text)
            expect(c.text.length).toBeGreaterThan(0)
            at = c.offset + c.text.length
          }
        }),
        { numRuns: 500 },
      )
    })

    it('split: well-formed elements joined by keepalives come back exactly', () => {
      fc.assert(
        fc.property(
          fc.array(arbElement, { minLength: 1, maxLength: 5 }),
          fc.constantFrom(' ', '\n', '\r\n\t '),
          (elements, space) => {
            const serialized = elements.map((e) => Xml.serialize(e))
            const { chunks } = split(
              `${header()}${space}${serialized.join(space)}${space}</stream:stream>`,
            )
            expect(chunks.map((c) => c.text)).toEqual(serialized)
            expect(chunks.every((c) => c.complete)).toBe(true)
          },
        ),
      )
    })

    it('split: linear: deep nesting, mismatched end tags and one-line dumps stay fast', () => {
      const cases = [
        `<message>${'<a>'.repeat(100_000)}${'</b>'.repeat(100_000)}`,
        '<message/>'.repeat(100_000),
        `<message>${'<a x="1" y=\'2\'>'.repeat(50_000)}${'</a>'.repeat(50_000)}</message>`,
        '<!--'.repeat(100_000),
        `${header()}${' '.repeat(1_000_000)}`,
      ]
      for (const input of cases) {
        const t0 = performance.now()
        split(input)
        // Quadratic work on these sizes would take minutes.
        expect(performance.now() - t0).toBeLessThan(2000)
      }
      expect(split('<message/>'.repeat(100_000)).chunks).toHaveLength(100_000)
    })
  })

  describe('namespaces', () => {
    it('split: stream-level elements are chunks with level stream', () => {
      const input = `${header()}<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></stream:features><r xmlns='urn:xmpp:sm:3'/><stream:error><conflict xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error><message/>`
      expect(split(input).chunks.map((c) => [c.name, c.ns, c.level])).toEqual([
        ['stream:features', STREAMS_NS, 'stream'],
        ['r', 'urn:xmpp:sm:3', 'stream'],
        ['stream:error', STREAMS_NS, 'stream'],
        ['message', 'jabber:client', 'stanza'],
      ])
    })

    it('split: prefixes declared only on the header are injected into the stanza that uses them', () => {
      const input = `${header("xmlns='jabber:client' xmlns:f='urn:f' xmlns:g=\"urn:g\"")}<message id='1'><f:x g:a='1'/></message>`
      const chunk = only(input)
      expect(chunk.text).toBe("<message id='1'><f:x g:a='1'/></message>")
      expect(chunk.xml).toBe(
        `<message xmlns:f='urn:f' xmlns:g="urn:g" id='1'><f:x g:a='1'/></message>`,
      )
      expect(condition(chunk)).toBe('ok')
      expect(condition({ ...chunk, xml: chunk.text })).toMatch(
        /^not-well-formed: .*undeclared prefix/,
      )
    })

    it('split: nothing is injected when the stanza declares the prefix itself or uses none', () => {
      const h = header("xmlns='jabber:client' xmlns:f='urn:f'")
      for (const s of [
        "<message xmlns:f='urn:other'><f:x/></message>",
        '<message><x/></message>',
      ]) {
        const chunk = only(`${h}${s}`)
        expect(chunk.xml).toBe(s)
      }
    })
  })
})
