/**
 * The transport-agnostic seam of the rx layer (docs/api.md "rx"): incoming stanzas as an Observable,
 * a way to send one, and our own JID once bound. Everything in `stanzakit/rx` works against it,
 * so the same code runs over a `Subject` in tests and over a socket in production.
 *
 * @example
 * import type { Socket } from 'node:net'
 * import { Subject } from 'rxjs'
 * import type { StanzaStream } from 'stanzakit/rx'
 * import * as Stanza from 'stanzakit/Stanza'
 * declare const socket: Socket // connected, with the XML stream open
 *
 * const wire = new Subject<Stanza.Stanza>() // fed with what the socket's framer decodes
 * const stream: StanzaStream = { incoming: wire, send: (s) => socket.write(Stanza.encode(s)) }
 *
 * @since 0.1.0
 */
import type { Observable } from 'rxjs'
import type { Jid } from '../Jid.js'
import type { Stanza } from '../Stanza.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * A stanza stream.
 *
 * - `incoming`: every stanza received, decoded (canonical JIDs, docs/semantics.md §1). It should be
 *   hot: `rx.request` subscribes while it has requests pending and unsubscribes when none is,
 *   and `rx.serve` holds one subscription of its own. Completion or error means the stream is
 *   gone: pending requests fail with `IqClosed`.
 * - `send`: writes one stanza. May deliver a reply synchronously (in-memory pairs, tests):
 *   `rx.request` listens before it sends.
 * - `jid`: our own full JID once bound (RFC 6120 §7). It decides who may answer a request
 *   (docs/security.md §6); without it, only the "absent `from`" rows of the table apply. A live
 *   session may expose it as a getter that returns `undefined` until resource binding, hence
 *   `| undefined` (this is an interface to a running object, not a data record).
 *
 * @category model
 * @since 0.1.0
 */
export interface StanzaStream {
  readonly incoming: Observable<Stanza>
  readonly send: (s: Stanza) => void
  readonly jid?: Jid | undefined
}
