/**
 * `serve`: answers the IQ requests that reach us (RFC 6120 §8.2.3, docs/semantics.md §7.4). Every
 * get/set gets exactly one answer: the first matching handler's, an error reply if that handler
 * fails, or `Iq.unhandled` when nothing matches. Results and errors are never answered.
 *
 * ```text
 * serve(stream, [pingHandler])
 *
 * incoming  --p--r--u--x--q--|     // p: get <ping xmlns='urn:xmpp:ping'/>
 *                                  // r: a result (an answer: never answered)
 *                                  // u: get in an unknown namespace
 *                                  // x: roster push from a stranger (ignored, see below)
 *                                  // q: get whose handler throws
 * sent      --P-----U-----Q--      // P: empty result for p
 *                                  // U: error feature-not-implemented (Iq.unhandled)
 *                                  // Q: error undefined-condition, no exception text
 * ```
 *
 * - **Matching**: an {@link IqHandler} matches when every criterion it gives holds (`type`,
 *   the payload child's `name` and `ns`, then `predicate`); the first matching handler in array
 *   order answers. Handlers are plain records: compose them with arrays and `pipe`.
 * - **Several `serve`s on one stream** (the same stream object) share one subscription to
 *   `incoming`, and each get/set is still answered once: by the first matching handler, taking
 *   the `serve`s in the order they were subscribed; if none matches, by the earliest running
 *   `serve`'s `unhandledCondition`. Unsubscribing one hands its requests to the others.
 * - **No `serve` running**: a `connect()` or `component()` session answers every get/set itself
 *   with `service-unavailable` (RFC 6120 §8.4). A `serve` must be subscribed when a request is
 *   emitted to take it (`incoming` is hot): the session decides after its subscribers had their
 *   synchronous turn, and delivers its first stanza on a later macrotask than the one resolving
 *   `connect()`, so `rx.serve(await connect(…), …)` takes every request.
 * - **Concurrency**: handlers run concurrently (`mergeAll`); each answer is sent when ready, so
 *   a slow handler does not hold up a fast one.
 * - **Answers**: `handle` returns an `Iq` (sent as is; it must be a result or error carrying the
 *   request id, else that is a failure), a `StanzaError` (sent as `errorReply`, RFC 6120 §8.3.1),
 *   or a Promise/Observable of either (its first value; completing empty is a failure).
 * - **Failures** (a throw, a rejection, an Observable error, an invalid answer) become error
 *   replies without exception text, so no internal detail leaks; `onError(failure, request)`
 *   sees the raw failure:
 *
 * | failure | reply |
 * | --- | --- |
 * | a `StanzaError` value | that error |
 * | `IqError` from a nested request | `undefined-condition` (cancel) |
 * | `IqTimeout` | `remote-server-timeout` (wait) |
 * | anything else | `undefined-condition` (cancel) |
 *
 * - **Nothing matched**: `Iq.unhandled(request, { condition: unhandledCondition, component })`,
 *   `feature-not-implemented` by default (classic); `'service-unavailable'` is RFC 6120 §8.4's
 *   answer for an unknown namespace.
 * - **Same sender discipline**: a roster push (`set` with a `jabber:iq:roster` query) is served
 *   only if its `from` is absent or equals our bare JID (`bare(stream.jid)`; without a JID, only
 *   absent). Otherwise it is ignored: no handler sees it and nothing is sent, not even an error
 *   (RFC 6121 §2.1.6; CVE-2015-8688, CVE-2016-9928; docs/security.md §6). Other handlers must check
 *   `from` themselves before powerful actions (CVE-2016-10376).
 * - A get/set reusing the id of one of our pending requests is served like any other (§8.2.3
 *   rule 3; classic swallowed it).
 * - Unsubscribing discards in-flight answers. When `incoming` ends, answers still in flight are
 *   sent when ready (complete) or discarded (error).
 *
 * @example
 * import { Subject } from 'rxjs'
 * import { rx, Iq, Jid, Stanza, Xml } from 'stanzakit'
 *
 * const incoming = new Subject<Stanza.Stanza>()
 * const stream: rx.StanzaStream = { incoming, send: (s) => console.log(Stanza.encode(s)) }
 * const ping: rx.IqHandler = {
 *   name: 'ping',
 *   ns: 'urn:xmpp:ping',
 *   type: 'get',
 *   handle: (req) => Iq.result(req),
 * }
 * const subscription = rx.serve(stream, [ping], { unhandledCondition: 'service-unavailable' })
 *
 * const juliet = Jid.unsafeParse('juliet@example.com/balcony')
 * incoming.next(Iq.get(Xml.element('ping', 'urn:xmpp:ping'), { id: 'p1', from: juliet }))
 * // <iq xmlns='jabber:client' to='juliet@example.com/balcony' type='result' id='p1'/>
 * incoming.next(Iq.get(Xml.element('query', 'jabber:iq:version'), { id: 'v1', from: juliet }))
 * // <iq xmlns='jabber:client' to='juliet@example.com/balcony' type='error' id='v1'>
 * //   <error type='cancel'><service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>
 * // </iq>
 * subscription.unsubscribe()
 *
 * @since 0.1.0
 */
import * as O from 'fp-ts/lib/Option.js'
import {
  catchError,
  defer,
  first,
  from,
  isObservable,
  map,
  mergeAll,
  type Observable,
  of,
  Subject,
  type Subscription,
} from 'rxjs'
import * as Iq from '../Iq.js'
import { errorReply } from '../Stanza.js'
import * as StanzaError from '../StanzaError.js'
import { isIqError, isIqTimeout } from './IqFailure.js'
import { reportLater } from './internal/report.js'
import { register, type Server } from './internal/serving.js'
import type { StanzaStream } from './StanzaStream.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** What a handler may answer with. @category model @since 0.1.0 */
export type Answer = Iq.Iq | StanzaError.StanzaError

/**
 * A request handler: what it matches (every given criterion must hold) and how it answers.
 *
 * @category model
 * @since 0.1.0
 */
export interface IqHandler {
  /** Local name of the payload child. */
  readonly name?: string
  /** Namespace of the payload child. */
  readonly ns?: string
  readonly type?: 'get' | 'set'
  /** Checked last; a throw is a failure of the request. */
  readonly predicate?: (request: Iq.Request) => boolean
  readonly handle: (request: Iq.Request) => Answer | PromiseLike<Answer> | Observable<Answer>
}

/** @category model @since 0.1.0 */
export interface ServeOptions {
  /** Component addressing for the replies `serve` builds (XEP-0114: swap `to` and `from`). */
  readonly component?: boolean
  /** The condition for requests nothing matched; default `feature-not-implemented`. */
  readonly unhandledCondition?: StanzaError.Condition
  /** Sees every raw handler failure; its own exceptions are reported asynchronously. */
  readonly onError?: (failure: unknown, request: Iq.Request) => void
}

// -------------------------------------------------------------------------------------
// rules
// -------------------------------------------------------------------------------------

const matches = (h: IqHandler, req: Iq.Request): boolean => {
  if (h.type !== undefined && h.type !== req.type) return false
  if (h.name !== undefined || h.ns !== undefined) {
    const child = req.payload[0]
    if (child === undefined) return false
    if (h.name !== undefined && child.name !== h.name) return false
    if (h.ns !== undefined && child.ns !== h.ns) return false
  }
  return h.predicate === undefined || h.predicate(req)
}

/** The error a failure is answered with (docs/semantics.md §7.4 table); never exception text. */
const failureError = (failure: unknown): StanzaError.StanzaError => {
  if (StanzaError.is(failure)) return failure
  if (isIqTimeout(failure)) return StanzaError.make('remote-server-timeout', { type: 'wait' })
  if (isIqError(failure)) return StanzaError.make('undefined-condition', { type: 'cancel' })
  return StanzaError.make('undefined-condition', { type: 'cancel' })
}

const isPromiseLike = (
  x: Answer | PromiseLike<Answer> | Observable<Answer>,
): x is PromiseLike<Answer> => typeof (x as { readonly then?: unknown }).then === 'function'

const toObservable = (x: Answer | PromiseLike<Answer> | Observable<Answer>): Observable<Answer> =>
  isObservable(x) ? x : isPromiseLike(x) ? from(x) : of(x)

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Registers with `stream`'s coordinator (one subscription to `stream.incoming` for all the
 * `serve`s on it) and answers the get/set routed to it through `stream.send`
 * (docs/semantics.md §7.4). Unsubscribe the returned `Subscription` to stop serving.
 *
 * @category constructors
 * @since 0.1.0
 */
export const serve = (
  stream: StanzaStream,
  handlers: ReadonlyArray<IqHandler>,
  options: ServeOptions = {},
): Subscription => {
  const { onError } = options
  const replyOptions = options.component === true ? { component: true } : {}
  const unhandledOptions =
    options.unhandledCondition === undefined
      ? replyOptions
      : { ...replyOptions, condition: options.unhandledCondition }

  const errorFor = (req: Iq.Request, e: StanzaError.StanzaError): Iq.Iq => {
    const r: O.Option<Iq.Iq> = errorReply(e, replyOptions)(req)
    if (O.isNone(r)) throw new Error('rx.serve: no error reply for a request') // unreachable
    return r.value
  }

  const toReply =
    (req: Iq.Request) =>
    (a: Answer): Iq.Iq => {
      if (Iq.is(a)) {
        if (Iq.isResponse(a) && a.id === req.id) return a
        throw new Error('rx.serve: an answer must be a result or error with the request id')
      }
      if (StanzaError.is(a)) return errorFor(req, a)
      throw new Error('rx.serve: an answer must be an Iq or a StanzaError')
    }

  /** The one reply to `req`: what `run` gives, or the error reply for its failure. */
  const answer = (req: Iq.Request, run: () => Observable<Iq.Iq>): Observable<Iq.Iq> =>
    defer(run).pipe(
      catchError((failure: unknown) => {
        if (onError !== undefined) {
          try {
            onError(failure, req)
          } catch (e) {
            reportLater(e)
          }
        }
        return of(errorFor(req, failureError(failure)))
      }),
    )

  // The answers in flight, run concurrently; completes or errors with `incoming`.
  const answers = new Subject<Observable<Iq.Iq>>()
  const subscription = answers.pipe(mergeAll()).subscribe({
    next: (reply) => stream.send(reply),
    // `incoming` failed: the stream is gone, nothing left to answer.
    error: () => undefined,
  })

  const server: Server = {
    offer: (req) => {
      if (subscription.closed) return false
      let h: IqHandler | undefined
      try {
        h = handlers.find((h) => matches(h, req))
      } catch (failure) {
        // A throwing predicate is a failure of the request, answered by this serve.
        answers.next(
          answer(req, () => {
            throw failure
          }),
        )
        return true
      }
      if (h === undefined) return false
      const handler = h
      answers.next(
        answer(req, () => toObservable(handler.handle(req)).pipe(first(), map(toReply(req)))),
      )
      return true
    },
    decline: (req) => {
      if (subscription.closed) return false
      const r = Iq.unhandled(req, unhandledOptions)
      if (O.isNone(r)) return false // unreachable: `req` is a get/set
      answers.next(of<Iq.Iq>(r.value))
      return true
    },
    end: (failed) => {
      if (failed) answers.error(undefined)
      else answers.complete()
    },
  }
  // After `answers` is listened to: registering may deliver at once. If `incoming` has already
  // ended, `subscription` is closed by now and `add` unregisters at once.
  subscription.add(register(stream, server))
  return subscription
}
