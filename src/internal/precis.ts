/**
 * PRECIS (RFC 8264): the IdentifierClass and FreeformClass string classes, and the mapping rules
 * of two profiles of RFC 8265: UsernameCaseMapped (§3.3) and OpaqueString (§4.2).
 *
 * A profile is enforced in two steps, so that a caller can check its own rules in between (a JID
 * localpart also excludes `" & ' / : < > @`, RFC 7622 §3.3.1): `mapUsernameCaseMapped` or
 * `mapOpaqueString` applies the mapping rules until the string is stable, then `firstDisallowed`
 * checks the result against the profile's class. The empty-string rule is the caller's.
 *
 * The class is checked on the mapped string (RFC 8265 §3.3.2 checks it before case mapping and
 * NFC): what is accepted is then exactly what is kept, and a rejection names the mapped code
 * point (`Ⅳ` is reported as U+2173, its lowercase). Not applied: the Bidi Rule of
 * UsernameCaseMapped (RFC 8265 §3.3.1 rule 5), for want of a Bidi_Class property in JavaScript.
 */

import { codePoints, commonProperty, isLetterDigit, widthMap } from './idna.js'

/** The base string classes of RFC 8264 §4: IdentifierClass (§4.2), FreeformClass (§4.3). */
export type StringClass = 'identifier' | 'freeform'

/** RFC 8265 §4.2.2: any space separator (Zs) becomes U+0020. */
const SPACE_SEPARATOR = /\p{Zs}/gu
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
 * RFC 8264 §7: apply the mapping rules until the string is stable; a string that has not
 * stabilized after three more applications is rejected (`undefined`).
 */
export const stabilize = (f: (s: string) => string, s: string): string | undefined => {
  let current = f(s)
  for (let i = 0; i < 3; i++) {
    const next = f(current)
    if (next === current) return current
    current = next
  }
  return undefined
}

const mapUsername = (s: string): string => widthMap(s).toLowerCase().normalize('NFC')

/**
 * RFC 8265 §3.3.1 rules 1, 3 and 4, in the order of §3.3.2–3.3.3: width mapping, lowercase
 * (`toLowerCase`, so `ß` and `ς` stay), NFC; until stable.
 */
export const mapUsernameCaseMapped = (s: string): string | undefined => stabilize(mapUsername, s)

const mapOpaque = (s: string): string => s.replace(SPACE_SEPARATOR, ' ').normalize('NFC')

/** RFC 8265 §4.2.2: non-ASCII spaces to U+0020, NFC, case kept; until stable. */
export const mapOpaqueString = (s: string): string | undefined => stabilize(mapOpaque, s)

/**
 * RFC 8264 §8: the first code point of `s` that the class does not allow (its derived property
 * is neither PVALID nor, for FreeformClass, FREE_PVAL; or its contextual rule fails), or
 * `undefined`. The rules run in the RFC's order; the first ones are IDNA2008's (RFC 5892).
 */
export const firstDisallowed = (s: string, klass: StringClass): number | undefined => {
  const cps = codePoints(s)
  for (let i = 0; i < cps.length; i++) {
    const cp = cps[i] ?? 0
    if (cp < 0x80) {
      // §9.11 ASCII7 is PVALID (U+0021–007E); §9.14 Spaces (U+0020) is FREE_PVAL.
      if (cp >= 0x21 && cp <= 0x7e) continue
      if (cp === 0x20 && klass === 'freeform') continue
      return cp
    }
    const ch = String.fromCodePoint(cp)
    const common = commonProperty(cps, i, cp, ch)
    if (common === true) continue
    if (common === false) return cp
    if (DISALLOWED_ALWAYS.test(ch)) return cp
    // §9.17 HasCompat: NFKC of the lone code point differs from it.
    if (ch.normalize('NFKC') !== ch) {
      if (klass === 'freeform') continue
      return cp
    }
    if (isLetterDigit(ch)) continue
    if (klass === 'freeform' && FREEFORM_ONLY.test(ch)) continue
    return cp
  }
  return undefined
}
