/**
 * `query(stream, options)(ext, request)`: sends an IQ request and gives the result's payload
 * decoded with `ext`. Cold, like {@link request} (whose options and correlation rules it
 * shares): subscribing sends the request once.
 *
 * Fails with an `IqFailure` (`IqError`, `IqTimeout`, `IqClosed`), or with `IqBadResponse` when
 * the result lacks the extension's element or carries an invalid one. For protocols whose
 * result is empty by design (an XEP-0199 ping, a roster set), use `request`.
 *
 * ```
 * request:   a-------|         (subscribing sends iq a)
 * incoming:  ----r---          (r: the result of a, with <query/>)
 * query:     ----q|            (q: r's query, decoded)
 * ```
 *
 * @example
 * import { rx, ext, Iq, Jid } from 'stanzakit'
 * declare const session: rx.StanzaStream
 * const server = Jid.unsafeParse('example.com')
 * rx.query(session)(ext.DiscoInfo, Iq.get(ext.DiscoInfo.encode({ identities: [], features: [], extensions: [] }), { to: server }))
 *   .subscribe((info) => console.log(info.features))
 *
 * @since 0.2.0
 */
import * as E from 'fp-ts/lib/Either.js'
import * as O from 'fp-ts/lib/Option.js'
import { map, type Observable } from 'rxjs'
import * as DecodeError from '../DecodeError.js'
import type * as Extension from '../Extension.js'
import type * as Iq from '../Iq.js'
import { iqBadResponse } from './IqFailure.js'
import { asIqExtension, type OnIq } from './internal/onIq.js'
import { type RequestOptions, request } from './request.js'
import type { StanzaStream } from './StanzaStream.js'

/** @category constructors @since 0.2.0 */
export const query =
  (stream: StanzaStream, options?: RequestOptions) =>
  <K extends Extension.Kind, A>(
    ext: Extension.Extension<K, A> & OnIq<K>,
    iq: Iq.Iq,
  ): Observable<A> =>
    request(
      stream,
      options,
    )(iq).pipe(
      map((response) => {
        const r = asIqExtension(ext).getEither(response)
        if (E.isRight(r) && O.isSome(r.right)) return r.right.value
        const error = E.isLeft(r)
          ? r.left
          : DecodeError.make([
              // The path names the missing element, like a missing child of an extension.
              DecodeError.problem(
                `iq/${ext.name}`,
                'bad-request',
                `expected <${ext.name} xmlns='${ext.ns}'> in the result`,
              ),
            ])
        // A tagged failure, like request's: the error channel carries no exception.
        throw iqBadResponse(iq, response, error)
      }),
    )
