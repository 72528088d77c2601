/**
 * `connect`: a client-to-server session (RFC 6120): TCP or direct TLS (XEP-0368), STARTTLS
 * (§5), SASL (§6: SCRAM-SHA-256, SCRAM-SHA-1, PLAIN), resource binding (§7), then an online
 * {@link Session}.
 *
 * ```text
 * connect(options)
 *
 *  TCP ──▶ <stream:stream> ◀── header, <features>
 *     ── <starttls/> ◀── <proceed/> ── TLS ── restart ◀── <features>      (tls ≠ 'none', offered)
 *     ── <auth/> ◀─▶ <challenge/>/<response/> ◀── <success/> (server signature verified)
 *     ── restart ◀── <features> ── <iq set><bind/></iq> ◀── result <jid/> ── Session (online)
 * ```
 *
 * - **TLS**: `'required'` (default) fails with `TlsFailure` unless the stream is encrypted
 *   (direct TLS, or STARTTLS offered and completed); `'starttls-if-offered'` upgrades when the
 *   server offers it and carries on in the clear otherwise; `'none'` never upgrades and is only
 *   allowed towards a loopback host (tests), else `connect` throws a `RangeError`. Certificates
 *   are checked against `domain` (RFC 6125, XEP-0368 §3); `ca` adds trust (self-signed test
 *   certificates).
 * - **SASL**: the strongest offered of SCRAM-SHA-256 > SCRAM-SHA-1 > PLAIN. PLAIN sends the
 *   password, so it is used only over TLS unless `allowPlainWithoutTls`. SCRAM checks the
 *   server's signature (RFC 5802 §5.1); a wrong one is `AuthFailure('invalid-server-signature')`.
 *   A `<failure/>` is `AuthFailure` with its condition (`not-authorized` for a bad password).
 * - **Binding**: `resource` is requested (the server may change it); without it the server
 *   picks one. The bound full JID is `session.jid`. A server that still requires the RFC 3921
 *   session (`<session/>` without `<optional/>`) gets one.
 * - **Bounded**: every wait shares the `timeout` (default 30 s) and rejects with
 *   `Timeout(stage)`; nothing hangs.
 * - **Where**: the `service` URL, or without one the domain's SRV records (XEP-0368: direct TLS
 *   and STARTTLS services merged by priority and weight; `dns` names the resolvers), else
 *   `domain:5222`. The next candidate is tried when one refuses the connection.
 * - **One connection**: for stream management (XEP-0198), reconnection and keepalive use
 *   `client`. `trace` shows every element in and out, credentials redacted.
 * - **Not done** (yet): SASL2/FAST, channel binding (`-PLUS`).
 * - **Every get/set is answered once** (RFC 6120 §8.2.3): by `rx.serve` handlers when any run
 *   (`ext.pong` answers XEP-0199 pings), else by the session with `service-unavailable` (§8.4).
 *
 * @example
 * import { readFileSync } from 'node:fs'
 * import { connection, rx, Iq, Jid, Xml } from 'stanzakit'
 * declare const password: string // from the environment or a secret store, not the source
 *
 * const session = await connection.connect({
 *   service: 'xmpp://127.0.0.1:5222', domain: 'localhost', username: 'alice', password,
 *   tls: 'starttls-if-offered', ca: readFileSync('.it/certs/localhost.crt'),
 * })
 * const ping = Iq.get(Xml.element('ping', 'urn:xmpp:ping'), { to: Jid.domain(session.jid) })
 * const pong = await rx.send(session)(ping)
 * await session.close()
 *
 * @since 0.1.0
 */
import * as NS from '../internal/ns.js'
import type * as Xml from '../Xml.js'
import { closeWait, goOnline, statusHistory } from './internal/live.js'
import {
  bindResource,
  candidates,
  login,
  openLink,
  type Resolved,
  resolveOptions,
} from './internal/negotiate.js'
import type * as S from './Session.js'
import type * as Sasl from './sasl.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * When to encrypt: `'required'` (default), `'starttls-if-offered'`, or `'none'` (loopback
 * only: tests and benchmarks).
 *
 * @category model
 * @since 0.1.0
 */
export type TlsPolicy = 'required' | 'starttls-if-offered' | 'none'

/** @category model @since 0.1.0 */
export interface ConnectOptions {
  /**
   * `xmpp://host:port` (TCP, default port 5222) or `xmpps://host:port` (direct TLS, 5223).
   * Without it, the domain's SRV records say where (XEP-0368 §3, RFC 6120 §3.2): direct TLS
   * and STARTTLS services merged by priority and weight, else `domain:5222`.
   */
  readonly service?: string
  /** DNS servers for the SRV lookup (`'127.0.0.1:5353'`), instead of the system's. */
  readonly dns?: ReadonlyArray<string>
  /** Our XMPP domain: the stream's `to`, and the name the certificate must match. */
  readonly domain: string
  /** The SASL authentication identity (the local part of our JID). */
  readonly username: string
  readonly password: string
  /** The resource to ask for (RFC 6120 §7.7); the server may assign another. */
  readonly resource?: string
  /** Default `'required'`. */
  readonly tls?: TlsPolicy
  /** Allow PLAIN on an unencrypted stream. Default `false`. */
  readonly allowPlainWithoutTls?: boolean
  /**
   * The SASL mechanisms we may use; of those the server offers, the strongest wins
   * (SCRAM-SHA-256 > SCRAM-SHA-1 > PLAIN) whatever the order here. Default: all three.
   */
  readonly mechanisms?: ReadonlyArray<Sasl.Mechanism>
  /** Extra trust anchors (PEM) for the server certificate, e.g. a self-signed test one. */
  readonly ca?: string | Buffer | ReadonlyArray<string | Buffer>
  /** Per-stanza limits for the incoming stream (docs/security.md §3). */
  readonly limits?: Partial<Xml.Limits>
  /** Milliseconds for the whole negotiation, and for `close()`'s wait. Default 30,000. */
  readonly timeout?: number
  /** `xml:lang` of our stream header. */
  readonly lang?: string
  /** Every top-level element in and out, credentials redacted ({@link S.Trace}). */
  readonly trace?: S.Trace
}

/**
 * Default `timeout` of `connect` and `component`: milliseconds for the whole negotiation (TCP,
 * TLS, authentication, binding or the handshake) and the bound of `close()`'s wait. Not the
 * timeout of an IQ request, which is `rx.DEFAULT_TIMEOUT`.
 *
 * @category model
 * @since 0.2.0
 */
export const DEFAULT_NEGOTIATION_TIMEOUT = 30_000

/**
 * The old name of {@link DEFAULT_NEGOTIATION_TIMEOUT}, the same value.
 *
 * @deprecated Use `DEFAULT_NEGOTIATION_TIMEOUT`; `rx.DEFAULT_TIMEOUT` is the IQ request timeout.
 * @category model
 * @since 0.1.0
 */
export const DEFAULT_TIMEOUT = DEFAULT_NEGOTIATION_TIMEOUT

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Connects, authenticates and binds; resolves with the online {@link Session} or rejects with a
 * {@link S.SessionError}. Invalid options (an unusable service URL, `tls: 'none'` towards a
 * non-loopback host, a non-positive timeout) throw a `RangeError` at once (programmer errors).
 *
 * @category constructors
 * @since 0.1.0
 */
export const connect = (options: ConnectOptions): Promise<S.Session> => {
  const r = resolveOptions(options, 'connection.connect', DEFAULT_NEGOTIATION_TIMEOUT)
  return run(r)
}

const run = async (r: Resolved & { readonly timeout: number }): Promise<S.Session> => {
  const status = statusHistory()
  const link = await openLink(r, await candidates(r))
  try {
    const jid = await bindResource(link, r, await login(link, r))
    return goOnline({
      link,
      jid,
      ns: NS.CLIENT,
      status,
      closeTimeout: closeWait(r.timeout),
      component: false,
    })
  } catch (e) {
    // Whatever went wrong, the socket does not outlive the attempt.
    link.end()
    throw e
  }
}
