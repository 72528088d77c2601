/**
 * The extensions every client and bot needs, each an `Extension` value defined with the
 * `Extension` kit, and the pure protocol helpers that go with them. Everything is exported
 * flat; each module is also at `stanzakit/ext/<Module>`.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import { Message, ext } from 'stanzakit'
 * const m = pipe(Message.make({ type: 'chat', body: 'hi' }), ext.ChatState.set('active'))
 * console.log(ext.ChatState.get(m)) // { _tag: 'Some', value: 'active' }
 *
 * @since 0.2.0
 */

export { DateTime } from '../Extension.js'
export { ChatState } from './ChatState.js'
export { Replace } from './Correction.js'
export { DataForm, FormField, formType } from './DataForm.js'
export { Delay } from './Delay.js'
export { DiscoInfo, DiscoItem, DiscoItems, discoInfoFor, Identity } from './Disco.js'
export { Forwarded } from './Forwarded.js'
export { isMucSelfPresence, MucItem, MucJoin, MucUser } from './Muc.js'
export { Oob } from './Oob.js'
export { Ping, pong } from './Ping.js'
export { ReceiptReceived, ReceiptRequest, receiptFor } from './Receipts.js'
export { isRosterPushFrom, Roster, RosterItem } from './Roster.js'
export { OriginId, StanzaId } from './StanzaId.js'
export { Version } from './Version.js'
