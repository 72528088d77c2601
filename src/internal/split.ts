/**
 * Splits a raw XMPP stream dump into its top-level chunks, for the `validate` CLI: one pass,
 * O(n), never throws. It frames; it does not validate. Every chunk it cannot make sense of is
 * handed on unchanged so that `Stanza.decode` reports it with the proper condition.
 *
 * Input: stanzas one after another, or a stream as a server logs it (RFC 6120 §4): an optional
 * XML declaration, a stream header `<stream:stream xmlns='jabber:client' xmlns:stream='…'>`
 * (any prefix; a later header is a stream restart, §4.3.3), whitespace keepalives between
 * stanzas (§4.6.1, §11.7: stream layer, never a chunk), top-level elements, and an optional
 * `</stream:stream>`.
 *
 * What becomes a chunk:
 * - every top-level element (its exact text; `complete: false` when the input ends inside it);
 * - anything else at top level that is not whitespace, a stream header, a stream close or a
 *   leading XML declaration: text, comments, processing instructions, DOCTYPE, CDATA, stray end
 *   tags. These are malformed in XMPP (RFC 6120 §11.1); as chunks, the decoder names the fault
 *   (`restricted-xml`, `not-well-formed`). Comments and PIs *inside* an element stay in its text.
 * - Elements in a stream-layer namespace ({@link streamLayerNamespaces}: stream features and
 *   errors, TLS, SASL, stream management, …) are chunks with `level: 'stream'`: not stanzas.
 *
 * Namespace inheritance (Namespaces in XML §6.1): a stanza inside a stream is in the scope of the
 * header's declarations. The header's default `xmlns` is the content namespace, reported as
 * `contentNs` for `Stanza.decode(xml, { ns })`. Prefixes the header declares and a chunk uses
 * without declaring them on its own root are re-declared by injecting the header's declaration
 * text right after the root's name, in `xml`; `text` stays the source. Only then do `xml` and
 * `text` differ, and offsets past the root's name shift by the injected length.
 *
 * Framing is by element names: an end tag closes the innermost open element of that name and
 * everything opened after it; an end tag matching no open element is left for the decoder to
 * report. So `<message><body>hi</message>` ends at `</message>` instead of swallowing the rest
 * of the dump. A `</stream:stream>` or a new stream header inside an unfinished element ends that
 * element (`complete: false`). Quotes in attributes, CDATA sections, comments and PIs are skipped
 * whole, so a `>` or `<` inside them never frames anything.
 */
import { isSpaceCode } from './chars.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** The namespace of `<stream:stream>`, `<stream:features>` and `<stream:error>` (RFC 6120 §4.8.1). */
export const STREAMS_NS = 'http://etherx.jabber.org/streams'

/** The namespace the `xml` prefix is bound to (Namespaces in XML 1.0 §3). */
const XML_NS = 'http://www.w3.org/XML/1998/namespace'

/**
 * Namespaces of top-level elements that belong to the stream layer rather than being stanzas:
 * streams (RFC 6120 §4.3.2, §4.9), STARTTLS (§5), SASL (§6), SASL2 (XEP-0388), stream management
 * (XEP-0198), stream compression (XEP-0138), client state indication (XEP-0352), dialback
 * (XEP-0220).
 */
export const streamLayerNamespaces: ReadonlySet<string> = new Set([
  STREAMS_NS,
  'urn:ietf:params:xml:ns:xmpp-tls',
  'urn:ietf:params:xml:ns:xmpp-sasl',
  'urn:xmpp:sasl:2',
  'urn:xmpp:sm:2',
  'urn:xmpp:sm:3',
  'http://jabber.org/protocol/compress',
  'urn:xmpp:csi:0',
  'jabber:server:dialback',
])

/** A prefixed namespace declaration, `xmlns:prefix='uri'`. */
export interface Declaration {
  readonly prefix: string
  readonly uri: string
  /** The declaration's source text, injected as is (entities and quotes untouched). */
  readonly raw: string
}

/** A stream header (RFC 6120 §4.7). */
export interface Header {
  readonly offset: number
  readonly line: number
  /** Its default `xmlns`: the content namespace; absent when it declares none. */
  readonly ns?: string
  /** Its prefixed declarations, in source order (`xmlns:stream` among them). */
  readonly declarations: ReadonlyArray<Declaration>
}

/** A top-level chunk of the input. */
export interface Chunk {
  /** The source text, exactly. */
  readonly text: string
  /** What to decode: `text`, plus the header declarations it needs (see the module comment). */
  readonly xml: string
  /** UTF-16 offset of the chunk in the input. */
  readonly offset: number
  /** 1-based line of the chunk's first character. */
  readonly line: number
  /** Qualified name of the top-level element; `''` when the chunk is not an element. */
  readonly name: string
  /** The element's namespace, resolved against its own and the header's declarations; `''` if none. */
  readonly ns: string
  /** The content namespace in scope: the header's default namespace, else the option's. */
  readonly contentNs: string
  /** `'stream'`: a stream-layer element (see {@link streamLayerNamespaces}), not a stanza. */
  readonly level: 'stanza' | 'stream'
  /** `false` when the input ended (or the stream closed or restarted) inside the chunk. */
  readonly complete: boolean
}

export interface Split {
  readonly chunks: ReadonlyArray<Chunk>
  /** Every stream header, in order; empty for a bare stanza sequence. */
  readonly headers: ReadonlyArray<Header>
  /** Whether the input ends with the last stream closed by its end tag. */
  readonly closed: boolean
}

export interface SplitOptions {
  /** Content namespace outside any header, or under one declaring none. Default `'jabber:client'`. */
  readonly ns?: string
}

// -------------------------------------------------------------------------------------
// scanning
// -------------------------------------------------------------------------------------

const LT = 60
const GT = 62
const SLASH = 47
const BANG = 33
const QUESTION = 63
const EQ = 61
const QUOT = 34
const APOS = 39
const LBRACKET = 91
const RBRACKET = 93

interface Attr {
  readonly name: string
  readonly value: string
  readonly start: number
  readonly end: number
}

/** A start or empty-element tag as the scanner saw it. `end` is -1 when the input ends inside it. */
interface Tag {
  readonly name: string
  readonly nameEnd: number
  readonly end: number
  readonly empty: boolean
  readonly attrs: ReadonlyArray<Attr>
}

interface Scope {
  readonly ns: string
  readonly declarations: ReadonlyArray<Declaration>
  /** The header's qualified name, to spot its end tag or a restart inside an element. */
  readonly header: string | undefined
}

const entities: Readonly<Record<string, string>> = {
  '&lt;': '<',
  '&gt;': '>',
  '&amp;': '&',
  '&quot;': '"',
  '&apos;': "'",
}

/** Best-effort value of a namespace URI: the five predefined entities only. */
const decodeUri = (s: string): string =>
  s.includes('&') ? s.replace(/&(?:lt|gt|amp|quot|apos);/g, (e) => entities[e] ?? e) : s

const prefixOf = (qname: string): string => {
  const colon = qname.indexOf(':')
  return colon === -1 ? '' : qname.slice(0, colon)
}

const localOf = (qname: string): string => qname.slice(qname.indexOf(':') + 1)

/** Does the character after a `<` start a tag name (not `</`, `<!`, `<?`, a stray `<` or the end)? */
const startsName = (c: number): boolean =>
  !Number.isNaN(c) &&
  !isSpaceCode(c) &&
  c !== SLASH &&
  c !== BANG &&
  c !== QUESTION &&
  c !== LT &&
  c !== GT

/** One shape for every chunk, so a long dump stays cheap. */
const chunk = (
  text: string,
  xml: string,
  offset: number,
  line: number,
  name: string,
  ns: string,
  contentNs: string,
  level: 'stanza' | 'stream',
  complete: boolean,
): Chunk => ({ text, xml, offset, line, name, ns, contentNs, level, complete })

/**
 * Splits `input` into its top-level chunks (see the module comment). Linear in the input,
 * never throws.
 */
export const split = (input: string, options: SplitOptions = {}): Split => {
  const fallbackNs = options.ns ?? 'jabber:client'
  const n = input.length
  const chunks: Chunk[] = []
  const headers: Header[] = []
  let scope: Scope = { ns: fallbackNs, declarations: [], header: undefined }
  let closed = false

  // Line numbers, counted lazily: positions asked for only grow, so this is one pass overall.
  let line = 1
  let nextNewline = input.indexOf('\n')
  const lineAt = (pos: number): number => {
    while (nextNewline !== -1 && nextNewline < pos) {
      line++
      nextNewline = input.indexOf('\n', nextNewline + 1)
    }
    return line
  }

  /** Reads a start tag at `i` (`<` then a name). Quoted values are skipped whole. */
  const readTag = (i: number): Tag => {
    let j = i + 1
    while (j < n) {
      const c = input.charCodeAt(j)
      if (isSpaceCode(c) || c === GT || c === LT || (c === SLASH && input.charCodeAt(j + 1) === GT))
        break
      j++
    }
    const name = input.slice(i + 1, j)
    const nameEnd = j
    const attrs: Attr[] = []
    while (j < n) {
      const c = input.charCodeAt(j)
      if (isSpaceCode(c)) {
        j++
        continue
      }
      if (c === GT) return { name, nameEnd, end: j + 1, empty: false, attrs }
      if (c === SLASH) {
        if (input.charCodeAt(j + 1) === GT) return { name, nameEnd, end: j + 2, empty: true, attrs }
        j++
        continue
      }
      // A raw `<` ends the tag here, unconsumed; the decoder reports the fault.
      if (c === LT) return { name, nameEnd, end: j, empty: false, attrs }
      if (c === QUOT || c === APOS) {
        const close = input.indexOf(c === QUOT ? '"' : "'", j + 1)
        if (close === -1) break
        j = close + 1
        continue
      }
      const start = j
      while (j < n) {
        const d = input.charCodeAt(j)
        if (isSpaceCode(d) || d === EQ || d === GT || d === LT || d === SLASH) break
        if (d === QUOT || d === APOS) break
        j++
      }
      const attrName = input.slice(start, j)
      while (j < n && isSpaceCode(input.charCodeAt(j))) j++
      if (input.charCodeAt(j) !== EQ) {
        attrs.push({ name: attrName, value: '', start, end: j })
        continue
      }
      j++
      while (j < n && isSpaceCode(input.charCodeAt(j))) j++
      const q = input.charCodeAt(j)
      if (q === QUOT || q === APOS) {
        const close = input.indexOf(q === QUOT ? '"' : "'", j + 1)
        if (close === -1) break
        attrs.push({ name: attrName, value: input.slice(j + 1, close), start, end: close + 1 })
        j = close + 1
      } else {
        // Unquoted (not well-formed): up to a space or the tag's end, so framing survives.
        const v = j
        while (j < n) {
          const d = input.charCodeAt(j)
          if (
            isSpaceCode(d) ||
            d === GT ||
            d === LT ||
            (d === SLASH && input.charCodeAt(j + 1) === GT)
          )
            break
          j++
        }
        attrs.push({ name: attrName, value: input.slice(v, j), start, end: j })
      }
    }
    return { name, nameEnd, end: -1, empty: false, attrs }
  }

  /** End of the markup declaration at `i` (`<!` but not a comment or CDATA), or -1. */
  const declarationEnd = (i: number): number => {
    let brackets = 0
    let quote = 0
    for (let j = i + 2; j < n; j++) {
      const c = input.charCodeAt(j)
      if (quote !== 0) {
        if (c === quote) quote = 0
      } else if (c === QUOT || c === APOS) quote = c
      else if (c === LBRACKET) brackets++
      else if (c === RBRACKET) brackets--
      else if (c === GT && brackets <= 0) return j + 1
    }
    return -1
  }

  /** End of the comment, CDATA section, PI or declaration at `i` (`<!` or `<?`), or -1. */
  const specialEnd = (i: number): number => {
    if (input.charCodeAt(i + 1) === QUESTION) {
      const e = input.indexOf('?>', i + 2)
      return e === -1 ? -1 : e + 2
    }
    if (input.startsWith('<!--', i)) {
      const e = input.indexOf('-->', i + 4)
      return e === -1 ? -1 : e + 3
    }
    if (input.startsWith('<![CDATA[', i)) {
      const e = input.indexOf(']]>', i + 9)
      return e === -1 ? -1 : e + 3
    }
    return declarationEnd(i)
  }

  /** End of the end tag at `i` (`</`), with its name, or `end` -1. */
  const readEndTag = (i: number): { readonly name: string; readonly end: number } => {
    let j = i + 2
    while (j < n) {
      const c = input.charCodeAt(j)
      if (isSpaceCode(c) || c === GT || c === LT) break
      j++
    }
    const name = input.slice(i + 2, j)
    const gt = input.indexOf('>', j)
    return { name, end: gt === -1 ? -1 : gt + 1 }
  }

  const inherited = (p: string): Declaration | undefined => {
    for (const d of scope.declarations) if (d.prefix === p) return d
    return undefined
  }

  const push = (
    start: number,
    end: number,
    complete: boolean,
    element?: { readonly tag: Tag; readonly used: ReadonlySet<string> },
  ): void => {
    const text = input.slice(start, end)
    const line = lineAt(start)
    if (element === undefined) {
      chunks.push(chunk(text, text, start, line, '', '', scope.ns, 'stanza', complete))
      return
    }
    const { tag, used } = element
    const prefix = prefixOf(tag.name)
    let ownDefault: string | undefined
    let ownPrefixed: string | undefined
    const own: string[] = []
    for (const a of tag.attrs) {
      if (a.name === 'xmlns') ownDefault = decodeUri(a.value)
      else if (a.name.startsWith('xmlns:')) {
        const p = a.name.slice(6)
        own.push(p)
        if (p === prefix) ownPrefixed = decodeUri(a.value)
      }
    }
    const ns =
      prefix === ''
        ? (ownDefault ?? scope.ns)
        : prefix === 'xml'
          ? XML_NS
          : (ownPrefixed ?? inherited(prefix)?.uri ?? '')
    let xml = text
    if (scope.declarations.length > 0) {
      const injected: string[] = []
      for (const p of used) {
        if (own.includes(p)) continue
        const d = inherited(p)
        if (d !== undefined) injected.push(d.raw)
      }
      if (injected.length > 0) {
        const at = tag.nameEnd - start
        xml = `${text.slice(0, at)} ${injected.join(' ')}${text.slice(at)}`
      }
    }
    const level = streamLayerNamespaces.has(ns) ? 'stream' : 'stanza'
    chunks.push(chunk(text, xml, start, line, tag.name, ns, scope.ns, level, complete))
  }

  /** Prefixes a tag uses in its name and attribute names (not `xml`, not declarations). */
  const notePrefixes = (tag: Tag, used: Set<string>): void => {
    const p = prefixOf(tag.name)
    if (p !== '' && p !== 'xml' && p !== 'xmlns') used.add(p)
    for (const a of tag.attrs) {
      const q = prefixOf(a.name)
      if (q !== '' && q !== 'xml' && q !== 'xmlns') used.add(q)
    }
  }

  const isHeader = (tag: Tag): boolean => {
    if (tag.empty || localOf(tag.name) !== 'stream') return false
    const prefix = prefixOf(tag.name)
    const attr = prefix === '' ? 'xmlns' : `xmlns:${prefix}`
    const own = tag.attrs.find((a) => a.name === attr)
    const uri =
      own !== undefined
        ? decodeUri(own.value)
        : prefix === ''
          ? scope.ns
          : scope.declarations.find((d) => d.prefix === prefix)?.uri
    // An undeclared prefix on a `stream` element: a header missing its declaration, not a stanza.
    return uri === STREAMS_NS || (uri === undefined && prefix !== '')
  }

  const openHeader = (tag: Tag, at: number): void => {
    const declarations: Declaration[] = []
    let ns: string | undefined
    for (const a of tag.attrs) {
      if (a.name === 'xmlns') ns = decodeUri(a.value)
      else if (a.name.startsWith('xmlns:'))
        declarations.push({
          prefix: a.name.slice(6),
          uri: decodeUri(a.value),
          raw: input.slice(a.start, a.end),
        })
    }
    const offset = at
    headers.push(
      ns === undefined
        ? { offset, line: lineAt(offset), declarations }
        : { offset, line: lineAt(offset), ns, declarations },
    )
    // An unprefixed header whose default namespace is the streams namespace declares no content
    // namespace (RFC 6120 §4.8.1, §4.8.3): stanzas fall back to the option's.
    const content = ns === undefined || ns === STREAMS_NS ? fallbackNs : ns
    scope = { ns: content, declarations, header: tag.name }
    closed = false
  }

  /**
   * Scans the content of the element whose start tag `root` begins at `start`, and pushes it.
   * Returns where scanning resumes.
   */
  const element = (start: number, root: Tag): number => {
    const used = new Set<string>()
    notePrefixes(root, used)
    const stack: string[] = [root.name]
    const open = new Map<string, number>([[root.name, 1]])
    let i = root.end
    while (true) {
      const lt = input.indexOf('<', i)
      if (lt === -1) break
      const c = input.charCodeAt(lt + 1)
      if (c === BANG || c === QUESTION) {
        const e = specialEnd(lt)
        if (e === -1) break
        i = e
        continue
      }
      if (c === SLASH) {
        const endTag = readEndTag(lt)
        const count = open.get(endTag.name) ?? 0
        if (count === 0) {
          if (
            scope.header === undefined
              ? localOf(endTag.name) === 'stream'
              : endTag.name === scope.header
          ) {
            push(start, lt, false, { tag: root, used })
            return lt
          }
          if (endTag.end === -1) break
          i = endTag.end
          continue
        }
        if (endTag.end === -1) break
        // Close the innermost element of that name and everything opened inside it.
        while (true) {
          const top = stack.pop() ?? endTag.name
          open.set(top, (open.get(top) ?? 1) - 1)
          if (top === endTag.name) break
        }
        if (stack.length === 0) {
          push(start, endTag.end, true, { tag: root, used })
          return endTag.end
        }
        i = endTag.end
        continue
      }
      if (!startsName(c)) {
        i = lt + 1
        continue
      }
      const tag = readTag(lt)
      if (scope.header !== undefined && tag.name === scope.header && isHeader(tag)) {
        push(start, lt, false, { tag: root, used })
        return lt
      }
      if (tag.end === -1) break
      notePrefixes(tag, used)
      if (!tag.empty) {
        stack.push(tag.name)
        open.set(tag.name, (open.get(tag.name) ?? 0) + 1)
      }
      i = tag.end
    }
    push(start, n, false, { tag: root, used })
    return n
  }

  // The XML declaration is accepted at the very start and before each stream header (restarts).
  let pendingDeclaration: { readonly start: number; readonly end: number } | undefined
  let first = true
  const settleDeclaration = (beforeHeader: boolean): void => {
    if (pendingDeclaration !== undefined && !beforeHeader && !first)
      push(pendingDeclaration.start, pendingDeclaration.end, true)
    pendingDeclaration = undefined
  }

  let i = 0
  while (i < n) {
    const c = input.charCodeAt(i)
    if (isSpaceCode(c)) {
      i++
      continue
    }
    if (c !== LT) {
      settleDeclaration(false)
      first = false
      const lt = input.indexOf('<', i)
      const end = lt === -1 ? n : lt
      push(i, end, true)
      i = end
      continue
    }
    const d = input.charCodeAt(i + 1)
    if (d === QUESTION || d === BANG) {
      const end = specialEnd(i)
      const isDeclaration =
        d === QUESTION && end !== -1 && /^<\?xml[ \t\r\n?]/.test(input.slice(i, i + 6))
      if (isDeclaration) {
        if (pendingDeclaration !== undefined) {
          settleDeclaration(false)
          first = false
        }
        pendingDeclaration = { start: i, end }
        i = end
        continue
      }
      settleDeclaration(false)
      first = false
      push(i, end === -1 ? n : end, end !== -1)
      i = end === -1 ? n : end
      continue
    }
    if (d === SLASH) {
      const endTag = readEndTag(i)
      if (localOf(endTag.name) === 'stream' && endTag.end !== -1) {
        settleDeclaration(false)
        first = false
        closed = true
        scope = { ns: fallbackNs, declarations: [], header: undefined }
        i = endTag.end
        continue
      }
      settleDeclaration(false)
      first = false
      const end = endTag.end === -1 ? n : endTag.end
      push(i, end, endTag.end !== -1)
      i = end
      continue
    }
    if (!startsName(d)) {
      // A stray `<`: text up to the next `<`, for the decoder to reject.
      settleDeclaration(false)
      first = false
      const lt = input.indexOf('<', i + 1)
      const end = lt === -1 ? n : lt
      push(i, end, true)
      i = end
      continue
    }
    const tag = readTag(i)
    if (tag.end !== -1 && isHeader(tag)) {
      settleDeclaration(true)
      first = false
      openHeader(tag, i)
      i = tag.end
      continue
    }
    settleDeclaration(false)
    first = false
    if (tag.end === -1) {
      push(i, n, false, { tag, used: new Set() })
      break
    }
    if (tag.empty) {
      const used = new Set<string>()
      notePrefixes(tag, used)
      push(i, tag.end, true, { tag, used })
      i = tag.end
      continue
    }
    i = element(i, tag)
  }
  settleDeclaration(false)
  return { chunks, headers, closed }
}
