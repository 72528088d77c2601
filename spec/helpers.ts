/** Small test-setup helpers shared by the specs. */
import * as E from 'fp-ts/lib/Either.js'
import * as O from 'fp-ts/lib/Option.js'
import * as Jid from '../src/Jid.js'

/** A JID from a fixture string; a fixture that does not parse is a broken test, so it throws. */
export const jid = (s: string): Jid.Jid => {
  const r = Jid.parse(s)
  if (E.isLeft(r)) throw new Error(`test setup: ${s} is not a JID`)
  return r.right
}

/** Freezes a value and everything it reaches, to prove a function never mutates its input. */
export const deepFreeze = <A>(a: A): A => {
  if (typeof a === 'object' && a !== null && !Object.isFrozen(a)) {
    Object.freeze(a)
    for (const v of Object.values(a)) deepFreeze(v)
  }
  return a
}

/** Absent = missing key (docs/semantics.md §0): no key of the record holds `undefined`. */
export const noUndefined = (r: object): boolean => Object.values(r).every((v) => v !== undefined)

/** Exact type equality (not mutual assignability), for type tests: `Equals<A, B>` is `true`. */
export type Equals<X, Y> =
  (<T>() => T extends X ? 1 : 2) extends <T>() => T extends Y ? 1 : 2 ? true : false

/** The value of a `Some`; a `None` is a failed expectation in the spec that asked. */
export const some = <A>(o: O.Option<A>): A => {
  if (O.isNone(o)) throw new Error('expected Some')
  return o.value
}
