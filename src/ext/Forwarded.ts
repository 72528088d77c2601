/**
 * XEP-0297 Stanza Forwarding: `<forwarded xmlns='urn:xmpp:forward:0'>` wrapping a whole stanza
 * (in `jabber:client` or `jabber:server`) and, optionally, the XEP-0203 `<delay/>` saying when it
 * was first sent. Carbons (XEP-0280) and MAM (XEP-0313) results carry it; check who forwarded
 * before trusting the inner stanza (XEP-0297 §6).
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import { Message, ext } from 'stanzakit'
 * const inner = Message.make({ type: 'chat', body: 'hello' })
 * const fwd = pipe(Message.make({ body: 'fwd' }), ext.Forwarded.set({ stanza: inner }))
 * console.log(ext.Forwarded.has(fwd)) // true
 *
 * @since 0.2.0
 */
import * as X from '../Extension.js'
import * as Stanza from '../Stanza.js'
import type * as Xml from '../Xml.js'
import { Delay } from './Delay.js'

/** `urn:xmpp:forward:0` (XEP-0297 §7). @category model @since 0.2.0 */
export const NS = 'urn:xmpp:forward:0'

const stanzaNames: ReadonlySet<string> = new Set(['message', 'presence', 'iq'])
const stanzaNamespaces: ReadonlySet<string> = new Set(['jabber:client', 'jabber:server'])

// XEP-0297 §8 (schema): the forwarded stanza is a message, presence or iq of either namespace.
const isStanzaElement = (el: Xml.XmlElement): boolean =>
  stanzaNames.has(el.name) && stanzaNamespaces.has(el.ns)

/** @category extensions @since 0.2.0 */
export const Forwarded = X.define({
  name: 'forwarded',
  ns: NS,
  on: ['message'],
  fields: { delay: X.child(Delay), stanza: X.embed(Stanza.codec, isStanzaElement) },
})

/** @category model @since 0.2.0 */
export type Forwarded = X.TypeOf<typeof Forwarded>
