/**
 * Tagged failures (docs/style.md "Errors"): reading the `_tag` of an unknown value, and the
 * `Error` class a failure is an instance of, so that a rejected Promise prints a message and a
 * stack, as RxJS's `TimeoutError` does. Internal.
 *
 * A failure is still its record: its fields are own enumerable properties (what `JSON.stringify`,
 * spreading, `util.inspect` and the refinements see), while `name` (the tag, on the prototype),
 * `message` and `stack` come from `Error`, not enumerable. A record that has a `message` field
 * of its own keeps it enumerable.
 *
 * @since 0.2.0
 */

/** The `_tag` of `u` when it is an object, else `undefined`: what refinements on failures test. */
export const tagOf = (u: unknown): unknown =>
  typeof u === 'object' && u !== null ? (u as { readonly _tag?: unknown })._tag : undefined

/**
 * The fields of a failure's record: all but what `Error` gives (`name`, `message`, `stack`,
 * `cause`); `Fields<A, 'message'>` for a record whose `message` is a field of its own.
 */
export type Fields<A, Own extends keyof Error = never> = Omit<A, Exclude<keyof Error, Own>>

/** Makes the failure from its record and a message (bounded, no credentials, no raw input). */
export type TaggedError<A extends { readonly _tag: string }> = new (
  fields: A,
  message: string,
) => A & Error

/**
 * The `Error` subclass of the failures tagged `tag`: the class and its instances are named after
 * the tag, so `String(e)` and the first line of `e.stack` read `IqTimeout: …`.
 */
export const taggedError = <A extends { readonly _tag: string }>(
  tag: A['_tag'],
): TaggedError<A> => {
  const Failure = class extends Error {
    constructor(fields: A, message: string) {
      super(message)
      // A `message` field of the record is a field like the others: enumerable, in its place.
      if (Object.hasOwn(fields, 'message')) delete (this as { message?: string }).message
      Object.assign(this, fields)
    }
  }
  Object.defineProperty(Failure, 'name', { value: tag })
  Object.defineProperty(Failure.prototype, 'name', {
    value: tag,
    writable: true,
    configurable: true,
  })
  return Failure as unknown as TaggedError<A>
}
