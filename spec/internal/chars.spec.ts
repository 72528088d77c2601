/**
 * `internal/chars`: the helpers that exist once for the whole library (XML white space, and text
 * shown in messages).
 */
import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import {
  clip,
  escapeControls,
  isSpaceCode,
  isXmlSpace,
  shown,
  trimXmlSpace,
} from '../../src/internal/chars.js'

describe('internal/chars', () => {
  describe('XML white space (XML 1.0 §2.3 S)', () => {
    it('trimXmlSpace: cuts space, TAB, CR and LF at both ends, nothing else', () => {
      expect(trimXmlSpace(' \t\r\n 5 \n')).toBe('5')
      expect(trimXmlSpace('\u00a0x\u2003')).toBe('\u00a0x\u2003')
      expect(trimXmlSpace('a b')).toBe('a b')
      expect(trimXmlSpace(' \n ')).toBe('')
      const same = 'untouched'
      expect(trimXmlSpace(same)).toBe(same)
    })

    it('trimXmlSpace: the regular expression it replaces, on any string', () => {
      const xmlTrim = /^[ \t\n\r]+|[ \t\n\r]+$/g
      fc.assert(
        fc.property(
          fc.array(fc.constantFrom(' ', '\t', '\r', '\n', '\u00a0', '\u3000', 'a', '-', '0')),
          (parts) => {
            const s = parts.join('')
            expect(trimXmlSpace(s)).toBe(s.replace(xmlTrim, ''))
            expect(isXmlSpace(s)).toBe(trimXmlSpace(s) === '')
          },
        ),
      )
    })

    it('isSpaceCode: exactly the four', () => {
      const all = Array.from({ length: 0x3001 }, (_, c) => c).filter(isSpaceCode)
      expect(all).toEqual([9, 10, 13, 32])
    })
  })

  describe('text in messages', () => {
    it('shown: plain and short as is, else quoted, cut and escaped', () => {
      expect(shown('romeo@example.net/orchard')).toBe('romeo@example.net/orchard')
      expect(shown('two words')).toBe('"two words"')
      expect(shown('x'.repeat(10), 4)).toBe('"xxxx…"')
      expect(shown('a\u202eb')).toBe('"a\\u202eb"')
      expect(shown('a\nb')).toBe('"a\\nb"')
    })

    it('clip: at most max characters, an ellipsis when cut, controls escaped', () => {
      expect(clip('abc', 5)).toBe('abc')
      expect(clip('abcdef', 5)).toBe('abcd…')
      expect(clip('a\u2028b', 5)).toBe('a\\u2028b')
    })

    it('escapeControls: one line, no terminal controls, idempotent, JSON stays the same value', () => {
      fc.assert(
        fc.property(fc.string({ unit: 'binary', maxLength: 20 }), (s) => {
          const once = escapeControls(s)
          expect(once).not.toMatch(/[\0-\x1F\x7F-\x9F\u2028\u2029\u202A-\u202E\u2066-\u2069]/)
          expect(escapeControls(once)).toBe(once)
          expect(JSON.parse(escapeControls(JSON.stringify(s)))).toBe(s)
        }),
      )
    })
  })
})
