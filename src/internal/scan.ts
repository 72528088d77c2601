/**
 * The restricted-XML pre-scan (SECURITY.md §1 stage 2): one pass over the input that is the
 * well-formedness authority before fast-xml-parser builds the tree.
 *
 * Written by hand because no library checks this profile: fast-xml-parser's validator accepts
 * DOCTYPE, comments, PIs, undefined entities, illegal characters and all namespace errors, and
 * echoes input in its messages (SECURITY.md §4). This scan is O(n), allocates only the element
 * name stack, and stops at the first fault with its condition and offset.
 */
import { isNameCode, isNameStartCode, isSpaceCode, isXmlCharCode, quote } from './chars.js'

/** RFC 6120 §4.9.3 stream-error conditions the XML layer can raise. */
export type XmlCondition =
  | 'not-well-formed'
  | 'restricted-xml'
  | 'policy-violation'
  | 'unsupported-encoding'
  | 'bad-format'

export interface ScanFault {
  readonly condition: XmlCondition
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

const predefined: ReadonlySet<string> = new Set(['lt', 'gt', 'amp', 'quot', 'apos'])

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

/** Successful scan: the offset of each start tag, in document order. */
export type ScanResult = ScanFault | { readonly starts: ReadonlyArray<number> }

export const isFault = (r: ScanResult): r is ScanFault => 'condition' in r

class Fault {
  constructor(readonly fault: ScanFault) {}
}

/** Scans `s`; returns the first fault, or the start-tag offsets. */
export const scan = (s: string, limits: ScanLimits): ScanResult => {
  try {
    return new Scanner(s, limits).run()
  } catch (e) {
    if (e instanceof Fault) return e.fault
    throw e
  }
}

const fail = (condition: XmlCondition, offset: number, message: string, reason?: string): never => {
  throw new Fault(
    reason === undefined ? { condition, message, offset } : { condition, message, offset, reason },
  )
}

class Scanner {
  private i = 0
  private readonly n: number
  private readonly stack: string[] = []
  private readonly starts: number[] = []

  constructor(
    private readonly s: string,
    private readonly limits: ScanLimits,
  ) {
    this.n = s.length
  }

  run(): ScanResult {
    const { s, n } = this
    let seenRoot = false
    while (this.i < n) {
      const c = s.charCodeAt(this.i)
      if (c === LT) {
        const c1 = s.charCodeAt(this.i + 1)
        if (c1 === SLASH) this.endTag()
        else if (c1 === BANG) this.bang()
        else if (c1 === QUESTION)
          fail(
            'restricted-xml',
            this.i,
            'processing instructions and XML declarations are not allowed',
          )
        else {
          if (seenRoot && this.stack.length === 0)
            fail('not-well-formed', this.i, 'more than one root element')
          seenRoot = true
          this.startTag()
        }
      } else if (this.stack.length === 0) {
        if (!isSpaceCode(c)) {
          if (c === 0xfeff)
            fail('not-well-formed', this.i, 'U+FEFF (byte order mark) is not allowed')
          fail('not-well-formed', this.i, 'text outside the root element')
        }
        this.i++
      } else this.text()
    }
    if (!seenRoot) {
      if (n === 0) fail('not-well-formed', 0, 'empty input')
      fail('not-well-formed', 0, 'whitespace only: not a stanza', 'not-a-stanza')
    }
    const open = this.stack[this.stack.length - 1]
    if (open !== undefined) fail('not-well-formed', n, `unclosed element ${quote(open)}`)
    return { starts: this.starts }
  }

  /** Reads an XML `Name` at the cursor; returns it, or fails. */
  private name(what: string): string {
    const { s, n } = this
    const start = this.i
    let i = start
    let first = true
    while (i < n) {
      let c = s.charCodeAt(i)
      let width = 1
      if (c >= 0xd800 && c <= 0xdbff) {
        const d = s.charCodeAt(i + 1)
        if (d >= 0xdc00 && d <= 0xdfff) {
          c = ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000
          width = 2
        }
      }
      if (first ? !isNameStartCode(c) : !isNameCode(c)) break
      first = false
      i += width
      if (i - start > this.limits.maxNameLength)
        fail('policy-violation', start, `${what} name longer than ${this.limits.maxNameLength}`)
    }
    if (i === start) fail('not-well-formed', start, `expected ${what} name`)
    this.i = i
    return s.slice(start, i)
  }

  private skipSpace(): number {
    const { s, n } = this
    const start = this.i
    while (this.i < n && isSpaceCode(s.charCodeAt(this.i))) this.i++
    return this.i - start
  }

  private startTag(): void {
    const { s, stack, limits } = this
    const at = this.i
    this.i++
    const name = this.name('element')
    const colon = name.indexOf(':')
    const local = colon < 0 ? name : name.slice(colon + 1)
    if (unprocessableNames.has(local))
      fail('bad-format', at, `element name ${quote(name)} is not processable`, 'unprocessable-name')
    if (stack.length + 1 > limits.maxDepth)
      fail('policy-violation', at, `nesting deeper than ${limits.maxDepth}`)
    if (this.starts.length + 1 > limits.maxElements)
      fail('policy-violation', at, `more than ${limits.maxElements} elements`)
    this.starts.push(at)
    let attrs: string[] | undefined
    for (;;) {
      const spaced = this.skipSpace()
      const c = s.charCodeAt(this.i)
      if (c === GT) {
        this.i++
        stack.push(name)
        return
      }
      if (c === SLASH) {
        if (s.charCodeAt(this.i + 1) !== GT) fail('not-well-formed', this.i, 'expected "/>"')
        this.i += 2
        return
      }
      if (this.i >= this.n) fail('not-well-formed', this.i, 'truncated start tag')
      if (spaced === 0)
        fail('not-well-formed', this.i, 'attributes must be separated by whitespace')
      const attrAt = this.i
      const attr = this.name('attribute')
      if (attrs === undefined) attrs = [attr]
      else {
        if (attrs.includes(attr))
          fail('not-well-formed', attrAt, `duplicate attribute ${quote(attr)}`)
        attrs.push(attr)
      }
      if (attrs.length > limits.maxAttributes)
        fail('policy-violation', attrAt, `more than ${limits.maxAttributes} attributes`)
      this.skipSpace()
      if (s.charCodeAt(this.i) !== EQ)
        fail('not-well-formed', this.i, `attribute ${quote(attr)} has no value`)
      this.i++
      this.skipSpace()
      const q = s.charCodeAt(this.i)
      if (q !== QUOT && q !== APOS)
        fail('not-well-formed', this.i, `attribute ${quote(attr)} value is not quoted`)
      this.i++
      this.attrValue(q)
    }
  }

  private attrValue(q: number): void {
    const { s, n } = this
    while (this.i < n) {
      const c = s.charCodeAt(this.i)
      if (c === q) {
        this.i++
        return
      }
      if (c === LT) fail('not-well-formed', this.i, '"<" in an attribute value')
      if (c === AMP) this.reference()
      else this.char(c)
    }
    fail('not-well-formed', n, 'unterminated attribute value')
  }

  private endTag(): void {
    const at = this.i
    this.i += 2
    const name = this.name('element')
    this.skipSpace()
    if (this.s.charCodeAt(this.i) !== GT) {
      if (this.i >= this.n) fail('not-well-formed', this.i, 'truncated end tag')
      fail('not-well-formed', this.i, 'end tags take no attributes')
    }
    this.i++
    const open = this.stack.pop()
    if (open === undefined) fail('not-well-formed', at, `stray end tag ${quote(name)}`)
    if (open !== name)
      fail('not-well-formed', at, `end tag ${quote(name)} does not match ${quote(open ?? '')}`)
  }

  private bang(): void {
    const { s } = this
    const at = this.i
    if (s.startsWith('<![CDATA[', at)) {
      if (this.stack.length === 0) fail('not-well-formed', at, 'CDATA outside the root element')
      const end = s.indexOf(']]>', at + 9)
      if (end < 0) fail('not-well-formed', at, 'unterminated CDATA section')
      for (this.i = at + 9; this.i < end; ) this.char(s.charCodeAt(this.i))
      this.i = end + 3
      return
    }
    if (s.startsWith('<!--', at)) fail('restricted-xml', at, 'comments are not allowed')
    if (s.startsWith('<!DOCTYPE', at)) fail('restricted-xml', at, 'DOCTYPE is not allowed')
    fail('restricted-xml', at, 'markup declarations are not allowed')
  }

  private text(): void {
    const { s, n } = this
    while (this.i < n) {
      const c = s.charCodeAt(this.i)
      // Fast path first: most text is plain printable BMP characters.
      if (c >= 0x20 && c < 0xd800 && c !== LT && c !== AMP && c !== RBRACKET) {
        this.i++
        continue
      }
      if (c === LT) return
      if (c === AMP) this.reference()
      else if (c === RBRACKET && s.startsWith(']]>', this.i))
        fail('not-well-formed', this.i, '"]]>" in text')
      else this.char(c)
    }
  }

  /** Validates one character at the cursor (a surrogate pair counts as one) and advances. */
  private char(c: number): void {
    if (c >= 0x20 && c < 0xd800) {
      this.i++
      return
    }
    if (c === 9 || c === 10 || c === 13) {
      this.i++
      return
    }
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = this.s.charCodeAt(this.i + 1)
      if (d >= 0xdc00 && d <= 0xdfff) {
        this.i += 2
        return
      }
      fail('not-well-formed', this.i, 'unpaired surrogate')
    }
    if (c >= 0xdc00 && c <= 0xdfff) fail('not-well-formed', this.i, 'unpaired surrogate')
    if (c >= 0xe000 && c <= 0xfffd) {
      this.i++
      return
    }
    fail(
      'not-well-formed',
      this.i,
      `character U+${c.toString(16).toUpperCase().padStart(4, '0')} is not allowed in XML`,
    )
  }

  /** Validates an entity or character reference at the cursor (on the `&`) and advances. */
  private reference(): void {
    const { s, n } = this
    const at = this.i
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
      this.i = i + 1
      return
    }
    this.i = i
    if (i >= n || !isNameStartCode(s.charCodeAt(i)))
      fail('not-well-formed', at, 'bare "&" (write &amp;)')
    const name = this.name('entity')
    if (s.charCodeAt(this.i) !== SEMI) fail('not-well-formed', at, 'entity reference without ";"')
    this.i++
    if (!predefined.has(name))
      fail('restricted-xml', at, `entity ${quote(name)} is not one of the five predefined ones`)
  }
}

const hexDigit = (c: number): number =>
  c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1
