/**
 * XEP-0082 DateTime profile: `CCYY-MM-DDThh:mm:ss[.sss]TZD`, the form every XEP timestamp uses
 * (XEP-0203 `stamp`, XEP-0045 `since`). Kept as the received string, validated and branded, so a
 * record holds no mutable `Date` and re-encodes byte for byte.
 */
import * as E from 'fp-ts/lib/Either.js'

declare const DateTimeBrand: unique symbol

/** A validated XEP-0082 DateTime string, exactly as received. */
export type DateTime = string & { readonly [DateTimeBrand]: 'DateTime' }

const SHAPE = 'expected an XEP-0082 DateTime (CCYY-MM-DDThh:mm:ss[.s]TZD)'

const daysIn = (year: number, month: number): number =>
  month === 2
    ? year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
      ? 29
      : 28
    : month === 4 || month === 6 || month === 9 || month === 11
      ? 30
      : 31

/** The number written by the `n` ASCII digits at `at`, or -1. */
const digits = (s: string, at: number, n: number): number => {
  let v = 0
  for (let i = at; i < at + n; i++) {
    const d = s.charCodeAt(i) - 48
    if (!(d >= 0 && d <= 9)) return -1 // NaN past the end, too
    v = v * 10 + d
  }
  return v
}

/**
 * Why `s` is not a DateTime, or `undefined` when it is one. XEP-0082 §3.2: a four-digit year,
 * uppercase `T` and `Z`, any number of fraction digits, a zone (`Z` or `±hh:mm`) required.
 * Read with char codes, not a regular expression: it runs on every delayed stanza a client
 * reads (bench ext:get, Delay.get).
 */
export const check = (s: string): string | undefined => {
  if (s.length < 20 || s[4] !== '-' || s[7] !== '-' || s[10] !== 'T' || s[13] !== ':') return SHAPE
  if (s[16] !== ':') return SHAPE
  const year = digits(s, 0, 4)
  const month = digits(s, 5, 2)
  const day = digits(s, 8, 2)
  const hour = digits(s, 11, 2)
  const minute = digits(s, 14, 2)
  const second = digits(s, 17, 2)
  if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return SHAPE
  let i = 19
  if (s[i] === '.') {
    i++
    const start = i
    while (i < s.length && digits(s, i, 1) >= 0) i++
    if (i === start) return SHAPE
  }
  if (s[i] === 'Z') {
    if (i + 1 !== s.length) return SHAPE
  } else if (s[i] === '+' || s[i] === '-') {
    if (i + 6 !== s.length || s[i + 3] !== ':') return SHAPE
    const zh = digits(s, i + 1, 2)
    const zm = digits(s, i + 4, 2)
    if (zh < 0 || zm < 0) return SHAPE
    if (zh > 23 || zm > 59) return 'time zone out of range'
  } else return SHAPE
  if (month < 1 || month > 12) return 'month out of range'
  if (day < 1 || day > daysIn(year, month)) return 'day out of range'
  if (hour > 23 || minute > 59 || second > 59) return 'time out of range'
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
