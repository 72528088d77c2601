/**
 * XEP-0092 Software Version: `<query xmlns='jabber:iq:version'>` with `name`, `version` and `os`.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as O from 'fp-ts/Option'
 * import { Iq, ext } from 'stanzakit'
 * const answer = Iq.make({ type: 'result', id: 'v1', payload: [ext.Version.encode({ name: 'mybot', version: '1.0' })] })
 * console.log(pipe(ext.Version.get(answer), O.map((v) => v.name))) // { _tag: 'Some', value: 'mybot' }
 *
 * // answering requests: rx.serve(session, [rx.handle(ext.Version, 'get', () => ({ name: 'mybot' }))])
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
