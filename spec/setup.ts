/**
 * Jest setup for every spec (`setupFilesAfterEnv` in package.json).
 *
 * Failures (`rx.IqTimeout`, `connection.AuthFailure`, …) are tagged records that are also
 * `Error`s (src/internal/tag.ts). Jest's `equals` compares two `Error`s by `message` alone and
 * never finds an `Error` equal to a plain object, so `toEqual` would be weaker between two
 * failures and always false against a record. This tester compares a failure by its record, its
 * own enumerable properties, as `toEqual` compares every other record: against a failure or a
 * record, field by field, with the matcher's own testers (so `toMatchObject` stays a subset
 * check). `String(e)`, `e.message` and `e instanceof Error` are asserted where they matter.
 */
import { expect } from '@jest/globals'

const isTaggedError = (u: unknown): u is Error =>
  u instanceof Error && typeof (u as { readonly _tag?: unknown })._tag === 'string'

const record = (u: unknown): unknown =>
  isTaggedError(u) ? Object.fromEntries(Object.entries(u)) : u

expect.addEqualityTesters([
  function taggedErrorEquality(a, b, testers) {
    if (!isTaggedError(a) && !isTaggedError(b)) return undefined
    return this.equals(record(a), record(b), testers)
  },
])
