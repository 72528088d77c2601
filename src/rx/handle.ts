/**
 * `handle(ext, type, answer)`: an `IqHandler` for `rx.serve` that matches get or set requests
 * carrying `ext`'s element, decodes it and calls `answer(request, record)`.
 *
 * `answer` gives a record of `ext` (sent as the result's payload), `null` (an empty result: a
 * ping, an acknowledged roster push), an `Iq` response, a `StanzaError` (sent as an error
 * reply), or a Promise or Observable of one of these. A request whose payload does not decode
 * is answered `bad-request` (RFC 6120 §8.3.3.1) without calling `answer`.
 *
 * @example
 * import { rx, ext } from 'stanzakit'
 * declare const session: rx.StanzaStream
 * rx.serve(session, [
 *   ext.pong,
 *   rx.handle(ext.Version, 'get', () => ({ name: 'echo-bot', version: '1.0.0' })),
 * ])
 *
 * @since 0.2.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { from, isObservable, map, type Observable, of } from 'rxjs'
import type * as Extension from '../Extension.js'
import * as Iq from '../Iq.js'
import * as StanzaError from '../StanzaError.js'
import { asIqExtension, type OnIq } from './internal/onIq.js'
import type { Answer, IqHandler } from './serve.js'

/** What an extension handler may answer with. @category model @since 0.2.0 */
export type HandlerAnswer<A> = A | null | Iq.Iq | StanzaError.StanzaError

/** @category model @since 0.2.0 */
export type HandlerResult<A> =
  | HandlerAnswer<A>
  | PromiseLike<HandlerAnswer<A>>
  | Observable<HandlerAnswer<A>>

const isPromiseLike = <X>(u: unknown): u is PromiseLike<X> =>
  typeof u === 'object' && u !== null && typeof (u as { then?: unknown }).then === 'function'

/** @category constructors @since 0.2.0 */
export const handle = <K extends Extension.Kind, A>(
  ext: Extension.Extension<K, A> & OnIq<K>,
  type: 'get' | 'set',
  answer: (request: Iq.Request, a: A) => HandlerResult<A>,
): IqHandler => {
  const iqExt = asIqExtension(ext)
  const toAnswer =
    (request: Iq.Request) =>
    (x: HandlerAnswer<A>): Answer => {
      if (x === null) return Iq.result(request)
      if (Iq.is(x) || StanzaError.is(x)) return x
      return Iq.result(request, iqExt.encode(x))
    }
  return {
    // `ext.is`, not `name`: a `oneOf` extension has several element names.
    ns: ext.ns,
    type,
    predicate: (request) => {
      const child = request.payload[0]
      return child !== undefined && ext.is(child)
    },
    handle: (request) => {
      const decoded = iqExt.getEither(request)
      if (E.isLeft(decoded) || decoded.right._tag === 'None') return StanzaError.make('bad-request')
      const r = answer(request, decoded.right.value)
      const toA = toAnswer(request)
      if (isObservable(r)) return r.pipe(map(toA))
      if (isPromiseLike<HandlerAnswer<A>>(r)) return from(r).pipe(map(toA))
      return of(toA(r))
    },
  }
}
