/**
 * IDNA2008 for one domain name: the mapping of RFC 5895 §2, the derived property of each code
 * point (RFC 5892 §3, with the contextual rules of its Appendix A), and the checks that make a
 * label an LDH label, an A-label or a U-label (RFC 5890 §2.3, RFC 5891 §5.3–5.4).
 *
 * Unicode properties come from the engine's regular expressions (`\p{…}`), so "unassigned"
 * follows the running engine's Unicode version. Not applied: the Bidi Rule (RFC 5893), for want
 * of a Bidi_Class property, and the Arabic joining-type alternative of the ZWNJ rule (Appendix
 * A.1), for want of Joining_Type; a ZWNJ or ZWJ is allowed only after a virama.
 *
 * PRECIS (`precis.ts`) reuses the exceptions, contextual rules and width mapping below.
 */

import * as Punycode from './punycode.js'

/** RFC 1034 §3.1: a label is at most 63 octets. */
export const MAX_LABEL_OCTETS = 63

/** Lowercase LDH (RFC 5890 §2.3.1): what an ASCII label is made of once mapped. */
const LDH_LABEL = /^[a-z0-9-]+$/
const isLdh = (c: number): boolean =>
  (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2d

/** Code points with a `<wide>` or `<narrow>` decomposition (UnicodeData.txt). */
const WIDTH_CHARS =
  /[\u3000\uff01-\uffbe\uffc2-\uffc7\uffca-\uffcf\uffd2-\uffd7\uffda-\uffdc\uffe0-\uffe6\uffe8-\uffee]/gu
/** RFC 5895 §2: the ideographic full stop (after width mapping) separates labels like `.`. */
const IDEOGRAPHIC_FULL_STOP = /\u3002/g

const UNASSIGNED = /\p{Cn}/u
/** RFC 5892 §2.1 LetterDigits (A), also RFC 8264 §9.1. */
const LETTER_DIGITS = /[\p{Ll}\p{Lu}\p{Lo}\p{Lm}\p{Nd}\p{Mn}\p{Mc}]/u
/**
 * RFC 5892 §2.2 Unstable (Changes_When_NFKC_Casefolded), §2.3 IgnorableProperties and §2.9
 * OldHangulJamo: disallowed in U-labels (§2.4 IgnorableBlocks is `isIgnorableBlock`).
 */
const IDNA_DISALLOWED =
  /[\p{Changes_When_NFKC_Casefolded}\p{Default_Ignorable_Code_Point}\p{Noncharacter_Code_Point}\u1100-\u11ff\ua960-\ua97c\ud7b0-\ud7c6\ud7cb-\ud7fb]/u

/** RFC 5892 §2.4: Combining Diacritical Marks for Symbols, (Ancient Greek) Musical Symbols. */
const isIgnorableBlock = (cp: number): boolean =>
  (cp >= 0x20d0 && cp <= 0x20ff) || (cp >= 0x1d100 && cp <= 0x1d24f)
const MARK = /\p{M}/u
const GREEK = /\p{Script=Greek}/u
const HEBREW = /\p{Script=Hebrew}/u
const KANA_HAN = /[\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Han}]/u
/** Canonical_Combining_Class=Virama (as of Unicode 14), for RFC 5892 Appendix A.1/A.2. */
const VIRAMA: ReadonlySet<number> = new Set([
  0x94d, 0x9cd, 0xa4d, 0xacd, 0xb4d, 0xbcd, 0xc4d, 0xccd, 0xd3b, 0xd3c, 0xd4d, 0xdca, 0xe3a, 0xeba,
  0xf84, 0x1039, 0x103a, 0x1714, 0x1715, 0x1734, 0x17d2, 0x1a60, 0x1b44, 0x1baa, 0x1bab, 0x1bf2,
  0x1bf3, 0x2d7f, 0xa806, 0xa82c, 0xa8c4, 0xa953, 0xa9c0, 0xaaf6, 0xabed, 0x10a3f, 0x11046, 0x11070,
  0x1107f, 0x110b9, 0x11133, 0x11134, 0x111c0, 0x11235, 0x112ea, 0x1134d, 0x11442, 0x114c2, 0x115bf,
  0x1163f, 0x116b6, 0x1172b, 0x11839, 0x1193d, 0x1193e, 0x119e0, 0x11a34, 0x11a47, 0x11a99, 0x11c3f,
  0x11d44, 0x11d45, 0x11d97,
])

const hex = (cp: number): string => `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`

/** The code points of a string (a lone surrogate is its own code point). */
export const codePoints = (s: string): ReadonlyArray<number> => {
  const out: Array<number> = []
  for (const ch of s) out.push(ch.codePointAt(0) ?? 0)
  return out
}

// -------------------------------------------------------------------------------------
// mapping
// -------------------------------------------------------------------------------------

/**
 * Maps fullwidth and halfwidth code points to their decomposition (UAX #11): RFC 5895 §2 step 2
 * for domain names, and the Width Mapping Rule of the PRECIS username profiles (RFC 8265 §3.3.1).
 * NFKC of a lone width character is that decomposition, except U+FFE3 (NFKC goes on to
 * decompose U+00AF) and halfwidth Hangul U+FFA0–FFDC (NFKC yields conjoining rather than
 * compatibility jamo); both results are disallowed in IdentifierClass and U-labels alike, so
 * only U+FFE3 is special-cased, to report the right code point.
 */
export const widthMap = (s: string): string =>
  s.replace(WIDTH_CHARS, (ch) => (ch === '\uffe3' ? '\u00af' : ch.normalize('NFKC')))

/** RFC 5895 §2, one pass: width mapping, ideographic full stop to `.`, lowercase, NFC. */
export const mapDomain = (s: string): string =>
  widthMap(s).replace(IDEOGRAPHIC_FULL_STOP, '.').toLowerCase().normalize('NFC')

// -------------------------------------------------------------------------------------
// derived property (RFC 5892 §3)
// -------------------------------------------------------------------------------------

/** RFC 5892 §2.6 Exceptions (F), shared by PRECIS (RFC 8264 §9.6): PVALID, then DISALLOWED. */
const isExceptionValid = (cp: number): boolean =>
  cp === 0xdf || cp === 0x3c2 || cp === 0x6fd || cp === 0x6fe || cp === 0xf0b || cp === 0x3007

const isExceptionDisallowed = (cp: number): boolean =>
  cp === 0x640 ||
  cp === 0x7fa ||
  cp === 0x302e ||
  cp === 0x302f ||
  (cp >= 0x3031 && cp <= 0x3035) ||
  cp === 0x303b

const isContextO = (cp: number): boolean =>
  cp === 0xb7 ||
  cp === 0x375 ||
  cp === 0x5f3 ||
  cp === 0x5f4 ||
  cp === 0x30fb ||
  (cp >= 0x660 && cp <= 0x669) ||
  (cp >= 0x6f0 && cp <= 0x6f9)

const scriptTest = (re: RegExp, cp: number | undefined): boolean =>
  cp !== undefined && re.test(String.fromCodePoint(cp))

/** RFC 5892 Appendix A.3–A.9, evaluated over the whole string (part or label). */
const contextO = (cps: ReadonlyArray<number>, i: number): boolean => {
  const cp = cps[i]
  if (cp === 0xb7) return cps[i - 1] === 0x6c && cps[i + 1] === 0x6c
  if (cp === 0x375) return scriptTest(GREEK, cps[i + 1])
  if (cp === 0x5f3 || cp === 0x5f4) return scriptTest(HEBREW, cps[i - 1])
  if (cp === 0x30fb) return cps.some((c) => c !== 0x30fb && scriptTest(KANA_HAN, c))
  if (cp !== undefined && cp >= 0x660 && cp <= 0x669)
    return !cps.some((c) => c >= 0x6f0 && c <= 0x6f9)
  return !cps.some((c) => c >= 0x660 && c <= 0x669)
}

/**
 * The rules that RFC 5892 §3 and PRECIS (RFC 8264 §8) both apply first to a non-ASCII code
 * point `cp` (= `ch`) at index `i` of `cps`: Exceptions (§2.6, with the CONTEXTO rules of
 * Appendix A.3–A.9), Unassigned (§2.10), JoinControl (§2.8, CONTEXTJ, Appendix A.1/A.2).
 * `true`: allowed; `false`: disallowed; `undefined`: the rest of the algorithm decides.
 */
export const commonProperty = (
  cps: ReadonlyArray<number>,
  i: number,
  cp: number,
  ch: string,
): boolean | undefined => {
  if (isExceptionValid(cp)) return true
  if (isExceptionDisallowed(cp)) return false
  if (isContextO(cp)) return contextO(cps, i)
  if (UNASSIGNED.test(ch)) return false
  if (cp === 0x200c || cp === 0x200d) return VIRAMA.has(cps[i - 1] ?? 0)
  return undefined
}

/** RFC 5892 §2.1 LetterDigits (A), for a string of one code point. */
export const isLetterDigit = (ch: string): boolean => LETTER_DIGITS.test(ch)

/**
 * RFC 5892 §3: the first code point of a label that is not PVALID (or whose contextual rule
 * fails), or `undefined`. ASCII is PVALID only as lowercase LDH, labels being mapped first.
 */
const firstDisallowed = (cps: ReadonlyArray<number>): number | undefined => {
  for (let i = 0; i < cps.length; i++) {
    const cp = cps[i] ?? 0
    if (cp < 0x80) {
      if (isLdh(cp)) continue
      return cp
    }
    const ch = String.fromCodePoint(cp)
    const common = commonProperty(cps, i, cp, ch)
    if (common === true) continue
    if (common === false) return cp
    if (IDNA_DISALLOWED.test(ch) || isIgnorableBlock(cp) || !LETTER_DIGITS.test(ch)) return cp
  }
  return undefined
}

// -------------------------------------------------------------------------------------
// labels (RFC 5891 §5)
// -------------------------------------------------------------------------------------

/** Why a label is not valid: a short reason, naming at most one code point as `U+XXXX`. */
export interface LabelError {
  readonly _tag: 'LabelError'
  readonly message: string
}

const fail = (message: string): LabelError => ({ _tag: 'LabelError', message })

/**
 * A non-ASCII label must be a U-label (RFC 5891 §5.4, RFC 5892): valid code points, no
 * leading combining mark, no edge hyphens, no `--` in positions 3–4, and an A-label of at most
 * 63 octets. Returns the A-label's Punycode body.
 */
const checkULabel = (cps: ReadonlyArray<number>): string | LabelError => {
  // Every non-basic code point costs at least one Punycode digit, after the 4-octet prefix.
  if (cps.length > MAX_LABEL_OCTETS - 4) return fail('label exceeds 63 octets')
  if (cps[0] === 0x2d || cps[cps.length - 1] === 0x2d)
    return fail('label starts or ends with a hyphen')
  if (cps[2] === 0x2d && cps[3] === 0x2d) return fail('label has hyphens in positions 3 and 4')
  if (scriptTest(MARK, cps[0])) return fail('label starts with a combining mark')
  const cp = firstDisallowed(cps)
  if (cp !== undefined) return fail(`disallowed code point ${hex(cp)}`)
  const body = Punycode.encode(cps)
  if (body === undefined || body.length + 4 > MAX_LABEL_OCTETS)
    return fail('label exceeds 63 octets')
  return body
}

/** RFC 5891 §5.3: an A-label must decode to a U-label that encodes back to the same A-label. */
const aLabelToULabel = (label: string): string | LabelError => {
  const body = label.slice(4)
  const cps = Punycode.decode(body)
  if (cps === undefined || cps.every((c) => c < 0x80)) return fail('invalid A-label')
  const u = String.fromCodePoint(...cps)
  // The U-label becomes the canonical form, so it must be a fixed point of the mapping.
  if (u.normalize('NFC') !== u || u.toLowerCase() !== u) return fail('invalid A-label')
  const encoded = checkULabel(cps)
  if (typeof encoded !== 'string') return encoded
  if (encoded !== body) return fail('invalid A-label')
  return u
}

/**
 * One label of a mapped domain name, in the form to keep: an LDH label as is (RFC 1123 §2.1,
 * RFC 5890 §2.3.1), an A-label as its U-label (RFC 5891 §5.3), a U-label as is once checked
 * (RFC 5891 §5.4). ASCII labels with `--` in positions 3–4 other than `xn--` pass as LDH.
 */
export const prepareLabel = (label: string): string | LabelError => {
  if (label === '') return fail('empty label')
  if (LDH_LABEL.test(label)) {
    if (label.length > MAX_LABEL_OCTETS) return fail('label exceeds 63 octets')
    if (label.charCodeAt(0) === 0x2d || label.charCodeAt(label.length - 1) === 0x2d)
      return fail('label starts or ends with a hyphen')
    return label.startsWith('xn--') ? aLabelToULabel(label) : label
  }
  const cps = codePoints(label)
  if (cps.every((c) => c < 0x80)) {
    const bad = cps.find((c) => !isLdh(c)) ?? 0
    return fail(`disallowed character ${hex(bad)}`)
  }
  const checked = checkULabel(cps)
  return typeof checked === 'string' ? label : checked
}
