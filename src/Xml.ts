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
import { isNCName, quote, utf8Length } from './internal/chars.js'
import { decodeUtf8, invalidUtf8At, wideEncoding } from './internal/encoding.js'
import { escapeAttr, escapeText } from './internal/escape.js'
import { fxpOptions } from './internal/fxp.js'
import { Found, scan } from './internal/scan.js'
import {
  type BuildContext,
  build,
  type FxpNode,
  NamespaceFault,
  nodeKey,
  nullRecord,
} from './internal/xmlTree.js'

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
