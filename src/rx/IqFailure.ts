/**
 * Why an IQ request did not produce a result (docs/semantics.md §7.1): tagged records, the error
 * value of `rx.request` and the rejection of `rx.send`.
 *
 * - `IqError`: an allowed sender answered with type `error` (RFC 6120 §8.2.3 rule 4); carries
 *   the response and its `StanzaError` (`undefined-condition` if the response had none).
 * - `IqTimeout`: no valid response within the timeout.
 * - `IqClosed`: `incoming` completed or errored while the request was pending.
 *
 * Programmer errors (a pending id, a non-get/set, a full table) are plain `Error`s, not
 * `IqFailure`s (docs/semantics.md §0).
 *
 * @example
 * import { catchError, of } from 'rxjs'
 * import { rx } from 'stanzakit'
 *
 * rx.request(stream)(iq).pipe(
 *   catchError((e) => (rx.isIqTimeout(e) ? of(fallback) : throwError(() => e))),
 * )
 *
 * @since 0.1.0
 */
import type * as DecodeError from '../DecodeError.js'
import type { Iq } from '../Iq.js'
import * as StanzaError from '../StanzaError.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * An allowed sender answered with an error (RFC 6120 §8.2.3). `error` is `response.error`, or
 * `undefined-condition` (cancel) when the response carried none.
 *
 * @category model
 */
export interface IqError {
  readonly _tag: 'IqError'
  readonly request: Iq
  readonly response: Iq
  readonly error: StanzaError.StanzaError
}

/** No valid response arrived in time. @category model */
export interface IqTimeout {
  readonly _tag: 'IqTimeout'
  readonly request: Iq
}

/** `incoming` completed or errored while the request was pending. @category model */
export interface IqClosed {
  readonly _tag: 'IqClosed'
  readonly request: Iq
}

/** @category model */
export type IqFailure = IqError | IqTimeout | IqClosed

/**
 * `rx.query` got a result, but its payload is not the extension asked for: missing, or invalid
 * (`error` has the path, `iq/query/item[2]@jid: jid-malformed: …`).
 *
 * @category model
 * @since 0.2.0
 */
export interface IqBadResponse {
  readonly _tag: 'IqBadResponse'
  readonly request: Iq
  readonly response: Iq
  readonly error: DecodeError.DecodeError
}

/** How `rx.query` fails. @category model @since 0.2.0 */
export type QueryFailure = IqFailure | IqBadResponse

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * The failure for an error response; a response without `<error/>` (hand-built: the decoder
 * requires one, RFC 6120 §8.3.1) gets `undefined-condition`.
 *
 * @category constructors
 */
export const iqError = (request: Iq, response: Iq): IqError => ({
  _tag: 'IqError',
  request,
  response,
  error: response.error ?? StanzaError.make('undefined-condition'),
})

/** @category constructors */
export const iqTimeout = (request: Iq): IqTimeout => ({ _tag: 'IqTimeout', request })

/** @category constructors */
export const iqClosed = (request: Iq): IqClosed => ({ _tag: 'IqClosed', request })

/** @category constructors @since 0.2.0 */
export const iqBadResponse = (
  request: Iq,
  response: Iq,
  error: DecodeError.DecodeError,
): IqBadResponse => ({ _tag: 'IqBadResponse', request, response, error })

// -------------------------------------------------------------------------------------
// refinements
// -------------------------------------------------------------------------------------

const tagOf = (u: unknown): unknown =>
  typeof u === 'object' && u !== null ? (u as { readonly _tag?: unknown })._tag : undefined

/**
 * Refinements take `unknown`: they sort what `catchError` or a rejected Promise hands over.
 *
 * @category refinements
 */
export const isIqError = (u: unknown): u is IqError => tagOf(u) === 'IqError'

/** @category refinements */
export const isIqTimeout = (u: unknown): u is IqTimeout => tagOf(u) === 'IqTimeout'

/** @category refinements */
export const isIqClosed = (u: unknown): u is IqClosed => tagOf(u) === 'IqClosed'

/** @category refinements @since 0.2.0 */
export const isIqBadResponse = (u: unknown): u is IqBadResponse => tagOf(u) === 'IqBadResponse'

/** @category refinements */
export const isIqFailure = (u: unknown): u is IqFailure =>
  isIqError(u) || isIqTimeout(u) || isIqClosed(u)

// -------------------------------------------------------------------------------------
// pattern matching
// -------------------------------------------------------------------------------------

/**
 * Case analysis on the tag.
 *
 * @example
 * pipe(failure, rx.matchIqFailure({ IqError: (e) => e.error.condition, IqTimeout: () => 'timeout', IqClosed: () => 'closed' }))
 *
 * @category pattern matching
 */
export const matchIqFailure =
  <B>(cases: {
    readonly IqError: (f: IqError) => B
    readonly IqTimeout: (f: IqTimeout) => B
    readonly IqClosed: (f: IqClosed) => B
  }) =>
  (f: IqFailure): B => {
    switch (f._tag) {
      case 'IqError':
        return cases.IqError(f)
      case 'IqTimeout':
        return cases.IqTimeout(f)
      case 'IqClosed':
        return cases.IqClosed(f)
    }
  }
