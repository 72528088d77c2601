/**
 * The namespace table: every namespace name the library itself reads or writes, spelled once.
 * Modules import what they need (`import * as NS from './internal/ns.js'`, then `NS.STREAM`)
 * instead of writing a URI again. Internal.
 *
 * Sources: RFC 6120 (streams §4.8, TLS §5, SASL §6, binding §7, stanza errors §8.3), RFC 6121
 * App. E (session), XEP-0114 (components), RFC 7395 §3.3 (WebSocket framing), Namespaces in XML
 * 1.0 §3 (the `xml` and `xmlns` prefixes).
 *
 * @since 0.2.0
 */

// -------------------------------------------------------------------------------------
// streams
// -------------------------------------------------------------------------------------

/** `<stream:stream>`, `<stream:features>` and `<stream:error>`: the stream namespace (RFC 6120 §4.8.1). */
export const STREAM = 'http://etherx.jabber.org/streams'

/** The defined conditions of a stream error (RFC 6120 §4.9.3). */
export const STREAM_ERRORS = 'urn:ietf:params:xml:ns:xmpp-streams'

/** `<open/>` and `<close/>` of XMPP over WebSocket (RFC 7395 §3.3.1). */
export const FRAMING = 'urn:ietf:params:xml:ns:xmpp-framing'

/** STARTTLS negotiation (RFC 6120 §5.4). */
export const TLS = 'urn:ietf:params:xml:ns:xmpp-tls'

/** SASL negotiation (RFC 6120 §6.4). */
export const SASL = 'urn:ietf:params:xml:ns:xmpp-sasl'

/** Resource binding (RFC 6120 §7). */
export const BIND = 'urn:ietf:params:xml:ns:xmpp-bind'

/** The legacy session feature (RFC 6121 App. E). */
export const SESSION = 'urn:ietf:params:xml:ns:xmpp-session'

// -------------------------------------------------------------------------------------
// content namespaces
// -------------------------------------------------------------------------------------

/** Stanzas between a client and its server (RFC 6120 §4.8.3). */
export const CLIENT = 'jabber:client'

/** Stanzas between servers (RFC 6120 §4.8.3). */
export const SERVER = 'jabber:server'

/** Stanzas of an external component (XEP-0114 §3). */
export const COMPONENT_ACCEPT = 'jabber:component:accept'

/** The defined conditions of a stanza error (RFC 6120 §8.3.3). */
export const STANZA_ERRORS = 'urn:ietf:params:xml:ns:xmpp-stanzas'

// -------------------------------------------------------------------------------------
// XML
// -------------------------------------------------------------------------------------

/** The namespace the `xml` prefix is bound to (Namespaces in XML 1.0 §3). */
export const XML = 'http://www.w3.org/XML/1998/namespace'

/** The namespace of `xmlns` declarations themselves; nothing may be bound to it. */
export const XMLNS = 'http://www.w3.org/2000/xmlns/'

// -------------------------------------------------------------------------------------
// the stream layer
// -------------------------------------------------------------------------------------

/**
 * Namespaces of top-level elements that belong to the stream layer rather than being stanzas:
 * streams (RFC 6120 §4.3.2, §4.9), STARTTLS (§5), SASL (§6), SASL2 (XEP-0388), stream
 * management (XEP-0198), stream compression (XEP-0138), client state indication (XEP-0352),
 * dialback (XEP-0220).
 */
export const streamLevel: ReadonlySet<string> = new Set([
  STREAM,
  TLS,
  SASL,
  'urn:xmpp:sasl:2',
  'urn:xmpp:sm:2',
  'urn:xmpp:sm:3',
  'http://jabber.org/protocol/compress',
  'urn:xmpp:csi:0',
  'jabber:server:dialback',
])
