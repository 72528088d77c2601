/**
 * From fast-xml-parser's `preserveOrder` tree to `Xml.XmlElement`s: namespace resolution
 * (Namespaces in XML 1.0 §3–§6), the expanded attribute keys of the element model, and reference
 * decoding where the pre-scan saw a reference (docs/security.md §1 stage 4). The tree comes from
 * input the scan (`internal/scan.ts`) has passed, so only namespace rules are left to fail here:
 * they throw a `NamespaceFault` that `Xml.parse` turns into a `not-well-formed` error. Internal.
 */
import { isNameStartCode, quote } from './chars.js'
import * as NS from './ns.js'
import { decodeAttr, decodeReferences } from './references.js'
import { isUnprocessable } from './scan.js'

/**
 * An empty null-prototype record (docs/security.md §1 stage 4). V8 keeps these in dictionary mode;
 * `Object.setPrototypeOf({}, null)` would keep fast properties and make reads cheaper, but
 * costs more to create, and most parsed elements' attributes are never read: measured on the
 * corpus, decode is as fast or faster this way (bench stanza:decode).
 */
export const nullRecord = (): Record<string, string> => Object.create(null)

/**
 * What `build` makes: the shape of `Xml.XmlElement`, spelled again because an internal leaf may
 * not import from `Xml`, even a type (scripts/layers.mjs). `Xml.parse` returns it as an
 * `XmlElement`, so the compiler checks that it still fits (and the spec, both ways).
 */
export interface TreeElement {
  readonly name: string
  readonly ns: string
  readonly attrs: Readonly<Record<string, string>>
  readonly children: ReadonlyArray<TreeNode>
}

/** A child of a {@link TreeElement}: an element or decoded text. */
export type TreeNode = TreeElement | string

/** A node of fast-xml-parser's `preserveOrder` output. */
export type FxpNode = Readonly<Record<string, unknown>>

/**
 * The namespaces in scope at an element: its default namespace and the prefixes declared on it,
 * then its parent's scope (shared, not copied, so an element without declarations costs nothing).
 */
export interface Scope {
  readonly dflt: string
  readonly prefixes: ReadonlyMap<string, string> | undefined
  readonly parent: Scope | undefined
}

/** What one `build` of a whole tree shares: an element counter and what the scan found. */
export interface BuildContext {
  /** Index of the next element in document order, for placing a namespace fault. */
  k: number
  /** Some attribute value needs decoding (the scan saw a reference, TAB, LF or CR in one). */
  readonly attrs: boolean
  /** Some text holds a reference. */
  readonly text: boolean
}

/**
 * A namespace error, thrown by `build` and caught by `Xml.parse`, which adds the offset. A plain
 * class, not an `Error`: it never escapes `parse`, and making one captures no stack.
 */
export class NamespaceFault {
  constructor(
    /** The element's index in document order; `Xml.parse` turns it into an offset. */
    readonly element: number,
    readonly message: string,
  ) {}
}

const lookup = (scope: Scope, prefix: string): string | undefined => {
  if (prefix === 'xml') return NS.XML
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

/**
 * The key that says what a fast-xml-parser node is: `#text`, `#cdata`, or the element's tag (its
 * attributes sit under `:@`). Read once per node: the tag of each element gets its own object
 * shape, so looking up `#text` or `#cdata` on every node would be a megamorphic load.
 */
export const nodeKey = (node: FxpNode): string => {
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

/** Converts one fast-xml-parser element node, resolving namespaces and decoding references. */
export const build = (node: FxpNode, tag: string, outer: Scope, ctx: BuildContext): TreeElement => {
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
          if (dflt === NS.XML || dflt === NS.XMLNS)
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
          if ((prefix === 'xml') !== (uri === NS.XML))
            throw new NamespaceFault(at, 'the xml prefix and namespace belong only to each other')
          if (uri === NS.XMLNS)
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
  const children: TreeNode[] = []
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
    key = uri === NS.XML ? `xml:${local}` : `{${uri}}${local}`
  } else if (isUnprocessable(qname)) return
  // Names the JS object model owns are dropped above (docs/security.md §2); the record is
  // null-prototype anyway, but callers may spread it into ordinary objects.
  if (key in attrs)
    throw new NamespaceFault(at, `attribute ${quote(qname)} is a duplicate once expanded`)
  attrs[key] = ctx.attrs ? decodeAttr(value) : value
}
