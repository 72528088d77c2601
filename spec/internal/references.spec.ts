/**
 * `internal/references`: decoding the references the pre-scan allowed, and attribute-value
 * normalization (XML 1.0 §3.3.3, §4.1, §4.6).
 */
import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { decodeAttr, decodeReferences } from '../../src/internal/references.js'

// The definition the hand-written walk must agree with.
const reference = /&(?:#x([0-9a-fA-F]+)|#([0-9]+)|(lt|gt|amp|quot|apos));/g
const named: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" }
const byRegex = (s: string): string =>
  s.replace(reference, (_, hex?: string, dec?: string, name?: string) =>
    hex !== undefined
      ? String.fromCodePoint(Number.parseInt(hex, 16))
      : dec !== undefined
        ? String.fromCodePoint(Number.parseInt(dec, 10))
        : (named[name ?? ''] ?? ''),
  )

/** A reference the scan lets through: one of the five entities, or a character reference to a `Char`. */
const validReference = fc.oneof(
  fc.constantFrom('&lt;', '&gt;', '&amp;', '&quot;', '&apos;'),
  fc
    .oneof(
      fc.integer({ min: 0x20, max: 0xd7ff }),
      fc.integer({ min: 0xe000, max: 0xfffd }),
      fc.integer({ min: 0x10000, max: 0x10ffff }),
      fc.constantFrom(0x9, 0xa, 0xd),
    )
    .chain((c) =>
      fc.constantFrom(`&#${c};`, `&#x${c.toString(16)};`, `&#x${c.toString(16).toUpperCase()};`),
    ),
)
const plainText = fc.string().map((s) => s.replace(/&/g, ''))
const referenceText = fc.array(fc.oneof(plainText, validReference)).map((parts) => parts.join(''))

describe('internal/references', () => {
  describe('decodeReferences', () => {
    it('decodes the five predefined entities and decimal and hexadecimal character references', () => {
      expect(decodeReferences('&lt;&gt;&amp;&quot;&apos;')).toBe(`<>&"'`)
      expect(decodeReferences('a&#65;b&#x42;c&#X43;')).toBe('aAbBc&#X43;')
      expect(decodeReferences('&#x1F600; &#128512;')).toBe('\u{1F600} \u{1F600}')
      expect(decodeReferences('&#x000041;')).toBe('A')
    })

    it('returns a string without references as it is', () => {
      const s = 'no references here'
      expect(decodeReferences(s)).toBe(s)
    })

    it('decodes once: a decoded `&` does not start another reference', () => {
      expect(decodeReferences('&amp;lt;')).toBe('&lt;')
      expect(decodeReferences('&#38;#65;')).toBe('&#65;')
    })

    it('anything the scan would have refused falls back to the regex, which leaves it as it is', () => {
      for (const s of ['&bogus;', 'a &lt; &bogus; b', '&#;', '&#x;', '&#xZZ;', '&amp', 'a & b'])
        expect(decodeReferences(s)).toBe(byRegex(s))
      expect(decodeReferences('a &lt; &bogus; b')).toBe('a < &bogus; b')
    })

    it('agrees with the regex on any text of valid references', () => {
      fc.assert(fc.property(referenceText, (s) => decodeReferences(s) === byRegex(s)))
    })
  })

  describe('decodeAttr', () => {
    it('turns literal TAB, LF and CR into spaces, then decodes references', () => {
      expect(decodeAttr('a\tb\nc\rd')).toBe('a b c d')
      // A character reference survives normalization: it is decoded after it.
      expect(decodeAttr('a&#9;b&#10;c&#13;d')).toBe('a\tb\nc\rd')
      expect(decodeAttr('x &amp;\ty')).toBe('x & y')
    })

    it('returns a value that needs neither as it is', () => {
      const s = 'romeo@example.net/orchard'
      expect(decodeAttr(s)).toBe(s)
    })

    it('is normalization followed by decodeReferences, on any text', () => {
      fc.assert(
        fc.property(
          fc.array(fc.oneof(referenceText, fc.constantFrom('\t', '\n', '\r'))),
          (parts) => {
            const s = parts.join('')
            return decodeAttr(s) === decodeReferences(s.replace(/[\t\n\r]/g, ' '))
          },
        ),
      )
    })
  })
})
