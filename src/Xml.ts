/**
 * XML elements with resolved namespaces, and the restricted XML profile of XMPP.
 *
 * RFC 6120 §11 (XML usage), XML 1.0 (Fifth Edition), Namespaces in XML 1.0.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as E from 'fp-ts/Either'
 * import * as Xml from 'stanzakit/Xml'
 * pipe(Xml.parse("<iq xmlns='jabber:client' type='get' id='1'><ping xmlns='urn:xmpp:ping'/></iq>"),
 *   E.map(Xml.getChild('ping', 'urn:xmpp:ping')))
 * // right(some({ name: 'ping', ns: 'urn:xmpp:ping', attrs: {}, children: [] }))
 *
 * @since 0.1.0
 */

import { type X2jOptions, XMLParser } from 'fast-xml-parser'
import * as E from 'fp-ts/lib/Either.js'
import type { Eq as EqT } from 'fp-ts/lib/Eq.js'
import * as O from 'fp-ts/lib/Option.js'
import { isNameStartCode, isNCName, quote, utf8Length } from './internal/chars.js'
import { decodeUtf8, invalidUtf8At, wideEncoding } from './internal/encoding.js'
import { escapeAttr, escapeText } from './internal/escape.js'
import { fxpOptions } from './internal/fxp.js'
import { Found, isUnprocessable, scan } from './internal/scan.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** @category model @since 0.1.0 */
export type XmlNode = XmlElement | string

/** @category model @since 0.1.0 */
export interface XmlElement {
  /** Local name, without prefix. */
  readonly name: string
  /** Resolved namespace URI; `''` means no namespace. */
  readonly ns: string
  /** Attributes other than namespace declarations; `xml:lang` keeps that name. Null-prototype. */
  readonly attrs: Readonly<Record<string, string>>
  /** Text is decoded: no entities or CDATA sections are left. */
  readonly children: ReadonlyArray<XmlNode>
}

/**
 * A parse failure: an RFC 6120 §4.9.3 stream-error condition, a short message that never echoes
 * more than a few characters of input, and the offset (UTF-16 code units into the decoded text,
 * or bytes for an encoding fault) where the fault was found.
 *
 * @category model
 * @since 0.1.0
 */
export interface XmlError {
  readonly _tag: 'XmlError'
  readonly condition: XmlCondition
  readonly message: string
  readonly offset: number
  /** A finer reason where the condition alone is ambiguous: `not-a-stanza`, `unprocessable-name`. */
  readonly reason?: string
}

/** @category model @since 0.1.0 */
export type XmlCondition =
  | 'not-well-formed'
  | 'restricted-xml'
  | 'policy-violation'
  | 'unsupported-encoding'
  | 'bad-format'

/**
 * Resource limits, enforced before any expensive work (docs/security.md §3).
 *
 * @category model
 * @since 0.1.0
 */
export interface Limits {
  /** UTF-8 octets per stanza; Prosody's c2s default. */
  readonly maxBytes: number
  /** Element nesting, the stanza element being 1. */
  readonly maxDepth: number
  /** Elements per stanza. */
  readonly maxElements: number
  /** Attributes per element, namespace declarations included. */
  readonly maxAttributes: number
  /** Characters per qualified name. */
  readonly maxNameLength: number
}

/** @category model @since 0.1.0 */
export const defaultLimits: Limits = Object.freeze({
  maxBytes: 262_144,
  maxDepth: 32,
  maxElements: 10_000,
  maxAttributes: 64,
  maxNameLength: 256,
})

/** @category model @since 0.1.0 */
export interface ParseOptions {
  /**
   * The default namespace in scope at the root: the stream's content namespace
   * (RFC 6120 §4.8.3). `null` means none. Default `'jabber:client'`.
   */
  readonly ns?: string | null
  /** Overrides of {@link defaultLimits}. */
  readonly limits?: Partial<Limits>
}

/**
 * The namespace the `xml` prefix is bound to (Namespaces in XML 1.0 §3).
 *
 * @category model
 * @since 0.1.0
 */
export const XML_NS = 'http://www.w3.org/XML/1998/namespace'
/**
 * The namespace of `xmlns` declarations themselves; nothing may be bound to it.
 *
 * @category model
 * @since 0.1.0
 */
export const XMLNS_NS = 'http://www.w3.org/2000/xmlns/'

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Builds an element. Names are checked here, once, so the serializer can trust them: an invalid
 * name is a programmer error and throws (docs/security.md §5). Attribute keys are NCNames, `xml:`
 * names such as `xml:lang`, or `{namespace}local` for other namespaced attributes. Adjacent text
 * children are merged and empty ones dropped, which is the form `parse` returns.
 *
 * @category constructors
 * @since 0.1.0
 */
export const element = (
  name: string,
  ns: string,
  attrs: Readonly<Record<string, string>> = {},
  children: ReadonlyArray<XmlNode> = [],
): XmlElement => {
  if (!validName(name)) throw new TypeError(`Xml.element: invalid element name ${quote(name)}`)
  if (ns === XMLNS_NS) throw new TypeError(`Xml.element: elements cannot be in ${quote(ns, 60)}`)
  const own = nullRecord()
  for (const key of Object.keys(attrs)) {
    const value = attrs[key]
    if (!isAttrKey(key)) throw new TypeError(`Xml.element: invalid attribute name ${quote(key)}`)
    if (typeof value !== 'string')
      throw new TypeError(`Xml.element: attribute ${quote(key)} is not a string`)
    own[key] = value
  }
  return { name, ns, attrs: own, children: normalizeChildren(children) }
}

/**
 * An empty null-prototype record (docs/security.md §1 stage 4). V8 keeps these in dictionary mode;
 * `Object.setPrototypeOf({}, null)` would keep fast properties and make reads cheaper, but
 * costs more to create, and most parsed elements' attributes are never read: measured on the
 * corpus, decode is as fast or faster this way (bench stanza:decode).
 */
const nullRecord = (): Record<string, string> => Object.create(null)

const normalizeChildren = (children: ReadonlyArray<XmlNode>): ReadonlyArray<XmlNode> => {
  const out: XmlNode[] = []
  for (const child of children) {
    if (typeof child !== 'string') out.push(child)
    else if (child !== '') {
      const last = out.length - 1
      const prev = out[last]
      if (typeof prev === 'string') out[last] = prev + child
      else out.push(child)
    }
  }
  return out
}

// -------------------------------------------------------------------------------------
// refinements
// -------------------------------------------------------------------------------------

/** @category refinements @since 0.1.0 */
export const isElement = (node: XmlNode): node is XmlElement => typeof node !== 'string'

// -------------------------------------------------------------------------------------
// getters
// -------------------------------------------------------------------------------------

/**
 * The first child element with this local name and namespace.
 *
 * @category getters
 * @since 0.1.0
 */
export const getChild =
  (name: string, ns: string) =>
  (el: XmlElement): O.Option<XmlElement> => {
    for (const child of el.children)
      if (typeof child !== 'string' && child.name === name && child.ns === ns) return O.some(child)
    return O.none
  }

/**
 * The child elements, optionally only those with this local name and/or namespace.
 *
 * @category getters
 * @since 0.1.0
 */
export const getChildren =
  (name?: string, ns?: string) =>
  (el: XmlElement): ReadonlyArray<XmlElement> => {
    const out: XmlElement[] = []
    for (const child of el.children)
      if (
        typeof child !== 'string' &&
        (name === undefined || child.name === name) &&
        (ns === undefined || child.ns === ns)
      )
        out.push(child)
    return out
  }

/**
 * The element's own text: its text children concatenated (text inside child elements is not).
 *
 * @category getters
 * @since 0.1.0
 */
export const getText = (el: XmlElement): string => {
  let text = ''
  for (const child of el.children) if (typeof child === 'string') text += child
  return text
}

/** @category getters @since 0.1.0 */
export const getAttr =
  (name: string) =>
  (el: XmlElement): O.Option<string> =>
    Object.hasOwn(el.attrs, name) ? O.fromNullable(el.attrs[name]) : O.none

// -------------------------------------------------------------------------------------
// parse
// -------------------------------------------------------------------------------------

/**
 * Parses one element under the restricted XML profile of RFC 6120 §11, enforcing the limits
 * of docs/security.md §3 before any expensive work. Never throws.
 *
 * Stages: size and encoding, the one-pass pre-scan (well-formedness, restricted XML, limits),
 * fast-xml-parser for the tree, then namespace resolution and entity decoding.
 *
 * @category parse
 * @since 0.1.0
 */
export const parse = (
  input: string | Uint8Array,
  options?: ParseOptions,
): E.Either<XmlError, XmlElement> => {
  const limits =
    options?.limits === undefined ? defaultLimits : { ...defaultLimits, ...options.limits }
  let text: string
  if (typeof input === 'string') {
    // A UTF-16 unit is at least one UTF-8 octet and at most three: skip the count when it can't matter.
    if (
      input.length > limits.maxBytes ||
      (input.length * 3 > limits.maxBytes && utf8Length(input) > limits.maxBytes)
    )
      return E.left(xmlError('policy-violation', 0, `larger than ${limits.maxBytes} bytes`))
    text = input
  } else {
    if (input.length > limits.maxBytes)
      return E.left(xmlError('policy-violation', 0, `larger than ${limits.maxBytes} bytes`))
    const wide = wideEncoding(input)
    if (wide !== undefined)
      return E.left(
        xmlError('unsupported-encoding', 0, `${wide} input; XMPP is UTF-8 (RFC 6120 §11.6)`),
      )
    try {
      text = decodeUtf8(input)
    } catch {
      return E.left(xmlError('not-well-formed', invalidUtf8At(input), 'invalid UTF-8'))
    }
  }
  const found = scan(text, limits)
  if (typeof found !== 'number') return E.left({ _tag: 'XmlError', ...found })
  let tree: ReadonlyArray<FxpNode>
  try {
    tree = parserFor(limits.maxDepth).parse(text) as ReadonlyArray<FxpNode>
  } catch {
    // The scan should have caught anything fast-xml-parser refuses; keep the promise not to throw.
    return E.left(xmlError('not-well-formed', 0, 'the XML parser rejected the input'))
  }
  let root: FxpNode | undefined
  for (const node of tree)
    if (!('#text' in node)) {
      root = node
      break
    }
  if (root === undefined) return E.left(xmlError('not-well-formed', 0, 'no root element'))
  const ns = options?.ns === undefined ? 'jabber:client' : (options.ns ?? '')
  const ctx: BuildContext = {
    k: 0,
    attrs: (found & (Found.attrReference | Found.attrWhitespace)) !== 0,
    text: (found & Found.textReference) !== 0,
  }
  try {
    return E.right(
      build(root, nodeKey(root), { dflt: ns, prefixes: undefined, parent: undefined }, ctx),
    )
  } catch (e) {
    if (e instanceof NamespaceFault) {
      // Offsets of start tags are only needed here, so the scan that passed records them now.
      const starts: number[] = []
      scan(text, limits, starts)
      return E.left(xmlError('not-well-formed', starts[e.element] ?? 0, e.message))
    }
    throw e
  }
}

const xmlError = (condition: XmlCondition, offset: number, message: string): XmlError => ({
  _tag: 'XmlError',
  condition,
  message,
  offset,
})

// fxp counts nesting below the root, so its own depth guard sits one under ours. The parser for
// the default limits is made once (bench xml:parse); a parse call keeps no state in it.
const parserFor = (maxDepth: number): XMLParser =>
  maxDepth === defaultLimits.maxDepth
    ? parser
    : new XMLParser({ ...fxpOptions, maxNestedTags: maxDepth - 1 } as X2jOptions)
const parser = new XMLParser({
  ...fxpOptions,
  maxNestedTags: defaultLimits.maxDepth - 1,
} as X2jOptions)

/** A node of fast-xml-parser's `preserveOrder` output. */
type FxpNode = Readonly<Record<string, unknown>>

interface Scope {
  readonly dflt: string
  readonly prefixes: ReadonlyMap<string, string> | undefined
  readonly parent: Scope | undefined
}

interface BuildContext {
  /** Index of the next element in document order, for placing a namespace fault. */
  k: number
  /** Some attribute value needs decoding (the scan saw a reference, TAB, LF or CR in one). */
  readonly attrs: boolean
  /** Some text holds a reference. */
  readonly text: boolean
}

class NamespaceFault {
  constructor(
    /** The element's index in document order; `parse` turns it into an offset. */
    readonly element: number,
    readonly message: string,
  ) {}
}

const lookup = (scope: Scope, prefix: string): string | undefined => {
  if (prefix === 'xml') return XML_NS
  for (let s: Scope | undefined = scope; s !== undefined; s = s.parent) {
    const uri = s.prefixes?.get(prefix)
    if (uri !== undefined) return uri
  }
  return undefined
}

/**
 * Checks a prefixed QName against Namespaces in XML 1.0 §4 (one colon, both sides non-empty);
 * `colon` is the index of its first colon, found by the caller so unprefixed names (nearly all)
 * cost one `indexOf` and no allocation (bench xml:parse).
 */
const checkQName = (qname: string, colon: number, at: number): void => {
  if (
    colon === 0 ||
    colon === qname.length - 1 ||
    qname.indexOf(':', colon + 1) >= 0 ||
    !startsNCName(qname, colon + 1)
  )
    throw new NamespaceFault(at, `${quote(qname)} is not a qualified name`)
}

/**
 * Does an NCName start at `i`? The scan checked the whole QName as an XML `Name`, where `-`, `.`
 * and digits may follow a colon; Namespaces in XML 1.0 §3 wants a name start there too
 * (`p:-x` is not a QName, and the local name `-x` could not be written back).
 */
const startsNCName = (s: string, i: number): boolean => isNameStartCode(s.codePointAt(i) ?? 0)

/** Converts one fast-xml-parser element node, resolving namespaces and decoding references. */
/**
 * The key that says what a fast-xml-parser node is: `#text`, `#cdata`, or the element's tag (its
 * attributes sit under `:@`). Read once per node: the tag of each element gets its own object
 * shape, so looking up `#text` or `#cdata` on every node would be a megamorphic load.
 */
const nodeKey = (node: FxpNode): string => {
  for (const key in node) if (key !== ':@') return key
  return ''
}

// fast-xml-parser keys attributes '@_' + QName. Its keys are already internalized strings, so a
// map from them to the QName costs one hash lookup, where slicing would build a fresh string that
// V8 must internalize again before it can be a property key. A bounded cache (4,096 names, then it
// stops growing), guarded by bench xml:parse.
const qnames = new Map<string, string>()
const qnameOf = (key: string): string => {
  let qname = qnames.get(key)
  if (qname === undefined) {
    qname = key.slice(2)
    if (qnames.size < 4096) qnames.set(key, qname)
  }
  return qname
}

const build = (node: FxpNode, tag: string, outer: Scope, ctx: BuildContext): XmlElement => {
  const at = ctx.k++
  const raw = node[':@'] as Readonly<Record<string, string>> | undefined
  let scope = outer
  const attrs = nullRecord()
  // Attributes go straight into `attrs` while their key needs no namespace scope: unprefixed
  // names and `xml:` names (the xml prefix is bound everywhere). None of those can fault (the
  // scan rejected duplicate names, and neither kind can collide with an expanded `{uri}` key),
  // so this cannot reorder faults. From the first other attribute on, the rest wait in `later`
  // for this element's declarations, which may follow them, keeping document order.
  let later: string[] | undefined
  if (raw !== undefined) {
    let dflt = outer.dflt
    let prefixes: Map<string, string> | undefined
    for (const key in raw) {
      const value = raw[key] ?? ''
      // Keys are '@_' + the attribute's QName; 'xmlns' is the only name starting with it
      // that needs a look beyond five characters.
      if (key.charCodeAt(2) === 120 /* x */ && key.startsWith('xmlns', 2)) {
        if (key.length === 7) {
          dflt = ctx.attrs ? decodeAttr(value) : value
          if (dflt === XML_NS || dflt === XMLNS_NS)
            throw new NamespaceFault(
              at,
              'the default namespace cannot be the xml or xmlns namespace',
            )
          continue
        }
        if (key.charCodeAt(7) === 58 /* : */) {
          const qname = key.slice(2)
          const prefix = key.slice(8)
          const uri = ctx.attrs ? decodeAttr(value) : value
          if (prefix.includes(':') || prefix === '' || !startsNCName(prefix, 0))
            throw new NamespaceFault(at, `${quote(qname)} is not a qualified name`)
          if (uri === '')
            throw new NamespaceFault(at, `prefix ${quote(prefix)} cannot be undeclared`)
          if (prefix === 'xmlns')
            throw new NamespaceFault(at, 'the xmlns prefix cannot be declared')
          if ((prefix === 'xml') !== (uri === XML_NS))
            throw new NamespaceFault(at, 'the xml prefix and namespace belong only to each other')
          if (uri === XMLNS_NS)
            throw new NamespaceFault(at, 'nothing can be bound to the xmlns namespace')
          if (prefixes === undefined) prefixes = new Map()
          prefixes.set(prefix, uri)
          continue
        }
      }
      const qname = qnameOf(key)
      if (later !== undefined) later.push(qname, value)
      else {
        const colon = qname.indexOf(':')
        if (
          colon < 0 ||
          (colon === 3 &&
            qname.length > 4 &&
            qname.startsWith('xml') &&
            qname.indexOf(':', 4) < 0 &&
            startsNCName(qname, 4))
        ) {
          // Names the JS object model owns are dropped (docs/security.md §2).
          if (!isUnprocessable(colon < 0 ? qname : qname.slice(4)))
            attrs[qname] = ctx.attrs ? decodeAttr(value) : value
        } else later = [qname, value]
      }
    }
    if (dflt !== outer.dflt || prefixes !== undefined) scope = { dflt, prefixes, parent: outer }
  }
  let name = tag
  let ns: string
  const colon = tag.indexOf(':')
  if (colon < 0) ns = scope.dflt
  else {
    checkQName(tag, colon, at)
    const prefix = tag.slice(0, colon)
    name = tag.slice(colon + 1)
    if (prefix === 'xmlns') throw new NamespaceFault(at, 'elements cannot use the xmlns prefix')
    const uri = lookup(scope, prefix)
    if (uri === undefined) throw new NamespaceFault(at, `undeclared prefix ${quote(prefix)}`)
    ns = uri
  }
  if (later !== undefined)
    for (let i = 0; i < later.length; i += 2)
      addAttr(attrs, later[i] ?? '', later[i + 1] ?? '', scope, ctx)
  const children: XmlNode[] = []
  const rawChildren = node[tag] as ReadonlyArray<FxpNode>
  let text: string | undefined
  for (let i = 0; i < rawChildren.length; i++) {
    const child = rawChildren[i] as FxpNode
    const key = nodeKey(child)
    if (key === '#text') {
      const t = child['#text']
      const raw = typeof t === 'string' ? t : ''
      const decoded = ctx.text && raw.indexOf('&') >= 0 ? decodeReferences(raw) : raw
      text = text === undefined ? decoded : text + decoded
    } else if (key === '#cdata') {
      const inner = (child['#cdata'] as ReadonlyArray<FxpNode>)[0]?.['#text']
      const cdata = typeof inner === 'string' ? inner : ''
      text = text === undefined ? cdata : text + cdata
    } else {
      if (text !== undefined) {
        if (text !== '') children.push(text)
        text = undefined
      }
      children.push(build(child, key, scope, ctx))
    }
  }
  if (text !== undefined && text !== '') children.push(text)
  return { name, ns, attrs, children }
}

/** Adds one parsed attribute under its expanded key (docs/security.md §1 stage 4). */
const addAttr = (
  attrs: Record<string, string>,
  qname: string,
  value: string,
  scope: Scope,
  ctx: BuildContext,
): void => {
  // The element's index: `build` has already counted it.
  const at = ctx.k - 1
  let key = qname
  const colon = qname.indexOf(':')
  if (colon >= 0) {
    checkQName(qname, colon, at)
    const p = qname.slice(0, colon)
    const local = qname.slice(colon + 1)
    if (isUnprocessable(local)) return
    const uri = lookup(scope, p)
    if (uri === undefined) throw new NamespaceFault(at, `undeclared prefix ${quote(p)}`)
    key = uri === XML_NS ? `xml:${local}` : `{${uri}}${local}`
  } else if (isUnprocessable(qname)) return
  // Names the JS object model owns are dropped above (docs/security.md §2); the record is
  // null-prototype anyway, but callers may spread it into ordinary objects.
  if (key in attrs)
    throw new NamespaceFault(at, `attribute ${quote(qname)} is a duplicate once expanded`)
  attrs[key] = ctx.attrs ? decodeAttr(value) : value
}

const reference = /&(?:#x([0-9a-fA-F]+)|#([0-9]+)|(lt|gt|amp|quot|apos));/g
const named: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" }
const replaceReference = (_: string, hex?: string, dec?: string, name?: string): string =>
  hex !== undefined
    ? String.fromCodePoint(Number.parseInt(hex, 16))
    : dec !== undefined
      ? String.fromCodePoint(Number.parseInt(dec, 10))
      : (named[name ?? ''] ?? '')

/**
 * Decodes the references the scan allowed; text reaches here with line ends normalized. By hand
 * rather than `replace` with a callback (a call and a match array per reference): the scan has
 * checked every `&` starts one of the five entities or a character reference to a legal `Char`,
 * so this walk only reads them. Anything else (impossible after the scan) takes the regex, which
 * defines the result.
 */
const decodeReferences = (s: string): string => {
  let out = ''
  let last = 0
  for (let amp = s.indexOf('&'); amp >= 0; amp = s.indexOf('&', last)) {
    const semi = s.indexOf(';', amp + 2)
    if (semi < 0) return s.replace(reference, replaceReference)
    let value: string
    if (s.charCodeAt(amp + 1) === 35 /* # */) {
      const hex = s.charCodeAt(amp + 2) === 120 /* x */
      const code = digits(s, hex ? amp + 3 : amp + 2, semi, hex ? 16 : 10)
      if (code < 0) return s.replace(reference, replaceReference)
      value = String.fromCodePoint(code)
    } else {
      const entity = predefinedEntity(s, amp + 1, semi)
      if (entity === undefined) return s.replace(reference, replaceReference)
      value = entity
    }
    out += s.slice(last, amp) + value
    last = semi + 1
  }
  return last === 0 ? s : out + s.slice(last)
}

/** The value of the digits in `s` from `start` to `end` in base 10 or 16; -1 if there are none, another character, or more than U+10FFFF. */
const digits = (s: string, start: number, end: number, base: number): number => {
  if (start >= end) return -1
  let value = 0
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i)
    const d =
      c >= 48 && c <= 57
        ? c - 48
        : base === 16 && c >= 97 && c <= 102
          ? c - 87
          : base === 16 && c >= 65 && c <= 70
            ? c - 55
            : -1
    if (d < 0) return -1
    value = value * base + d
    if (value > 0x10ffff) return -1
  }
  return value
}

const predefinedEntity = (s: string, start: number, end: number): string | undefined => {
  switch (s.slice(start, end)) {
    case 'lt':
      return '<'
    case 'gt':
      return '>'
    case 'amp':
      return '&'
    case 'quot':
      return '"'
    case 'apos':
      return "'"
    default:
      return undefined
  }
}

/**
 * Attribute-value normalization (XML 1.0 §3.3.3): literal TAB/LF/CR become spaces, then
 * references. One pass over the value decides whether any of that is needed: nearly all values
 * (JIDs, ids, namespaces) need neither, and a loop that finds that out is cheaper than running
 * the replacing regexes on them (bench xml:parse).
 */
const decodeAttr = (s: string): string => {
  let amp = false
  let space = false
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c === 38) amp = true
    else if (c === 9 || c === 10 || c === 13) space = true
  }
  const spaced = space ? s.replace(attrWhitespace, ' ') : s
  return amp ? decodeReferences(spaced) : spaced
}
const attrWhitespace = /[\t\n\r]/g

// -------------------------------------------------------------------------------------
// serialize
// -------------------------------------------------------------------------------------

/**
 * Writes an element as XML. Total: never throws and always emits well-formed, restricted XML
 * (docs/security.md §5). Namespaces are written as default-namespace declarations, only where an
 * element's namespace differs from its parent's; `parentNs` is the namespace in scope around the
 * element (absent: unknown, so the root always declares its own). Attributes keyed
 * `{namespace}local` get a prefix declared on their element. Characters outside XML 1.0 become
 * U+FFFD; an element or attribute whose name is invalid (only possible for records not built
 * with {@link element}) is left out rather than written.
 *
 * @category serialize
 * @since 0.1.0
 */
export const serialize = (el: XmlElement, options?: { readonly parentNs?: string }): string =>
  write(el, options?.parentNs)

const write = (el: XmlElement, parentNs: string | undefined): string => {
  const { name, ns } = el
  if (!validName(name) || ns === XMLNS_NS) return ''
  // The xml namespace cannot be a default namespace; it is written with its own prefix, which
  // leaves the default namespace in scope for the children as it was.
  const inXml = ns === XML_NS
  const tag = inXml ? `xml:${name}` : name
  let out = `<${tag}`
  if (!inXml && ns !== parentNs) out += ` xmlns='${escapeAttr(ns)}'`
  const attrs = el.attrs
  // With no prototype (every parsed or `element`-built record), `for…in` sees own keys only.
  const ownOnly = attrs !== undefined && attrs !== null && Object.getPrototypeOf(attrs) === null
  let prefixes = 0
  for (const key in attrs) {
    if (!ownOnly && !Object.hasOwn(attrs, key)) continue
    const value = attrs[key]
    if (typeof value !== 'string') continue
    if (key.charCodeAt(0) === 123 /* { */) {
      const close = key.indexOf('}')
      const uri = key.slice(1, close)
      const local = key.slice(close + 1)
      if (close < 2 || !validName(local) || uri === XMLNS_NS) continue
      if (uri === XML_NS) out += ` xml:${local}='${escapeAttr(value)}'`
      else {
        const p = `ns${prefixes++}`
        out += ` xmlns:${p}='${escapeAttr(uri)}' ${p}:${local}='${escapeAttr(value)}'`
      }
    } else if (validPlainKey(key)) out += ` ${key}='${escapeAttr(value)}'`
  }
  const children = el.children
  if (children.length === 0) return `${out}/>`
  out += '>'
  const inner = inXml ? parentNs : ns
  for (const child of children)
    out += typeof child === 'string' ? escapeText(child) : write(child, inner)
  return `${out}</${tag}>`
}

// Names are checked once and remembered: encode is a hot path and stanzas reuse few names.
// A bounded cache (4,096 names, then it stops growing) so hostile records cannot grow it without
// limit; guarded by bench xml:serialize.
const knownNames = new Set<string>()
const validName = (name: string): boolean => {
  if (knownNames.has(name)) return true
  if (!isNCName(name)) return false
  if (knownNames.size < 4096) knownNames.add(name)
  return true
}

// Same for attribute keys that are NCNames (but `xmlns`) or `xml:` names (bounded the same way).
const knownPlainKeys = new Set<string>()
const validPlainKey = (key: string): boolean => {
  if (knownPlainKeys.has(key)) return true
  const valid =
    (validName(key) && key !== 'xmlns') || (key.startsWith('xml:') && validName(key.slice(4)))
  if (valid && knownPlainKeys.size < 4096) knownPlainKeys.add(key)
  return valid
}

const isAttrKey = (key: string): boolean => {
  if (key.startsWith('{')) {
    const close = key.indexOf('}')
    const uri = key.slice(1, close)
    return close >= 2 && uri !== XMLNS_NS && isNCName(key.slice(close + 1))
  }
  return validPlainKey(key)
}

// -------------------------------------------------------------------------------------
// instances
// -------------------------------------------------------------------------------------

/**
 * Structural equality: same name, namespace, attributes (in any order) and children.
 *
 * @category instances
 * @since 0.1.0
 */
export const equals = (a: XmlNode, b: XmlNode): boolean => {
  if (typeof a === 'string' || typeof b === 'string') return a === b
  if (a === b) return true
  if (a.name !== b.name || a.ns !== b.ns || a.children.length !== b.children.length) return false
  const ak = Object.keys(a.attrs)
  if (ak.length !== Object.keys(b.attrs).length) return false
  for (const k of ak) if (!Object.hasOwn(b.attrs, k) || a.attrs[k] !== b.attrs[k]) return false
  for (let i = 0; i < a.children.length; i++) {
    const x = a.children[i]
    const y = b.children[i]
    if (x === undefined || y === undefined || !equals(x, y)) return false
  }
  return true
}

/** @category instances @since 0.1.0 */
export const Eq: EqT<XmlElement> = { equals }
