/**
 * `ofKind`: keeps the stanzas of one kind and narrows the type (docs/semantics.md §7.3, RFC 6120 §8:
 * message, presence, iq).
 *
 * ```text
 * incoming  --m--p--i--m--|
 * ofKind('message')
 * output    --m--------m--|
 * ```
 *
 * @example
 * import { Subject } from 'rxjs'
 * import { rx, Message, Presence, Stanza } from 'stanzakit'
 *
 * const incoming = new Subject<Stanza.Stanza>()
 * incoming.pipe(rx.ofKind('message')).subscribe((m) => console.log(Message.getBody(m)))
 * incoming.next(Presence.make())
 * incoming.next(Message.make({ body: 'hi' })) // { _tag: 'Some', value: 'hi' }
 *
 * @since 0.1.0
 */
import { filter, type OperatorFunction } from 'rxjs'
import type { Iq } from '../Iq.js'
import type { Message } from '../Message.js'
import type { Presence } from '../Presence.js'
import type { Kind, Stanza } from '../Stanza.js'

// -------------------------------------------------------------------------------------
// operators
// -------------------------------------------------------------------------------------

/**
 * Messages only, typed `Message`.
 *
 * @category operators
 * @since 0.1.0
 */
export function ofKind(kind: 'message'): OperatorFunction<Stanza, Message>
/** Presences only, typed `Presence`. @category operators */
export function ofKind(kind: 'presence'): OperatorFunction<Stanza, Presence>
/** Iqs only, typed `Iq`. @category operators */
export function ofKind(kind: 'iq'): OperatorFunction<Stanza, Iq>
export function ofKind(kind: Kind): OperatorFunction<Stanza, Stanza> {
  return filter((s: Stanza) => s.kind === kind)
}
