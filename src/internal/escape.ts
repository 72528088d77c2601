/**
 * Escaping for the string writers (docs/security.md §5): shared by `Xml.serialize` and the stanza
 * encoders, which write their fixed parts directly instead of building elements first.
 *
 * Most values (JIDs, ids, bodies) need nothing: one regex test says so and the input is returned
 * untouched. The rest are rewritten in one hand-written pass (no `replace` callback per markup
 * character, no second pass for illegal characters). The result is that of `toXmlText`
 * (chars.ts) followed by the entity replacements.
 */
import { toXmlText } from './chars.js'

const TEXT = 1
const ATTR = 2
// Per ASCII code unit: does text (TEXT) or an attribute value (ATTR) need it escaped or
// replaced? C0 controls other than TAB/LF/CR are not XML characters (U+FFFD); `&`, `<`, `>`
// always; CR in text so it survives end-of-line normalization (XML 1.0 §2.11); quotes, TAB, LF
// and CR in attribute values so they survive attribute-value normalization (§3.3.3).
const special = new Uint8Array(128)
for (let c = 0; c < 0x20; c++) special[c] = TEXT | ATTR
special[9] = ATTR
special[10] = ATTR
special[13] = TEXT | ATTR
for (const c of [38, 60, 62]) special[c] = TEXT | ATTR // & < >
special[34] = ATTR // "
special[39] = ATTR // '

const replacement = (c: number): string => {
  switch (c) {
    case 38:
      return '&amp;'
    case 60:
      return '&lt;'
    case 62:
      return '&gt;'
    case 39:
      return '&apos;'
    case 34:
      return '&quot;'
    case 9:
      return '&#9;'
    case 10:
      return '&#10;'
    case 13:
      return '&#13;'
    default:
      return '\uFFFD'
  }
}

/**
 * Index of the first code unit at or after `i` that needs work for `kind`: a special ASCII
 * character, a surrogate that is not part of a pair, or U+FFFE/U+FFFF; `s.length` if none.
 */
const firstSpecial = (s: string, i: number, kind: number): number => {
  const n = s.length
  while (i < n) {
    const c = s.charCodeAt(i)
    if (c < 128) {
      if (((special[c] ?? 0) & kind) !== 0) return i
      i++
    } else if (c < 0xd800 || (c >= 0xe000 && c < 0xfffe)) i++
    else if (c <= 0xdbff) {
      const d = s.charCodeAt(i + 1)
      if (d >= 0xdc00 && d <= 0xdfff) i += 2
      else return i
    } else return i
  }
  return n
}

/** Escapes `s` from `at`, the first index needing work. */
const escapeFrom = (s: string, at: number, kind: number): string => {
  const n = s.length
  let out = ''
  let last = 0
  for (let i = at; i < n; i = firstSpecial(s, i, kind)) {
    const c = s.charCodeAt(i)
    // Everything `firstSpecial` stops on is replaced by one string: an entity, or U+FFFD for a
    // C0 control, a lone surrogate or U+FFFE/U+FFFF.
    out += s.slice(last, i) + (c < 128 ? replacement(c) : '\uFFFD')
    last = ++i
  }
  return last === 0 ? s : out + s.slice(last)
}

// Does a string need any work? Most do not, and one test of a plain character class answers that
// faster than a loop of `charCodeAt`: the regex flattens the string once and runs native code
// over its characters, where the loop pays for the string's representation (sliced from the
// input, concatenated) on every character. The class also matches surrogates, so strings with
// those (an emoji in a body) are walked to tell pairs from lone halves; only then the loop runs.
const textNeedsWork = /[&<>\r\0-\x08\x0B\x0C\x0E-\x1F\uD800-\uDFFF\uFFFE\uFFFF]/
const textSpecials = /[&<>\r]/g
const attrNeedsWork = /[&<>'"\t\n\r\0-\x08\x0B\x0C\x0E-\x1F\uD800-\uDFFF\uFFFE\uFFFF]/
const attrSpecials = /[&<>'"\t\n\r]/g
// The regex formulation, kept for values that are not strings at all (records built around the
// types): it decides what those become, as it always did.
const toEntity = (c: string): string => replacement(c.charCodeAt(0))
const untypedText = (s: string): string =>
  textNeedsWork.test(s) ? toXmlText(s).replace(textSpecials, toEntity) : s
const untypedAttr = (s: string): string =>
  attrNeedsWork.test(s) ? toXmlText(s).replace(attrSpecials, toEntity) : s

/** Text escaping: CR as a reference so it survives end-of-line normalization (XML 1.0 §2.11). */
export const escapeText = (s: string): string => {
  if (typeof s !== 'string') return untypedText(s)
  if (!textNeedsWork.test(s)) return s
  const at = firstSpecial(s, 0, TEXT)
  return at === s.length ? s : escapeFrom(s, at, TEXT)
}

/** Attribute escaping: TAB/LF/CR as references so they survive normalization (XML 1.0 §3.3.3). */
export const escapeAttr = (s: string): string => {
  if (typeof s !== 'string') return untypedAttr(s)
  if (!attrNeedsWork.test(s)) return s
  const at = firstSpecial(s, 0, ATTR)
  return at === s.length ? s : escapeFrom(s, at, ATTR)
}
