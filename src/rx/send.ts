/**
 * `send`: the classic `Iq.send(callback, timeout, timeout_callback)` over a `StanzaStream`,
 * returning a Promise (docs/semantics.md §7.2, parity with the seed library's `Iq.send`).
 *
 * - get/set go through {@link request}: the Promise resolves with the result, or rejects with
 *   the `IqFailure` (`IqError`, `IqTimeout`, `IqClosed`) or a programmer `Error` (id already
 *   pending, full table).
 * - `callback(response)` runs when a valid response arrives, for a result **and** for an error
 *   (then the Promise rejects with `IqError` too); `timeoutCallback(request)` runs on timeout
 *   (the Promise still rejects with `IqTimeout`). Callbacks run before the Promise settles.
 * - A callback that throws does not change the outcome: the exception is reported
 *   asynchronously, like RxJS reports unhandled errors (`config.onUnhandledError` if set,
 *   else rethrown from a `setTimeout`).
 * - result/error iqs (answers) are sent and resolve to `undefined` at once (classic).
 *
 * *Classic: `timeout` in seconds, default 120; we: milliseconds, default 30,000, the spoof-proof
 * correlation of docs/security.md §6.* Invalid options throw synchronously, like {@link request}.
 *
 * @example
 * import { Subject } from 'rxjs'
 * import { rx, Iq, Stanza, Xml } from 'stanzakit'
 *
 * // A stream where nobody answers.
 * const silent: rx.StanzaStream = { incoming: new Subject<Stanza.Stanza>(), send: () => {} }
 * const version = Iq.get(Xml.element('query', 'jabber:iq:version'), { id: 'v1' })
 * await rx.send(silent)(version, {
 *   timeout: 100,
 *   timeoutCallback: (req) => console.log('no answer to', req.id), // no answer to v1
 * }).catch((e) => console.log(e._tag)) // IqTimeout
 *
 * @since 0.1.0
 */
import type { SchedulerLike } from 'rxjs'
import * as Iq from '../Iq.js'
import { isIqError, isIqTimeout } from './IqFailure.js'
import { reportLater } from './internal/report.js'
import { request } from './request.js'
import type { StanzaStream } from './StanzaStream.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** @category model @since 0.1.0 */
export interface SendOptions {
  /** Runs with the response, result or error (classic `callback`). */
  readonly callback?: (response: Iq.Iq) => void
  /** Milliseconds; default 30,000 (classic: seconds). `Infinity`: wait for ever. */
  readonly timeout?: number
  /** Runs with the request when the timeout expires (classic `timeout_callback`). */
  readonly timeoutCallback?: (request: Iq.Iq) => void
  /** Drives the timeout; default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike
}

const call = <A>(f: ((a: A) => void) | undefined, a: A): void => {
  if (f === undefined) return
  try {
    f(a)
  } catch (e) {
    reportLater(e)
  }
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Sends `iq` over `stream`; for a get/set, awaits its response (docs/semantics.md §7.2).
 *
 * @category constructors
 * @since 0.1.0
 */
export const send =
  (stream: StanzaStream) =>
  (iq: Iq.Iq, options: SendOptions = {}): Promise<Iq.Iq | undefined> => {
    if (!Iq.isRequest(iq)) {
      try {
        stream.send(iq)
      } catch (e) {
        return Promise.reject(e)
      }
      return Promise.resolve(undefined)
    }
    const { callback, timeoutCallback } = options
    const requested = request(stream, {
      ...(options.timeout !== undefined ? { timeout: options.timeout } : {}),
      ...(options.scheduler !== undefined ? { scheduler: options.scheduler } : {}),
    })(iq)
    return new Promise<Iq.Iq | undefined>((resolve, reject) => {
      requested.subscribe({
        next: (response) => {
          call(callback, response)
          resolve(response)
        },
        error: (e: unknown) => {
          if (isIqError(e)) call(callback, e.response)
          else if (isIqTimeout(e)) call(timeoutCallback, e.request)
          reject(e)
        },
      })
    })
  }
