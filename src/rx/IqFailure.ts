/**
 * Why an IQ request did not produce a result (docs/semantics.md §7.1): tagged records, the error
 * value of `rx.request` and the rejection of `rx.send`. Each is also an `Error` named after its
 * tag, with a one-line message and a stack, so an unhandled rejection prints usefully:
 * `IqTimeout: no answer to iq get <ping xmlns='urn:xmpp:ping'/> id=p1 to romeo@example.net`.
 * The fields are the record's (what `JSON.stringify` and spreading show); `message` names the
 * request (type, payload element, id, `to`) and, for a response, its condition, cut to a bounded
 * length, never the payload itself.
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
 * import { catchError, of, Subject, throwError } from 'rxjs'
 * import { rx, Iq, Stanza, Xml } from 'stanzakit'
 *
 * // A stream where nobody answers.
 * const silent: rx.StanzaStream = { incoming: new Subject<Stanza.Stanza>(), send: () => {} }
 * rx.request(silent, { timeout: 100 })(Iq.get(Xml.element('ping', 'urn:xmpp:ping')))
 *   .pipe(catchError((e) => (rx.isIqTimeout(e) ? of('fallback') : throwError(() => e))))
 *   .subscribe(console.log) // fallback
 *
 * @since 0.1.0
 */
import type * as DecodeError from '../DecodeError.js'
import type { Iq } from '../Iq.js'
import { clip, escapeControls, quote, shown } from '../internal/chars.js'
import { type Fields, taggedError, tagOf } from '../internal/tag.js'
import * as StanzaError from '../StanzaError.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * An allowed sender answered with an error (RFC 6120 §8.2.3). `error` is `response.error`, or
 * `undefined-condition` (cancel) when the response carried none.
 *
 * @category model
 * @since 0.1.0
 */
export interface IqError extends Error {
  readonly _tag: 'IqError'
  readonly request: Iq
  readonly response: Iq
  readonly error: StanzaError.StanzaError
}

/** No valid response arrived in time. @category model @since 0.1.0 */
export interface IqTimeout extends Error {
  readonly _tag: 'IqTimeout'
  readonly request: Iq
}

/** `incoming` completed or errored while the request was pending. @category model @since 0.1.0 */
export interface IqClosed extends Error {
  readonly _tag: 'IqClosed'
  readonly request: Iq
}

/** @category model @since 0.1.0 */
export type IqFailure = IqError | IqTimeout | IqClosed

/**
 * `rx.query` got a result, but its payload is not the extension asked for: missing, or invalid
 * (`error` has the path, `iq/query/item[2]@jid: jid-malformed: …`).
 *
 * @category model
 * @since 0.2.0
 */
export interface IqBadResponse extends Error {
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

const IqErrorClass = taggedError<Fields<IqError>>('IqError')
const IqTimeoutClass = taggedError<Fields<IqTimeout>>('IqTimeout')
const IqClosedClass = taggedError<Fields<IqClosed>>('IqClosed')
const IqBadResponseClass = taggedError<Fields<IqBadResponse>>('IqBadResponse')

/**
 * A request in a message: `iq get <ping xmlns='urn:xmpp:ping'/> id=p1 to romeo@example.net`,
 * each part cut and its controls escaped; the payload's name and namespace, never its content.
 */
const described = (request: Iq): string => {
  const p = request.payload[0]
  const payload = p === undefined ? '' : ` <${shown(p.name, 64)} xmlns='${shown(p.ns, 100)}'/>`
  const to = request.to === undefined ? '' : ` to ${shown(request.to, 100)}`
  return `iq ${shown(request.type, 8)}${payload} id=${shown(request.id, 64)}${to}`
}

const from = (response: Iq): string =>
  response.from === undefined ? '' : ` from ${shown(response.from, 100)}`

/**
 * The failure for an error response; a response without `<error/>` (hand-built: the decoder
 * requires one, RFC 6120 §8.3.1) gets `undefined-condition`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const iqError = (request: Iq, response: Iq): IqError => {
  const error = response.error ?? StanzaError.make('undefined-condition')
  const text = error.text === undefined ? '' : `: ${escapeControls(quote(error.text, 160))}`
  return new IqErrorClass(
    { _tag: 'IqError', request, response, error },
    `${error.condition} (${error.type})${from(response)} in answer to ${described(request)}${text}`,
  )
}

/** @category constructors @since 0.1.0 */
export const iqTimeout = (request: Iq): IqTimeout =>
  new IqTimeoutClass(
    { _tag: 'IqTimeout', request },
    `no answer to ${described(request)} within the timeout`,
  )

/** @category constructors @since 0.1.0 */
export const iqClosed = (request: Iq): IqClosed =>
  new IqClosedClass(
    { _tag: 'IqClosed', request },
    `the stream ended before an answer to ${described(request)}`,
  )

/** @category constructors @since 0.2.0 */
export const iqBadResponse = (
  request: Iq,
  response: Iq,
  error: DecodeError.DecodeError,
): IqBadResponse => {
  const [first, ...more] = error.problems
  const problem =
    first === undefined
      ? ''
      : `: ${clip(`${first.path}: ${first.condition}: ${first.message}`, 200)}`
  return new IqBadResponseClass(
    { _tag: 'IqBadResponse', request, response, error },
    `the result${from(response)} to ${described(request)} does not decode${problem}${more.length === 0 ? '' : ` (+${more.length} more)`}`,
  )
}

// -------------------------------------------------------------------------------------
// refinements
// -------------------------------------------------------------------------------------

/**
 * Refinements take `unknown`: they sort what `catchError` or a rejected Promise hands over.
 *
 * @category refinements
 * @since 0.1.0
 */
export const isIqError = (u: unknown): u is IqError => tagOf(u) === 'IqError'

/** @category refinements @since 0.1.0 */
export const isIqTimeout = (u: unknown): u is IqTimeout => tagOf(u) === 'IqTimeout'

/** @category refinements @since 0.1.0 */
export const isIqClosed = (u: unknown): u is IqClosed => tagOf(u) === 'IqClosed'

/** @category refinements @since 0.2.0 */
export const isIqBadResponse = (u: unknown): u is IqBadResponse => tagOf(u) === 'IqBadResponse'

/** @category refinements @since 0.1.0 */
export const isIqFailure = (u: unknown): u is IqFailure =>
  isIqError(u) || isIqTimeout(u) || isIqClosed(u)

// -------------------------------------------------------------------------------------
// pattern matching
// -------------------------------------------------------------------------------------

/**
 * Case analysis on the tag.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import { rx, Iq, Xml } from 'stanzakit'
 *
 * const failure: rx.IqFailure = rx.iqTimeout(Iq.get(Xml.element('ping', 'urn:xmpp:ping')))
 * const describe = rx.matchIqFailure({
 *   IqError: (e) => `error: ${e.error.condition}`,
 *   IqTimeout: () => 'timeout',
 *   IqClosed: () => 'closed',
 * })
 * console.log(pipe(failure, describe)) // timeout
 *
 * @category pattern matching
 * @since 0.1.0
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
