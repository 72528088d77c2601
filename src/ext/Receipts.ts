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

/**
 * `urn:xmpp:receipts` (XEP-0184 §10.1), also its disco feature (§6).
 *
 * @category model
 * @since 0.2.0
 */
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
 * The receipt (ack message) answering a content message that asks for one (XEP-0184 §7):
 * addressed back to the sender, of the same type, its only child `<received id/>` echoing the
 * message's id (§7: "only one child element", so no body, thread or other payload). `none` when
 * the message asks for none or has no id to echo (§7), is itself an ack message (§5.4: an ack
 * never asks for a receipt, which prevents loops), is of type `groupchat` (§5.3: receipts in
 * rooms are not recommended) or of type `error` (§5.1–5.2 allow requests only on `chat`,
 * `headline` and `normal` messages; RFC 6120 §8.3.1: an error is never answered).
 *
 * @category rules
 * @since 0.2.0
 */
export const receiptFor = (message: Message.Message): O.Option<Message.Message> => {
  const { id, type } = message
  if (id === undefined || type === 'error' || type === 'groupchat') return O.none
  if (!ReceiptRequest.has(message) || ReceiptReceived.has(message)) return O.none
  return O.some(pipe(message, Message.reply(), Message.removeThread, ReceiptReceived.set({ id })))
}
