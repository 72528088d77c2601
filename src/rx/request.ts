/**
 * `request`: send an IQ get/set and await its one valid response (RFC 6120 §8.2.3,
 * docs/semantics.md §7.1, docs/security.md §6).
 *
 * ```text
 * request(stream, { timeout: 60 })(iq)          // iq: get, id 'a1', to peer@example.net/x
 *
 * subscribe  ^                                   // registers 'a1', then stream.send(iq)
 * incoming   --f---p---s---r---r'--|             // f: result 'a1' from mallory@evil.example
 *                                                //    (spoof: ignored, see below)
 *                                                // p: presence with id 'a1' (ignored)
 *                                                // s: a set with id 'a1' (ignored here;
 *                                                //    rx.serve still sees it)
 *                                                // r: result 'a1' from peer@example.net/x
 * output     ------------------(r|)              // first valid response wins; r' is dropped
 *
 * incoming   --e--                               // e: error 'a1' from peer@example.net/x
 * output     --#                                 // # = IqError { request, response: e, error }
 *
 * incoming   ---------------                     // nothing valid within 60 ms
 * output     ------------#                       // # = IqTimeout { request }
 *
 * incoming   ----|                               // the stream ends first
 * output     ----#                               // # = IqClosed { request }
 * ```
 *
 * **Valid response** (`Iq.isResponseTo`): kind `iq`, type `result` or `error`, the request's id,
 * and an allowed `from` (`Iq.allowedResponders`; canonical string equality; `me` = `stream.jid`
 * when the request is subscribed):
 *
 * | request `to` | allowed `from` |
 * | --- | --- |
 * | absent | absent or `bare(me)`; with `acceptOwnDomain`, also `domain(me)` |
 * | `bare(me)` | `bare(me)` or absent |
 * | any other X | exactly X (full JIDs exact; resource case-sensitive) |
 *
 * Without `stream.jid` the "own" entries match nothing. Anything else carrying the id neither
 * resolves nor fails the request (CVE-2013-6483, CVE-2024-46957); it is left to other
 * subscribers of `incoming` (a get/set still reaches `rx.serve`). Incoming stanzas are assumed
 * to come from the decoder, so their JIDs are canonical.
 *
 * **Cost**: O(1) per incoming stanza whatever the number of pending requests, and no timer or
 * subscription per request (docs/performance.md "IQ correlation", target (d)). One dispatcher
 * per `StanzaStream` object (in a `WeakMap`: it goes with its stream) holds the pending ids and
 * at most one subscription to `incoming`,
 * taken while something is pending (so a `share()`d incoming may be torn down by its last
 * subscriber going; hold your own subscription if that matters); each scheduler in use has one
 * deadline heap and one scheduled action. `TestScheduler` virtual time works.
 *
 * @example
 * import { Subject } from 'rxjs'
 * import { rx, Iq, Jid, Stanza, Xml } from 'stanzakit'
 *
 * const server = Jid.unsafeParse('example.com')
 * const incoming = new Subject<Stanza.Stanza>()
 * // A stand-in for the server: it answers every request with an empty result.
 * const stream: rx.StanzaStream = {
 *   incoming,
 *   send: (s) => {
 *     if (Stanza.isIq(s) && Iq.isRequest(s)) incoming.next({ ...Iq.result(s), from: server })
 *   },
 * }
 *
 * const ping = rx.request(stream, { timeout: 10_000 })
 * ping(Iq.get(Xml.element('ping', 'urn:xmpp:ping'), { to: server, id: 'p1' })).subscribe({
 *   next: (result) => console.log('pong', result.id), // pong p1
 *   error: (e) => console.log(rx.isIqFailure(e) ? e._tag : e),
 * })
 *
 * @since 0.1.0
 */
import { asyncScheduler, Observable, type SchedulerLike } from 'rxjs'
import * as Iq from '../Iq.js'
import { dispatcherOf, pendingOn, type Settings } from './internal/dispatcher.js'
import type { StanzaStream } from './StanzaStream.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** @category model @since 0.1.0 */
export interface RequestOptions {
  /**
   * Milliseconds (scheduler units) to wait for a valid response. Default 30,000. `Infinity`:
   * no timer at all. Negative or NaN throws a `RangeError` when `request` is called.
   */
  readonly timeout?: number
  /** Drives the shared timeout timer. Default `asyncScheduler`; a `TestScheduler` works. */
  readonly scheduler?: SchedulerLike
  /**
   * Also accept our own domain as the sender of a response to a request without `to`
   * (compatibility with servers that stamp it, docs/security.md §6). Default `false`.
   */
  readonly acceptOwnDomain?: boolean
  /**
   * Refuse a new request while this many are pending on the stream (counting requests made
   * with other options too). Default 65,536; an integer ≥ 1 or `Infinity`.
   */
  readonly maxPending?: number
}

/**
 * Default `timeout`: 30 s (classic: 120 s, docs/semantics.md §7.2).
 *
 * @category model
 * @since 0.1.0
 */
export const DEFAULT_TIMEOUT = 30_000

/** Default `maxPending` per stream (docs/security.md §6). @category model @since 0.1.0 */
export const DEFAULT_MAX_PENDING = 65_536

/** Checks and defaults the options, once per `request(stream, options)`. */
const resolve = (options: RequestOptions): Settings => {
  const timeout = options.timeout ?? DEFAULT_TIMEOUT
  if (typeof timeout !== 'number' || !(timeout >= 0))
    throw new RangeError(
      `rx.request: timeout must be a number of ms >= 0 or Infinity, got ${String(timeout)}`,
    )
  const maxPending = options.maxPending ?? DEFAULT_MAX_PENDING
  if (
    typeof maxPending !== 'number' ||
    !(maxPending >= 1) ||
    (maxPending !== Number.POSITIVE_INFINITY && !Number.isInteger(maxPending))
  )
    throw new RangeError(
      `rx.request: maxPending must be an integer >= 1 or Infinity, got ${String(maxPending)}`,
    )
  return {
    timeout,
    scheduler: options.scheduler ?? asyncScheduler,
    acceptOwnDomain: options.acceptOwnDomain === true,
    maxPending,
  }
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * A cold Observable per request (docs/semantics.md §7.1). Each subscription registers `iq.id`, then
 * calls `stream.send(iq)` once; it emits the result `Iq` and completes, or errors with an
 * `IqFailure` (`IqError`, `IqTimeout`, `IqClosed`). Unsubscribing, the timeout and the end of
 * `incoming` forget the request; late replies are dropped. Re-subscribing resends the same id:
 * build the `Iq` inside `defer` for a fresh one.
 *
 * Programmer errors: invalid options throw a `RangeError` right here; subscribing with an id
 * already pending on the stream, a full table (`maxPending`) or an iq that is not a get/set
 * errors at once with a plain `Error`, and nothing is sent. If `stream.send` throws, the request
 * is forgotten and the subscriber gets that error.
 *
 * @category constructors
 * @since 0.1.0
 */
export const request = (
  stream: StanzaStream,
  options: RequestOptions = {},
): ((iq: Iq.Iq) => Observable<Iq.Iq>) => {
  const o = resolve(options)
  return (iq) =>
    new Observable<Iq.Iq>((subscriber) => {
      if (iq.kind !== 'iq' || !Iq.isRequest(iq)) {
        subscriber.error(
          new Error(
            `rx.request: only get and set are requests, got ${String(iq.type)}; nothing sent`,
          ),
        )
        return undefined
      }
      return dispatcherOf(stream).register(iq, subscriber, o)
    })
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * Diagnostics: how many requests are pending on `stream` (0 for a stream never used). For
 * tests and metrics; not needed to use `request`.
 *
 * @category utils
 * @since 0.1.0
 */
export const pendingCount = (stream: StanzaStream): number => pendingOn(stream)
