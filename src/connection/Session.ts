/**
 * A live XMPP session (RFC 6120 §4–§7, XEP-0114): the {@link Session} that `connect` and
 * `component` resolve with, its {@link Status}, and the typed reasons a session fails to start
 * or ends ({@link SessionError}).
 *
 * A `Session` is an `rx.StanzaStream`, so `rx.request`, `rx.send` and `rx.serve` work on it
 * unchanged. Failures are tagged records (docs/style.md "Errors"): `connect` rejects with one, and
 * the `closed` status carries one as its reason. Each is also an `Error` named after its tag, with
 * a one-line message and a stack, so an unhandled rejection prints usefully
 * (`AuthFailure: not-authorized: "Unable to authorize you"`); the message says what failed,
 * bounded, and never holds a credential or a SASL payload.
 *
 * @example
 * import { connection } from 'stanzakit'
 * declare const password: string // from the environment or a secret store, not the source
 *
 * const session = await connection.connect({ service: 'xmpp://127.0.0.1:5222', domain: 'localhost',
 *   username: 'alice', password }).catch((e) => {
 *   if (connection.isAuthFailure(e)) console.error('login refused:', e.condition)
 *   throw e
 * })
 * session.status.subscribe((s) => console.log(s._tag))   // Connecting, Online, Closed
 * await session.close()
 *
 * @since 0.1.0
 */
import type { Observable } from 'rxjs'
import { clip, escapeControls, quote, shown } from '../internal/chars.js'
import { type Fields, taggedError, tagOf } from '../internal/tag.js'
import type { Jid } from '../Jid.js'
import type { StanzaStream } from '../rx/StanzaStream.js'
import type { Stanza } from '../Stanza.js'

// -------------------------------------------------------------------------------------
// model: errors
// -------------------------------------------------------------------------------------

/**
 * The TCP (or direct TLS) connection could not be made: refused, unreachable, or the host name
 * did not resolve. `code` is Node's error code (`ECONNREFUSED`, `ENOTFOUND`, …).
 *
 * @category model
 * @since 0.1.0
 */
export interface ConnectionRefused extends Error {
  readonly _tag: 'ConnectionRefused'
  readonly host: string
  readonly port: number
  readonly code?: string
  readonly message: string
}

/**
 * TLS could not be established: the handshake failed (untrusted or mismatched certificate, no
 * shared cipher), the server refused STARTTLS (`<failure/>`, RFC 6120 §5.4.2.2), or `tls:
 * 'required'` met a server that offers none; also a server that requires TLS when `tls: 'none'`.
 *
 * @category model
 * @since 0.1.0
 */
export interface TlsFailure extends Error {
  readonly _tag: 'TlsFailure'
  readonly message: string
}

/**
 * Authentication failed. For c2s, `condition` is the SASL condition (RFC 6120 §6.5:
 * `not-authorized`, `account-disabled`, `invalid-mechanism`, …) or `invalid-server-signature`
 * when the server could not prove it knows the SCRAM credentials (RFC 5802 §5.1); for a
 * component (XEP-0114), `not-authorized` from the server's stream error.
 *
 * @category model
 * @since 0.1.0
 */
export interface AuthFailure extends Error {
  readonly _tag: 'AuthFailure'
  readonly condition: string
  readonly text?: string
}

/**
 * Resource binding failed (RFC 6120 §7.6.2: `bad-request`, `conflict`, `not-allowed`, …), or the
 * server offered no binding. `condition` is the stanza error condition.
 *
 * @category model
 * @since 0.1.0
 */
export interface BindFailure extends Error {
  readonly _tag: 'BindFailure'
  readonly condition: string
  readonly text?: string
}

/**
 * The stream ended with a stream error (RFC 6120 §4.9). `origin: 'server'`: the server sent it
 * (e.g. `conflict` when the same resource logs in elsewhere, `system-shutdown`); `'client'`: we
 * closed the stream with it because the server's data broke the protocol (a framing or limit
 * fault from docs/security.md §1, a stanza in the wrong namespace, an unexpected element).
 *
 * @category model
 * @since 0.1.0
 */
export interface StreamError extends Error {
  readonly _tag: 'StreamError'
  readonly condition: string
  readonly text?: string
  readonly origin: 'server' | 'client'
}

/**
 * The connection ended without a stream error: the server closed the stream or the socket
 * closed, while we did not ask for it.
 *
 * @category model
 * @since 0.1.0
 */
export interface SocketClosed extends Error {
  readonly _tag: 'SocketClosed'
  readonly message: string
}

/**
 * A wait ran out: `stage` names what we were waiting for (`connect`, `tls`, `features`, `auth`,
 * `bind`, `handshake`, …).
 *
 * @category model
 * @since 0.1.0
 */
export interface Timeout extends Error {
  readonly _tag: 'Timeout'
  readonly stage: string
}

/**
 * Why a session could not start, or why it ended unasked.
 *
 * @category model
 * @since 0.1.0
 */
export type SessionError =
  | ConnectionRefused
  | TlsFailure
  | AuthFailure
  | BindFailure
  | StreamError
  | SocketClosed
  | Timeout

/**
 * The session ended because we called `close()` (the stream was closed on both sides, or the
 * close timed out and the socket was dropped).
 *
 * @category model
 * @since 0.1.0
 */
export interface Ended {
  readonly _tag: 'Ended'
}

/** @category model @since 0.1.0 */
export type CloseReason = Ended | SessionError

// -------------------------------------------------------------------------------------
// model: trace
// -------------------------------------------------------------------------------------

/**
 * One top-level element on the wire, as text: a stanza, a nonza, the stream header or its close
 * tag. `in` events are the text as read, before decoding; `out` events as written. The text of
 * SASL `<auth>`, `<challenge>`, `<response>`, `<success>` and of a component `<handshake>` is
 * `[redacted]`.
 *
 * @category model
 * @since 0.2.0
 */
export interface TraceEvent {
  readonly direction: 'in' | 'out'
  readonly xml: string
}

/**
 * The `trace` option of `connect`, `component` and `client`: called synchronously for every
 * {@link TraceEvent}. Keep it cheap (it runs on the hot path) and do not throw from it.
 *
 * @example
 * import { connection } from 'stanzakit'
 * const trace: connection.Trace = ({ direction, xml }) =>
 *   console.error(direction === 'in' ? '<<' : '>>', xml)
 *
 * @category model
 * @since 0.2.0
 */
export type Trace = (e: TraceEvent) => void

// -------------------------------------------------------------------------------------
// model: status
// -------------------------------------------------------------------------------------

/** @category model @since 0.1.0 */
export interface Connecting {
  readonly _tag: 'Connecting'
}

/** @category model @since 0.1.0 */
export interface Online {
  readonly _tag: 'Online'
  readonly jid: Jid
}

/** @category model @since 0.1.0 */
export interface Closed {
  readonly _tag: 'Closed'
  readonly reason: CloseReason
  /**
   * A client's stanzas that never reached the server or were never acknowledged by it: queued
   * while no link could take them, or sent and unconfirmed at the end. Absent when there are none.
   */
  readonly unsent?: ReadonlyArray<Stanza>
}

/**
 * The life of a session: `Connecting` → `Online` → `Closed` (a session never comes back; make
 * a new one).
 *
 * @category model
 * @since 0.1.0
 */
export type Status = Connecting | Online | Closed

// -------------------------------------------------------------------------------------
// model: session
// -------------------------------------------------------------------------------------

/**
 * A session that is (or was) online.
 *
 * - `incoming`: hot; every stanza received, decoded (canonical JIDs). A stanza that fails to
 *   decode at stanza level (`bad-request`, `jid-malformed`, docs/security.md §1 stage 7) is dropped;
 *   an `iq` get/set among them is answered with that error (RFC 6120 §8.3). A stream-level
 *   fault closes the stream with the matching stream error. `incoming` **completes** when the
 *   session ends, however it ends, so pending `rx.request`s fail with `IqClosed`; the reason is
 *   on `status`.
 * - `send`: encodes with `Stanza.encode` (in the stream's content namespace) and writes it in
 *   one socket write. After the session has ended (or while closing), stanzas are dropped.
 * - `jid`: for c2s the full JID the server bound (RFC 6120 §7); for a component its domain.
 * - `status`: replays the whole history (at most three values: `Connecting`, `Online`,
 *   `closed`), then completes.
 * - `close()`: sends `</stream:stream>`, waits (bounded) for the server's, ends the socket;
 *   resolves once the socket is closed. Idempotent; never rejects.
 *
 * @category model
 * @since 0.1.0
 */
export interface Session extends StanzaStream {
  readonly incoming: Observable<Stanza>
  readonly send: (s: Stanza) => void
  readonly jid: Jid
  readonly status: Observable<Status>
  readonly close: () => Promise<void>
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

// `ConnectionRefused`, `TlsFailure` and `SocketClosed` have a `message` field: the Error's message.
const ConnectionRefusedClass =
  taggedError<Fields<ConnectionRefused, 'message'>>('ConnectionRefused')
const TlsFailureClass = taggedError<Fields<TlsFailure, 'message'>>('TlsFailure')
const AuthFailureClass = taggedError<Fields<AuthFailure>>('AuthFailure')
const BindFailureClass = taggedError<Fields<BindFailure>>('BindFailure')
const StreamErrorClass = taggedError<Fields<StreamError>>('StreamError')
const SocketClosedClass = taggedError<Fields<SocketClosed, 'message'>>('SocketClosed')
const TimeoutClass = taggedError<Fields<Timeout>>('Timeout')

/** `{ _tag, condition, text }`, without `text` when there is none (`''` is none). */
const conditionRecord = <Tag extends string>(
  _tag: Tag,
  condition: string,
  text: string | undefined,
): { readonly _tag: Tag; readonly condition: string; readonly text?: string } =>
  text === undefined || text === '' ? { _tag, condition } : { _tag, condition, text }

/** `condition: "text"` (`by` after the condition), cut, controls escaped: for a message. */
const said = (condition: string, text: string | undefined, by = ''): string =>
  `${shown(condition, 64)}${by}${text === undefined ? '' : `: ${escapeControls(quote(text, 160))}`}`

/** @category constructors @since 0.1.0 */
export const connectionRefused = (
  host: string,
  port: number,
  message: string,
  code?: string,
): ConnectionRefused => {
  const m = clip(message, 300)
  return new ConnectionRefusedClass(
    code === undefined
      ? { _tag: 'ConnectionRefused', host, port, message: m }
      : { _tag: 'ConnectionRefused', host, port, code, message: m },
    m,
  )
}

/** @category constructors @since 0.1.0 */
export const tlsFailure = (message: string): TlsFailure => {
  const m = clip(message, 300)
  return new TlsFailureClass({ _tag: 'TlsFailure', message: m }, m)
}

/** @category constructors @since 0.1.0 */
export const authFailure = (condition: string, text?: string): AuthFailure => {
  const fields = conditionRecord('AuthFailure', condition, text)
  return new AuthFailureClass(fields, said(condition, fields.text))
}

/** @category constructors @since 0.1.0 */
export const bindFailure = (condition: string, text?: string): BindFailure => {
  const fields = conditionRecord('BindFailure', condition, text)
  return new BindFailureClass(fields, said(condition, fields.text))
}

/** @category constructors @since 0.1.0 */
export const streamError = (
  condition: string,
  origin: 'server' | 'client',
  text?: string,
): StreamError => {
  const t = text === '' ? undefined : text
  return new StreamErrorClass(
    t === undefined
      ? { _tag: 'StreamError', condition, origin }
      : { _tag: 'StreamError', condition, text: t, origin },
    said(condition, t, origin === 'server' ? ' from the server' : ' sent to the server'),
  )
}

/** @category constructors @since 0.1.0 */
export const socketClosed = (message: string): SocketClosed => {
  const m = clip(message, 300)
  return new SocketClosedClass({ _tag: 'SocketClosed', message: m }, m)
}

/** @category constructors @since 0.1.0 */
export const timeout = (stage: string): Timeout =>
  new TimeoutClass({ _tag: 'Timeout', stage }, `timed out during ${clip(stage, 64)}`)

/** @category constructors @since 0.1.0 */
export const ended: Ended = Object.freeze({ _tag: 'Ended' })

// -------------------------------------------------------------------------------------
// refinements
// -------------------------------------------------------------------------------------

/**
 * Refinements take `unknown`: they sort what a rejected `connect` hands over.
 *
 * @category refinements
 * @since 0.1.0
 */
export const isConnectionRefused = (u: unknown): u is ConnectionRefused =>
  tagOf(u) === 'ConnectionRefused'

/** @category refinements @since 0.1.0 */
export const isTlsFailure = (u: unknown): u is TlsFailure => tagOf(u) === 'TlsFailure'

/** @category refinements @since 0.1.0 */
export const isAuthFailure = (u: unknown): u is AuthFailure => tagOf(u) === 'AuthFailure'

/** @category refinements @since 0.1.0 */
export const isBindFailure = (u: unknown): u is BindFailure => tagOf(u) === 'BindFailure'

/** @category refinements @since 0.1.0 */
export const isStreamError = (u: unknown): u is StreamError => tagOf(u) === 'StreamError'

/** @category refinements @since 0.1.0 */
export const isSocketClosed = (u: unknown): u is SocketClosed => tagOf(u) === 'SocketClosed'

/** @category refinements @since 0.1.0 */
export const isTimeout = (u: unknown): u is Timeout => tagOf(u) === 'Timeout'

const errorTags: ReadonlySet<unknown> = new Set([
  'ConnectionRefused',
  'TlsFailure',
  'AuthFailure',
  'BindFailure',
  'StreamError',
  'SocketClosed',
  'Timeout',
])

/** @category refinements @since 0.1.0 */
export const isSessionError = (u: unknown): u is SessionError => errorTags.has(tagOf(u))

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * One line for logs.
 *
 * @example
 * import { connection } from 'stanzakit'
 * console.log(connection.format(connection.authFailure('not-authorized'))) // AuthFailure: not-authorized
 *
 * @category utils
 * @since 0.1.0
 */
export const format = (e: CloseReason): string => {
  switch (e._tag) {
    case 'Ended':
      return 'Ended'
    case 'ConnectionRefused':
      return `ConnectionRefused: ${e.host}:${e.port}: ${e.message}`
    case 'TlsFailure':
      return `TlsFailure: ${e.message}`
    case 'AuthFailure':
    case 'BindFailure':
      return `${e._tag}: ${e.condition}${e.text === undefined ? '' : ` (${e.text})`}`
    case 'StreamError':
      return `StreamError (${e.origin}): ${e.condition}${e.text === undefined ? '' : ` (${e.text})`}`
    case 'SocketClosed':
      return `SocketClosed: ${e.message}`
    case 'Timeout':
      return `Timeout: ${e.stage}`
  }
}
