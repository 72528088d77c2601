/**
 * XEP-0359 Unique and Stable Stanza IDs: `<stanza-id id by/>`, the id an entity (`by`: a
 * server or a MUC room) gave a message, and `<origin-id id/>`, the sender's own.
 *
 * Trust a `stanza-id` only when `by` is an entity you trust to have stamped it (your server,
 * the room): anyone can write one (XEP-0359 §6).
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import { Message, ext } from 'stanzakit'
 * const m = pipe(Message.make({ body: 'hi' }), ext.OriginId.set({ id: 'de305d54-75b4' }))
 * console.log(ext.OriginId.get(m)) // { _tag: 'Some', value: { id: 'de305d54-75b4' } }
 *
 * @since 0.2.0
 */
import * as X from '../Extension.js'

/** `urn:xmpp:sid:0` (XEP-0359 §8.1), also its disco feature (§5). @category model @since 0.2.0 */
export const NS = 'urn:xmpp:sid:0'

/** @category extensions @since 0.2.0 */
export const StanzaId = X.define({
  name: 'stanza-id',
  ns: NS,
  on: ['message'],
  feature: NS,
  fields: { id: X.attr('id'), by: X.attr('by', X.jid) },
})

/** @category model @since 0.2.0 */
export type StanzaId = X.TypeOf<typeof StanzaId>

/** @category extensions @since 0.2.0 */
export const OriginId = X.define({
  name: 'origin-id',
  ns: NS,
  on: ['message'],
  feature: NS,
  fields: { id: X.attr('id') },
})

/** @category model @since 0.2.0 */
export type OriginId = X.TypeOf<typeof OriginId>
