/**
 * XEP-0184 Message Delivery Receipts: `<request/>` asks the recipient to confirm, `<received
 * id/>` confirms the message with that id.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as O from 'fp-ts/Option'
 * import { Message, ext } from 'stanzakit'
 * const asking = pipe(Message.make({ type: 'chat', id: 'm1', body: 'ack me' }), ext.ReceiptRequest.set({}))
 * console.log(pipe(ext.receiptFor(asking), O.flatMap(ext.ReceiptReceived.get))) // { _tag: 'Some', value: { id: 'm1' } }
 *
 * @since 0.2.0
 */
import { pipe } from 'fp-ts/lib/function.js'
import * as O from 'fp-ts/lib/Option.js'
import * as X from '../Extension.js'
import * as Message from '../Message.js'

/** `urn:xmpp:receipts` (XEP-0184 §9). @category model @since 0.2.0 */
export const NS = 'urn:xmpp:receipts'

/** `<request xmlns='urn:xmpp:receipts'/>` @category extensions @since 0.2.0 */
export const ReceiptRequest = X.define({
  name: 'request',
  ns: NS,
  on: ['message'],
  feature: NS,
  fields: {},
})

/** @category model @since 0.2.0 */
export type ReceiptRequest = X.TypeOf<typeof ReceiptRequest>

/** `<received xmlns='urn:xmpp:receipts' id/>` @category extensions @since 0.2.0 */
export const ReceiptReceived = X.define({
  name: 'received',
  ns: NS,
  on: ['message'],
  feature: NS,
  fields: { id: X.optional(X.attr('id')) },
})

/** @category model @since 0.2.0 */
export type ReceiptReceived = X.TypeOf<typeof ReceiptReceived>

/**
 * The receipt answering a message that asks for one (XEP-0184 §5.1): addressed back to the
 * sender, same type and thread, `<received id/>` naming the message's id. `none` when the message
 * asks for none, has no id to confirm, or is of type `error` or `groupchat` (§5.2, §5.3).
 *
 * @category rules
 * @since 0.2.0
 */
export const receiptFor = (message: Message.Message): O.Option<Message.Message> => {
  const { id, type } = message
  if (id === undefined || type === 'error' || type === 'groupchat') return O.none
  if (!ReceiptRequest.has(message)) return O.none
  return O.some(pipe(message, Message.reply(), ReceiptReceived.set({ id })))
}
