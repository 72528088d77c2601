/**
 * XEP-0199 XMPP Ping: an iq get carrying `<ping xmlns='urn:xmpp:ping'/>`, answered by an empty
 * result. Send one with `rx.request` (the result is empty by design); answer them with `pong`.
 *
 * @example
 * import { Iq, Jid, ext } from 'stanzakit'
 * const ping = Iq.get(ext.Ping.encode({}), { to: Jid.unsafeParse('example.com') })
 * console.log(ext.Ping.get(ping)) // { _tag: 'Some', value: {} }
 *
 * @since 0.2.0
 */
import * as X from '../Extension.js'
import * as Iq from '../Iq.js'

/** `urn:xmpp:ping` (XEP-0199 §9.1), also its disco feature (§5). @category model @since 0.2.0 */
export const NS = 'urn:xmpp:ping'

/** @category extensions @since 0.2.0 */
export const Ping = X.define({ name: 'ping', ns: NS, on: ['iq'], feature: NS, fields: {} })

/** @category model @since 0.2.0 */
export type Ping = X.TypeOf<typeof Ping>

/**
 * A handler for `rx.serve` that answers every ping with the empty result XEP-0199 requires (§3;
 * §4.1: "it MUST return an IQ-result"), same id, back to the pinging entity.
 *
 * @example
 * import { rx, ext } from 'stanzakit'
 * declare const session: rx.StanzaStream
 * rx.serve(session, [ext.pong])
 *
 * @category handlers
 * @since 0.2.0
 */
export const pong: {
  readonly name: 'ping'
  readonly ns: typeof NS
  readonly type: 'get'
  readonly handle: (request: Iq.Request) => Iq.Iq
} = { name: 'ping', ns: NS, type: 'get', handle: (request) => Iq.result(request) }
