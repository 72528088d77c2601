/**
 * XEP-0308 Last Message Correction: `<replace id/>` marks a message as the corrected text of an
 * earlier one. Accept a correction only from the sender of the original (XEP-0308 §4,
 * CVE-2022-39835).
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import { Message, ext } from 'stanzakit'
 * const fixed = pipe(Message.make({ type: 'chat', body: 'fixed typo' }), ext.Replace.set({ id: 'bad1' }))
 * console.log(ext.Replace.get(fixed)) // { _tag: 'Some', value: { id: 'bad1' } }
 *
 * @since 0.2.0
 */
import * as X from '../Extension.js'

/**
 * `urn:xmpp:message-correct:0` (XEP-0308 §7.1), also its disco feature (§2).
 *
 * @category model
 * @since 0.2.0
 */
export const NS = 'urn:xmpp:message-correct:0'

/** @category extensions @since 0.2.0 */
export const Replace = X.define({
  name: 'replace',
  ns: NS,
  on: ['message'],
  feature: NS,
  fields: { id: X.attr('id') },
})

/** @category model @since 0.2.0 */
export type Replace = X.TypeOf<typeof Replace>
