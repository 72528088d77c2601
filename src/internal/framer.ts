/**
 * The XMPP stream framer: bytes in, stream events out (RFC 6120 §4). Internal: sessions use it
 * through `connection/framer.ts`, which passes `Xml.parse` in, and so does the `validate` CLI.
 *
 * An XMPP stream is one XML document whose root, `<stream:stream>`, stays open for the whole
 * session (§4.2); each child of it is a stanza (§8) or a stream-level element (features §4.3.2,
 * STARTTLS §5, SASL §6, stream errors §4.9). The framer cuts the bytes into:
 * - `StreamOpen`: the header (§4.7), with its attributes, its content namespace (the default
 *   `xmlns`, §4.8.3) and its prefix declarations;
 * - `Element`: one top-level child, parsed with the content namespace in scope, so stanzas
 *   inherit it, and with the header's prefixes it uses re-declared on its root (their source
 *   text, copied), so `<stream:features>` resolves (Namespaces in XML 1.0 §6.1);
 * - `StreamClose`: `</stream:stream>` (§4.4);
 * - `StreamError`: a fault with the §4.9.3 condition to close the stream with. The framer is then
 *   dead until `reset()`: everything pushed is ignored.
 *
 * Fault policy. `'stop'` (the default) is a live session's: the first fault ends the stream, as
 * RFC 6120 §4.9 requires. `'resync'` reads a dump (the CLI): a fault spoils only the top-level
 * piece it is in, which comes out as a `Fault` event with its line, and framing goes on at the
 * next top-level element. Anything else at top level (text, comments, processing instructions,
 * stray end tags, a late XML declaration) is such a piece too. A dump may also leave the header
 * out (stanzas then get the `ns` option as content namespace, as they do under a header
 * declaring none), restart the stream with a later header (§4.3.3, an XML declaration may come
 * before it) or be cut anywhere. Only an encoding the stream is not in (§11.6) stops it.
 * A piece ends at the end tag of its root; when end tags do not match, an end tag closes the
 * innermost open element of its name and all opened after it, and one matching none is left to
 * the parser to report, so `<message><body>hi</message>` ends at `</message>`. The stream's close
 * or a new header inside an element ends the element there, unfinished.
 *
 * Streaming: chunks may split anything, a multi-byte UTF-8 character included (RFC 6120 §11.6).
 * A small state machine looks at each character once and keeps only the text of the unfinished
 * top-level piece, so the work is linear in the input however it is chunked; the parser then
 * reads each complete element once more. Lines and offsets (UTF-16 units into the decoded text)
 * are counted from the start of the stream.
 *
 * Limits (docs/security.md §3) apply per top-level piece, *while it arrives*: size, depth,
 * element count and attributes per element, so an endless or deep element is cut off at the cap,
 * not buffered; the parser enforces the rest on the complete element. In `'stop'`, structural
 * faults the state machine cannot frame past (`<` in a tag, `< `, `/` not followed by `>`, text
 * at stream level, an end tag that does not match) are `not-well-formed` at once, and comments,
 * processing instructions and declarations `restricted-xml` at once (§11.1). Whitespace between
 * top-level elements is a keepalive (§4.6.1, §11.7) and is dropped.
 *
 * @since 0.2.0
 */
import type { Either } from 'fp-ts/lib/Either.js'
import { isSpaceCode, utf8Length } from './chars.js'
import { decodeUtf8, utf8SequenceAt, wideEncoding } from './encoding.js'
import * as NS from './ns.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * What the framer emits, `El` being the parser's element (`Xml.XmlElement`).
 *
 * @category model
 */
export type FrameEvent<El> =
  | {
      readonly _tag: 'StreamOpen'
      /** `to`, `from`, `id`, `version`, `xml:lang` (and any other attribute) of the header. */
      readonly attrs: Readonly<Record<string, string>>
      /** The content namespace: the header's default `xmlns` (RFC 6120 §4.8.3). */
      readonly ns: string
      /** Prefix declarations of the header, e.g. `stream` → `http://etherx.jabber.org/streams`. */
      readonly prefixes: ReadonlyMap<string, string>
      /** 1-based line and UTF-16 offset of the header's `<` in the stream. */
      readonly line: number
      readonly offset: number
    }
  | {
      readonly _tag: 'Element'
      /**
       * The element's text as the parser read it: the source, plus the header's prefix
       * declarations it uses re-declared on its start tag. Decodable on its own with
       * `{ ns: <content ns> }`.
       */
      readonly xml: string
      readonly element: El
      /** 1-based line and UTF-16 offset of the element's `<` in the stream. */
      readonly line: number
      readonly offset: number
    }
  | { readonly _tag: 'StreamClose' }
  | {
      readonly _tag: 'StreamError'
      /** The RFC 6120 §4.9.3 condition the caller closes the stream with. */
      readonly condition: string
      /** Short; never echoes more than a few characters of input. */
      readonly message: string
    }

/**
 * A top-level piece that is not a well-formed element, from a `'resync'` framer only. `Err` is
 * the parser's error (`Xml.XmlError`).
 *
 * @category model
 */
export interface Fault<Err> {
  readonly _tag: 'Fault'
  /** What is wrong: the parser's error, or the framer's own (a limit, invalid UTF-8). */
  readonly error: Err
  /**
   * The piece's text, header prefixes re-declared as for `Element`; `''` when it was dropped
   * (the fault was found while it arrived: past a limit, invalid UTF-8).
   */
  readonly xml: string
  /** The root's qualified name as written, and its namespace as declared; `''` if not an element. */
  readonly name: string
  readonly ns: string
  /** `false` when the input ended, or the stream closed or restarted, inside it. */
  readonly complete: boolean
  /** 1-based line and UTF-16 offset of the piece's first character in the stream. */
  readonly line: number
  readonly offset: number
}

/** @category model */
export interface Framer<E> {
  /** Feeds bytes as they come; returns the events they complete, in order. */
  push(chunk: Uint8Array): ReadonlyArray<E>
  /**
   * Ends the input: returns the events of what was unfinished (`'resync'`: the last piece, cut;
   * `'stop'`: a `StreamError` when the input ends inside an element). Then the framer is done
   * until `reset()`.
   */
  end(): ReadonlyArray<E>
  /**
   * Starts a new stream: after STARTTLS (RFC 6120 §5.4.3.3) or SASL success (§6.4.6) both sides
   * restart with a fresh header, and bytes of the old stream must not leak into the new one.
   */
  reset(): void
}

/**
 * What to do on a fault: `'stop'` the stream (a live session), or `'resync'` at the next
 * top-level element (a dump). See the module comment.
 *
 * @category model
 */
export type FaultPolicy = 'stop' | 'resync'

/** The limits applied while a piece arrives, per top-level piece (the shape of `Xml.Limits`). */
export interface Limits {
  readonly maxBytes: number
  readonly maxDepth: number
  readonly maxElements: number
  readonly maxAttributes: number
}

/** @category model */
export interface Options {
  readonly limits: Limits
  /** Default `'stop'`. */
  readonly onFault?: FaultPolicy
  /** `'resync'` only: the content namespace outside a header. Default `jabber:client`. */
  readonly ns?: string
}

/** Conditions of the faults the framer finds in a piece itself. */
export type PieceCondition = 'not-well-formed' | 'policy-violation'

/**
 * The parser the framer reads complete elements with, passed in (`Xml.parse`): internal modules
 * import no public module as a value.
 *
 * @category model
 */
export interface Parser<El extends Parsed, Err extends ParseError> {
  /** Parses one element, the content namespace in scope (`null`: none), under `limits`. */
  readonly parse: (
    xml: string,
    options: { readonly ns: string | null; readonly limits: Limits },
  ) => Either<Err, El>
  /** A fault the framer found itself, in the parser's form; `offset` is into the piece. */
  readonly fault: (condition: PieceCondition, message: string, offset: number) => Err
}

/** What the framer reads of a parsed header. */
export interface Parsed {
  readonly name: string
  readonly ns: string
  readonly attrs: Readonly<Record<string, string>>
}

/** What the framer reads of a parse error. */
export interface ParseError {
  readonly condition: string
  readonly message: string
}

// -------------------------------------------------------------------------------------
// state machine
// -------------------------------------------------------------------------------------

// Lexical states. Each state decides on the current character alone (a name's end is read
// again as the first character after it), so a chunk boundary can fall anywhere: no state
// looks ahead, and what a chunk ends inside carries over in a few variables.
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
/** The name of an end tag. */
const END = 7
/** An end tag after its name, up to `>`. */
const END_TAIL = 8
/** After `<!`: matching `[CDATA[` (or, `'resync'`, `--`). */
const BANG = 9
/** A CDATA section; `brackets` counts the `]` just seen. */
const CDATA = 10
/** A processing instruction or the XML declaration, `<? … ?>`. */
const PI = 11
/** `'resync'`: a comment; `brackets` counts the `-` just seen. */
const COMMENT = 12
/** `'resync'`: a markup declaration such as `<!DOCTYPE …>`, quotes and brackets skipped. */
const MARKUP = 13
/** `'resync'`: text at stream level, up to the next `<`. */
const RUN = 14

// Phases of a stream (`'stop'`; a `'resync'` framer stays OPEN until it fails or ends).
/** Before the header: an XML declaration and whitespace may come. */
const PROLOG = 0
/** The header was read: top-level elements, keepalives, the close. */
const OPEN = 1
/** `</stream:stream>` was read, or the input ended: the rest is ignored. */
const CLOSED = 2
/** A `StreamError` was reported: the rest is ignored. */
const FAILED = 3

const CDATA_OPEN = '[CDATA['
const COMMENT_OPEN = '--'

const ch = {
  lt: 60,
  gt: 62,
  slash: 47,
  bang: 33,
  question: 63,
  eq: 61,
  quot: 34,
  apos: 39,
  dash: 45,
  lbracket: 91,
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

const prefixOf = (qname: string): string => {
  const colon = qname.indexOf(':')
  return colon === -1 ? '' : qname.slice(0, colon)
}

const localOf = (qname: string): string => qname.slice(qname.indexOf(':') + 1)

const references: Readonly<Record<string, string>> = Object.assign(Object.create(null), {
  lt: '<',
  gt: '>',
  amp: '&',
  quot: '"',
  apos: "'",
})

/**
 * The value of a namespace declaration: whitespace normalized (XML 1.0 §3.3.3), the five
 * entities and character references decoded. Checked by the parser where it matters (the
 * header, and every element before it is emitted).
 */
const attrValue = (raw: string): string =>
  raw
    .replace(/[\t\n\r]/g, ' ')
    .replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (ref, body: string) => {
      const code = body.startsWith('#x')
        ? Number.parseInt(body.slice(2), 16)
        : body.startsWith('#')
          ? Number.parseInt(body.slice(1), 10)
          : -1
      return code === -1
        ? (references[body] ?? ref)
        : code <= 0x10ffff
          ? String.fromCodePoint(code)
          : ref
    })

/** The XML declaration (XML 1.0 §2.8), the only processing-instruction-like thing allowed. */
const isDeclaration = (pi: string): boolean => /^<\?xml[ \t\r\n]/.test(pi)

/** `'stop'`: a declaration of another encoding than UTF-8 (RFC 6120 §11.6). */
const declaresOtherEncoding = (decl: string): boolean => {
  const encoding = /[ \t\r\n]encoding[ \t\r\n]*=[ \t\r\n]*["']([^"']*)["']/.exec(decl)?.[1]
  return encoding !== undefined && encoding.toLowerCase() !== 'utf-8'
}

// -------------------------------------------------------------------------------------
// UTF-8
// -------------------------------------------------------------------------------------

/** Where the unfinished character at the end of `bytes` starts (`bytes.length`: none). */
const wholeLength = (bytes: Uint8Array): number => {
  const n = bytes.length
  for (let k = n - 1; k >= 0 && k >= n - 3; k--) {
    const b = bytes[k] as number
    if ((b & 0xc0) !== 0x80) {
      const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1
      return k + need > n ? k : n
    }
  }
  return n
}

/**
 * `'resync'`: decodes bytes holding ill-formed UTF-8, each maximal ill-formed subpart as one
 * U+FFFD (as the WHATWG decoder does), and says where those are in the text.
 */
const decodeLeniently = (b: Uint8Array): { readonly text: string; readonly bad: number[] } => {
  let text = ''
  const bad: number[] = []
  let run = 0
  let k = 0
  while (k < b.length) {
    const n = utf8SequenceAt(b, k)
    if (n > 0) {
      k += n
      continue
    }
    text += decodeUtf8(b.subarray(run, k))
    bad.push(text.length)
    text += '\uFFFD'
    k -= n
    run = k
  }
  return { text: text + decodeUtf8(b.subarray(run)), bad }
}

/** No ill-formed UTF-8 in a chunk: one shared, frozen empty list. */
const noBadBytes: ReadonlyArray<number> = Object.freeze([])

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * A new framer, in the state before a stream header. See the module comment.
 *
 * @category constructors
 */
export function framer<El extends Parsed, Err extends ParseError>(
  parser: Parser<El, Err>,
  options: Options & { readonly onFault?: 'stop' },
): Framer<FrameEvent<El>>
export function framer<El extends Parsed, Err extends ParseError>(
  parser: Parser<El, Err>,
  options: Options,
): Framer<FrameEvent<El> | Fault<Err>>
export function framer<El extends Parsed, Err extends ParseError>(
  parser: Parser<El, Err>,
  options: Options,
): Framer<FrameEvent<El> | Fault<Err>> {
  type Event = FrameEvent<El> | Fault<Err>
  const stop = options.onFault !== 'resync'
  const fallbackNs = options.ns ?? NS.CLIENT
  const limits = options.limits

  // --- per stream: decoding and position ----------------------------------------------
  /** The stream's first octets, up to 2, where UTF-16 and UTF-32 show (`wideEncoding`). */
  let head: number[] = []
  /** `'stop'`: a streaming decoder; `'resync'`: an unfinished character from the last chunk. */
  let decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
  let carry: Uint8Array | undefined
  /** Characters of the stream before the current chunk, and the line at `scanned`. */
  let base = 0
  let line = 1
  /** Where the next `\n` is in the current chunk, at or after the last position asked (-1: none). */
  let nextNewline = -1
  let phase = PROLOG
  /** No character of this stream has been seen yet. */
  let fresh = true
  /** The current `<` was the stream's first character: an XML declaration may follow. */
  let first = false

  // --- the stream's scope -------------------------------------------------------------
  let contentNs = stop ? '' : fallbackNs
  let prefixes: ReadonlyMap<string, string> = new Map()
  /** The source text of each header declaration, to re-declare it as written. */
  let declarations: ReadonlyMap<string, string> = new Map()
  /** The header's qualified name: its end tag, and in `'resync'` a restart. */
  let headerName = ''

  // --- 'resync': the XML declaration, accepted at the start and before a header --------
  /** Nothing but whitespace and declarations so far. */
  let lead = true
  let pending: { readonly xml: string; readonly line: number; readonly offset: number } | undefined

  // --- lexical state ----------------------------------------------------------------
  let state = TEXT
  let quote = 0
  let brackets = 0
  /** Progress through `target` after `<!`, or through `?>` (0/1). */
  let progress = 0
  let target = CDATA_OPEN
  /** Open elements of the current top-level element: `names` holds their names, up to maxDepth. */
  let depth = 0
  let names: string[] = []
  /** Attributes of the current start tag. */
  let attributes = 0

  // --- the current tag --------------------------------------------------------------
  let tagName = ''
  /** Stream position and line of its `<`. */
  let tagOffset = 0
  let tagLine = 1
  /** Whether its attributes are kept: a root, or (`'resync'`) a tag named like the header. */
  let capture = false
  let tagAttrs: Array<{ name: string; value: string; quote: number }> = []
  let endName = ''

  // --- the current top-level piece ----------------------------------------------------
  let inPiece = false
  let pieceLine = 1
  let pieceOffset = 0
  /** Its text from earlier chunks; `from` is where it starts in `s` (-1: not held). */
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
  /** Its root's qualified name (`''`: not an element) and, `'resync'`, its namespace. */
  let rootName = ''
  let rootNs = ''
  /** Header prefixes its names use; prefixes its root declares itself. */
  const used = new Set<string>()
  const own = new Set<string>()
  /** `'resync'`: the first fault found in it while it arrived. */
  let fault: Err | undefined

  // --- the current token (a name or a kept value), captured across chunks ---------------
  let token = ''
  let tokenFrom = -1

  // --- the chunk being read, and what it completes --------------------------------------
  let s = ''
  let events: Event[] = []

  const reset = (): void => {
    head = []
    decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
    carry = undefined
    base = 0
    line = 1
    nextNewline = -1
    phase = PROLOG
    fresh = true
    first = false
    contentNs = stop ? '' : fallbackNs
    prefixes = new Map()
    declarations = new Map()
    headerName = ''
    lead = true
    pending = undefined
    state = TEXT
    quote = 0
    brackets = 0
    progress = 0
    depth = 0
    names = []
    attributes = 0
    tagAttrs = []
    inPiece = false
    parts = []
    pieces = []
    from = -1
    fault = undefined
    token = ''
    tokenFrom = -1
  }

  /** The line of `s[i]`; positions asked for only grow within a chunk. */
  const lineAt = (i: number): number => {
    while (nextNewline !== -1 && nextNewline < i) {
      line++
      nextNewline = s.indexOf('\n', nextNewline + 1)
    }
    return line
  }

  const startPiece = (i: number, atLine: number): void => {
    inPiece = true
    pieceLine = atLine
    pieceOffset = base + i
    parts = []
    pieces = []
    from = i
    bytes = 0
    elements = 0
    rootName = ''
    rootNs = ''
    used.clear()
    own.clear()
    fault = undefined
  }

  /** Ends the stream with a `StreamError`. */
  const fail = (condition: string, message: string): void => {
    phase = FAILED
    parts = []
    pieces = []
    from = -1
    token = ''
    carry = undefined
    events.push({ _tag: 'StreamError', condition, message })
  }

  /** `'resync'`: the current piece is faulty; its text is dropped, its end still looked for. */
  const spoil = (i: number, condition: PieceCondition, message: string): void => {
    if (fault === undefined) fault = parser.fault(condition, message, base + i - pieceOffset)
    parts = []
    pieces = []
    from = -1
  }

  /** A limit was passed at `s[i]`: stops the stream, or spoils the piece. True when stopped. */
  const exceeded = (i: number, message: string): boolean => {
    if (stop) fail('policy-violation', message)
    else spoil(i, 'policy-violation', message)
    return stop
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

  /** The held text of the current piece up to and including `s[i]`; undefined if dropped. */
  const held = (i: number): string | undefined => {
    if (from === -1) return undefined
    const tail = s.slice(from, i + 1)
    from = -1
    if (parts.length === 0 && pieces.length === 0) return tail
    return parts.join('') + pieces.join('') + tail
  }

  /** The value the current tag declares for `xmlns` or `xmlns:prefix`, if it does. */
  const declared = (prefix: string): string | undefined => {
    const attr = prefix === '' ? 'xmlns' : `xmlns:${prefix}`
    for (const a of tagAttrs) if (a.name === attr) return attrValue(a.value)
    return undefined
  }

  /** `'resync'`: the namespace of the current tag's name, from its declarations and the header's. */
  const resolve = (qname: string): string => {
    const prefix = prefixOf(qname)
    if (prefix === 'xml') return NS.XML
    return declared(prefix) ?? (prefix === '' ? contentNs : (prefixes.get(prefix) ?? ''))
  }

  /**
   * `'resync'`: whether the current tag is a stream header: `stream` in the streams namespace,
   * or with a prefix declared nowhere (a header missing its declaration, not a stanza).
   */
  const isHeader = (): boolean => {
    if (localOf(tagName) !== 'stream') return false
    const prefix = prefixOf(tagName)
    const uri = declared(prefix) ?? (prefix === '' ? contentNs : prefixes.get(prefix))
    return uri === NS.STREAM || (uri === undefined && prefix !== '')
  }

  const faultEvent = (
    error: Err,
    xml: string,
    name: string,
    ns: string,
    complete: boolean,
    atLine: number,
    offset: number,
  ): Fault<Err> => ({ _tag: 'Fault', error, xml, name, ns, complete, line: atLine, offset })

  /**
   * Parses a piece and reports it: `Element`, or a fault. `name` is its root's (`''`: not an
   * element, nothing to re-declare).
   */
  const emit = (
    text: string,
    name: string,
    ns: string,
    complete: boolean,
    atLine: number,
    offset: number,
  ): void => {
    let xml = text
    let extra = ''
    let count = 0
    if (name !== '')
      for (const p of used) {
        const d = own.has(p) ? undefined : declarations.get(p)
        if (d === undefined) continue
        extra += ` ${d}`
        count++
      }
    if (count > 0) xml = `${text.slice(0, 1 + name.length)}${extra}${text.slice(1 + name.length)}`
    // The source has been held to the caps already; what the framer adds must not count.
    const parsed = parser.parse(
      xml,
      count === 0
        ? { ns: contentNs, limits }
        : {
            ns: contentNs,
            limits: {
              ...limits,
              maxBytes: limits.maxBytes + utf8Length(extra),
              maxAttributes: limits.maxAttributes + count,
            },
          },
    )
    if (parsed._tag === 'Right')
      events.push({ _tag: 'Element', xml, element: parsed.right, line: atLine, offset })
    else if (stop) fail(parsed.left.condition, parsed.left.message)
    else events.push(faultEvent(parsed.left, xml, name, ns, complete, atLine, offset))
  }

  /** `'resync'`: settles a pending XML declaration, reported unless it led or precedes a header. */
  const settle = (beforeHeader: boolean): void => {
    const decl = pending
    pending = undefined
    if (decl !== undefined && !beforeHeader && !lead)
      emit(decl.xml, '', '', true, decl.line, decl.offset)
    lead = false
  }

  /** The current piece is over; `text` is what was held of it. */
  const finish = (text: string | undefined, complete: boolean): void => {
    inPiece = false
    if (!stop) settle(false)
    const f = fault
    fault = undefined
    if (text !== undefined) emit(text, rootName, rootNs, complete, pieceLine, pieceOffset)
    else if (f !== undefined)
      events.push(faultEvent(f, '', rootName, rootNs, complete, pieceLine, pieceOffset))
  }

  /** The header ended; `text` is its start tag as held. Reports `StreamOpen`. */
  const open = (text: string | undefined, empty: boolean, atLine: number, offset: number) => {
    let attrs: Readonly<Record<string, string>> = {}
    if (text !== undefined) {
      // As an empty element it is a document the parser can check: names, attributes,
      // references, namespaces and limits, exactly as for a stanza.
      const parsed = parser.parse(empty ? text : `${text.slice(0, -1)}/>`, { ns: null, limits })
      if (parsed._tag === 'Left') {
        if (stop) return fail(parsed.left.condition, parsed.left.message)
        events.push(faultEvent(parsed.left, text, tagName, NS.STREAM, true, atLine, offset))
      } else {
        const header = parsed.right
        if (stop && header.name !== 'stream')
          return fail('bad-format', 'expected a stream header (RFC 6120 §4.7)')
        if (stop && header.ns !== NS.STREAM)
          return fail(
            'invalid-namespace',
            'stream header outside the streams namespace (RFC 6120 §4.8.1)',
          )
        attrs = header.attrs
      }
    } else if (fault !== undefined)
      events.push(faultEvent(fault, '', tagName, NS.STREAM, true, atLine, offset))
    fault = undefined
    let ns: string | undefined
    const uris = new Map<string, string>()
    const texts = new Map<string, string>()
    for (const a of tagAttrs)
      if (a.name === 'xmlns') ns = attrValue(a.value)
      else if (a.name.startsWith('xmlns:') && a.quote !== 0) {
        const q = String.fromCharCode(a.quote)
        uris.set(a.name.slice(6), attrValue(a.value))
        texts.set(a.name.slice(6), `${a.name}=${q}${a.value}${q}`)
      }
    if (ns === undefined || ns === '' || ns === NS.STREAM) {
      // An unprefixed header in the streams namespace declares no content namespace either.
      if (stop) return fail('invalid-namespace', 'no content namespace (RFC 6120 §4.8.3)')
      ns = fallbackNs
    }
    contentNs = ns
    prefixes = uris
    declarations = texts
    headerName = tagName
    phase = OPEN
    events.push({ _tag: 'StreamOpen', attrs, ns, prefixes: uris, line: atLine, offset })
    // `<stream:stream …/>`: a whole, empty stream.
    if (empty) close()
  }

  /** `</stream:stream>` (RFC 6120 §4.4): `'stop'` reads nothing more; `'resync'` goes on. */
  const close = (): void => {
    events.push({ _tag: 'StreamClose' })
    if (stop) {
      phase = CLOSED
      return
    }
    contentNs = fallbackNs
    prefixes = new Map()
    declarations = new Map()
    headerName = ''
  }

  /** `'resync'`: whether an end tag unmatched in the element closes the stream. */
  const closesStream = (name: string): boolean =>
    headerName === '' ? localOf(name) === 'stream' : name === headerName

  /** `'resync'`: the element ends unfinished at the current tag (the stream closed or restarted). */
  const cut = (i: number): string | undefined => {
    const all = held(i)
    finish(all?.slice(0, tagOffset - pieceOffset), false)
    depth = 0
    names = []
    return all?.slice(tagOffset - pieceOffset)
  }

  /** A start tag ended at `s[i]`; `empty` for `/>`. */
  const endStartTag = (i: number, empty: boolean) => {
    if (depth === 0) {
      if (stop ? phase === PROLOG : isHeader()) {
        if (!stop) settle(true)
        inPiece = false
        return open(held(i), empty, pieceLine, pieceOffset)
      }
      rootName = tagName
      if (!stop) rootNs = resolve(tagName)
      if (empty) return finish(held(i), true)
    } else if (capture) {
      // A stream restart inside an element (a cut dump): the element ends unfinished before it.
      if (isHeader()) return open(cut(i), empty, tagLine, tagOffset)
      noteName(tagName)
      for (const a of tagAttrs) if (!a.name.startsWith('xmlns')) noteName(a.name)
    }
    if (empty) return
    if (names.length === depth && depth < limits.maxDepth) names.push(tagName)
    depth++
  }

  /** An end tag ended at `s[i]`. */
  const endTag = (i: number) => {
    const name = endName
    if (depth === 0) {
      // At stream level the only end tag is the header's (RFC 6120 §4.4).
      if (stop ? phase === OPEN && name === headerName : closesStream(name)) {
        from = -1
        inPiece = false
        if (!stop) settle(false)
        return close()
      }
      if (stop) return fail('not-well-formed', 'end tag matching no open element')
      return finish(held(i), true)
    }
    // Past the depth limit (`'resync'`, the piece already spoilt), levels have no names.
    if (depth > names.length) depth--
    else if (names[depth - 1] === name) {
      names.pop()
      depth--
    } else if (stop) return fail('not-well-formed', 'end tag matching no open element')
    else {
      const k = names.lastIndexOf(name)
      if (k === -1) {
        // Left for the parser to report, unless it is the stream's close.
        if (closesStream(name)) {
          cut(i)
          close()
        }
        return
      }
      names.length = k
      depth = k
    }
    if (depth === 0) finish(held(i), true)
  }

  /** A processing instruction ended at `s[i]`, at stream level. */
  const endInstruction = (i: number) => {
    const text = held(i)
    if (stop) {
      inPiece = false
      if (text === undefined || !isDeclaration(text))
        return fail('restricted-xml', 'processing instruction (RFC 6120 §11.1)')
      if (declaresOtherEncoding(text))
        return fail('unsupported-encoding', 'not UTF-8 (RFC 6120 §11.6)')
      return
    }
    if (text === undefined || fault !== undefined || !isDeclaration(text)) return finish(text, true)
    inPiece = false
    if (pending !== undefined) settle(false)
    pending = { xml: text, line: pieceLine, offset: pieceOffset }
  }

  /** Reads one decoded chunk; `bad` lists where ill-formed UTF-8 was (`'resync'`). */
  const read = (text: string, bad: ReadonlyArray<number>) => {
    s = text
    nextNewline = s.indexOf('\n')
    let b = 0
    let nextBad = bad[0] ?? -1
    const n = s.length
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i)
      switch (state) {
        case TEXT: {
          if (c === ch.lt) {
            state = LT
            tagOffset = base + i
            tagLine = lineAt(i)
            if (depth === 0) {
              startPiece(i, tagLine)
              first = fresh
            }
          } else if (depth === 0 && !isSpaceCode(c)) {
            if (stop) return fail('not-well-formed', 'text at stream level (RFC 6120 §11.7)')
            startPiece(i, lineAt(i))
            state = RUN
          }
          break
        }
        case LT: {
          if (c === ch.slash) {
            state = END
            tokenFrom = i + 1
          } else if (c === ch.bang) {
            if (stop && depth === 0)
              return fail('restricted-xml', 'comment or markup declaration (RFC 6120 §11.1)')
            state = BANG
            progress = 0
          } else if (c === ch.question) {
            if (stop && !(first && phase === PROLOG))
              return fail('restricted-xml', 'processing instruction (RFC 6120 §11.1)')
            state = PI
            progress = 0
          } else if (endsName(c) || c === 0) {
            if (stop) return fail('not-well-formed', '`<` not followed by a name')
            // A stray `<`: at stream level it starts a run of text, in an element it is text.
            state = depth === 0 ? RUN : TEXT
            i--
            continue
          } else {
            if (depth + 1 > limits.maxDepth && exceeded(i, `deeper than ${limits.maxDepth}`)) return
            if (
              ++elements > limits.maxElements &&
              exceeded(i, `more than ${limits.maxElements} elements`)
            )
              return
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
            tagName = name
            capture = depth === 0 ? !stop || phase === PROLOG : !stop && name === headerName
            if (capture) tagAttrs = []
            // A tag that may be a restart is noted when it turns out not to be one.
            if (depth === 0 || !capture) noteName(name)
          } else {
            if (
              ++attributes > limits.maxAttributes &&
              exceeded(i, `more than ${limits.maxAttributes} attributes on an element`)
            )
              return
            if (depth === 0 && name.startsWith('xmlns:')) own.add(name.slice(6))
            if (capture) tagAttrs.push({ name, value: '', quote: 0 })
            if (!name.startsWith('xmlns') && (depth === 0 || !capture)) noteName(name)
          }
          // The character that ended the name is read again, in TAG.
          state = TAG
          i--
          continue
        }
        case TAG: {
          if (c === ch.gt) {
            state = TEXT
            endStartTag(i, false)
          } else if (c === ch.slash) state = SLASH
          else if (c === ch.quot || c === ch.apos) {
            state = VALUE
            quote = c
            if (capture) tokenFrom = i + 1
          } else if (c === ch.lt) {
            if (stop) return fail('not-well-formed', '`<` inside a tag')
            // The tag ends here, the `<` unread: the parser reports it.
            state = TEXT
            endStartTag(i - 1, false)
            i--
            continue
          } else if (!isSpaceCode(c) && c !== ch.eq) {
            state = ATTR
            tokenFrom = i
          }
          break
        }
        case VALUE: {
          if (c !== quote) break
          state = TAG
          if (tokenFrom !== -1) {
            const last = tagAttrs[tagAttrs.length - 1]
            const value = takeToken(i)
            if (last !== undefined) {
              last.value = value
              last.quote = quote
            }
          }
          break
        }
        case SLASH: {
          if (c === ch.gt) {
            state = TEXT
            endStartTag(i, true)
            break
          }
          if (stop) return fail('not-well-formed', '`/` inside a tag')
          state = TAG
          i--
          continue
        }
        case END: {
          if (!endsName(c)) break
          endName = takeToken(i)
          state = END_TAIL
          i--
          continue
        }
        case END_TAIL: {
          if (c === ch.gt) {
            state = TEXT
            endTag(i)
          } else if (stop && !isSpaceCode(c)) return fail('not-well-formed', 'malformed end tag')
          break
        }
        case BANG: {
          if (progress === 0) target = !stop && c === ch.dash ? COMMENT_OPEN : CDATA_OPEN
          if (c === target.charCodeAt(progress)) {
            if (++progress === target.length) {
              state = target === CDATA_OPEN ? CDATA : COMMENT
              brackets = 0
            }
            break
          }
          if (stop) return fail('restricted-xml', 'comment or markup declaration (RFC 6120 §11.1)')
          state = MARKUP
          brackets = progress > 0 && target === CDATA_OPEN ? 1 : 0
          quote = 0
          i--
          continue
        }
        case CDATA:
        case COMMENT: {
          const closer = state === CDATA ? ch.rbracket : ch.dash
          if (c === closer) brackets++
          else if (c === ch.gt && brackets >= 2) {
            state = TEXT
            if (depth === 0) finish(held(i), true)
          } else brackets = 0
          break
        }
        case MARKUP: {
          if (quote !== 0) {
            if (c === quote) quote = 0
          } else if (c === ch.quot || c === ch.apos) quote = c
          else if (c === ch.lbracket) brackets++
          else if (c === ch.rbracket) brackets--
          else if (c === ch.gt && brackets <= 0) {
            state = TEXT
            if (depth === 0) finish(held(i), true)
          }
          break
        }
        case PI: {
          if (c === ch.gt && progress === 1) {
            state = TEXT
            if (depth === 0) endInstruction(i)
          } else progress = c === ch.question ? 1 : 0
          break
        }
        case RUN: {
          if (c !== ch.lt) break
          // The `<` starts the next piece.
          finish(held(i - 1), true)
          state = TEXT
          i--
          continue
        }
      }
      if (i === nextBad) {
        // Only in 'resync': 'stop' failed on the bytes already.
        spoil(i, 'not-well-formed', 'invalid UTF-8 (RFC 6120 §11.6)')
        nextBad = bad[++b] ?? -1
      }
      fresh = false
      // After the stream's end or a fault, nothing more is read (RFC 6120 §4.4).
      if (phase >= CLOSED) return
    }
    // Keep the unfinished piece and token for the next chunk, within the size limit: an endless
    // element is cut off as it arrives, a finished one is measured exactly by the parser.
    if (from !== -1) {
      const rest = s.slice(from)
      bytes += utf8Length(rest)
      if (bytes > limits.maxBytes) {
        if (exceeded(n - 1, `top-level element larger than ${limits.maxBytes} bytes`)) return
      } else {
        pieces.push(rest)
        if (pieces.length === 256) {
          parts.push(pieces.join(''))
          pieces = []
        }
        from = 0
      }
    }
    if (tokenFrom !== -1) {
      token += s.slice(tokenFrom)
      tokenFrom = 0
    }
    lineAt(n)
    base += n
    s = ''
  }

  const push = (chunk: Uint8Array): ReadonlyArray<Event> => {
    if (phase >= CLOSED) return []
    events = []
    // UTF-16 or UTF-32 (XML 1.0 App. F), which XMPP forbids (RFC 6120 §11.6).
    if (head.length < 2) {
      for (let k = 0; head.length < 2 && k < chunk.length; k++) head.push(chunk[k] as number)
      if (wideEncoding(head) !== undefined) {
        fail('unsupported-encoding', 'looks like UTF-16 or UTF-32; XMPP is UTF-8 (RFC 6120 §11.6)')
        return events
      }
    }
    if (stop) {
      let text: string
      try {
        text = decoder.decode(chunk, { stream: true })
      } catch {
        fail('not-well-formed', 'invalid UTF-8 (RFC 6120 §11.6)')
        return events
      }
      read(text, noBadBytes)
      return events
    }
    // 'resync' decodes whole characters only, carrying an unfinished one over, so that it can
    // find where ill-formed ones are.
    let all = chunk
    if (carry !== undefined) {
      all = new Uint8Array(carry.length + chunk.length)
      all.set(carry)
      all.set(chunk, carry.length)
      carry = undefined
    }
    const whole = wholeLength(all)
    if (whole < all.length) carry = all.slice(whole)
    const complete = whole === all.length ? all : all.subarray(0, whole)
    let text: string
    try {
      text = decodeUtf8(complete)
    } catch {
      const lenient = decodeLeniently(complete)
      read(lenient.text, lenient.bad)
      return events
    }
    read(text, noBadBytes)
    return events
  }

  const end = (): ReadonlyArray<Event> => {
    if (phase >= CLOSED) return []
    events = []
    // An unfinished character: the input ended inside it.
    if (stop)
      try {
        decoder.decode()
      } catch {
        fail('not-well-formed', 'invalid UTF-8 (RFC 6120 §11.6)')
        return events
      }
    else if (carry !== undefined) {
      const lenient = decodeLeniently(carry)
      carry = undefined
      read(lenient.text, lenient.bad)
    }
    if (inPiece) {
      if (stop) {
        fail('not-well-formed', 'the input ended inside an element')
        return events
      }
      finish(held(-1), state === RUN)
    }
    if (!stop) settle(false)
    phase = CLOSED
    return events
  }

  return { push, end, reset }
}
