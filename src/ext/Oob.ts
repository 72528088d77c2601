/**
 * XEP-0066 Out of Band Data, the message form: `<x xmlns='jabber:x:oob'><url/><desc/></x>`, a
 * link to a file or page (also how XEP-0363 uploads are shared).
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import { Message, ext } from 'stanzakit'
 * const url = 'https://example.com/cat.jpg'
 * const share = pipe(Message.make({ type: 'chat', body: url }), ext.Oob.set({ url }))
 * console.log(ext.Oob.get(share)) // { _tag: 'Some', value: { url: 'https://example.com/cat.jpg' } }
 *
 * @since 0.2.0
 */
import * as X from '../Extension.js'

/** `jabber:x:oob` (XEP-0066 §3), also its disco feature (§4). @category model @since 0.2.0 */
export const NS = 'jabber:x:oob'

/** @category extensions @since 0.2.0 */
export const Oob = X.define({
  name: 'x',
  ns: NS,
  on: ['message'],
  feature: NS,
  fields: { url: X.required(X.childText('url')), desc: X.childText('desc') },
})

/** @category model @since 0.2.0 */
export type Oob = X.TypeOf<typeof Oob>
