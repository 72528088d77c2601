/**
 * `withExtension(ext)`: keeps the stanzas of the extension's kinds that carry a valid instance
 * of it, paired with the decoded record (decoded once, here). Stanzas without it, or with an
 * invalid one, are skipped.
 *
 * ```
 * incoming:           --m1--p1--m2--|      (m2 carries <delay/>)
 * withExtension(Delay): ----------[m2,d]--|
 * ```
 *
 * @example
 * import { rx, ext } from 'stanzakit'
 * declare const session: rx.StanzaStream
 * session.incoming
 *   .pipe(rx.withExtension(ext.ChatState))
 *   .subscribe(([message, state]) => console.log(message.from, state))
 *
 * @since 0.2.0
 */
import * as O from 'fp-ts/lib/Option.js'
import { filter, map, type OperatorFunction, pipe } from 'rxjs'
import type * as Extension from '../Extension.js'
import type { Stanza } from '../Stanza.js'

/** @category operators @since 0.2.0 */
export const withExtension = <K extends Extension.Kind, A>(
  ext: Extension.Extension<K, A>,
): OperatorFunction<Stanza, readonly [Extension.StanzaOf<K>, A]> => {
  type Pair = readonly [Extension.StanzaOf<K>, A]
  const kinds: ReadonlyArray<string> = ext.kinds
  return pipe(
    map((s: Stanza): Pair | undefined => {
      if (!kinds.includes(s.kind)) return undefined
      const stanza = s as Extension.StanzaOf<K>
      const a = ext.get(stanza)
      return O.isSome(a) ? [stanza, a.value] : undefined
    }),
    filter((p): p is Pair => p !== undefined),
  )
}
