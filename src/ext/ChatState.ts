/**
 * XEP-0085 Chat State Notifications: one of `<active/>`, `<composing/>`, `<paused/>`,
 * `<inactive/>`, `<gone/>` in a chat message. The record is the state's name; attributes or
 * children on the state element are not kept when it is rewritten.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import { Message, ext } from 'stanzakit'
 * const typing = pipe(Message.make({ type: 'chat' }), ext.ChatState.set('composing'))
 * console.log(ext.ChatState.get(typing)) // { _tag: 'Some', value: 'composing' }
 *
 * @since 0.2.0
 */
import * as X from '../Extension.js'

/** `http://jabber.org/protocol/chatstates` (XEP-0085 §11). @category model @since 0.2.0 */
export const NS = 'http://jabber.org/protocol/chatstates'

/** @category extensions @since 0.2.0 */
export const ChatState = X.oneOf({
  ns: NS,
  names: ['active', 'composing', 'paused', 'inactive', 'gone'],
  on: ['message'],
  feature: NS,
})

/** `'active' | 'composing' | 'paused' | 'inactive' | 'gone'` @category model @since 0.2.0 */
export type ChatState = X.TypeOf<typeof ChatState>
