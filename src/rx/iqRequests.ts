/**
 * `iqRequests`: keeps the IQ get/set requests whose payload child matches every given criterion
 * (docs/semantics.md §7.3). A request has exactly one child (RFC 6120 §8.2.3 rule 5): `name` is its
 * local name, `ns` its namespace. Results and errors never pass: they are answers.
 *
 * ```text
 * incoming   --g--s--r--m--v--|        // g: get <query xmlns='jabber:iq:version'/>
 *                                      // s: set <query xmlns='jabber:iq:roster'/>
 *                                      // r: result, m: message
 *                                      // v: get <ping xmlns='urn:xmpp:ping'/>
 * iqRequests({ ns: 'jabber:iq:version' })
 * output     --g--------------|
 * iqRequests({ type: 'get' })
 * output     --g-----------v--|
 * ```
 *
 * @example
 * import { Subject } from 'rxjs'
 * import { rx, Iq, Stanza, Xml } from 'stanzakit'
 *
 * const incoming = new Subject<Stanza.Stanza>()
 * incoming
 *   .pipe(rx.iqRequests({ name: 'ping', ns: 'urn:xmpp:ping' }))
 *   .subscribe((req) => console.log(req.id))
 * incoming.next(Iq.get(Xml.element('query', 'jabber:iq:version'), { id: 'v1' }))
 * incoming.next(Iq.get(Xml.element('ping', 'urn:xmpp:ping'), { id: 'p1' })) // p1
 *
 * @since 0.1.0
 */
import { filter, type OperatorFunction } from 'rxjs'
import * as Iq from '../Iq.js'
import type { Stanza } from '../Stanza.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** Every given field must hold; none given: every get/set. @category model @since 0.1.0 */
export interface IqRequestFilter {
  /** Namespace of the payload child. */
  readonly ns?: string
  /** Local name of the payload child. */
  readonly name?: string
  readonly type?: 'get' | 'set'
}

// -------------------------------------------------------------------------------------
// refinements
// -------------------------------------------------------------------------------------

/**
 * The predicate behind {@link iqRequests} (also used by `rx.serve`): `s` is a get/set and its
 * first payload child (the only one of a decoded request) matches every given criterion.
 *
 * @category refinements
 * @since 0.1.0
 */
export const isIqRequest =
  (f: IqRequestFilter = {}) =>
  (s: Stanza): s is Iq.Request => {
    if (s.kind !== 'iq' || !Iq.isRequest(s)) return false
    if (f.type !== undefined && s.type !== f.type) return false
    if (f.name === undefined && f.ns === undefined) return true
    const child = s.payload[0]
    return (
      child !== undefined &&
      (f.name === undefined || child.name === f.name) &&
      (f.ns === undefined || child.ns === f.ns)
    )
  }

// -------------------------------------------------------------------------------------
// operators
// -------------------------------------------------------------------------------------

/**
 * Keeps the get/set requests matching `f`, typed `Iq.Request`.
 *
 * @category operators
 * @since 0.1.0
 */
export const iqRequests = (f: IqRequestFilter = {}): OperatorFunction<Stanza, Iq.Request> =>
  filter(isIqRequest(f))
