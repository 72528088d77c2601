/**
 * Punycode (RFC 3492): the Bootstring encoding that IDNA uses to write a U-label as an A-label
 * of letters, digits and hyphens (RFC 5891 §4.4, without the `xn--` prefix).
 *
 * The decoding and encoding procedures of RFC 3492 §6.2 and §6.3, with the overflow checks of
 * §6.4 against 2^31 − 1. No mixed-case annotation (Appendix A): the encoder writes digits in
 * lowercase and copies basic code points as they are; the decoder reads digits in either case
 * (§5) and returns code points only.
 */

// RFC 3492 §5: the Bootstring parameters for Punycode.
const BASE = 36
const TMIN = 1
const TMAX = 26
const SKEW = 38
const DAMP = 700
const INITIAL_BIAS = 72
const INITIAL_N = 0x80
const DELIMITER = '-'
const MAXINT = 0x7fffffff

/** RFC 3492 §6.1: bias adaptation. */
const adapt = (delta: number, numPoints: number, firstTime: boolean): number => {
  let d = firstTime ? Math.floor(delta / DAMP) : Math.floor(delta / 2)
  d += Math.floor(d / numPoints)
  let k = 0
  while (d > ((BASE - TMIN) * TMAX) >> 1) {
    d = Math.floor(d / (BASE - TMIN))
    k += BASE
  }
  return k + Math.floor(((BASE - TMIN + 1) * d) / (d + SKEW))
}

/** RFC 3492 §3.3: the threshold t(j), `base * (j + 1) - bias` clamped to tmin…tmax. */
const threshold = (k: number, bias: number): number =>
  k <= bias ? TMIN : k >= bias + TMAX ? TMAX : k - bias

/** RFC 3492 §5: `a`–`z` (either case) are 0–25, `0`–`9` are 26–35; anything else is -1. */
const digitValue = (c: number): number =>
  c >= 0x61 && c <= 0x7a
    ? c - 0x61
    : c >= 0x41 && c <= 0x5a
      ? c - 0x41
      : c >= 0x30 && c <= 0x39
        ? c - 0x30 + 26
        : -1

const digitChar = (d: number): string => String.fromCharCode(d < 26 ? 0x61 + d : 0x30 + d - 26)

/**
 * RFC 3492 §6.2: the code points a Punycode string stands for, or `undefined` if it is not one:
 * a non-basic code point before the last delimiter, a character that is not a digit, a truncated
 * integer, an overflow, or a delta that gives a basic code point, a surrogate or a value past
 * U+10FFFF (RFC 3492 §3.2 and §6.2 reject the first; the others are not Unicode scalar values).
 */
export const decode = (input: string): ReadonlyArray<number> | undefined => {
  const output: Array<number> = []
  const b = input.lastIndexOf(DELIMITER)
  for (let j = 0; j < b; j++) {
    const c = input.charCodeAt(j)
    if (c >= INITIAL_N) return undefined
    output.push(c)
  }
  let n = INITIAL_N
  let i = 0
  let bias = INITIAL_BIAS
  for (let idx = b > 0 ? b + 1 : 0; idx < input.length; ) {
    const oldi = i
    let w = 1
    for (let k = BASE; ; k += BASE) {
      if (idx >= input.length) return undefined
      const digit = digitValue(input.charCodeAt(idx++))
      if (digit < 0 || digit > Math.floor((MAXINT - i) / w)) return undefined
      i += digit * w
      const th = threshold(k, bias)
      if (digit < th) break
      if (w > Math.floor(MAXINT / (BASE - th))) return undefined
      w *= BASE - th
    }
    const count = output.length + 1
    bias = adapt(i - oldi, count, oldi === 0)
    if (Math.floor(i / count) > MAXINT - n) return undefined
    n += Math.floor(i / count)
    i %= count
    if (n < INITIAL_N || n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) return undefined
    output.splice(i, 0, n)
    i++
  }
  return output
}

/**
 * RFC 3492 §6.3: the Punycode string for a sequence of code points (basic code points first,
 * then a delimiter if there were any, then the deltas), or `undefined` on overflow.
 */
export const encode = (cps: ReadonlyArray<number>): string | undefined => {
  let output = ''
  for (const c of cps) if (c < INITIAL_N) output += String.fromCharCode(c)
  const b = output.length
  let h = b
  if (b > 0) output += DELIMITER
  let n = INITIAL_N
  let delta = 0
  let bias = INITIAL_BIAS
  while (h < cps.length) {
    let m = MAXINT
    for (const c of cps) if (c >= n && c < m) m = c
    if (m - n > Math.floor((MAXINT - delta) / (h + 1))) return undefined
    delta += (m - n) * (h + 1)
    n = m
    for (const c of cps) {
      if (c < n && ++delta > MAXINT) return undefined
      if (c === n) {
        let q = delta
        for (let k = BASE; ; k += BASE) {
          const th = threshold(k, bias)
          if (q < th) break
          output += digitChar(th + ((q - th) % (BASE - th)))
          q = Math.floor((q - th) / (BASE - th))
        }
        output += digitChar(q)
        bias = adapt(delta, h + 1, h === b)
        delta = 0
        h++
      }
    }
    delta++
    n++
  }
  return output
}
