/**
 * XMPP addresses (JIDs): `[localpart@]domainpart[/resourcepart]`, validated and held in their
 * canonical form, so that `===` on two `Jid`s is address equality.
 *
 * RFC 7622 §3 (address format), with the PRECIS profiles of RFC 8265 (UsernameCaseMapped §3.3
 * for the localpart, OpaqueString §4.2 for the resourcepart) over the classes of RFC 8264 §4,
 * IDNA2008 (RFC 5890–5892) for the domainpart, RFC 5952 for IPv6 literals, and XEP-0106 for
 * JID escaping.
 *
 * What is implemented, and where this module is knowingly looser or stricter than the RFCs:
 * - Unicode properties come from the engine's regular expressions (`\p{…}`), so "unassigned"
 *   (`\p{Cn}`) follows the Unicode version of the running engine's ICU.
 * - The Bidi Rule (RFC 5893, required by RFC 8265 §3.3 and by IDNA2008) is NOT
 *   applied: JavaScript exposes no Bidi_Class property, and a guessed approximation would
 *   reject valid addresses. Right-to-left strings are accepted if every code point is valid.
 * - CONTEXTJ (ZWNJ/ZWJ, RFC 5892 Appendix A.1/A.2) is accepted only after a virama; the
 *   Arabic joining-type alternative for ZWNJ needs Joining_Type, which the engine lacks, so such
 *   strings are rejected. CONTEXTO rules (Appendix A.3–A.9) are implemented in full.
 * - `juliet@example.com/ foo` is valid: OpaqueString allows spaces anywhere, and RFC 7622
 *   Table 2 listing it as invalid is a known error (RFC Errata ID 4560).
 * - Mapping rules are reapplied until stable (RFC 8264 §7); width mapping uses NFKC of each
 *   fullwidth/halfwidth code point, which equals its decomposition wherever it matters.
 * - Domain labels are LDH (no `_`), A-labels (converted to U-labels, checked by round trip) or
 *   U-labels; ASCII labels with `--` in positions 3–4 other than `xn--` are accepted as LDH. The
 *   63-octet label limit is measured on the A-label, so `ü` × 32 passes and `a` × 57 + `ü` fails.
 * - IP literals: IPv6 only (no zone identifiers, no IPvFuture), written per RFC 5952, with
 *   IPv4-mapped addresses in mixed notation (§5). IPv4 dec-octets have no leading zeros.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as E from 'fp-ts/Either'
 * import * as Jid from 'stanzakit/Jid'
 *
 * pipe(Jid.parse('Juliet@Example.COM./balcony'), E.map(Jid.bare))
 * // right('juliet@example.com')
 *
 * @since 0.1.0
 */

import type { Either } from 'fp-ts/lib/Either.js'
import * as E from 'fp-ts/lib/Either.js'
import type { Eq as Eq_ } from 'fp-ts/lib/Eq.js'
import type { Option } from 'fp-ts/lib/Option.js'
import * as O from 'fp-ts/lib/Option.js'
import * as t from 'io-ts'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

declare const JidBrand: unique symbol

/**
 * The brand that makes `Jid` nominal: only `parse` (and the functions built on it) produce one.
 *
 * @category model
 */
export interface JidBrand {
  readonly [JidBrand]: 'Jid'
}

/**
 * A valid JID in its canonical full form `[local@]domain[/resource]`. Being canonical, string
 * equality is address equality (RFC 7622 §3.1).
 *
 * @category model
 */
export type Jid = string & JidBrand

/**
 * Why a string is not a JID: the part that failed and a short reason. The message is bounded
 * and never contains the input, only at most one offending code point as `U+XXXX`.
 *
 * @category model
 */
export interface JidError {
  readonly _tag: 'JidError'
  readonly part: 'local' | 'domain' | 'resource' | 'jid'
  readonly message: string
}

// -------------------------------------------------------------------------------------
// internal: limits and tables
// -------------------------------------------------------------------------------------

/** RFC 7622 §3.1: every part is 1–1023 octets of UTF-8, after preparation. */
const MAX_OCTETS = 1023

/**
 * Preparation never shrinks a part by more than 4 code points into 1 (the longest canonical
 * decomposition, e.g. U+1F82, has 4), and a code point is at most 2 UTF-16 units, so a raw part
 * longer than this cannot prepare to 1023 octets. Checked first, so hostile input costs O(1).
 */
const MAX_RAW_PART = 8 * MAX_OCTETS
const MAX_RAW_JID = 3 * MAX_RAW_PART + 2

const ASCII_PRINTABLE = /^[\x21-\x7e]+$/
/** Printable ASCII without uppercase or the RFC 7622 §3.3.1 exclusions: a canonical localpart. */
const CANONICAL_ASCII_LOCAL = /^[!#-%(-.0-9;=?[-~]+$/
const ASCII_PRINTABLE_OR_SPACE = /^[\x20-\x7e]+$/
const ASCII_HOST = /^[A-Za-z0-9.-]+$/
/** RFC 7622 §3.3.1: beyond IdentifierClass, these ASCII characters are excluded from localparts. */
const LOCAL_EXCLUDED = /["&'/:<>@]/
/** RFC 3986 §3.2.2 IPv4address: dec-octet has no leading zeros. */
const IPV4 = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/
const DIGITS_AND_DOTS = /^[0-9.]+$/
const LDH_LABEL = /^[a-z0-9-]+$/
const HEX_GROUP = /^[0-9A-Fa-f]{1,4}$/

/** Code points with a `<wide>` or `<narrow>` decomposition (UnicodeData.txt). */
const WIDTH_CHARS =
  /[\u3000\uff01-\uffbe\uffc2-\uffc7\uffca-\uffcf\uffd2-\uffd7\uffda-\uffdc\uffe0-\uffe6\uffe8-\uffee]/gu
/** RFC 8265 §4.2: any space separator (Zs) becomes U+0020. */
const SPACE_SEPARATOR = /\p{Zs}/gu
/** RFC 5895 §2: the ideographic full stop (after width mapping) separates labels like `.`. */
const IDEOGRAPHIC_FULL_STOP = /\u3002/g

const UNASSIGNED = /\p{Cn}/u
/** RFC 8264 §9.1 LetterDigits. */
const LETTER_DIGITS = /[\p{Ll}\p{Lu}\p{Lo}\p{Lm}\p{Nd}\p{Mn}\p{Mc}]/u
/**
 * RFC 8264 §9.9 OldHangulJamo (Hangul_Syllable_Type L, V, T), §9.13 PrecisIgnorableProperties
 * (Default_Ignorable_Code_Point, Noncharacter_Code_Point) and §9.12 Controls: disallowed in
 * every class.
 */
const DISALLOWED_ALWAYS =
  /[\u1100-\u11ff\ua960-\ua97c\ud7b0-\ud7c6\ud7cb-\ud7fb\p{Default_Ignorable_Code_Point}\p{Noncharacter_Code_Point}\p{Cc}]/u
/** RFC 8264 §9.18 OtherLetterDigits, §9.14 Spaces, §9.15 Symbols, §9.16 Punctuation. */
const FREEFORM_ONLY = /[\p{Lt}\p{Nl}\p{No}\p{Me}\p{Zs}\p{S}\p{P}]/u
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

/** Internals return `string | JidError`: no Either allocated per part on the hot path. */
const fail = (part: JidError['part'], message: string): JidError => ({
  _tag: 'JidError',
  part,
  message,
})

const isError = (r: string | JidError): r is JidError => typeof r !== 'string'

const hex = (cp: number): string => `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`

const utf8Length = (s: string): number => {
  let n = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x80) n += 1
    else if (c < 0x800) n += 2
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1)
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4
        i++
      } else n += 3
    } else n += 3
  }
  return n
}

const codePoints = (s: string): ReadonlyArray<number> => {
  const out: Array<number> = []
  for (const ch of s) out.push(ch.codePointAt(0) ?? 0)
  return out
}

// -------------------------------------------------------------------------------------
// internal: PRECIS and IDNA2008 code point classes
// -------------------------------------------------------------------------------------

type StringClass = 'identifier' | 'freeform' | 'idna'

/** RFC 5892 §2.6 Exceptions, shared by PRECIS (RFC 8264 §9.6): PVALID, then DISALLOWED. */
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

/** RFC 5892 Appendix A.3–A.9, evaluated over the whole part (or label). */
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
 * The derived property of each code point (RFC 8264 §8 for PRECIS, RFC 5892 §3 for IDNA2008,
 * rules in the RFCs' order); returns the first code point that is not allowed.
 */
const firstInvalid = (cps: ReadonlyArray<number>, klass: StringClass): number | undefined => {
  for (let i = 0; i < cps.length; i++) {
    const cp = cps[i] ?? 0
    if (cp < 0x80) {
      const ok =
        klass === 'identifier'
          ? cp >= 0x21 && cp <= 0x7e
          : klass === 'freeform'
            ? cp >= 0x20 && cp <= 0x7e
            : (cp >= 0x61 && cp <= 0x7a) || (cp >= 0x30 && cp <= 0x39) || cp === 0x2d
      if (ok) continue
      return cp
    }
    if (isExceptionValid(cp)) continue
    if (isExceptionDisallowed(cp)) return cp
    if (isContextO(cp)) {
      if (contextO(cps, i)) continue
      return cp
    }
    const ch = String.fromCodePoint(cp)
    if (UNASSIGNED.test(ch)) return cp
    if (cp === 0x200c || cp === 0x200d) {
      if (VIRAMA.has(cps[i - 1] ?? 0)) continue
      return cp
    }
    if (klass === 'idna') {
      if (IDNA_DISALLOWED.test(ch) || isIgnorableBlock(cp) || !LETTER_DIGITS.test(ch)) return cp
      continue
    }
    if (DISALLOWED_ALWAYS.test(ch)) return cp
    // RFC 8264 §9.17 HasCompat: NFKC of the lone code point differs from it.
    if (ch.normalize('NFKC') !== ch) {
      if (klass === 'freeform') continue
      return cp
    }
    if (LETTER_DIGITS.test(ch)) continue
    if (klass === 'freeform' && FREEFORM_ONLY.test(ch)) continue
    return cp
  }
  return undefined
}

/**
 * RFC 8264 §7: apply the mapping rules until the string is stable; a string that has not
 * stabilized after three more applications is rejected.
 */
const stabilize = (f: (s: string) => string, s: string): string | undefined => {
  let current = f(s)
  for (let i = 0; i < 3; i++) {
    const next = f(current)
    if (next === current) return current
    current = next
  }
  return undefined
}

/**
 * RFC 8265 §3.3 width mapping: map fullwidth and halfwidth code points to their decomposition.
 * NFKC of a lone width character is that decomposition, except U+FFE3 (NFKC goes on to
 * decompose U+00AF) and halfwidth Hangul U+FFA0–FFDC (NFKC yields conjoining rather than
 * compatibility jamo); both results are disallowed in IdentifierClass and U-labels alike, so
 * only U+FFE3 is special-cased, to report the right code point.
 */
const widthMap = (s: string): string =>
  s.replace(WIDTH_CHARS, (ch) => (ch === '\uffe3' ? '\u00af' : ch.normalize('NFKC')))

// -------------------------------------------------------------------------------------
// internal: parts
// -------------------------------------------------------------------------------------

type Prepared = string | JidError

const checkLength = (part: 'local' | 'domain' | 'resource', name: string, s: string): Prepared =>
  utf8Length(s) > MAX_OCTETS ? fail(part, `${name} exceeds ${MAX_OCTETS} octets`) : s

const mapLocal = (s: string): string => widthMap(s).toLowerCase().normalize('NFC')

/** RFC 7622 §3.3: PRECIS UsernameCaseMapped (RFC 8265 §3.3), then RFC 7622 §3.3.1 exclusions. */
const prepareLocal = (raw: string): Prepared => {
  if (raw === '') return fail('local', 'empty localpart')
  if (raw.length > MAX_RAW_PART) return fail('local', `localpart exceeds ${MAX_OCTETS} octets`)
  if (raw.length <= MAX_OCTETS && CANONICAL_ASCII_LOCAL.test(raw)) return raw
  if (ASCII_PRINTABLE.test(raw)) {
    // ASCII is already NFC and has no width forms; lowercasing is the only mapping.
    const s = raw.toLowerCase()
    if (s.length > MAX_OCTETS) return fail('local', `localpart exceeds ${MAX_OCTETS} octets`)
    const bad = LOCAL_EXCLUDED.exec(s)
    if (bad !== null) return fail('local', `disallowed character ${hex(s.charCodeAt(bad.index))}`)
    return s
  }
  const s = stabilize(mapLocal, raw)
  if (s === undefined) return fail('local', 'localpart is unstable under preparation')
  if (s === '') return fail('local', 'empty localpart')
  const len = checkLength('local', 'localpart', s)
  if (isError(len)) return len
  const bad = LOCAL_EXCLUDED.exec(s)
  if (bad !== null) return fail('local', `disallowed character ${hex(s.charCodeAt(bad.index))}`)
  const cp = firstInvalid(codePoints(s), 'identifier')
  if (cp !== undefined) return fail('local', `disallowed code point ${hex(cp)}`)
  return s
}

const mapResource = (s: string): string => s.replace(SPACE_SEPARATOR, ' ').normalize('NFC')

/** RFC 7622 §3.4: PRECIS OpaqueString (RFC 8265 §4.2); case and spaces are kept. */
const prepareResource = (raw: string): Prepared => {
  if (raw === '') return fail('resource', 'empty resourcepart')
  if (raw.length > MAX_RAW_PART)
    return fail('resource', `resourcepart exceeds ${MAX_OCTETS} octets`)
  if (ASCII_PRINTABLE_OR_SPACE.test(raw)) {
    if (raw.length > MAX_OCTETS)
      return fail('resource', `resourcepart exceeds ${MAX_OCTETS} octets`)
    return raw
  }
  const s = stabilize(mapResource, raw)
  if (s === undefined) return fail('resource', 'resourcepart is unstable under preparation')
  const len = checkLength('resource', 'resourcepart', s)
  if (isError(len)) return len
  const cp = firstInvalid(codePoints(s), 'freeform')
  if (cp !== undefined) return fail('resource', `disallowed code point ${hex(cp)}`)
  return s
}

// -------------------------------------------------------------------------------------
// internal: Punycode (RFC 3492 §6), only as far as A-label checks need it
// -------------------------------------------------------------------------------------

const BASE = 36
const TMIN = 1
const TMAX = 26
const SKEW = 38
const DAMP = 700
const INITIAL_BIAS = 72
const INITIAL_N = 0x80
const MAXINT = 0x7fffffff

const adapt = (delta: number, numPoints: number, firstTime: boolean): number => {
  let d = firstTime ? Math.floor(delta / DAMP) : Math.floor(delta / 2)
  d += Math.floor(d / numPoints)
  let k = 0
  while (d > ((BASE - TMIN) * TMAX) >> 1) {
    d = Math.floor(d / (BASE - TMIN))
    k += BASE
  }
  return k + Math.floor(((BASE - TMIN + 1) * d) / (d + SKEW))
}

const threshold = (k: number, bias: number): number =>
  k <= bias ? TMIN : k >= bias + TMAX ? TMAX : k - bias

/** Labels reach here lowercased, so only `a-z` and `0-9` are digits. */
const digitValue = (c: number): number =>
  c >= 0x61 && c <= 0x7a ? c - 0x61 : c >= 0x30 && c <= 0x39 ? c - 0x30 + 26 : -1

const digitChar = (d: number): string => String.fromCharCode(d < 26 ? 0x61 + d : 0x30 + d - 26)

const punycodeDecode = (input: string): ReadonlyArray<number> | undefined => {
  const output: Array<number> = []
  const b = input.lastIndexOf('-')
  for (let j = 0; j < b; j++) output.push(input.charCodeAt(j))
  let n = INITIAL_N
  let i = 0
  let bias = INITIAL_BIAS
  for (let idx = b > 0 ? b + 1 : 0; idx < input.length; ) {
    const oldi = i
    let w = 1
    for (let k = BASE; ; k += BASE) {
      if (idx >= input.length) return undefined
      const digit = digitValue(input.charCodeAt(idx++))
      if (digit < 0 || digit > Math.floor((MAXINT - i) / w)) return undefined
      i += digit * w
      const th = threshold(k, bias)
      if (digit < th) break
      if (w > Math.floor(MAXINT / (BASE - th))) return undefined
      w *= BASE - th
    }
    const count = output.length + 1
    bias = adapt(i - oldi, count, oldi === 0)
    if (Math.floor(i / count) > MAXINT - n) return undefined
    n += Math.floor(i / count)
    i %= count
    // A delta may not produce a basic code point (RFC 3492 §6.2), nor a non-scalar value.
    if (n < INITIAL_N || n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) return undefined
    output.splice(i, 0, n)
    i++
  }
  return output
}

const punycodeEncode = (cps: ReadonlyArray<number>): string | undefined => {
  let output = ''
  for (const c of cps) if (c < INITIAL_N) output += String.fromCharCode(c)
  const b = output.length
  let h = b
  if (b > 0) output += '-'
  let n = INITIAL_N
  let delta = 0
  let bias = INITIAL_BIAS
  while (h < cps.length) {
    let m = MAXINT
    for (const c of cps) if (c >= n && c < m) m = c
    if (m - n > Math.floor((MAXINT - delta) / (h + 1))) return undefined
    delta += (m - n) * (h + 1)
    n = m
    for (const c of cps) {
      if (c < n && ++delta > MAXINT) return undefined
      if (c === n) {
        let q = delta
        for (let k = BASE; ; k += BASE) {
          const th = threshold(k, bias)
          if (q < th) break
          output += digitChar(th + ((q - th) % (BASE - th)))
          q = Math.floor((q - th) / (BASE - th))
        }
        output += digitChar(q)
        bias = adapt(delta, h + 1, h === b)
        delta = 0
        h++
      }
    }
    delta++
    n++
  }
  return output
}

// -------------------------------------------------------------------------------------
// internal: domainpart
// -------------------------------------------------------------------------------------

const MAX_LABEL_OCTETS = 63

/**
 * A non-ASCII label must be a U-label (RFC 5891 §5.4, RFC 5892): valid code points, no
 * leading combining mark, no edge hyphens, no `--` in positions 3–4, and an A-label of at most
 * 63 octets. Returns the A-label's Punycode body.
 */
const checkULabel = (cps: ReadonlyArray<number>): Prepared => {
  // Every non-basic code point costs at least one Punycode digit, after the 4-octet prefix.
  if (cps.length > MAX_LABEL_OCTETS - 4) return fail('domain', 'label exceeds 63 octets')
  if (cps[0] === 0x2d || cps[cps.length - 1] === 0x2d)
    return fail('domain', 'label starts or ends with a hyphen')
  if (cps[2] === 0x2d && cps[3] === 0x2d)
    return fail('domain', 'label has hyphens in positions 3 and 4')
  if (scriptTest(MARK, cps[0])) return fail('domain', 'label starts with a combining mark')
  const cp = firstInvalid(cps, 'idna')
  if (cp !== undefined) return fail('domain', `disallowed code point ${hex(cp)}`)
  const body = punycodeEncode(cps)
  if (body === undefined || body.length + 4 > MAX_LABEL_OCTETS)
    return fail('domain', 'label exceeds 63 octets')
  return body
}

/** RFC 5891 §5.3: an A-label must decode to a U-label that encodes back to the same A-label. */
const aLabelToULabel = (label: string): Prepared => {
  const body = label.slice(4)
  const cps = punycodeDecode(body)
  if (cps === undefined || cps.every((c) => c < INITIAL_N)) return fail('domain', 'invalid A-label')
  const u = String.fromCodePoint(...cps)
  // The U-label becomes the canonical form, so it must be a fixed point of the mapping.
  if (u.normalize('NFC') !== u || u.toLowerCase() !== u) return fail('domain', 'invalid A-label')
  const encoded = checkULabel(cps)
  if (isError(encoded)) return encoded
  if (encoded !== body) return fail('domain', 'invalid A-label')
  return u
}

/** One label: LDH (RFC 1123 §2.1, RFC 5890 §2.3.1), an A-label (converted), or a U-label. */
const prepareLabel = (label: string): Prepared => {
  if (label === '') return fail('domain', 'empty label')
  if (LDH_LABEL.test(label)) {
    if (label.length > MAX_LABEL_OCTETS) return fail('domain', 'label exceeds 63 octets')
    if (label.charCodeAt(0) === 0x2d || label.charCodeAt(label.length - 1) === 0x2d)
      return fail('domain', 'label starts or ends with a hyphen')
    return label.startsWith('xn--') ? aLabelToULabel(label) : label
  }
  const cps = codePoints(label)
  if (cps.every((c) => c < INITIAL_N)) {
    const bad = cps.find((c) => digitValue(c) < 0 && c !== 0x2d) ?? 0
    return fail('domain', `disallowed character ${hex(bad)}`)
  }
  const checked = checkULabel(cps)
  return isError(checked) ? checked : label
}

/** RFC 5895 §2 mappings: width, ideographic full stop, lowercase, NFC. */
const mapDomain = (s: string): string =>
  widthMap(s).replace(IDEOGRAPHIC_FULL_STOP, '.').toLowerCase().normalize('NFC')

/** RFC 5952 §4 (and §5 for IPv4-mapped addresses): one canonical text form per address. */
const formatIPv6 = (g: ReadonlyArray<number>): string => {
  const at = (i: number): number => g[i] ?? 0
  if (at(0) === 0 && at(1) === 0 && at(2) === 0 && at(3) === 0 && at(4) === 0 && at(5) === 0xffff)
    return `::ffff:${at(6) >> 8}.${at(6) & 0xff}.${at(7) >> 8}.${at(7) & 0xff}`
  let bestStart = -1
  let bestLength = 1
  for (let i = 0; i < 8; ) {
    if (at(i) !== 0) {
      i++
      continue
    }
    let j = i
    while (j < 8 && at(j) === 0) j++
    if (j - i > bestLength) {
      bestStart = i
      bestLength = j - i
    }
    i = j
  }
  const groups = g.map((x) => x.toString(16))
  if (bestStart < 0) return groups.join(':')
  return `${groups.slice(0, bestStart).join(':')}::${groups.slice(bestStart + bestLength).join(':')}`
}

const parseGroups = (side: string, ipv4Tail: boolean): Array<number> | undefined => {
  if (side === '') return []
  const parts = side.split(':')
  const out: Array<number> = []
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i] ?? ''
    if (ipv4Tail && i === parts.length - 1 && p.includes('.')) {
      if (!IPV4.test(p)) return undefined
      const [a = 0, b = 0, c = 0, d = 0] = p.split('.').map(Number)
      out.push((a << 8) | b, (c << 8) | d)
    } else if (HEX_GROUP.test(p)) out.push(Number.parseInt(p, 16))
    else return undefined
  }
  return out
}

/** RFC 4291 §2.2 text forms, without zone identifiers (RFC 3986 IP-literal has none). */
const parseIPv6 = (s: string): ReadonlyArray<number> | undefined => {
  const gap = s.indexOf('::')
  if (gap < 0) {
    const groups = parseGroups(s, true)
    return groups?.length === 8 ? groups : undefined
  }
  if (s.indexOf('::', gap + 1) >= 0) return undefined
  const head = parseGroups(s.slice(0, gap), false)
  const tail = parseGroups(s.slice(gap + 2), true)
  if (head === undefined || tail === undefined) return undefined
  const zeros = 8 - head.length - tail.length
  if (zeros < 1) return undefined
  return [...head, ...new Array<number>(zeros).fill(0), ...tail]
}

/**
 * One pass over the usual domainpart: lowercase LDH labels of 1–63 octets without edge
 * hyphens, no final dot, not all digits. Anything else (including `xn--` and other labels with
 * `--` in positions 3–4) takes the full path; a `true` here is always a correct answer.
 */
const isCanonicalHost = (s: string): boolean => {
  const n = s.length
  if (n > MAX_OCTETS) return false
  let labelStart = 0
  let nonDigit = false
  for (let i = 0; i <= n; i++) {
    const c = i < n ? s.charCodeAt(i) : 0x2e
    if (c === 0x2e) {
      const length = i - labelStart
      if (length === 0 || length > MAX_LABEL_OCTETS) return false
      if (s.charCodeAt(labelStart) === 0x2d || s.charCodeAt(i - 1) === 0x2d) return false
      if (s.charCodeAt(labelStart + 2) === 0x2d && s.charCodeAt(labelStart + 3) === 0x2d)
        return false
      labelStart = i + 1
    } else if ((c >= 0x61 && c <= 0x7a) || c === 0x2d) nonDigit = true
    else if (c < 0x30 || c > 0x39) return false
  }
  return nonDigit
}

/** RFC 7622 §3.2: IP-literal, IPv4address, or a name of LDH labels, A-labels and U-labels. */
const prepareDomain = (raw: string): Prepared => {
  if (raw === '') return fail('domain', 'empty domainpart')
  if (raw.length > MAX_RAW_PART) return fail('domain', `domainpart exceeds ${MAX_OCTETS} octets`)
  if (isCanonicalHost(raw)) return raw
  if (raw.charCodeAt(0) === 0x5b) {
    if (raw.charCodeAt(raw.length - 1) !== 0x5d) return fail('domain', 'unterminated IP literal')
    const groups = parseIPv6(raw.slice(1, -1))
    return groups === undefined ? fail('domain', 'invalid IPv6 address') : `[${formatIPv6(groups)}]`
  }
  let s: string
  if (ASCII_HOST.test(raw)) {
    s = raw.toLowerCase()
    if (isCanonicalHost(s)) return s
  } else {
    const mapped = stabilize(mapDomain, raw)
    if (mapped === undefined) return fail('domain', 'domainpart is unstable under preparation')
    s = mapped
  }
  // RFC 7622 §3.2: a final label separator is stripped before the address is used.
  if (s.charCodeAt(s.length - 1) === 0x2e) s = s.slice(0, -1)
  if (s === '') return fail('domain', 'empty domainpart')
  if (IPV4.test(s)) return s
  if (DIGITS_AND_DOTS.test(s)) return fail('domain', 'invalid IPv4 address')
  const labels = s.split('.')
  let changed = false
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i] ?? ''
    const r = prepareLabel(label)
    if (isError(r)) return r
    if (r !== label) {
      labels[i] = r
      changed = true
    }
  }
  return checkLength('domain', 'domainpart', changed ? labels.join('.') : s)
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Validates and canonicalizes a JID (RFC 7622 §3). The resourcepart is everything after the
 * first `/`; the localpart is everything before the first `@` that precedes it (RFC 7622 §3.1),
 * so `a/b@c` is domain `a`, resource `b@c`. Each part is prepared (localpart: RFC 8265 §3.3,
 * domainpart: IDNA2008 and RFC 5952, resourcepart: RFC 8265 §4.2) and must be 1–1023 octets.
 * An input already in canonical form is returned as is.
 *
 * @category constructors
 */
export const parse = (s: string): Either<JidError, Jid> => {
  const r = prepare(s)
  return typeof r === 'string' ? E.right(r as Jid) : E.left(r)
}

const prepare = (s: string): Prepared => {
  if (typeof s !== 'string') return fail('jid', 'not a string')
  if (s === '') return fail('jid', 'empty JID')
  if (s.length > MAX_RAW_JID) return fail('jid', 'JID too long')
  const slash = s.indexOf('/')
  const head = slash < 0 ? s : s.slice(0, slash)
  const at = head.indexOf('@')
  const rawLocal = at < 0 ? undefined : head.slice(0, at)
  const rawDomain = at < 0 ? head : head.slice(at + 1)
  const rawResource = slash < 0 ? undefined : s.slice(slash + 1)

  const l = rawLocal === undefined ? undefined : prepareLocal(rawLocal)
  if (l !== undefined && isError(l)) return l
  const d = prepareDomain(rawDomain)
  if (isError(d)) return d
  const r = rawResource === undefined ? undefined : prepareResource(rawResource)
  if (r !== undefined && isError(r)) return r
  // The common case: already canonical, so no new string is built.
  if (l === rawLocal && d === rawDomain && r === rawResource) return s
  const bareJid = l === undefined ? d : `${l}@${d}`
  return r === undefined ? bareJid : `${bareJid}/${r}`
}

/**
 * Parses a JID written in code, such as a service address: an invalid one is a programmer error
 * and throws a `RangeError`. Use `parse` for anything that comes from input.
 *
 * @example
 * import { Jid } from 'stanzakit'
 * const service = Jid.unsafeParse('Conference.Example.COM')
 * console.log(service) // 'conference.example.com'
 *
 * @category constructors
 * @since 0.2.0
 */
export const unsafeParse = (s: string): Jid => {
  const r = prepare(s)
  if (typeof r !== 'string')
    throw new RangeError(`Jid.unsafeParse: ${r.part}: ${r.message}: ${quoteJid(s)}`)
  return r as Jid
}

const quoteJid = (s: unknown): string =>
  typeof s === 'string' ? JSON.stringify(s.length > 60 ? `${s.slice(0, 60)}…` : s) : typeof s

// -------------------------------------------------------------------------------------
// refinements
// -------------------------------------------------------------------------------------

/**
 * A string that is a JID in canonical form (it parses to itself). `'Juliet@example.com'` is
 * not, although it parses.
 *
 * @category refinements
 */
export const is = (u: unknown): u is Jid => {
  return typeof u === 'string' && prepare(u) === u
}

/**
 * No resourcepart: a bare JID (RFC 7622 §3).
 *
 * @category refinements
 */
export const isBare = (j: Jid): boolean => j.indexOf('/') < 0

// -------------------------------------------------------------------------------------
// getters
// -------------------------------------------------------------------------------------

/**
 * The prepared localpart, if any (RFC 7622 §3.3).
 *
 * @category getters
 */
export const local = (j: Jid): Option<string> => {
  const slash = j.indexOf('/')
  const at = j.indexOf('@')
  return at >= 0 && (slash < 0 || at < slash) ? O.some(j.slice(0, at)) : O.none
}

/**
 * The prepared domainpart (RFC 7622 §3.2) as a JID of its own (the service), lowercase, U-labels,
 * no final dot; IP literals in RFC 5952 form with brackets.
 *
 * @category getters
 */
export const domain = (j: Jid): Jid => {
  const slash = j.indexOf('/')
  const end = slash < 0 ? j.length : slash
  const at = j.indexOf('@')
  return j.slice(at >= 0 && at < end ? at + 1 : 0, end) as Jid
}

/**
 * The prepared resourcepart, if any (RFC 7622 §3.4); case and spaces as given.
 *
 * @category getters
 */
export const resource = (j: Jid): Option<string> => {
  const slash = j.indexOf('/')
  return slash < 0 ? O.none : O.some(j.slice(slash + 1))
}

// -------------------------------------------------------------------------------------
// setters
// -------------------------------------------------------------------------------------

/**
 * The bare JID: the resourcepart removed (RFC 7622 §3).
 *
 * @category setters
 */
export const bare = (j: Jid): Jid => {
  const slash = j.indexOf('/')
  return slash < 0 ? j : (j.slice(0, slash) as Jid)
}

/**
 * Sets (or replaces) the resourcepart, preparing it as OpaqueString (RFC 7622 §3.4,
 * RFC 8265 §4.2); `Left` if it is empty, too long or has disallowed code points.
 *
 * @category setters
 */
export const withResource =
  (r: string) =>
  (j: Jid): Either<JidError, Jid> => {
    const prepared = typeof r === 'string' ? prepareResource(r) : fail('resource', 'not a string')
    return isError(prepared) ? E.left(prepared) : E.right(`${bare(j)}/${prepared}` as Jid)
  }

// -------------------------------------------------------------------------------------
// codecs
// -------------------------------------------------------------------------------------

/**
 * io-ts codec: decodes any string that `parse` accepts (to its canonical form), encodes to the
 * canonical string (RFC 7622 §3).
 *
 * @category codecs
 */
export const codec: t.Type<Jid, string, unknown> = new t.Type<Jid, string, unknown>(
  'Jid',
  is,
  (u, c) => {
    if (typeof u !== 'string') return t.failure(u, c, 'expected a JID string')
    const r = parse(u)
    return E.isRight(r) ? t.success(r.right) : t.failure(u, c, `${r.left.part}: ${r.left.message}`)
  },
  (j) => j,
)

// -------------------------------------------------------------------------------------
// instances
// -------------------------------------------------------------------------------------

/**
 * Address equality: string equality of canonical forms (RFC 7622 §3.1). Resourceparts compare
 * case-sensitively.
 *
 * @category instances
 */
export const Eq: Eq_<Jid> = { equals: (x, y) => x === y }

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

const ESCAPES: ReadonlyMap<string, string> = new Map([
  [' ', '\\20'],
  ['"', '\\22'],
  ['&', '\\26'],
  ["'", '\\27'],
  ['/', '\\2f'],
  [':', '\\3a'],
  ['<', '\\3c'],
  ['>', '\\3e'],
  ['@', '\\40'],
  ['\\', '\\5c'],
])
const UNESCAPES: ReadonlyMap<string, string> = new Map(
  Array.from(ESCAPES, ([raw, escaped]) => [escaped, raw]),
)
const ESCAPABLE = /[ "&'/:<>@\\]/g
const ESCAPE_SEQUENCE = /\\(?:20|22|26|27|2f|3a|3c|3e|40|5c)/g

/**
 * XEP-0106: turns a user-facing name into a localpart candidate. Edge spaces are dropped
 * (an escaped localpart may not start or end with `\20`), then space, `" & ' / : < > @` and
 * every backslash are escaped. No PRECIS preparation: `parse` still decides validity.
 *
 * @category utils
 */
export const escapeLocal = (s: string): string => {
  // Index scans rather than a regex: `/ +$/` backtracks quadratically on long space runs.
  let start = 0
  let end = s.length
  while (start < end && s.charCodeAt(start) === 0x20) start++
  while (end > start && s.charCodeAt(end - 1) === 0x20) end--
  return s.slice(start, end).replace(ESCAPABLE, (c) => ESCAPES.get(c) ?? c)
}

/**
 * XEP-0106: for display only. Replaces exactly the ten lowercase escape sequences, left to
 * right without rescanning (`\5c20` gives `\20`); anything else (`\zz`, `\2F`) stays.
 *
 * @category utils
 */
export const unescapeLocal = (s: string): string =>
  s.replace(ESCAPE_SEQUENCE, (q) => UNESCAPES.get(q) ?? q)
