/**
 * `client`: one long-lived XMPP client across connections. It connects at once, reconnects with
 * backoff when a link is lost, resumes with stream management (XEP-0198) so no stanza is lost or
 * duplicated, detects dead links with a keepalive, and keeps `incoming`, `rx.serve` handlers and
 * pending `rx.request`s working across all of it with no action from the app.
 *
 * ```text
 * client(options)
 *
 *  Connecting ──▶ Online ──(link lost)──▶ Reconnecting{attempt, delay, reason} ──▶ Resumed
 *                    │                          │  (backoff: full jitter, capped)      (or Online
 *                    │                          ▼                                      after a
 *                    └──────(close(), auth failure, conflict, maxAttempts)──▶ Closed    fresh bind)
 * ```
 *
 * - **Reconnect**: exponential backoff with full jitter (`reconnect.initialDelay`, doubling up to
 *   `maxDelay`), reset once a link has stayed online 10 s; `maxAttempts` failures in a row end
 *   the client. No retry after an authentication failure (but `temporary-auth-failure`), a
 *   refused bind, or a `conflict`, `not-authorized` or `host-unknown` stream error;
 *   `see-other-host` is followed at once. The first connection is retried the same way.
 * - **Stream management** (on by default, when the server offers it): `<enable resume='true'/>`
 *   after binding; acks requested after 5 stanzas or 1 s idle, `<r/>` answered; on a new link
 *   `<resume previd h/>`, then exactly the unacknowledged stanzas are sent again (`Resumed`). If
 *   resumption fails: a fresh bind (`Online`), the unacknowledged messages and presences sent
 *   again with a `<delay/>` (XEP-0203) giving when they were first sent, and pending requests
 *   failed with `IqClosed` (their requests are not sent again: the requester has been told).
 *   `smState()` gives the resumption state as JSON for an app that wants to resume after a
 *   restart (`streamManagement.resumeFrom`).
 * - **Keepalive**: after `keepalive.interval` ms with nothing read, a probe (`<r/>`, else an
 *   XEP-0199 ping to our server); with still nothing after `keepalive.timeout` more, the link
 *   is dropped and a new one made. A half-open TCP link is found within `interval + timeout`.
 * - **Sending** is never refused for want of a link: before the first `Online`, between links,
 *   while the socket's write buffer is over 1 MiB, or while 1,000 stanzas await an ack, stanzas
 *   wait in order in a queue of `queueLimit` (default 1,000). When it is full, `send` drops the
 *   new stanza and emits it on `dropped` (so the app sees backpressure at once); `queued()` is
 *   the queue's length. On `Closed`, what was never sent or never acknowledged is on the
 *   status (`unsent`).
 * - **Every get/set is answered exactly once**, as on a session: by `rx.serve`, else with
 *   `service-unavailable`.
 * - `close()` acknowledges what was received, closes the stream and resolves once the client is
 *   `Closed`; idempotent, never rejects.
 *
 * @example
 * import { connection, rx, ext } from 'stanzakit'
 * declare const password: string
 *
 * const client = connection.client({ domain: 'example.net', username: 'bot', password })
 * client.status.subscribe((s) => console.log(s._tag)) // Connecting, Online, Reconnecting, Resumed, …
 * rx.serve(client, [ext.pong]) // answers pings on every link, registered once
 *
 * @since 0.2.0
 */
import type { Observable } from 'rxjs'
import type * as Jid from '../Jid.js'
import type { StanzaStream } from '../rx/StanzaStream.js'
import type * as Stanza from '../Stanza.js'
import type { ConnectOptions } from './connect.js'
import { DEFAULT_NEGOTIATION_TIMEOUT } from './connect.js'
import * as Backoff from './internal/backoff.js'
import { checkTimeout } from './internal/link.js'
import { closeWait } from './internal/live.js'
import { resolveOptions } from './internal/negotiate.js'
import * as Sm from './internal/sm.js'
import { supervise } from './internal/supervisor.js'
import type * as S from './Session.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * Resumption state to persist (JSON): the stream-management id, both counters, the bound JID and
 * the unacknowledged stanzas as XML with when they were sent.
 *
 * @category model
 * @since 0.2.0
 */
export type SmState = Sm.SmState

/**
 * A lost session was resumed on a new link (XEP-0198): nothing was lost, `jid` is unchanged.
 *
 * @category model
 * @since 0.2.0
 */
export interface Resumed {
  readonly _tag: 'Resumed'
  readonly jid: Jid.Jid
}

/**
 * The link is lost (or an attempt failed): attempt number `attempt` (1-based) starts in `delay`
 * ms. `reason` is why the last link or attempt ended.
 *
 * @category model
 * @since 0.2.0
 */
export interface Reconnecting {
  readonly _tag: 'Reconnecting'
  readonly attempt: number
  readonly delay: number
  readonly reason: S.SessionError
}

/**
 * The life of a client: `Connecting`, then `Online` (a fresh session) or `Resumed`, any number
 * of `Reconnecting` between links, and `Closed` once, at the end. `status` replays the latest.
 *
 * @category model
 * @since 0.2.0
 */
export type ClientStatus = S.Connecting | S.Online | Resumed | Reconnecting | S.Closed

/** @category model @since 0.2.0 */
export interface ReconnectOptions {
  /** The cap of the first wait, ms. Default 1,000. */
  readonly initialDelay?: number
  /** The cap of any wait, ms. Default 60,000. */
  readonly maxDelay?: number
  /** Failed attempts in a row before `Closed`. Default: no limit. */
  readonly maxAttempts?: number
}

/** @category model @since 0.2.0 */
export interface StreamManagementOptions {
  /** Ask for a resumable session. Default `true`. */
  readonly resume?: boolean
  /** Resume this session (from `smState()` of an earlier run) on the first link. */
  readonly resumeFrom?: SmState
  /** An ack request unanswered this long drops the link (ms). Default: no limit (keepalive). */
  readonly ackTimeout?: number
}

/** @category model @since 0.2.0 */
export interface KeepaliveOptions {
  /** Silence (ms) after which the server is probed. Default 30,000. */
  readonly interval?: number
  /** How long (ms) the probe may go unanswered before the link is dropped. Default 15,000. */
  readonly timeout?: number
}

/** @category model @since 0.2.0 */
export interface ClientOptions extends ConnectOptions {
  /** `false`: the first lost link is final. Default: reconnect with the defaults. */
  readonly reconnect?: false | ReconnectOptions
  /** `false`: no stream management. Default `true` (used when the server offers it). */
  readonly streamManagement?: boolean | StreamManagementOptions
  /** `false`: no keepalive. Default `{ interval: 30_000, timeout: 15_000 }`. */
  readonly keepalive?: false | KeepaliveOptions
  /** Stanzas that may wait for a link (see `send`). Default 1,000. */
  readonly queueLimit?: number
}

/**
 * A client: an `rx.StanzaStream` that spans links.
 *
 * - `incoming`: every stanza received on any link, in order, each once; completes on `Closed`.
 * - `send`: sends now, or queues (see the module notes); dropped after `close()`.
 * - `jid`: the bound JID (`undefined` before the first `Online`; may change after a fresh bind).
 * - `status`: replays the latest {@link ClientStatus}, completes after `Closed`.
 * - `smState()`: the resumption state now, or `undefined` without a resumable session.
 * - `setActive(false)`: tells the server the app is in the background (XEP-0352), so it may hold
 *   back presence and chatty traffic; kept across links. Ignored when the server lacks CSI.
 * - `dropped`: stanzas `send` refused because the queue was full.
 *
 * @category model
 * @since 0.2.0
 */
export interface Client extends StanzaStream {
  readonly incoming: Observable<Stanza.Stanza>
  readonly send: (s: Stanza.Stanza) => void
  readonly jid: Jid.Jid | undefined
  readonly status: Observable<ClientStatus>
  readonly smState: () => SmState | undefined
  readonly close: () => Promise<void>
  readonly setActive: (active: boolean) => void
  readonly dropped: Observable<Stanza.Stanza>
  readonly queued: () => number
}

/**
 * The keepalive defaults: probe after 30 s of silence, drop the link 15 s later.
 *
 * @category model
 * @since 0.2.0
 */
export const DEFAULT_KEEPALIVE: Required<KeepaliveOptions> = Object.freeze({
  interval: 30_000,
  timeout: 15_000,
})

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/** Above this many bytes waiting on the socket, stanzas wait in the queue instead. */
const HIGH_WATER_MARK = 1024 * 1024

const queueLimitOf = (n: number | undefined): number => {
  const v = n ?? 1_000
  if (!Number.isSafeInteger(v) || v < 0)
    throw new RangeError(`connection.client: queueLimit must be an integer ≥ 0, got ${String(v)}`)
  return v
}

const smStateOf = (o: StreamManagementOptions): SmState | undefined => {
  if (o.resumeFrom === undefined) return undefined
  const d = Sm.decodeSmState(o.resumeFrom)
  if (d._tag === 'Left') throw new RangeError(`connection.client: resumeFrom: ${d.left}`)
  if (d.right.jid === undefined)
    throw new RangeError('connection.client: resumeFrom has no jid (a resumed session binds none)')
  return d.right
}

/**
 * Starts a client: it connects at once and keeps connected until `close()` or a final failure
 * (on `status`). Invalid options throw a `RangeError` at once (programmer errors).
 *
 * @category constructors
 * @since 0.2.0
 */
export const client = (options: ClientOptions): Client => {
  const r = resolveOptions(options, 'connection.client', DEFAULT_NEGOTIATION_TIMEOUT)
  const smo: StreamManagementOptions | undefined =
    options.streamManagement === false
      ? undefined
      : options.streamManagement === true || options.streamManagement === undefined
        ? {}
        : options.streamManagement
  const k = options.keepalive === false ? undefined : { ...DEFAULT_KEEPALIVE, ...options.keepalive }
  return supervise({
    r,
    reconnect: options.reconnect === false ? undefined : Backoff.backoff(options.reconnect),
    sm:
      smo === undefined
        ? undefined
        : Sm.options({
            resume: smo.resume ?? true,
            ...(smo.ackTimeout === undefined ? {} : { ackTimeout: smo.ackTimeout }),
          }),
    resumeFrom: smo === undefined ? undefined : smStateOf(smo),
    keepalive:
      k === undefined
        ? undefined
        : {
            interval: checkTimeout('keepalive.interval', k.interval, DEFAULT_KEEPALIVE.interval),
            timeout: checkTimeout('keepalive.timeout', k.timeout, DEFAULT_KEEPALIVE.timeout),
          },
    queueLimit: queueLimitOf(options.queueLimit),
    highWaterMark: HIGH_WATER_MARK,
    closeTimeout: closeWait(r.timeout),
  })
}

/**
 * Checks a value read back from storage as {@link SmState}; `Left` says what is wrong.
 *
 * @example
 * import { connection } from 'stanzakit'
 * const saved = connection.decodeSmState(JSON.parse('{"version":1}'))
 * console.log(saved._tag) // 'Left': id is missing
 *
 * @category constructors
 * @since 0.2.0
 */
export const decodeSmState = Sm.decodeSmState
