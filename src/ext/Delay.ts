/**
 * XEP-0203 Delayed Delivery: `<delay xmlns='urn:xmpp:delay' stamp from?>reason?</delay>` on a
 * message or presence that was stored and sent later (offline storage, MUC history, a resend
 * after a lost connection).
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as O from 'fp-ts/Option'
 * import { Message, ext } from 'stanzakit'
 * const stored = pipe(Message.make({ body: 'hi' }), ext.Delay.set({ stamp: ext.DateTime.fromDate(new Date(0)) }))
 * console.log(pipe(ext.Delay.get(stored), O.map((d) => d.stamp))) // { _tag: 'Some', value: '1970-01-01T00:00:00.000Z' }
 *
 * @since 0.2.0
 */
import * as X from '../Extension.js'

/**
 * `urn:xmpp:delay` (XEP-0203 §7.1). Not a disco feature: version 2.0 of XEP-0203 removed service
 * discovery, so `Delay` has no `feature`.
 *
 * @category model
 * @since 0.2.0
 */
export const NS = 'urn:xmpp:delay'

/**
 * The delay: `stamp` (XEP-0082 DateTime, when it was first sent), `from` (who delayed it) and
 * the `reason` text.
 *
 * @category extensions
 * @since 0.2.0
 */
export const Delay = X.define({
  name: 'delay',
  ns: NS,
  on: ['message', 'presence'],
  fields: {
    stamp: X.attr('stamp', X.dateTime),
    from: X.optional(X.attr('from', X.jid)),
    reason: X.text(),
  },
})

/** @category model @since 0.2.0 */
export type Delay = X.TypeOf<typeof Delay>
