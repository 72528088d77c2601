/**
 * `stanzakit/rx`: the RxJS layer, the only module that imports rxjs (docs/api.md "rx",
 * docs/semantics.md §7, docs/security.md §6). Everything works against a {@link StanzaStream}:
 *
 * - `request(stream, options)(iq)`: cold Observable of the one valid response, spoof-proof
 *   and O(1) per incoming stanza; failures are tagged `IqFailure`s.
 * - `send(stream)(iq, { callback, timeout, timeoutCallback })`: the classic `Iq.send`, as a
 *   Promise.
 * - `ofKind`, `iqRequests`: operators that filter and narrow.
 * - `serve(stream, handlers, options)`: answers incoming get/set with the first matching handler.
 *
 * @example
 * import { Subject } from 'rxjs'
 * import { rx, Iq, Stanza, Xml } from 'stanzakit'   // or: import * as rx from 'stanzakit/rx'
 *
 * // A loopback stream: what is sent comes back in.
 * const incoming = new Subject<Stanza.Stanza>()
 * const stream: rx.StanzaStream = { incoming, send: (s) => incoming.next(s) }
 *
 * rx.serve(stream, [{ name: 'ping', ns: 'urn:xmpp:ping', handle: (req) => Iq.result(req) }])
 * rx.request(stream)(Iq.get(Xml.element('ping', 'urn:xmpp:ping')))
 *   .subscribe((response) => console.log(response.type)) // result
 *
 * @since 0.1.0
 */
export * from './handle.js'
export * from './IqFailure.js'
export * from './iqRequests.js'
export * from './ofKind.js'
export * from './query.js'
export * from './request.js'
export * from './StanzaStream.js'
export * from './send.js'
export * from './serve.js'
export * from './withExtension.js'
