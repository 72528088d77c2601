import { describe, expect, it } from '@jest/globals'
import {
  firstDisallowed,
  mapOpaqueString,
  mapUsernameCaseMapped,
  type StringClass,
  stabilize,
} from '../../src/internal/precis.js'

type Enforced = { readonly ok: string } | { readonly rejected: string }

const hex = (cp: number): string => `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`

/**
 * A whole profile, as RFC 8265 orders it (§3.3.2–3.3.3, §4.2.1–4.2.2): the mapping rules, the
 * not-empty rule, then the string class.
 */
const enforce =
  (map: (s: string) => string | undefined, klass: StringClass) =>
  (s: string): Enforced => {
    const mapped = map(s)
    if (mapped === undefined) return { rejected: 'unstable' }
    if (mapped === '') return { rejected: 'empty' }
    const cp = firstDisallowed(mapped, klass)
    return cp === undefined ? { ok: mapped } : { rejected: hex(cp) }
  }

const usernameCaseMapped = enforce(mapUsernameCaseMapped, 'identifier')
const opaqueString = enforce(mapOpaqueString, 'freeform')

describe('internal/precis', () => {
  describe('UsernameCaseMapped (RFC 8265 §3.3)', () => {
    // RFC 8265 §3.6 Table 1, "A Sample of Legal Userparts", with what enforcement gives.
    it.each([
      ['1', 'juliet@example.com', 'juliet@example.com'],
      ['2', 'fussball', 'fussball'],
      ['3', 'fußball', 'fußball'],
      ['4', 'π', 'π'],
      ['5', 'Σ', 'σ'],
      ['6', 'σ', 'σ'],
      ['7', 'ς', 'ς'],
    ])('RFC 8265 §3.6 example %s: %j is a userpart, enforced as %j', (_n, input, output) => {
      expect(usernameCaseMapped(input)).toEqual({ ok: output })
    })

    // RFC 8265 §3.6 Table 2, "A Sample of Strings That Violate the Userpart Rules". The class is
    // checked on the mapped string, so example 10 names ROMAN NUMERAL FOUR lowercased (U+2163 ->
    // U+2173, a compatibility character too).
    it.each([
      ['8', 'foo bar', 'U+0020'],
      ['9', '', 'empty'],
      ['10', 'henryⅣ', 'U+2173'],
      ['11', '♚', 'U+265A'],
    ])('RFC 8265 §3.6 example %s: %j is not a userpart (%s)', (_n, input, reason) => {
      expect(usernameCaseMapped(input)).toEqual({ rejected: reason })
    })

    it('mapUsernameCaseMapped: width mapping, lowercase, NFC (RFC 8265 §3.3.1 rules 1, 3, 4)', () => {
      expect(mapUsernameCaseMapped('Ｊｕｌｉｅｔ')).toBe('juliet')
      expect(mapUsernameCaseMapped('ｶﾞ')).toBe('ガ')
      expect(mapUsernameCaseMapped('E\u0301')).toBe('\u00e9')
      expect(mapUsernameCaseMapped('ΣΑΣ')).toBe('σας')
      expect(mapUsernameCaseMapped('KÖNIG')).toBe('könig')
    })
  })

  describe('OpaqueString (RFC 8265 §4.2)', () => {
    // RFC 8265 §4.3 Table 3, "A Sample of Legal Passwords".
    it.each([
      ['12', 'correct horse battery staple', 'correct horse battery staple'],
      ['13', 'Correct Horse Battery Staple', 'Correct Horse Battery Staple'],
      ['14', 'πßå', 'πßå'],
      ['15', 'Jack of ♦s', 'Jack of ♦s'],
      ['16', 'foo\u1680bar', 'foo bar'],
    ])('RFC 8265 §4.3 example %s: %j is a password, enforced as %j', (_n, input, output) => {
      expect(opaqueString(input)).toEqual({ ok: output })
    })

    // RFC 8265 §4.3 Table 4, "A Sample of Strings That Violate the Password Rules".
    it.each([
      ['17', '', 'empty'],
      ['18', 'my cat is a \u0009by', 'U+0009'],
    ])('RFC 8265 §4.3 example %s: %j is not a password (%s)', (_n, input, reason) => {
      expect(opaqueString(input)).toEqual({ rejected: reason })
    })

    it('mapOpaqueString: non-ASCII spaces to U+0020 and NFC, width and case kept (RFC 8265 §4.2.2)', () => {
      expect(mapOpaqueString('a\u00a0b\u3000c\u2003d')).toBe('a b c d')
      expect(mapOpaqueString('e\u0301')).toBe('\u00e9')
      expect(mapOpaqueString('ＡＢ Cd')).toBe('ＡＢ Cd')
    })
  })

  describe('string classes (RFC 8264 §4, derived property §8)', () => {
    it.each<readonly [string, string, number | undefined, number | undefined]>([
      // [what, string, first disallowed in IdentifierClass, in FreeformClass]
      ['ASCII7 (§9.11)', 'a!~Z0', undefined, undefined],
      ['Spaces (§9.14)', 'a b', 0x20, undefined],
      ['Symbols (§9.15)', 'a♚', 0x265a, undefined],
      ['Punctuation (§9.16)', 'a¿', 0xbf, undefined],
      ['HasCompat (§9.17)', '\ufb01', 0xfb01, undefined],
      ['OtherLetterDigits (§9.18)', '\u16ee', 0x16ee, undefined],
      ['Controls (§9.12)', 'a\u0085', 0x85, 0x85],
      ['PrecisIgnorableProperties (§9.13)', 'a\u200bb', 0x200b, 0x200b],
      ['noncharacters (§9.10, §9.13)', '\ufdd0', 0xfdd0, 0xfdd0],
      ['OldHangulJamo (§9.9)', '\u1100', 0x1100, 0x1100],
      ['Unassigned (§9.10)', '\u0378', 0x378, 0x378],
      ['private use, not a letter', '\ue000', 0xe000, 0xe000],
      ['a lone surrogate', 'a\ud800', 0xd800, 0xd800],
      ['Exceptions PVALID (§9.6)', 'ßς\u3007', undefined, undefined],
      ['Exceptions DISALLOWED (§9.6)', '\u0640', 0x640, 0x640],
      ['CONTEXTO MIDDLE DOT between l (RFC 5892 A.3)', 'l·l', undefined, undefined],
      ['CONTEXTO MIDDLE DOT elsewhere (RFC 5892 A.3)', 'a·b', 0xb7, 0xb7],
      [
        'CONTEXTJ ZWJ after a virama (RFC 5892 A.2)',
        '\u0915\u094d\u200d\u0937',
        undefined,
        undefined,
      ],
      ['CONTEXTJ ZWJ elsewhere (RFC 5892 A.2)', 'a\u200db', 0x200d, 0x200d],
      ['CONTEXTO Arabic-Indic digits alone (RFC 5892 A.8)', '\u0661\u0662', undefined, undefined],
      ['CONTEXTO Arabic-Indic with extended (RFC 5892 A.8)', '\u0661\u06f2', 0x661, 0x661],
    ])('firstDisallowed: %s', (_what, s, identifier, freeform) => {
      expect(firstDisallowed(s, 'identifier')).toBe(identifier)
      expect(firstDisallowed(s, 'freeform')).toBe(freeform)
    })
  })

  describe('stability (RFC 8264 §7)', () => {
    it('stabilize: reapplies a mapping until it stops changing the string', () => {
      const dropOneX = (s: string): string => s.replace('x', '')
      expect(stabilize(dropOneX, 'axx')).toBe('a')
      expect(stabilize(dropOneX, 'axxx')).toBe('a')
    })

    it('stabilize: rejects a string still changing after three more applications', () => {
      const dropOneX = (s: string): string => s.replace('x', '')
      expect(stabilize(dropOneX, 'axxxxx')).toBeUndefined()
      expect(stabilize((s) => `${s}!`, 'a')).toBeUndefined()
    })
  })
})
