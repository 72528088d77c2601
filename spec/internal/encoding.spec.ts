/**
 * `internal/encoding`: UTF-16/UTF-32 by the first octets (XML 1.0 App. F), the UTF-8 sequences
 * of Unicode Table 3-7 against the WHATWG decoder, and the strict decoder.
 */
import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import {
  decodeUtf8,
  invalidUtf8At,
  utf8SequenceAt,
  wideEncoding,
} from '../../src/internal/encoding.js'

/** `s` in UTF-16 or UTF-32, either byte order, with or without a byte order mark. */
const wide = (s: string, width: 2 | 4, bigEndian: boolean, bom: boolean): Uint8Array => {
  const out: number[] = []
  for (const c of (bom ? '\ufeff' : '') + s) {
    const u = c.charCodeAt(0)
    const be = width === 2 ? [u >> 8, u & 0xff] : [0, 0, u >> 8, u & 0xff]
    out.push(...(bigEndian ? be : be.reverse()))
  }
  return Uint8Array.from(out)
}

const bytes = (...b: ReadonlyArray<number>): Uint8Array => Uint8Array.from(b)

describe('internal/encoding', () => {
  describe('wideEncoding (XML 1.0 App. F)', () => {
    it.each([
      ['UTF-16', 2],
      ['UTF-32', 4],
    ] as const)('%s: every byte order, with and without a byte order mark', (label, width) => {
      for (const bigEndian of [true, false])
        for (const bom of [true, false])
          for (const text of ['<message/>', ' <a/>', '\n<a/>'])
            expect(wideEncoding(wide(text, width, bigEndian, bom))).toBe(label)
    })

    it('App. F patterns, octet by octet', () => {
      expect(wideEncoding(bytes(0x00, 0x00, 0xfe, 0xff))).toBe('UTF-32')
      expect(wideEncoding(bytes(0xff, 0xfe, 0x00, 0x00))).toBe('UTF-32')
      expect(wideEncoding(bytes(0x00, 0x00, 0x00, 0x3c))).toBe('UTF-32')
      expect(wideEncoding(bytes(0x3c, 0x00, 0x00, 0x00))).toBe('UTF-32')
      expect(wideEncoding(bytes(0x00, 0x3c, 0x00, 0x00))).toBe('UTF-32')
      expect(wideEncoding(bytes(0xfe, 0xff, 0x00, 0x3c))).toBe('UTF-16')
      expect(wideEncoding(bytes(0xff, 0xfe, 0x3c, 0x00))).toBe('UTF-16')
      expect(wideEncoding(bytes(0x00, 0x3c, 0x00, 0x3f))).toBe('UTF-16')
      expect(wideEncoding(bytes(0x3c, 0x00, 0x3f, 0x00))).toBe('UTF-16')
    })

    it('UTF-8 is never taken for UTF-16 or UTF-32: XML declarations, a UTF-8 BOM, any text', () => {
      for (const s of ["<?xml version='1.0'?><a/>", '<a/>', ' ', '\ufeff<a/>', 'é<a/>'])
        expect(wideEncoding(new TextEncoder().encode(s))).toBeUndefined()
      fc.assert(
        fc.property(fc.string({ unit: 'grapheme', maxLength: 8 }), (s) => {
          const b = new TextEncoder().encode(s)
          // U+0000 is no XML character: the one UTF-8 text the rule calls wide
          expect(wideEncoding(b) !== undefined).toBe(b[0] === 0 || b[1] === 0)
        }),
      )
    })

    it('a prefix decides what it can: one octet, two, none', () => {
      expect(wideEncoding(bytes())).toBeUndefined()
      expect(wideEncoding(bytes(0x3c))).toBeUndefined()
      expect(wideEncoding(bytes(0x00))).toBeDefined()
      expect(wideEncoding(bytes(0xfe))).toBeDefined()
      expect(wideEncoding(bytes(0xff))).toBeDefined()
      expect(wideEncoding(bytes(0x3c, 0x00))).toBeDefined()
      expect(wideEncoding(bytes(0x3c, 0x3f))).toBeUndefined()
      // once wide, every longer prefix is wide too
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 6 }), (b) => {
          for (let n = 0; n < b.length; n++)
            if (wideEncoding(b.subarray(0, n)) !== undefined) expect(wideEncoding(b)).toBeDefined()
        }),
      )
    })
  })

  describe('UTF-8 (Unicode Table 3-7)', () => {
    const fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
    const valid = (b: Uint8Array): boolean => {
      try {
        fatal.decode(b)
        return true
      } catch {
        return false
      }
    }

    it('invalidUtf8At: the length exactly when the WHATWG decoder accepts the bytes', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 12 }), (b) => {
          expect(invalidUtf8At(b) === b.length).toBe(valid(b))
          // and the bytes before the offset are well-formed
          expect(valid(b.subarray(0, invalidUtf8At(b)))).toBe(true)
        }),
        { numRuns: 2000 },
      )
    })

    it('utf8SequenceAt: well-formed sequences and maximal ill-formed subparts', () => {
      expect(utf8SequenceAt(bytes(0x41), 0)).toBe(1)
      expect(utf8SequenceAt(bytes(0xc3, 0xa9), 0)).toBe(2)
      expect(utf8SequenceAt(bytes(0xe2, 0x82, 0xac), 0)).toBe(3)
      expect(utf8SequenceAt(bytes(0xf0, 0x9f, 0x98, 0x80), 0)).toBe(4)
      expect(utf8SequenceAt(bytes(0xc0, 0x80), 0)).toBe(-1) // overlong lead
      expect(utf8SequenceAt(bytes(0xe0, 0x80, 0x80), 0)).toBe(-1) // overlong: E0 needs A0..BF
      expect(utf8SequenceAt(bytes(0xed, 0xa0, 0x80), 0)).toBe(-1) // a surrogate
      expect(utf8SequenceAt(bytes(0xf4, 0x90, 0x80, 0x80), 0)).toBe(-1) // above U+10FFFF
      expect(utf8SequenceAt(bytes(0xe2, 0x82), 0)).toBe(-2) // cut by the end
      expect(utf8SequenceAt(bytes(0xf0, 0x9f, 0x98, 0x41), 0)).toBe(-3)
      expect(utf8SequenceAt(bytes(0x80), 0)).toBe(-1)
    })

    it('decodeUtf8: strict, keeps a leading U+FEFF, no state between calls', () => {
      expect(decodeUtf8(bytes(0xef, 0xbb, 0xbf, 0x41))).toBe('\ufeffA')
      expect(() => decodeUtf8(bytes(0xe2, 0x82))).toThrow(/not valid/)
      expect(decodeUtf8(bytes(0x41))).toBe('A')
    })
  })
})
