/**
 * stanzakit: XMPP stanzas as readonly records. Each module is a namespace, also importable on its
 * own (`stanzakit/Message`).
 *
 * @since 0.1.0
 */
export * as connection from './connection/index.js'
export * as DecodeError from './DecodeError.js'
export * as Extension from './Extension.js'
export * as ext from './ext/index.js'
export * as Iq from './Iq.js'
export * as Jid from './Jid.js'
export * as Message from './Message.js'
export * as Presence from './Presence.js'
export * as rx from './rx/index.js'
export * as Stanza from './Stanza.js'
export * as StanzaError from './StanzaError.js'
export * as Xml from './Xml.js'
