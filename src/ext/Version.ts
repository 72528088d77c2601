/**
 * XEP-0092 Software Version: `<query xmlns='jabber:iq:version'>` with `name`, `version` and `os`.
 *
 * @example
 * import { rx, ext } from 'stanzakit'
 * declare const session: rx.StanzaStream
 * rx.serve(session, [rx.handle(ext.Version, 'get', () => ({ name: 'mybot', version: '1.0' }))])
 *
 * @since 0.2.0
 */
import * as X from '../Extension.js'

/** `jabber:iq:version` (XEP-0092 §2), also its disco feature (§4). @category model @since 0.2.0 */
export const NS = 'jabber:iq:version'

/** @category extensions @since 0.2.0 */
export const Version = X.define({
  name: 'query',
  ns: NS,
  on: ['iq'],
  feature: NS,
  fields: { name: X.childText('name'), version: X.childText('version'), os: X.childText('os') },
})

/** @category model @since 0.2.0 */
export type Version = X.TypeOf<typeof Version>
