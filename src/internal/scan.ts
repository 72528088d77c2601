/**
 * The restricted-XML pre-scan (docs/security.md §1 stage 2): one pass over the input that is the
 * well-formedness authority before fast-xml-parser builds the tree.
 *
 * Written by hand because no library checks this profile: fast-xml-parser's validator accepts
 * DOCTYPE, comments, PIs, undefined entities, illegal characters and all namespace errors, and
 * echoes input in its messages (docs/security.md §4). This scan is O(n) and stops at the first fault
 * with its condition and offset.
 *
 * It runs on every stanza before fast-xml-parser, so it is written for speed (bench xml:parse
 * guards it): one function whose cursor is a local variable (V8 keeps it in a register; a `this.i`
 * field is a memory load and store per character), ASCII lookup tables instead of comparison
 * chains, and no strings built on the happy path: names are compared in place by offset and only
 * sliced for a fault message.
 */
import { isNameCode, isNameStartCode, isSpaceCode, isXmlCharCode, quote } from './chars.js'

/**
 * The RFC 6120 §4.9.3 conditions the scan raises: all of `Xml.XmlCondition` but
 * `unsupported-encoding`, which is decided on the octets before any scan (`internal/encoding.ts`).
 */
export type ScanCondition = 'not-well-formed' | 'restricted-xml' | 'policy-violation' | 'bad-format'

export interface ScanFault {
  readonly condition: ScanCondition
  readonly message: string
  readonly offset: number
  readonly reason?: string
}

export interface ScanLimits {
  readonly maxDepth: number
  readonly maxElements: number
  readonly maxAttributes: number
  readonly maxNameLength: number
}

/** Names a JavaScript object model already owns; fast-xml-parser throws or renames them. */
export const unprocessableNames: ReadonlySet<string> = new Set([
  '__proto__',
  'constructor',
  'prototype',
  'hasOwnProperty',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toString',
  'toLocaleString',
  'valueOf',
  '__defineGetter__',
  '__defineSetter__',
  '__lookupGetter__',
  '__lookupSetter__',
])

const LT = 60
const GT = 62
const AMP = 38
const SLASH = 47
const BANG = 33
const QUESTION = 63
const EQ = 61
const RBRACKET = 93
const HASH = 35
const SEMI = 59
const QUOT = 34
const APOS = 39

// ASCII classes, one byte per code unit below 128. Bits: NAME_START and NAME follow XML 1.0
// §2.3; TEXT marks characters that text may hold with no further look (everything but C0
// controls other than TAB/LF/CR, and `<`, `&`, `]`); ATTR the same for attribute values (`]` is
// plain there; quotes are not, nor TAB/LF/CR, which the scan reports in its flags).
const NAME_START = 1
const NAME = 2
const TEXT = 4
const ATTR = 8
const ascii = new Uint8Array(128)
for (let c = 0; c < 128; c++) {
  let k = 0
  if (isNameStartCode(c)) k |= NAME_START | NAME
  else if (isNameCode(c)) k |= NAME
  const xmlChar = c >= 0x20 || c === 9 || c === 10 || c === 13
  if (xmlChar && c !== LT && c !== AMP && c !== RBRACKET) k |= TEXT
  if (c >= 0x20 && c !== LT && c !== AMP && c !== QUOT && c !== APOS) k |= ATTR
  ascii[c] = k
}

const skipSpace = (s: string, i: number, n: number): number => {
  while (i < n && isSpaceCode(s.charCodeAt(i))) i++
  return i
}

/** Is the code unit plain in text or attribute values beyond ASCII (not a surrogate, U+FFFE/F)? */
const plainWide = (c: number): boolean => c < 0xd800 || (c >= 0xe000 && c <= 0xfffd)

class Fault {
  constructor(readonly fault: ScanFault) {}
}

const fail = (
  condition: ScanCondition,
  offset: number,
  message: string,
  reason?: string,
): never => {
  throw new Fault(
    reason === undefined ? { condition, message, offset } : { condition, message, offset, reason },
  )
}

/**
 * What an accepted input holds, as bits of the number `scan` returns: the tree builder skips the
 * decoding work none of the input needs (most stanzas carry no reference in any attribute value).
 */
export const Found = {
  /** A reference (`&…;`) in some attribute value. */
  attrReference: 1,
  /** A literal TAB, LF or CR in some attribute value (normalized to a space, XML 1.0 §3.3.3). */
  attrWhitespace: 2,
  /** A reference in some text (outside CDATA). */
  textReference: 4,
} as const

/**
 * Scans `s`; returns the first fault, or the {@link Found} bits when the input is acceptable.
 * If `starts` is given, the offset of each start tag is appended to it, in document order (only
 * needed to place a later namespace fault, so the happy path skips it).
 */
export const scan = (s: string, limits: ScanLimits, starts?: number[]): ScanFault | number => {
  try {
    return run(s, limits, starts)
  } catch (e) {
    if (e instanceof Fault) return e.fault
    throw e
  }
}

// Scratch space, the module's only mutable state: a bounded cache, shared between calls (the scan
// is synchronous and never re-entered) so that a scan allocates nothing on the happy path (bench
// xml:parse). It holds numbers only, never input: at most `maxDepth` and `maxAttributes + 1`
// entries for the largest limits a call was given; a scan reads only what it wrote itself.
// Open elements, as offset and length of their names in the input.
const openAt: number[] = []
const openLen: number[] = []
// Attribute names of the current start tag, as offsets and lengths, for the duplicate check.
const attrAt: number[] = []
const attrLen: number[] = []

const sameName = (s: string, a: number, b: number, len: number): boolean => {
  for (let k = 0; k < len; k++) if (s.charCodeAt(a + k) !== s.charCodeAt(b + k)) return false
  return true
}

/** Throws on the first fault; returns the {@link Found} bits. */
const run = (s: string, limits: ScanLimits, starts: number[] | undefined): number => {
  const n = s.length
  let found = 0
  const { maxDepth, maxElements, maxAttributes, maxNameLength } = limits
  let depth = 0
  let elements = 0
  let seenRoot = false
  let i = 0
  while (i < n) {
    let c = s.charCodeAt(i)
    if (c === LT) {
      const c1 = s.charCodeAt(i + 1)
      if (c1 === SLASH) {
        // end tag
        const at = i
        const nameAt = i + 2
        i = nameEnd(s, nameAt, n, maxNameLength, 'element')
        const len = i - nameAt
        i = skipSpace(s, i, n)
        if (s.charCodeAt(i) !== GT) {
          if (i >= n) fail('not-well-formed', i, 'truncated end tag')
          fail('not-well-formed', i, 'end tags take no attributes')
        }
        i++
        if (depth === 0)
          fail('not-well-formed', at, `stray end tag ${quote(s.slice(nameAt, nameAt + len))}`)
        depth--
        const openStart = openAt[depth] ?? 0
        const openLength = openLen[depth] ?? 0
        if (openLength !== len || !sameName(s, openStart, nameAt, len))
          fail(
            'not-well-formed',
            at,
            `end tag ${quote(s.slice(nameAt, nameAt + len))} does not match ${quote(s.slice(openStart, openStart + openLength))}`,
          )
      } else if (c1 === BANG) i = bang(s, i, depth)
      else if (c1 === QUESTION)
        fail('restricted-xml', i, 'processing instructions and XML declarations are not allowed')
      else {
        // start tag
        if (seenRoot && depth === 0) fail('not-well-formed', i, 'more than one root element')
        seenRoot = true
        const at = i
        const nameAt = i + 1
        i = nameEnd(s, nameAt, n, maxNameLength, 'element')
        const nameLen = i - nameAt
        checkProcessable(s, at, nameAt, i)
        if (depth + 1 > maxDepth) fail('policy-violation', at, `nesting deeper than ${maxDepth}`)
        if (elements + 1 > maxElements)
          fail('policy-violation', at, `more than ${maxElements} elements`)
        elements++
        if (starts !== undefined) starts.push(at)
        let attrs = 0
        for (;;) {
          const spaceAt = i
          i = skipSpace(s, i, n)
          c = s.charCodeAt(i)
          if (c === GT) {
            i++
            openAt[depth] = nameAt
            openLen[depth] = nameLen
            depth++
            break
          }
          if (c === SLASH) {
            if (s.charCodeAt(i + 1) !== GT) fail('not-well-formed', i, 'expected "/>"')
            i += 2
            break
          }
          if (i >= n) fail('not-well-formed', i, 'truncated start tag')
          if (i === spaceAt)
            fail('not-well-formed', i, 'attributes must be separated by whitespace')
          const aAt = i
          i = nameEnd(s, aAt, n, maxNameLength, 'attribute')
          const aLen = i - aAt
          for (let k = 0; k < attrs; k++)
            if (attrLen[k] === aLen && sameName(s, attrAt[k] ?? 0, aAt, aLen))
              fail('not-well-formed', aAt, `duplicate attribute ${quote(s.slice(aAt, i))}`)
          attrAt[attrs] = aAt
          attrLen[attrs] = aLen
          attrs++
          if (attrs > maxAttributes)
            fail('policy-violation', aAt, `more than ${maxAttributes} attributes`)
          i = skipSpace(s, i, n)
          if (s.charCodeAt(i) !== EQ)
            fail('not-well-formed', i, `attribute ${quote(s.slice(aAt, aAt + aLen))} has no value`)
          i++
          i = skipSpace(s, i, n)
          const q = s.charCodeAt(i)
          if (q !== QUOT && q !== APOS)
            fail(
              'not-well-formed',
              i,
              `attribute ${quote(s.slice(aAt, aAt + aLen))} value is not quoted`,
            )
          i++
          // attribute value
          for (;;) {
            if (i >= n) fail('not-well-formed', n, 'unterminated attribute value')
            c = s.charCodeAt(i)
            if (c < 128) {
              if ((ascii[c] ?? 0) & ATTR) i++
              else if (c === q) {
                i++
                break
              } else if (c === QUOT || c === APOS) i++
              else if (c === LT) fail('not-well-formed', i, '"<" in an attribute value')
              else if (c === AMP) {
                found |= Found.attrReference
                i = reference(s, i, n, maxNameLength)
              } else if (c === 9 || c === 10 || c === 13) {
                found |= Found.attrWhitespace
                i++
              } else i = char(s, i, c)
            } else if (plainWide(c)) i++
            else i = char(s, i, c)
          }
        }
      }
    } else if (depth === 0) {
      if (!isSpaceCode(c)) {
        if (c === 0xfeff) fail('not-well-formed', i, 'U+FEFF (byte order mark) is not allowed')
        fail('not-well-formed', i, 'text outside the root element')
      }
      i++
    } else {
      // Text up to the next tag. A hand-written loop rather than `indexOf('<')` plus a regex test
      // of the run: stanza text runs are short (tens of characters), where one regex call costs
      // more than walking them, and this walk validates as it goes instead of reading twice.
      while (i < n) {
        c = s.charCodeAt(i)
        if (c < 128) {
          if ((ascii[c] ?? 0) & TEXT) i++
          else if (c === LT) break
          else if (c === AMP) {
            found |= Found.textReference
            i = reference(s, i, n, maxNameLength)
          } else if (c === RBRACKET) {
            if (s.startsWith(']]>', i)) fail('not-well-formed', i, '"]]>" in text')
            i++
          } else i = char(s, i, c)
        } else if (plainWide(c)) i++
        else i = char(s, i, c)
      }
    }
  }
  if (!seenRoot) {
    if (n === 0) fail('not-well-formed', 0, 'empty input')
    fail('not-well-formed', 0, 'whitespace only: not a stanza', 'not-a-stanza')
  }
  if (depth > 0) {
    const at = openAt[depth - 1] ?? 0
    fail(
      'not-well-formed',
      n,
      `unclosed element ${quote(s.slice(at, at + (openLen[depth - 1] ?? 0)))}`,
    )
  }
  return found
}

// Every unprocessable name is 7 to 20 characters long and starts with one of `_ c h i p t v`:
// testing that first rules out nearly every name without hashing or building a string.
const mayBeUnprocessable = (len: number, first: number): boolean =>
  len >= 7 &&
  len <= 20 &&
  (first === 95 ||
    first === 99 ||
    first === 104 ||
    first === 105 ||
    first === 112 ||
    first === 116 ||
    first === 118)

/** Is `name` one of {@link unprocessableNames}? */
export const isUnprocessable = (name: string): boolean =>
  mayBeUnprocessable(name.length, name.charCodeAt(0)) && unprocessableNames.has(name)

/** Fails for an element name whose local part the JS object model owns. */
const checkProcessable = (s: string, at: number, nameAt: number, end: number): void => {
  let local = nameAt
  for (let k = nameAt; k < end; k++)
    if (s.charCodeAt(k) === 58 /* : */) {
      local = k + 1
      break
    }
  if (
    mayBeUnprocessable(end - local, s.charCodeAt(local)) &&
    unprocessableNames.has(s.slice(local, end))
  )
    fail(
      'bad-format',
      at,
      `element name ${quote(s.slice(nameAt, end))} is not processable`,
      'unprocessable-name',
    )
}

/** End of the XML `Name` starting at `start`; fails if there is none or it is too long. */
const nameEnd = (s: string, start: number, n: number, maxLen: number, what: string): number => {
  let i = start
  let want = NAME_START
  // The limit is in characters (docs/security.md §3): a surrogate pair is one.
  let pairs = 0
  while (i < n) {
    const c = s.charCodeAt(i)
    if (c < 128) {
      if (((ascii[c] ?? 0) & want) === 0) break
      i++
    } else {
      let cp = c
      let width = 1
      if (c >= 0xd800 && c <= 0xdbff) {
        const d = s.charCodeAt(i + 1)
        if (d >= 0xdc00 && d <= 0xdfff) {
          cp = ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000
          width = 2
        }
      }
      if (want === NAME_START ? !isNameStartCode(cp) : !isNameCode(cp)) break
      // Legal name characters that JavaScript's `\s` also matches: fast-xml-parser splits names
      // on `\s`, so `a\uFEFF10` would reach the tree as `10`. Refuse rather than build a
      // different tree than the one scanned.
      if (cp === 0xfeff || cp === 0x1680)
        fail(
          'bad-format',
          start,
          `${what} name holds U+${cp.toString(16).toUpperCase()}`,
          'unprocessable-name',
        )
      i += width
      pairs += width - 1
    }
    want = NAME
  }
  if (i === start) fail('not-well-formed', start, `expected ${what} name`)
  if (i - start - pairs > maxLen)
    fail('policy-violation', start, `${what} name longer than ${maxLen}`)
  return i
}

/** Validates one character that is not plain (a surrogate pair counts as one); the next index. */
const char = (s: string, i: number, c: number): number => {
  if (c >= 0x20 && c < 0xd800) return i + 1
  if (c === 9 || c === 10 || c === 13) return i + 1
  if (c >= 0xd800 && c <= 0xdbff) {
    const d = s.charCodeAt(i + 1)
    if (d >= 0xdc00 && d <= 0xdfff) return i + 2
    fail('not-well-formed', i, 'unpaired surrogate')
  }
  if (c >= 0xdc00 && c <= 0xdfff) fail('not-well-formed', i, 'unpaired surrogate')
  if (c >= 0xe000 && c <= 0xfffd) return i + 1
  return fail(
    'not-well-formed',
    i,
    `character U+${c.toString(16).toUpperCase().padStart(4, '0')} is not allowed in XML`,
  )
}

/** `<!…` at `at`: a CDATA section inside the root is checked and skipped; the rest is refused. */
const bang = (s: string, at: number, depth: number): number => {
  if (s.startsWith('<![CDATA[', at)) {
    if (depth === 0) fail('not-well-formed', at, 'CDATA outside the root element')
    const end = s.indexOf(']]>', at + 9)
    if (end < 0) fail('not-well-formed', at, 'unterminated CDATA section')
    for (let i = at + 9; i < end; ) {
      const c = s.charCodeAt(i)
      i = c >= 0x20 && c < 0xd800 ? i + 1 : char(s, i, c)
    }
    return end + 3
  }
  if (s.startsWith('<!--', at)) fail('restricted-xml', at, 'comments are not allowed')
  if (s.startsWith('<!DOCTYPE', at)) fail('restricted-xml', at, 'DOCTYPE is not allowed')
  return fail('restricted-xml', at, 'markup declarations are not allowed')
}

/** Validates an entity or character reference at `at` (on the `&`); the index after it. */
const reference = (s: string, at: number, n: number, maxNameLength: number): number => {
  let i = at + 1
  if (s.charCodeAt(i) === HASH) {
    i++
    const hex = s.charCodeAt(i) === 120 /* x */
    if (hex) i++
    let value = 0
    const digitsAt = i
    for (; i < n; i++) {
      const c = s.charCodeAt(i)
      const d = c >= 48 && c <= 57 ? c - 48 : hex ? hexDigit(c) : -1
      if (d < 0) break
      value = value * (hex ? 16 : 10) + d
      // Cap early so a million digits cannot build a huge number (CVE-2026-25128 class).
      if (value > 0x10ffff) fail('not-well-formed', at, 'character reference out of range')
    }
    if (i === digitsAt || s.charCodeAt(i) !== SEMI)
      fail('not-well-formed', at, 'malformed character reference')
    if (!isXmlCharCode(value))
      fail('not-well-formed', at, `character reference to U+${value.toString(16).toUpperCase()}`)
    return i + 1
  }
  if (i >= n || !isNameStartCode(s.charCodeAt(i)))
    fail('not-well-formed', at, 'bare "&" (write &amp;)')
  const nameAt = i
  i = nameEnd(s, nameAt, n, maxNameLength, 'entity')
  if (s.charCodeAt(i) !== SEMI) fail('not-well-formed', at, 'entity reference without ";"')
  if (!isPredefined(s, nameAt, i))
    fail(
      'restricted-xml',
      at,
      `entity ${quote(s.slice(nameAt, i))} is not one of the five predefined ones`,
    )
  return i + 1
}

/** One of the five predefined entities (`lt`, `gt`, `amp`, `quot`, `apos`), compared in place. */
const isPredefined = (s: string, start: number, end: number): boolean => {
  const len = end - start
  const c = s.charCodeAt(start)
  if (len === 2) return (c === 108 || c === 103) && s.charCodeAt(start + 1) === 116 // lt gt
  if (len === 3) return c === 97 && s.startsWith('amp', start)
  if (len === 4) return (c === 113 && s.startsWith('quot', start)) || s.startsWith('apos', start)
  return false
}

const hexDigit = (c: number): number =>
  c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1
