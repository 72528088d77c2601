/**
 * The XMPP stream framer: socket bytes in, stream events out (RFC 6120 §4).
 *
 * An XMPP stream is one XML document whose root, `<stream:stream>`, stays open for the whole
 * session (§4.2); each child of it is a stanza (§8) or a stream-level element (features §4.3.2,
 * STARTTLS §5, SASL §6, stream errors §4.9). The framer cuts the byte stream into:
 * - `StreamOpen`: the header (§4.7), with its attributes, its content namespace (the default
 *   `xmlns`, §4.8.3) and its prefix declarations;
 * - `Element`: one top-level child, parsed by `Xml.parse` with the content namespace in scope,
 *   so stanzas inherit it, and with the header's prefixes re-declared, so `<stream:features>`
 *   resolves (Namespaces in XML 1.0 §6.1);
 * - `StreamClose`: `</stream:stream>` (§4.4);
 * - `StreamError`: a framing or limit fault, with the §4.9.3 condition the caller closes the
 *   stream with. The framer is then dead until `reset()`: everything pushed is ignored.
 *
 * Streaming: chunks may split anything, a multi-byte UTF-8 character included (UTF-8 is
 * decoded with a streaming, fatal decoder: RFC 6120 §11.6, SECURITY.md §1 stage 1). A small
 * state machine looks at each character once and keeps only the text of the unfinished
 * top-level element, so the work is linear in the input however it is chunked; `Xml.parse`
 * then reads each complete element once more.
 *
 * Limits (SECURITY.md §3) apply per top-level element. The framer enforces size, depth,
 * element count and attributes per element *while the element arrives*, so an endless or deep
 * element is cut off at the cap, not buffered; `Xml.parse` enforces the rest on the complete
 * element. Structural faults the state machine cannot frame past (`<` in a tag, `< `, `/` not
 * followed by `>`, text at stream level) are `not-well-formed` at once; comments, processing
 * instructions and declarations are `restricted-xml` at once (§11.1). Whitespace between
 * top-level elements is a keepalive (§4.6.1, §11.7) and is dropped.
 *
 * @example
 * import * as Framer from 'stanzakit/connection/framer'
 * const f = Framer.framer()
 * socket.on('data', (bytes) => { for (const event of f.push(bytes)) handle(event) })
 *
 * @since 0.2.0
 */
import { isSpaceCode, utf8Length } from '../internal/chars.js'
import { escapeAttr } from '../internal/escape.js'
import * as Xml from '../Xml.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** @category model */
export type FrameEvent =
  | {
      readonly _tag: 'StreamOpen'
      /** `to`, `from`, `id`, `version`, `xml:lang` (and any other attribute) of the header. */
      readonly attrs: Readonly<Record<string, string>>
      /** The content namespace: the header's default `xmlns` (RFC 6120 §4.8.3). */
      readonly ns: string
      /** Prefix declarations of the header, e.g. `stream` → `http://etherx.jabber.org/streams`. */
      readonly prefixes: ReadonlyMap<string, string>
    }
  | {
      readonly _tag: 'Element'
      /**
       * The element's text as `Xml.parse` read it: the source, plus the header's prefix
       * declarations it uses re-declared on its start tag. Decodable on its own with
       * `{ ns: <content ns> }`.
       */
      readonly xml: string
      readonly element: Xml.XmlElement
    }
  | { readonly _tag: 'StreamClose' }
  | {
      readonly _tag: 'StreamError'
      /** The RFC 6120 §4.9.3 condition the caller closes the stream with. */
      readonly condition: string
      /** Short; never echoes more than a few characters of input. */
      readonly message: string
    }

/** @category model */
export interface Framer {
  /** Feeds bytes as they come from the socket; returns the events they complete, in order. */
  push(chunk: Uint8Array): ReadonlyArray<FrameEvent>
  /**
   * Starts a new stream: after STARTTLS (RFC 6120 §5.4.3.3) or SASL success (§6.4.6) both sides
   * restart with a fresh header, and bytes of the old stream must not leak into the new one.
   */
  reset(): void
}

/** @category model */
export interface FramerOptions {
  /** Overrides of `Xml.defaultLimits`, per top-level element. */
  readonly limits?: Partial<Xml.Limits>
}

/** @category model */
export interface StreamHeaderOptions {
  readonly to: string
  readonly from?: string
  /** `'1.0'` asks for stream features (RFC 6120 §4.7.5); components (XEP-0114) omit it. */
  readonly version?: '1.0'
  readonly lang?: string
  readonly ns: 'jabber:client' | 'jabber:component:accept'
  readonly id?: string
}

/** The namespace of `<stream:stream>` (RFC 6120 §4.8.1). */
export const STREAMS_NS = 'http://etherx.jabber.org/streams'

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * The opening of an initiating entity's stream (RFC 6120 §4.7, XEP-0114 §3): an XML
 * declaration and the header, the `stream` prefix bound to the streams namespace and the content
 * namespace as default. Attribute values are escaped (SECURITY.md §5).
 *
 * @category encoding
 */
export const streamHeader = (options: StreamHeaderOptions): string => {
  let s = `<?xml version='1.0'?><stream:stream xmlns='${options.ns}' xmlns:stream='${STREAMS_NS}' to='${escapeAttr(options.to)}'`
  if (options.from !== undefined) s += ` from='${escapeAttr(options.from)}'`
  if (options.id !== undefined) s += ` id='${escapeAttr(options.id)}'`
  if (options.version !== undefined) s += ` version='${options.version}'`
  if (options.lang !== undefined) s += ` xml:lang='${escapeAttr(options.lang)}'`
  return `${s}>`
}

/**
 * The end of a stream (RFC 6120 §4.4), matching {@link streamHeader}'s prefix.
 *
 * @category encoding
 */
export const streamClose = '</stream:stream>'

// -------------------------------------------------------------------------------------
// state machine
// -------------------------------------------------------------------------------------

// Lexical states. Each state decides on the current character alone (a name's end is read
// again as the first character after it), so a chunk boundary can fall anywhere: no state
// looks ahead, and what a chunk ends inside carries over in these few variables.
/** Between tags: stream level (depth 0) or element content. */
const TEXT = 0
/** After `<`. */
const LT = 1
/** The element name of a start tag. */
const NAME = 2
/** Inside a start tag, between attributes. */
const TAG = 3
/** An attribute name. */
const ATTR = 4
/** A quoted attribute value; the quote is in `quote`. */
const VALUE = 5
/** `/` inside a start tag: `>` must follow. */
const SLASH = 6
/** An end tag, up to `>`. */
const END = 7
/** After `<!` in content: matching `[CDATA[`. */
const BANG = 8
/** A CDATA section; `brackets` counts the `]` just seen. */
const CDATA = 9
/** The XML declaration, `<?xml … ?>`. */
const DECL = 10

// Phases of a stream.
/** Before the header: an XML declaration and whitespace may come. */
const PROLOG = 0
/** The header was read: top-level elements, keepalives, the close. */
const OPEN = 1
/** `</stream:stream>` was read: the rest is ignored. */
const CLOSED = 2
/** A `StreamError` was reported: the rest is ignored. */
const FAILED = 3

const CDATA_OPEN = '[CDATA['

const ch = {
  lt: 60,
  gt: 62,
  slash: 47,
  bang: 33,
  question: 63,
  eq: 61,
  quot: 34,
  apos: 39,
  rbracket: 93,
} as const

/** Characters that end a name token inside a tag. */
const endsName = (c: number): boolean =>
  isSpaceCode(c) ||
  c === ch.gt ||
  c === ch.slash ||
  c === ch.eq ||
  c === ch.lt ||
  c === ch.quot ||
  c === ch.apos

/** UTF-8 octets of one UTF-16 unit: a surrogate is half of a 4-octet character. */
const utf8Units = (c: number): number =>
  c < 0x80 ? 1 : c < 0x800 || (c & 0xf800) === 0xd800 ? 2 : 3

const prefixOf = (qname: string): string => {
  const colon = qname.indexOf(':')
  return colon === -1 ? '' : qname.slice(0, colon)
}

const references: Readonly<Record<string, string>> = Object.assign(Object.create(null), {
  lt: '<',
  gt: '>',
  amp: '&',
  quot: '"',
  apos: "'",
})

/**
 * The value of an attribute `Xml.parse` has already accepted: whitespace normalized
 * (XML 1.0 §3.3.3), the five entities and character references decoded.
 */
const attrValue = (raw: string): string =>
  raw
    .replace(/[\t\n\r]/g, ' ')
    .replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (ref, body: string) =>
      body.startsWith('#x')
        ? String.fromCodePoint(Number.parseInt(body.slice(2), 16))
        : body.startsWith('#')
          ? String.fromCodePoint(Number.parseInt(body.slice(1), 10))
          : (references[body] ?? ref),
    )

const streamError = (condition: string, message: string): FrameEvent => ({
  _tag: 'StreamError',
  condition,
  message,
})

/** A fault found while framing: becomes the `StreamError` event. */
interface Fault {
  readonly condition: string
  readonly message: string
}

/**
 * A new framer, in the state before a stream header. See the module comment.
 *
 * @category constructors
 */
export const framer = (options?: FramerOptions): Framer => {
  const limits: Xml.Limits =
    options?.limits === undefined ? Xml.defaultLimits : { ...Xml.defaultLimits, ...options.limits }

  // --- per stream -------------------------------------------------------------------
  let decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
  let phase = PROLOG
  /** No octet of this stream has been seen yet. */
  let started = false
  /** No character of this stream has been seen yet. */
  let fresh = true
  /** The current `<` was the stream's first character: an XML declaration may follow. */
  let first = false
  /** Content namespace and prefixes of the header; the header's qualified name, for its end tag. */
  let contentNs = ''
  let prefixes: ReadonlyMap<string, string> = new Map()
  let headerName = ''

  // --- lexical state ----------------------------------------------------------------
  let state = TEXT
  let quote = 0
  let brackets = 0
  /** Progress through `[CDATA[` after `<!`, or through `?>` in the declaration (0/1). */
  let progress = 0
  /** Open elements of the current top-level element. */
  let depth = 0
  /** Attributes of the current start tag. */
  let attributes = 0

  // --- the current top-level element -------------------------------------------------
  /** Its text from earlier chunks; `from` is where it starts in `s` (-1: none). */
  let parts: string[] = []
  /**
   * The latest pieces of it, joined into `parts` by the batch: with tiny chunks, one string per
   * chunk would cost far more memory than the text itself.
   */
  let pieces: string[] = []
  let from = -1
  /** Its UTF-8 length so far, and its element count. */
  let bytes = 0
  let elements = 0
  /** Length of its root's qualified name: where re-declared prefixes go. */
  let rootNameLength = 0
  /** Header prefixes its names use; prefixes its root declares itself. */
  let used = new Set<string>()
  let own = new Set<string>()
  /** For the header only: its attributes' names and raw values, in order. */
  let headerAttrs: Array<{ name: string; value: string }> = []

  // --- the current token (a name or a header value), captured across chunks ---------
  let token = ''
  let tokenFrom = -1

  // --- the chunk being read, and what it completes ------------------------------------
  let s = ''
  let events: FrameEvent[] = []

  const startElement = (at: number): void => {
    parts = []
    pieces = []
    from = at
    bytes = 0
    elements = 0
    rootNameLength = 0
    used = new Set()
    own = new Set()
    headerAttrs = []
  }

  const reset = (): void => {
    decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
    phase = PROLOG
    started = false
    fresh = true
    first = false
    contentNs = ''
    prefixes = new Map()
    headerName = ''
    state = TEXT
    quote = 0
    brackets = 0
    progress = 0
    depth = 0
    attributes = 0
    startElement(-1)
    token = ''
    tokenFrom = -1
  }

  /** Ends the stream with a `StreamError`; returns the events of this push. */
  const fail = (fault: Fault): ReadonlyArray<FrameEvent> => {
    phase = FAILED
    parts = []
    pieces = []
    token = ''
    events.push(streamError(fault.condition, fault.message))
    return events
  }

  /** The token that ends before `s[i]`. */
  const takeToken = (i: number): string => {
    const t = tokenFrom === -1 ? token : token + s.slice(tokenFrom, i)
    token = ''
    tokenFrom = -1
    return t
  }

  /** Notes a name inside the current element: its prefix, if it is one of the header's. */
  const noteName = (qname: string): void => {
    const p = prefixOf(qname)
    if (p !== '' && prefixes.has(p)) used.add(p)
  }

  /** The text of the current top-level element up to and including `s[i]`. */
  const collect = (i: number): string => {
    const tail = s.slice(from, i + 1)
    from = -1
    if (parts.length === 0 && pieces.length === 0) return tail
    return parts.join('') + pieces.join('') + tail
  }

  /** The header ended at `s[i]`: check it with `Xml.parse` and report `StreamOpen`. */
  const openStream = (i: number, empty: boolean): Fault | undefined => {
    const text = collect(i)
    // As an empty element it is a document `Xml.parse` can check: names, attributes,
    // references, namespaces and limits, exactly as for a stanza.
    const parsed = Xml.parse(empty ? text : `${text.slice(0, -1)}/>`, { ns: null, limits })
    if (parsed._tag === 'Left') return parsed.left
    const header = parsed.right
    if (header.name !== 'stream')
      return { condition: 'bad-format', message: 'expected a stream header (RFC 6120 §4.7)' }
    if (header.ns !== STREAMS_NS)
      return {
        condition: 'invalid-namespace',
        message: 'stream header outside the streams namespace (RFC 6120 §4.8.1)',
      }
    let ns: string | undefined
    const declared = new Map<string, string>()
    for (const a of headerAttrs)
      if (a.name === 'xmlns') ns = attrValue(a.value)
      else if (a.name.startsWith('xmlns:')) declared.set(a.name.slice(6), attrValue(a.value))
    if (ns === undefined || ns === '' || ns === STREAMS_NS)
      return { condition: 'invalid-namespace', message: 'no content namespace (RFC 6120 §4.8.3)' }
    contentNs = ns
    prefixes = declared
    headerName = text.slice(1, 1 + rootNameLength)
    phase = OPEN
    events.push({ _tag: 'StreamOpen', attrs: header.attrs, ns, prefixes: declared })
    if (empty) {
      // `<stream:stream …/>`: a whole, empty stream.
      phase = CLOSED
      events.push({ _tag: 'StreamClose' })
    }
    return undefined
  }

  /** The top-level element ended at `s[i]`: parse it and report `Element`. */
  const complete = (i: number): Fault | undefined => {
    let xml = collect(i)
    let injectedBytes = 0
    let injectedCount = 0
    const at = 1 + rootNameLength
    for (const p of used) {
      const uri = prefixes.get(p)
      if (own.has(p) || uri === undefined) continue
      const declaration = ` xmlns:${p}='${escapeAttr(uri)}'`
      xml = `${xml.slice(0, at)}${declaration}${xml.slice(at)}`
      injectedBytes += utf8Length(declaration)
      injectedCount++
    }
    // The source has been held to the caps already; what the framer adds must not count.
    const parsed = Xml.parse(
      xml,
      injectedCount === 0
        ? { ns: contentNs, limits }
        : {
            ns: contentNs,
            limits: {
              ...limits,
              maxBytes: limits.maxBytes + injectedBytes,
              maxAttributes: limits.maxAttributes + injectedCount,
            },
          },
    )
    if (parsed._tag === 'Left') return parsed.left
    events.push({ _tag: 'Element', xml, element: parsed.right })
    return undefined
  }

  /** A start tag ended at `s[i]`; `empty` for `/>`. */
  const endStartTag = (i: number, empty: boolean): Fault | undefined => {
    if (depth === 0 && phase === PROLOG) return openStream(i, empty)
    if (!empty) {
      depth++
      return undefined
    }
    return depth === 0 ? complete(i) : undefined
  }

  const push = (chunk: Uint8Array): ReadonlyArray<FrameEvent> => {
    if (phase === CLOSED || phase === FAILED) return []
    events = []
    if (!started && chunk.length > 0) {
      started = true
      // XML 1.0 App. F: these first octets mean UTF-16 or UTF-32, which XMPP forbids (§11.6).
      const b0 = chunk[0]
      if (b0 === 0x00 || b0 === 0xfe || b0 === 0xff)
        return fail({ condition: 'unsupported-encoding', message: 'not UTF-8 (RFC 6120 §11.6)' })
    }
    try {
      s = decoder.decode(chunk, { stream: true })
    } catch {
      return fail({ condition: 'not-well-formed', message: 'invalid UTF-8 (RFC 6120 §11.6)' })
    }
    const n = s.length
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i)
      if (from !== -1) {
        bytes += utf8Units(c)
        if (bytes > limits.maxBytes)
          return fail({
            condition: 'policy-violation',
            message: `top-level element larger than ${limits.maxBytes} bytes`,
          })
      }
      switch (state) {
        case TEXT: {
          if (c !== ch.lt) {
            if (depth === 0 && !isSpaceCode(c))
              return fail({
                condition: 'not-well-formed',
                message: 'text at stream level (RFC 6120 §11.7)',
              })
            break
          }
          state = LT
          if (depth === 0) {
            startElement(i)
            bytes = 1
            first = fresh
          }
          break
        }
        case LT: {
          if (c === ch.slash) {
            state = END
            tokenFrom = i + 1
          } else if (c === ch.bang) {
            if (depth === 0)
              return fail({
                condition: 'restricted-xml',
                message: 'comment or markup declaration (RFC 6120 §11.1)',
              })
            state = BANG
            progress = 0
          } else if (c === ch.question) {
            if (!(first && phase === PROLOG))
              return fail({
                condition: 'restricted-xml',
                message: 'processing instruction (RFC 6120 §11.1)',
              })
            state = DECL
            progress = 0
          } else if (endsName(c) || c === 0) {
            // `<` NUL as the first two characters: UTF-16 without a byte order mark (App. F).
            return fail({
              condition: first && c === 0 ? 'unsupported-encoding' : 'not-well-formed',
              message: '`<` not followed by a name',
            })
          } else {
            if (depth + 1 > limits.maxDepth)
              return fail({
                condition: 'policy-violation',
                message: `deeper than ${limits.maxDepth}`,
              })
            if (++elements > limits.maxElements)
              return fail({
                condition: 'policy-violation',
                message: `more than ${limits.maxElements} elements`,
              })
            state = NAME
            attributes = 0
            tokenFrom = i
          }
          break
        }
        case NAME:
        case ATTR: {
          if (!endsName(c)) break
          const name = takeToken(i)
          if (state === NAME) {
            if (depth === 0) rootNameLength = name.length
            noteName(name)
          } else {
            if (++attributes > limits.maxAttributes)
              return fail({
                condition: 'policy-violation',
                message: `more than ${limits.maxAttributes} attributes on an element`,
              })
            if (depth === 0) {
              if (name.startsWith('xmlns:')) own.add(name.slice(6))
              if (phase === PROLOG) headerAttrs.push({ name, value: '' })
            }
            if (!name.startsWith('xmlns')) noteName(name)
          }
          // The character that ended the name is read again, in TAG.
          state = TAG
          i--
          if (from !== -1) bytes -= utf8Units(c)
          continue
        }
        case TAG: {
          if (c === ch.gt) {
            state = TEXT
            const fault = endStartTag(i, false)
            if (fault !== undefined) return fail(fault)
          } else if (c === ch.slash) state = SLASH
          else if (c === ch.quot || c === ch.apos) {
            state = VALUE
            quote = c
            if (depth === 0 && phase === PROLOG) tokenFrom = i + 1
          } else if (c === ch.lt)
            return fail({ condition: 'not-well-formed', message: '`<` inside a tag' })
          else if (!isSpaceCode(c) && c !== ch.eq) {
            state = ATTR
            tokenFrom = i
          }
          break
        }
        case VALUE: {
          if (c !== quote) break
          state = TAG
          if (tokenFrom !== -1) {
            const value = takeToken(i)
            const last = headerAttrs[headerAttrs.length - 1]
            if (last !== undefined) last.value = value
          }
          break
        }
        case SLASH: {
          if (c !== ch.gt)
            return fail({ condition: 'not-well-formed', message: '`/` inside a tag' })
          state = TEXT
          const fault = endStartTag(i, true)
          if (fault !== undefined) return fail(fault)
          break
        }
        case END: {
          if (c === ch.lt || c === ch.quot || c === ch.apos)
            return fail({ condition: 'not-well-formed', message: 'malformed end tag' })
          if (c !== ch.gt) break
          state = TEXT
          const name = takeToken(i).trimEnd()
          if (depth === 0) {
            // At stream level the only end tag is the header's (RFC 6120 §4.4).
            if (phase !== OPEN || name !== headerName)
              return fail({
                condition: 'not-well-formed',
                message: 'end tag matching no open element',
              })
            from = -1
            phase = CLOSED
            events.push({ _tag: 'StreamClose' })
          } else if (--depth === 0) {
            const fault = complete(i)
            if (fault !== undefined) return fail(fault)
          }
          break
        }
        case BANG: {
          if (c !== CDATA_OPEN.charCodeAt(progress))
            return fail({
              condition: 'restricted-xml',
              message: 'comment or markup declaration (RFC 6120 §11.1)',
            })
          if (++progress === CDATA_OPEN.length) {
            state = CDATA
            brackets = 0
          }
          break
        }
        case CDATA: {
          if (c === ch.rbracket) brackets++
          else if (c === ch.gt && brackets >= 2) state = TEXT
          else brackets = 0
          break
        }
        case DECL: {
          if (c === ch.gt && progress === 1) {
            state = TEXT
            const fault = checkDeclaration(collect(i))
            if (fault !== undefined) return fail(fault)
          } else progress = c === ch.question ? 1 : 0
          break
        }
      }
      fresh = false
      // After the stream's end, nothing more is read (RFC 6120 §4.4).
      if (phase === CLOSED) return events
    }
    // Keep the unfinished element and token for the next chunk.
    if (from !== -1) {
      pieces.push(s.slice(from))
      if (pieces.length === 256) {
        parts.push(pieces.join(''))
        pieces = []
      }
      from = 0
    }
    if (tokenFrom !== -1) {
      token += s.slice(tokenFrom)
      tokenFrom = 0
    }
    s = ''
    return events
  }

  return { push, reset }
}

/** The XML declaration (XML 1.0 §2.8), the only processing-instruction-like thing allowed. */
const checkDeclaration = (decl: string): Fault | undefined => {
  if (!/^<\?xml[ \t\r\n]/.test(decl))
    return { condition: 'restricted-xml', message: 'processing instruction (RFC 6120 §11.1)' }
  const encoding = /[ \t\r\n]encoding[ \t\r\n]*=[ \t\r\n]*["']([^"']*)["']/.exec(decl)?.[1]
  if (encoding !== undefined && encoding.toLowerCase() !== 'utf-8')
    return { condition: 'unsupported-encoding', message: 'not UTF-8 (RFC 6120 §11.6)' }
  return undefined
}
