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
 * - **Not done** (yet): stream management (XEP-0198), SASL2/FAST, channel binding (`-PLUS`),
 *   SRV lookups (the service URL names host and port), automatic reconnection.
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
import * as E from 'fp-ts/lib/Either.js'
import * as Iq from '../Iq.js'
import * as NS from '../internal/ns.js'
import * as Jid from '../Jid.js'
import * as Stanza from '../Stanza.js'
import * as Xml from '../Xml.js'
import { streamHeader } from './framer.js'
import { checkTimeout, isLoopback, Link, parseService } from './internal/link.js'
import { goOnline, statusHistory } from './internal/live.js'
import {
  abort,
  child,
  children,
  conditionOf,
  describedBy,
  expectElement,
  expectOpen,
  fromSaslPayload,
  saslPayload,
  textOf,
} from './internal/stream.js'
import * as S from './Session.js'
import * as Sasl from './sasl.js'

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
  /** `xmpp://host:port` (TCP, default port 5222) or `xmpps://host:port` (direct TLS, 5223). */
  readonly service: string
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

/** `close()` waits at most this long (or `timeout`, if shorter) for the server's close. */
const CLOSE_WAIT = 5_000

// -------------------------------------------------------------------------------------
// negotiation steps
// -------------------------------------------------------------------------------------

interface Resolved {
  readonly o: ConnectOptions
  readonly tls: TlsPolicy
  readonly deadline: number
}

const header = (r: Resolved): string =>
  streamHeader({
    to: r.o.domain,
    version: '1.0',
    ns: NS.CLIENT,
    ...(r.o.lang === undefined ? {} : { lang: r.o.lang }),
  })

/** Sends our header and reads the server's header and `<stream:features/>` (RFC 6120 §4.3). */
const openStream = async (link: Link, r: Resolved): Promise<Xml.XmlElement> => {
  link.write(header(r))
  await expectOpen(link, NS.CLIENT, r.deadline)
  const features = await expectElement(link, 'features', r.deadline)
  if (features.name !== 'features' || features.ns !== NS.STREAM)
    throw abort(
      link,
      'unsupported-stanza-type',
      `expected <stream:features/>, got <${features.name}/>`,
    )
  return features
}

/** STARTTLS (RFC 6120 §5.4): returns the features of the encrypted stream. */
const startTls = async (link: Link, r: Resolved): Promise<Xml.XmlElement> => {
  link.write(`<starttls xmlns='${NS.TLS}'/>`)
  const answer = await expectElement(link, 'starttls', r.deadline)
  if (answer.ns !== NS.TLS || answer.name !== 'proceed') {
    link.destroy()
    const e = S.tlsFailure(
      answer.name === 'failure' ? 'the server refused STARTTLS' : `unexpected <${answer.name}/>`,
    )
    link.fail(e)
    throw e
  }
  await link.startTls(r.o.domain, r.o.ca, r.deadline)
  return openStream(link, r)
}

/** The encryption step: per policy, STARTTLS or not; the features to carry on with. */
const secure = async (
  link: Link,
  r: Resolved,
  features: Xml.XmlElement,
): Promise<Xml.XmlElement> => {
  if (link.secure) return features
  const offer = child(features, 'starttls', NS.TLS)
  if (r.tls === 'none') {
    if (offer !== undefined && child(offer, 'required', NS.TLS) !== undefined) {
      link.end('</stream:stream>')
      throw S.tlsFailure("the server requires TLS and tls is 'none'")
    }
    return features
  }
  if (offer !== undefined) return startTls(link, r)
  if (r.tls === 'required') {
    link.end('</stream:stream>')
    throw S.tlsFailure('the server does not offer STARTTLS')
  }
  return features
}

/** Awaits the next SASL element (RFC 6120 §6.4): challenge, success or failure. */
const saslStep = async (link: Link, r: Resolved): Promise<Xml.XmlElement> => {
  const el = await expectElement(link, 'auth', r.deadline)
  if (el.ns !== NS.SASL)
    throw abort(link, 'unsupported-stanza-type', `unexpected <${el.name}/> during SASL`)
  if (el.name === 'failure') {
    link.end('</stream:stream>')
    throw S.authFailure(conditionOf(el, NS.SASL) ?? 'not-authorized', describedBy(el, NS.SASL))
  }
  if (el.name !== 'challenge' && el.name !== 'success')
    throw abort(link, 'unsupported-stanza-type', `unexpected <${el.name}/> during SASL`)
  return el
}

const payloadOf = (link: Link, el: Xml.XmlElement): string => {
  const p = fromSaslPayload(el)
  if (p === undefined) {
    link.write(`<abort xmlns='${NS.SASL}'/>`)
    link.end('</stream:stream>')
    throw S.authFailure('incorrect-encoding', `the server's <${el.name}/> is not base64`)
  }
  return p
}

/** Gives up on SASL for a fault of ours to report (bad server data, bad signature). */
const saslAbort = (link: Link, e: Sasl.SaslError): S.AuthFailure => {
  link.write(`<abort xmlns='${NS.SASL}'/>`)
  link.end('</stream:stream>')
  return S.authFailure(e.condition, e.message)
}

/** SASL (RFC 6120 §6): authenticates or throws `AuthFailure`. */
const authenticate = async (link: Link, r: Resolved, features: Xml.XmlElement): Promise<void> => {
  const mechanisms = child(features, 'mechanisms', NS.SASL)
  const offered =
    mechanisms === undefined
      ? []
      : children(mechanisms, 'mechanism', NS.SASL).map((m) => textOf(m).trim())
  const allowPlain = link.secure || r.o.allowPlainWithoutTls === true
  const allowed = r.o.mechanisms
  const mechanism = Sasl.choose(
    allowed === undefined ? offered : offered.filter((m) => allowed.includes(m as Sasl.Mechanism)),
    { allowPlain },
  )
  if (mechanism === undefined) {
    link.end('</stream:stream>')
    throw S.authFailure(
      'invalid-mechanism',
      offered.length === 0
        ? 'the server offers no SASL mechanism'
        : `no acceptable mechanism among ${offered.join(', ')}${offered.includes('PLAIN') && !allowPlain ? ' (PLAIN needs TLS or allowPlainWithoutTls)' : ''}${allowed === undefined ? '' : ` (allowed: ${allowed.join(', ')})`}`,
    )
  }
  const auth = (initial: string | Uint8Array): void =>
    link.write(`<auth xmlns='${NS.SASL}' mechanism='${mechanism}'>${saslPayload(initial)}</auth>`)

  if (mechanism === 'PLAIN') {
    auth(Sasl.plain(r.o.username, r.o.password))
    const el = await saslStep(link, r)
    if (el.name !== 'success') throw saslAbort(link, saslError('unexpected challenge for PLAIN'))
    return
  }

  const client = Sasl.scram(
    mechanism === 'SCRAM-SHA-256' ? 'SHA-256' : 'SHA-1',
    r.o.username,
    r.o.password,
  )
  auth(client.first)
  const challenge = await saslStep(link, r)
  if (challenge.name !== 'challenge')
    throw saslAbort(link, saslError('success before the SCRAM exchange'))
  const final = client.final(payloadOf(link, challenge))
  if (E.isLeft(final)) throw saslAbort(link, final.left)
  link.write(`<response xmlns='${NS.SASL}'>${saslPayload(final.right.message)}</response>`)
  let outcome = await saslStep(link, r)
  let serverFinal: string
  if (outcome.name === 'challenge') {
    // Some servers send server-final-message as a challenge, then an empty success.
    serverFinal = payloadOf(link, outcome)
    const ok = final.right.verify(serverFinal)
    if (E.isLeft(ok)) throw saslAbort(link, ok.left)
    link.write(`<response xmlns='${NS.SASL}'/>`)
    outcome = await saslStep(link, r)
    if (outcome.name !== 'success') throw saslAbort(link, saslError('a third challenge'))
    return
  }
  serverFinal = payloadOf(link, outcome)
  const ok = final.right.verify(serverFinal)
  if (E.isLeft(ok)) {
    // The server says success but could not prove it knows the credentials: do not trust it.
    link.end('</stream:stream>')
    throw S.authFailure(ok.left.condition, ok.left.message)
  }
}

const saslError = (message: string): Sasl.SaslError => ({
  _tag: 'SaslError',
  condition: 'malformed-request',
  message,
})

/** Sends an IQ during negotiation and awaits the response with its id. */
const negotiationIq = async (
  link: Link,
  r: Resolved,
  stage: string,
  payload: Xml.XmlElement,
): Promise<Iq.Iq> => {
  const request = Iq.set(payload)
  link.write(Stanza.encode(request))
  for (;;) {
    const el = await expectElement(link, stage, r.deadline)
    if (el.name !== 'iq' || el.ns !== NS.CLIENT) continue // nothing else is routed to us yet
    if (el.attrs.id !== request.id) continue
    const decoded = Stanza.decodeElement(el)
    if (E.isLeft(decoded) || decoded.right.kind !== 'iq')
      throw abort(link, 'bad-format', `the ${stage} response does not decode`)
    return decoded.right
  }
}

/** Resource binding (RFC 6120 §7): our full JID. */
const bind = async (link: Link, r: Resolved, features: Xml.XmlElement): Promise<Jid.Jid> => {
  if (child(features, 'bind', NS.BIND) === undefined) {
    link.end('</stream:stream>')
    throw S.bindFailure('not-allowed', 'the server offers no resource binding')
  }
  const resource = r.o.resource
  const response = await negotiationIq(
    link,
    r,
    'bind',
    Xml.element(
      'bind',
      NS.BIND,
      {},
      resource === undefined ? [] : [Xml.element('resource', NS.BIND, {}, [resource])],
    ),
  )
  if (response.type !== 'result') {
    link.end('</stream:stream>')
    throw S.bindFailure(response.error?.condition ?? 'undefined-condition', response.error?.text)
  }
  const b = response.payload.find((p) => p.name === 'bind' && p.ns === NS.BIND)
  const j = b === undefined ? undefined : child(b, 'jid', NS.BIND)
  const jid = j === undefined ? undefined : Jid.parse(textOf(j).trim())
  if (jid === undefined || E.isLeft(jid) || Jid.isBare(jid.right)) {
    link.end('</stream:stream>')
    throw S.bindFailure('undefined-condition', 'the server bound no valid full JID')
  }
  // Every anti-spoofing rule trusts the bound JID (rx.request's allowed responders, the
  // roster-push rule): a JID at another domain would let this server speak for that one. Another
  // localpart at our domain can be legitimate (RFC 6120 §7.7.2.2), so only the domain is checked.
  const ours = Jid.parse(r.o.domain)
  const domain = E.isRight(ours) ? Jid.domain(ours.right) : r.o.domain
  if (Jid.domain(jid.right) !== domain) {
    link.end('</stream:stream>')
    throw S.bindFailure('undefined-condition', 'the server bound a JID at another domain')
  }
  return jid.right
}

/** RFC 3921 §3 session establishment, only if the server still requires it (RFC 6121 App. E). */
const legacySession = async (link: Link, r: Resolved, features: Xml.XmlElement): Promise<void> => {
  const s = child(features, 'session', NS.SESSION)
  if (s === undefined || child(s, 'optional', NS.SESSION) !== undefined) return
  const response = await negotiationIq(link, r, 'session', Xml.element('session', NS.SESSION))
  if (response.type !== 'result') {
    link.end('</stream:stream>')
    throw S.bindFailure(
      response.error?.condition ?? 'undefined-condition',
      response.error?.text ?? 'session establishment failed',
    )
  }
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

const resolveOptions = (o: ConnectOptions): Resolved & { readonly timeout: number } => {
  const tls = o.tls ?? 'required'
  if (tls !== 'required' && tls !== 'starttls-if-offered' && tls !== 'none')
    throw new RangeError(`connection.connect: unknown tls policy ${JSON.stringify(tls)}`)
  if (typeof o.domain !== 'string' || o.domain === '')
    throw new RangeError('connection.connect: domain is required')
  if (typeof o.username !== 'string' || o.username === '' || o.username.includes('\0'))
    throw new RangeError('connection.connect: username must be a non-empty string without NUL')
  if (typeof o.password !== 'string' || o.password === '' || o.password.includes('\0'))
    throw new RangeError('connection.connect: password must be a non-empty string without NUL')
  const timeout = checkTimeout('timeout', o.timeout, DEFAULT_NEGOTIATION_TIMEOUT)
  return { o, tls, timeout, deadline: Date.now() + timeout }
}

/**
 * Connects, authenticates and binds; resolves with the online {@link Session} or rejects with a
 * {@link S.SessionError}. Invalid options (an unusable service URL, `tls: 'none'` towards a
 * non-loopback host, a non-positive timeout) throw a `RangeError` at once (programmer errors).
 *
 * @category constructors
 * @since 0.1.0
 */
export const connect = (options: ConnectOptions): Promise<S.Session> => {
  const r = resolveOptions(options)
  const service = parseService(options.service, { xmpp: 5222, xmpps: 5223 })
  if (r.tls === 'none' && service.directTls)
    throw new RangeError("connection.connect: tls 'none' contradicts an xmpps:// service")
  if (r.tls === 'none' && !isLoopback(service.host))
    throw new RangeError(
      `connection.connect: tls 'none' is only for loopback hosts, not ${service.host}`,
    )
  return run(r, service)
}

const run = async (
  r: Resolved & { readonly timeout: number },
  service: ReturnType<typeof parseService>,
): Promise<S.Session> => {
  const status = statusHistory()
  const link = await Link.open({
    service,
    servername: r.o.domain,
    ca: r.o.ca,
    deadline: r.deadline,
    limits: r.o.limits,
    alpn: 'xmpp-client',
  })
  try {
    let features = await openStream(link, r)
    features = await secure(link, r, features)
    await authenticate(link, r, features)
    link.restart()
    features = await openStream(link, r)
    const jid = await bind(link, r, features)
    await legacySession(link, r, features)
    return goOnline({
      link,
      jid,
      ns: NS.CLIENT,
      status,
      closeTimeout: Math.min(r.timeout, CLOSE_WAIT),
      component: false,
    })
  } catch (e) {
    // Whatever went wrong, the socket does not outlive the attempt.
    link.end()
    throw e
  }
}
