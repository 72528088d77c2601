/**
 * `stanzakit/connection`: real XMPP sessions over TCP/TLS (RFC 6120, XEP-0114, XEP-0368).
 *
 * - `connect(options)`: client-to-server; STARTTLS or direct TLS, SASL SCRAM-SHA-256 /
 *   SCRAM-SHA-1 / PLAIN, resource binding. `Promise<Session>`.
 * - `component(options)`: an external component (XEP-0114 handshake). `Promise<Session>`.
 * - `client(options)`: one long-lived `Client` across connections: reconnect with backoff,
 *   XEP-0198 resumption, keepalive, a bounded send queue, CSI. Starts connecting at once.
 * - `Session`: an `rx.StanzaStream` (so `rx.request`, `rx.send`, `rx.serve` work unchanged)
 *   with the bound `jid`, a `status` Observable (`Connecting`, `Online`, `Closed` with its
 *   reason) and `close()`.
 * - Failures are tagged records (`ConnectionRefused`, `TlsFailure`, `AuthFailure`,
 *   `BindFailure`, `StreamError`, `SocketClosed`, `Timeout`): `connect` rejects with one; a
 *   session that ends unasked reports one as its `closed` reason. Every wait is bounded.
 * - The building blocks: `framer` (bytes → stream events) and `sasl` (mechanisms), as
 *   namespaces.
 *
 * @example
 * import { connection, rx, Iq, Jid, Xml } from 'stanzakit'   // or: import * as connection from 'stanzakit/connection'
 * declare const ca: Buffer // the server's certificate, when it is self-signed
 *
 * const session = await connection.connect({ service: 'xmpp://127.0.0.1:5222', domain: 'localhost',
 *   username: 'alice', password: 'alicepass', tls: 'starttls-if-offered', ca })
 * await rx.send(session)(Iq.get(Xml.element('ping', 'urn:xmpp:ping'), { to: Jid.domain(session.jid) }))
 * await session.close()
 *
 * @since 0.1.0
 */
export * from './client.js'
export * from './component.js'
export * from './connect.js'
export * as framer from './framer.js'
export * from './Session.js'
export * as sasl from './sasl.js'
