/**
 * IP address literals as they appear in a host (RFC 3986 §3.2.2): dotted-quad IPv4, and IPv6
 * read in any RFC 4291 §2.2 text form and written in the one canonical form of RFC 5952 §4
 * (with mixed notation for IPv4-mapped addresses, §5). No zone identifiers, no IPvFuture.
 */

/** RFC 3986 §3.2.2 IPv4address: four dec-octets 0–255, without leading zeros. */
const IPV4 = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/
const HEX_GROUP = /^[0-9A-Fa-f]{1,4}$/

/** RFC 3986 §3.2.2 IPv4address: `192.0.2.1`, but not `01.2.3.4`, `1.2.3` or `256.1.1.1`. */
export const isIPv4 = (s: string): boolean => IPV4.test(s)

const parseGroups = (side: string, ipv4Tail: boolean): Array<number> | undefined => {
  if (side === '') return []
  const parts = side.split(':')
  const out: Array<number> = []
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i] ?? ''
    if (ipv4Tail && i === parts.length - 1 && p.includes('.')) {
      if (!IPV4.test(p)) return undefined
      const [a = 0, b = 0, c = 0, d = 0] = p.split('.').map(Number)
      out.push((a << 8) | b, (c << 8) | d)
    } else if (HEX_GROUP.test(p)) out.push(Number.parseInt(p, 16))
    else return undefined
  }
  return out
}

/**
 * RFC 4291 §2.2: the eight 16-bit groups of an IPv6 address in any of its text forms (leading
 * zeros or not, either case, at most one `::`, an IPv4 address in the last 32 bits), or
 * `undefined`. Zone identifiers (`%eth0`) are not part of an RFC 3986 IP-literal and fail.
 */
export const parseIPv6 = (s: string): ReadonlyArray<number> | undefined => {
  const gap = s.indexOf('::')
  if (gap < 0) {
    const groups = parseGroups(s, true)
    return groups?.length === 8 ? groups : undefined
  }
  if (s.indexOf('::', gap + 1) >= 0) return undefined
  const head = parseGroups(s.slice(0, gap), false)
  const tail = parseGroups(s.slice(gap + 2), true)
  if (head === undefined || tail === undefined) return undefined
  const zeros = 8 - head.length - tail.length
  if (zeros < 1) return undefined
  return [...head, ...new Array<number>(zeros).fill(0), ...tail]
}

/**
 * RFC 5952 §4: the canonical text of an address given as eight 16-bit groups. No leading zeros
 * (§4.1); `::` for the longest run of two or more zero groups, the first of equal runs (§4.2);
 * lowercase (§4.3). IPv4-mapped addresses (`::ffff:0:0/96`, RFC 4291 §2.5.5.2) end in dotted
 * decimal (§5).
 */
export const formatIPv6 = (g: ReadonlyArray<number>): string => {
  const at = (i: number): number => g[i] ?? 0
  if (at(0) === 0 && at(1) === 0 && at(2) === 0 && at(3) === 0 && at(4) === 0 && at(5) === 0xffff)
    return `::ffff:${at(6) >> 8}.${at(6) & 0xff}.${at(7) >> 8}.${at(7) & 0xff}`
  let bestStart = -1
  let bestLength = 1
  for (let i = 0; i < 8; ) {
    if (at(i) !== 0) {
      i++
      continue
    }
    let j = i
    while (j < 8 && at(j) === 0) j++
    if (j - i > bestLength) {
      bestStart = i
      bestLength = j - i
    }
    i = j
  }
  const groups = g.map((x) => x.toString(16))
  if (bestStart < 0) return groups.join(':')
  return `${groups.slice(0, bestStart).join(':')}::${groups.slice(bestStart + bestLength).join(':')}`
}
