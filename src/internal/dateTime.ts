/**
 * XEP-0082 DateTime profile: `CCYY-MM-DDThh:mm:ss[.sss]TZD`, the form every XEP timestamp uses
 * (XEP-0203 `stamp`, XEP-0045 `since`). Kept as the received string, validated and branded, so a
 * record holds no mutable `Date` and re-encodes byte for byte.
 */
import * as E from 'fp-ts/lib/Either.js'

declare const DateTimeBrand: unique symbol

/** A validated XEP-0082 DateTime string, exactly as received. */
export type DateTime = string & { readonly [DateTimeBrand]: 'DateTime' }

// XEP-0082 §3.2: four-digit year, uppercase T and Z, any number of fraction digits, zone required.
const shape = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:Z|[+-](\d{2}):(\d{2}))$/

const daysIn = (year: number, month: number): number =>
  month === 2
    ? year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
      ? 29
      : 28
    : month === 4 || month === 6 || month === 9 || month === 11
      ? 30
      : 31

/** Why `s` is not a DateTime, or `undefined` when it is one. */
export const check = (s: string): string | undefined => {
  const m = shape.exec(s)
  if (m === null) return 'expected an XEP-0082 DateTime (CCYY-MM-DDThh:mm:ss[.s]TZD)'
  // Indexed reads: destructuring the match goes through the iterator protocol (bench ext:get).
  const year = Number(m[1])
  const month = Number(m[2])
  const day = Number(m[3])
  if (month < 1 || month > 12) return 'month out of range'
  if (day < 1 || day > daysIn(year, month)) return 'day out of range'
  if (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6]) > 59) return 'time out of range'
  if (m[7] !== undefined && (Number(m[7]) > 23 || Number(m[8]) > 59))
    return 'time zone out of range'
  return undefined
}

/** Refinement: a string that is a valid XEP-0082 DateTime. */
export const is = (u: unknown): u is DateTime => typeof u === 'string' && check(u) === undefined

/** Validates a DateTime string, keeping it exactly as given. */
export const parse = (s: string): E.Either<string, DateTime> => {
  const why = check(s)
  return why === undefined ? E.right(s as DateTime) : E.left(why)
}

/** The instant, as a new `Date` (fractions beyond milliseconds are cut). */
export const toDate = (d: DateTime): Date => new Date(d.replace(/(\.\d{3})\d+/, '$1'))

/**
 * The DateTime of an instant, in UTC with milliseconds (`2002-09-10T23:08:25.000Z`). An invalid
 * `Date`, or one outside years 0000–9999, is a programmer error: it throws a `RangeError`.
 */
export const fromDate = (date: Date): DateTime => {
  const s = date.toISOString()
  if (!is(s)) throw new RangeError(`DateTime.fromDate: year out of range: ${s}`)
  return s
}
