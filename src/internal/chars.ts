/**
 * Character classes of XML 1.0 (Fifth Edition) §2.2 and §2.3, as char-code predicates.
 *
 * Hand-written rather than regex-based: the pre-scan walks every code unit of every stanza, and a
 * branch on the char code is several times cheaper than a regex call per character.
 */

/** XML 1.0 §2.3 `NameStartChar`, for a code point. */
export const isNameStartCode = (c: number): boolean =>
  (c >= 97 && c <= 122) ||
  (c >= 65 && c <= 90) ||
  c === 95 ||
  c === 58 ||
  (c >= 0xc0 && c <= 0xd6) ||
  (c >= 0xd8 && c <= 0xf6) ||
  (c >= 0xf8 && c <= 0x2ff) ||
  (c >= 0x370 && c <= 0x37d) ||
  (c >= 0x37f && c <= 0x1fff) ||
  c === 0x200c ||
  c === 0x200d ||
  (c >= 0x2070 && c <= 0x218f) ||
  (c >= 0x2c00 && c <= 0x2fef) ||
  (c >= 0x3001 && c <= 0xd7ff) ||
  (c >= 0xf900 && c <= 0xfdcf) ||
  (c >= 0xfdf0 && c <= 0xfffd) ||
  (c >= 0x10000 && c <= 0xeffff)

/** XML 1.0 §2.3 `NameChar`, for a code point. */
export const isNameCode = (c: number): boolean =>
  isNameStartCode(c) ||
  c === 45 ||
  c === 46 ||
  (c >= 48 && c <= 57) ||
  c === 0xb7 ||
  (c >= 0x300 && c <= 0x36f) ||
  (c >= 0x203f && c <= 0x2040)

/** XML 1.0 §2.2 `Char`, for a code point (not a code unit: surrogates are not characters). */
export const isXmlCharCode = (c: number): boolean =>
  c === 9 ||
  c === 10 ||
  c === 13 ||
  (c >= 0x20 && c <= 0xd7ff) ||
  (c >= 0xe000 && c <= 0xfffd) ||
  (c >= 0x10000 && c <= 0x10ffff)

/** XML 1.0 §2.3 `S`. */
export const isSpaceCode = (c: number): boolean => c === 32 || c === 10 || c === 9 || c === 13

/**
 * Is `s` an XML `Name` (XML 1.0 §2.3)? Walks code points so astral name characters count.
 */
export const isName = (s: string): boolean => {
  const n = s.length
  if (n === 0) return false
  let i = 0
  let first = true
  while (i < n) {
    const c = s.codePointAt(i) ?? 0
    if (first ? !isNameStartCode(c) : !isNameCode(c)) return false
    first = false
    i += c > 0xffff ? 2 : 1
  }
  return true
}

/** Namespaces in XML 1.0 §3 `NCName`: a `Name` without colons. */
export const isNCName = (s: string): boolean => isName(s) && !s.includes(':')

// Matches anything outside XML `Char` at the code-unit level: C0 controls other than TAB/LF/CR,
// lone surrogates and U+FFFE/U+FFFF. Without the `u` flag the regex sees code units, which is
// what lets it spot unpaired surrogates.
const illegalChars =
  /[\0-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:^|[^\uD800-\uDBFF])[\uDC00-\uDFFF]/

/** Does `s` hold only XML 1.0 characters? */
export const isXmlText = (s: string): boolean => !illegalChars.test(s)

const illegalCharsGlobal =
  /[\0-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g

/** Replaces every code unit outside XML `Char` by U+FFFD (RFC 6120 §11.6 allows no other). */
export const toXmlText = (s: string): string => s.replace(illegalCharsGlobal, '\uFFFD')

/** UTF-8 length of a string, without allocating (lone surrogates count as U+FFFD: 3 octets). */
export const utf8Length = (s: string): number => {
  let bytes = 0
  const n = s.length
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x80) bytes += 1
    else if (c < 0x800) bytes += 2
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
      const d = s.charCodeAt(i + 1)
      if (d >= 0xdc00 && d <= 0xdfff) {
        bytes += 4
        i++
      } else bytes += 3
    } else bytes += 3
  }
  return bytes
}

/** Cuts untrusted text for an error message: at most `max` characters, JSON-quoted. */
export const quote = (s: string, max = 40): string =>
  JSON.stringify(s.length > max ? `${s.slice(0, max)}…` : s)

// C0 and C1 controls, DEL, line/paragraph separators and the bidi controls.
const controls = /[\0-\x1F\x7F-\x9F\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069]/g

const escapeControl = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`

/**
 * Escapes (as `\uXXXX`) what could drive a terminal or split a log line: controls, line
 * separators, bidi controls. JSON stays valid JSON with the same value; idempotent.
 */
export const escapeControls = (s: string): string => s.replace(controls, escapeControl)

/** At most `max` characters of `s`, the last an ellipsis when cut, with controls escaped. */
export const clip = (s: string, max: number): string =>
  escapeControls(s.length > max ? `${s.slice(0, max - 1)}…` : s)

/**
 * An id, a name or a JID for a message or a report line: as is when short and plain (printable
 * ASCII, no space), else {@link quote}d, cut and with its controls escaped.
 */
export const shown = (s: string, max = 64): string =>
  s.length <= max && /^[\x21-\x7E]+$/.test(s) ? s : escapeControls(quote(s, max))

const xmlSpace = /^[ \t\n\r]*$/

/** Only XML white space (S, XML 1.0 §2.3) or empty: insignificant between elements. */
export const isXmlSpace = (s: string): boolean => xmlSpace.test(s)

/**
 * `s` without leading and trailing XML white space (S, XML 1.0 §2.3: space, TAB, CR, LF), as
 * values such as `<priority/>` or a redirect URI are read; not `String.prototype.trim`, which
 * also drops Unicode spaces. Returns `s` itself when there is nothing to cut.
 */
export const trimXmlSpace = (s: string): string => {
  let start = 0
  let end = s.length
  while (start < end && isSpaceCode(s.charCodeAt(start))) start++
  while (end > start && isSpaceCode(s.charCodeAt(end - 1))) end--
  return start === 0 && end === s.length ? s : s.slice(start, end)
}
