/**
 * Stream machinery shared by c2s and component sessions (RFC 6120 §4): element lookups, stream
 * errors both ways, and the bounded reads used while negotiating. Namespaces come from
 * `internal/ns.ts`. Internal.
 */
import * as NS from '../../internal/ns.js'
import * as Xml from '../../Xml.js'
import * as S from '../Session.js'
import type { Link } from './link.js'

// -------------------------------------------------------------------------------------
// element lookups
// -------------------------------------------------------------------------------------

/** The first child element `name` in `ns`. */
export const child = (el: Xml.XmlElement, name: string, ns: string): Xml.XmlElement | undefined => {
  for (const c of el.children) if (typeof c !== 'string' && c.name === name && c.ns === ns) return c
  return undefined
}

/** The child elements `name` in `ns`. */
export const children = (
  el: Xml.XmlElement,
  name: string,
  ns: string,
): ReadonlyArray<Xml.XmlElement> =>
  el.children.filter(
    (c): c is Xml.XmlElement => typeof c !== 'string' && c.name === name && c.ns === ns,
  )

/** Concatenated text children. */
export const textOf = (el: Xml.XmlElement): string => {
  let s = ''
  for (const c of el.children) if (typeof c === 'string') s += c
  return s
}

/** The first child element in `ns` other than `<text/>`: the defined condition. */
export const conditionOf = (el: Xml.XmlElement, ns: string): string | undefined => {
  for (const c of el.children)
    if (typeof c !== 'string' && c.ns === ns && c.name !== 'text') return c.name
  return undefined
}

/** `<text/>` in `ns`, cut to 200 characters. */
export const describedBy = (el: Xml.XmlElement, ns: string): string | undefined => {
  const t = child(el, 'text', ns)
  if (t === undefined) return undefined
  const s = textOf(t)
  return s.length > 200 ? `${s.slice(0, 199)}…` : s
}

export const isStreamError = (el: Xml.XmlElement): boolean =>
  el.name === 'error' && el.ns === NS.STREAM

/** A `<stream:error/>` from the server (RFC 6120 §4.9.2) as a `StreamError`. */
export const fromStreamError = (el: Xml.XmlElement): S.StreamError =>
  S.streamError(
    conditionOf(el, NS.STREAM_ERRORS) ?? 'undefined-condition',
    'server',
    describedBy(el, NS.STREAM_ERRORS),
  )

// -------------------------------------------------------------------------------------
// writing
// -------------------------------------------------------------------------------------

const conditionName = /^[a-z][a-z-]{0,63}$/

const escapeText = (s: string): string =>
  s.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'))

/**
 * `<stream:error>` with a defined condition (RFC 6120 §4.9.3) and optional text, then the
 * stream's close tag (§4.9.1.1: the stream is closed right after a stream error).
 */
export const streamErrorXml = (
  condition: string,
  text?: string,
  appElement?: Xml.XmlElement,
): string => {
  const c = conditionName.test(condition) ? condition : 'undefined-condition'
  const t =
    text === undefined || text === ''
      ? ''
      : `<text xmlns='${NS.STREAM_ERRORS}'>${escapeText(text.slice(0, 200)).replace(/[^\t\n\r\x20-\uD7FF\uE000-\uFFFD]/gu, '\uFFFD')}</text>`
  // RFC 6120 §4.9.4: an application-specific condition follows the defined one and the text.
  const app = appElement === undefined ? '' : Xml.serialize(appElement)
  return `<stream:error><${c} xmlns='${NS.STREAM_ERRORS}'/>${t}${app}</stream:error></stream:stream>`
}

const b64 = (data: string | Uint8Array): string =>
  (typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data)).toString('base64')

/** Base64 payload of a SASL element: `=` for an empty one (RFC 6120 §6.4.2). */
export const saslPayload = (data: string | Uint8Array): string => {
  const s = b64(data)
  return s === '' ? '=' : s
}

/** Decodes a SASL payload (`=` or nothing: empty). `undefined` when it is not base64. */
export const fromSaslPayload = (el: Xml.XmlElement): string | undefined => {
  const t = textOf(el).replace(/[ \t\r\n]/g, '')
  if (t === '' || t === '=') return ''
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(t) || t.length % 4 !== 0) return undefined
  return Buffer.from(t, 'base64').toString('utf8')
}

// -------------------------------------------------------------------------------------
// negotiation reads
// -------------------------------------------------------------------------------------

/**
 * Fails the link on a fault the server committed: our stream error goes out, the socket ends,
 * and the error is what `connect` rejects with.
 */
export const abort = (
  link: Link,
  condition: string,
  text?: string,
  appElement?: Xml.XmlElement,
): S.StreamError => {
  const e = S.streamError(condition, 'client', text)
  link.end(streamErrorXml(condition, text, appElement))
  link.fail(e)
  return e
}

/**
 * Awaits the server's stream header (RFC 6120 §4.7): its attributes. The content namespace must
 * be `ns` (else `invalid-namespace`, §4.9.3.10).
 */
export const expectOpen = async (
  link: Link,
  ns: string,
  deadline: number,
): Promise<Readonly<Record<string, string>>> => {
  const e = await link.next('stream header', deadline)
  switch (e._tag) {
    case 'StreamOpen':
      if (e.ns !== ns)
        throw abort(link, 'invalid-namespace', `expected content namespace ${ns}, got ${e.ns}`)
      return e.attrs
    case 'StreamError':
      throw abort(link, e.condition, e.message)
    case 'StreamClose':
      link.end()
      throw S.socketClosed('the server closed the stream before opening it')
    case 'Element':
      throw abort(link, 'not-well-formed', 'an element before the stream header')
  }
}

/**
 * The `<stream:error/>` each negotiation failure came from, for what the tagged error does not
 * carry (a `see-other-host` address). Weak: held no longer than the error.
 */
const received = new WeakMap<S.StreamError, Xml.XmlElement>()

/** The server's `<stream:error/>` behind a negotiation failure, if it was one. */
export const streamErrorElement = (e: unknown): Xml.XmlElement | undefined =>
  S.isStreamError(e) ? received.get(e) : undefined

/**
 * Awaits the next top-level element while negotiating. A `<stream:error/>` from the server
 * rejects with its `StreamError`; the server's close with `SocketClosed`; a framing fault with
 * our stream error.
 */
export const expectElement = async (
  link: Link,
  stage: string,
  deadline: number,
): Promise<Xml.XmlElement> => {
  const e = await link.next(stage, deadline)
  switch (e._tag) {
    case 'Element':
      if (isStreamError(e.element)) {
        link.end('</stream:stream>')
        const err = fromStreamError(e.element)
        received.set(err, e.element)
        link.fail(err)
        throw err
      }
      return e.element
    case 'StreamError':
      throw abort(link, e.condition, e.message)
    case 'StreamClose':
      link.end('</stream:stream>')
      throw S.socketClosed(`the server closed the stream during ${stage}`)
    case 'StreamOpen':
      throw abort(link, 'not-well-formed', `a second stream header during ${stage}`)
  }
}
