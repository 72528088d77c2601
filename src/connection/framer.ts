/**
 * The XMPP stream framer: socket bytes in, stream events out (RFC 6120 §4), and the header and
 * close a session writes.
 *
 * `framer()` cuts a stream into its header (`StreamOpen`), its top-level elements (`Element`,
 * parsed by `Xml.parse` with the stream's content namespace in scope and the header's prefixes
 * re-declared), its close (`StreamClose`) and faults. Chunks may split anything; limits
 * (`Xml.Limits`, per top-level element) apply while an element arrives. The fault policy is an
 * option: `'stop'` (the default, a live session) ends the stream at the first fault with a
 * `StreamError` carrying the RFC 6120 §4.9.3 condition to close it with; `'resync'` (reading a
 * dump, as `stanzakit validate` does) reports each broken top-level piece as a `Fault` with its
 * line and goes on at the next top-level element.
 *
 * The machinery is `internal/framer.ts`; this module gives it `Xml.parse`.
 *
 * @example
 * import * as assert from 'node:assert'
 * import { connection } from 'stanzakit'
 *
 * const f = connection.framer.framer()
 * const bytes = new TextEncoder().encode(
 *   connection.framer.streamHeader({ to: 'example.com', ns: 'jabber:client' }) + "<message id='1'/>",
 * )
 * // Socket chunks may split anything, a character included.
 * const events = [...f.push(bytes.subarray(0, 50)), ...f.push(bytes.subarray(50))]
 * assert.deepStrictEqual(events.map((e) => e._tag), ['StreamOpen', 'Element'])
 *
 * @since 0.1.0
 */
import { escapeAttr } from '../internal/escape.js'
import * as Framing from '../internal/framer.js'
import * as NS from '../internal/ns.js'
import * as Xml from '../Xml.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * `StreamOpen`, `Element`, `StreamClose` or `StreamError`, each top-level event with its line and
 * offset (UTF-16 units) in the stream.
 *
 * @category model
 * @since 0.1.0
 */
export type FrameEvent = Framing.FrameEvent<Xml.XmlElement>

/**
 * A broken top-level piece, from a `'resync'` framer: the `Xml.XmlError` (the parser's, or the
 * framer's own for a limit or invalid UTF-8), its text, root name and namespace, line and offset.
 *
 * @category model
 * @since 0.2.0
 */
export type Fault = Framing.Fault<Xml.XmlError>

/** @category model @since 0.1.0 */
export type Framer<E = FrameEvent> = Framing.Framer<E>

/** @category model @since 0.2.0 */
export type FaultPolicy = Framing.FaultPolicy

/** @category model @since 0.1.0 */
export interface FramerOptions {
  /** Overrides of `Xml.defaultLimits`, per top-level element. */
  readonly limits?: Partial<Xml.Limits>
  /** `'stop'` (default) or `'resync'`; see the module comment. */
  readonly onFault?: FaultPolicy
  /**
   * `'resync'` only: the content namespace of stanzas outside a stream header, or under one
   * declaring none. Default `jabber:client`.
   */
  readonly ns?: string
}

/** @category model @since 0.1.0 */
export interface StreamHeaderOptions {
  readonly to: string
  readonly from?: string
  /** `'1.0'` asks for stream features (RFC 6120 §4.7.5); components (XEP-0114) omit it. */
  readonly version?: '1.0'
  readonly lang?: string
  readonly ns: 'jabber:client' | 'jabber:component:accept'
  readonly id?: string
}

/** The namespace of `<stream:stream>` (RFC 6120 §4.8.1). @category model @since 0.1.0 */
export const STREAMS_NS = NS.STREAM

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

const parser: Framing.Parser<Xml.XmlElement, Xml.XmlError> = {
  parse: Xml.parse,
  fault: (condition, message, offset) => ({ _tag: 'XmlError', condition, message, offset }),
}

/**
 * A new framer, in the state before a stream header. See the module comment.
 *
 * @category constructors
 * @since 0.1.0
 */
export function framer(options?: FramerOptions & { readonly onFault?: 'stop' }): Framer
export function framer(options: FramerOptions): Framer<FrameEvent | Fault>
export function framer(options: FramerOptions = {}): Framer<FrameEvent | Fault> {
  const limits =
    options.limits === undefined ? Xml.defaultLimits : { ...Xml.defaultLimits, ...options.limits }
  return Framing.framer(parser, {
    limits,
    ...(options.onFault === undefined ? {} : { onFault: options.onFault }),
    ...(options.ns === undefined ? {} : { ns: options.ns }),
  })
}

// -------------------------------------------------------------------------------------
// encoding
// -------------------------------------------------------------------------------------

/**
 * The opening of an initiating entity's stream (RFC 6120 §4.7, XEP-0114 §3): an XML
 * declaration and the header, the `stream` prefix bound to the streams namespace and the content
 * namespace as default. Attribute values are escaped (docs/security.md §5).
 *
 * @category encoding
 * @since 0.1.0
 */
export const streamHeader = (options: StreamHeaderOptions): string => {
  let s = `<?xml version='1.0'?><stream:stream xmlns='${options.ns}' xmlns:stream='${NS.STREAM}' to='${escapeAttr(options.to)}'`
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
 * @since 0.1.0
 */
export const streamClose = '</stream:stream>'
