/**
 * XMPP addresses (JIDs): `[localpart@]domainpart[/resourcepart]`, validated and held in their
 * canonical form, so that `===` on two `Jid`s is address equality.
 *
 * RFC 7622 §3: the parts and their lengths (§3.1), the domainpart (§3.2: IDNA2008 labels per
 * RFC 5890–5892 and RFC 5895, or an IP literal per RFC 5952), the localpart (§3.3: the PRECIS
 * UsernameCaseMapped profile of RFC 8265 §3.3, less the characters of §3.3.1) and the
 * resourcepart (§3.4: the OpaqueString profile of RFC 8265 §4.2). XEP-0106 for JID escaping. The
 * algorithms live in `internal/precis.ts`, `internal/idna.ts`, `internal/punycode.ts` and
 * `internal/ip.ts`; this module splits, applies them part by part and keeps the fast paths.
 *
 * What is implemented, and where this module is knowingly looser or stricter than the RFCs:
 * - Unicode properties come from the engine's regular expressions (`\p{…}`), so "unassigned"
 *   (`\p{Cn}`) follows the Unicode version of the running engine's ICU.
 * - The Bidi Rule (RFC 5893, required by RFC 8265 §3.3 and by IDNA2008) is NOT
 *   applied: JavaScript exposes no Bidi_Class property, and a guessed approximation would
 *   reject valid addresses. Right-to-left strings are accepted if every code point is valid.
 * - CONTEXTJ (ZWNJ/ZWJ, RFC 5892 Appendix A.1/A.2) is accepted only after a virama; the
 *   Arabic joining-type alternative for ZWNJ needs Joining_Type, which the engine lacks, so such
 *   strings are rejected. CONTEXTO rules (Appendix A.3–A.9) are implemented in full.
 * - `juliet@example.com/ foo` is valid: OpaqueString allows spaces anywhere, and RFC 7622
 *   Table 2 listing it as invalid is a known error (RFC Errata ID 4560).
 * - Mapping rules are reapplied until stable (RFC 8264 §7); width mapping uses NFKC of each
 *   fullwidth/halfwidth code point, which equals its decomposition wherever it matters.
 * - Domain labels are LDH (no `_`), A-labels (converted to U-labels, checked by round trip) or
 *   U-labels; ASCII labels with `--` in positions 3–4 other than `xn--` are accepted as LDH. The
 *   63-octet label limit is measured on the A-label, so `ü` × 32 passes and `a` × 57 + `ü` fails.
 * - IP literals: IPv6 only (no zone identifiers, no IPvFuture), written per RFC 5952, with
 *   IPv4-mapped addresses in mixed notation (§5). IPv4 dec-octets have no leading zeros.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as E from 'fp-ts/Either'
 * import * as Jid from 'stanzakit/Jid'
 *
 * pipe(Jid.parse('Juliet@Example.COM./balcony'), E.map(Jid.bare))
 * // right('juliet@example.com')
 *
 * @since 0.1.0
 */

import type { Either } from 'fp-ts/lib/Either.js'
import * as E from 'fp-ts/lib/Either.js'
import type { Eq as Eq_ } from 'fp-ts/lib/Eq.js'
import type { Option } from 'fp-ts/lib/Option.js'
import * as O from 'fp-ts/lib/Option.js'
import * as t from 'io-ts'
import { quote, utf8Length } from './internal/chars.js'
import { MAX_LABEL_OCTETS, mapDomain, prepareLabel } from './internal/idna.js'
import { formatIPv6, isIPv4, parseIPv6 } from './internal/ip.js'
import {
  firstDisallowed,
  mapOpaqueString,
  mapUsernameCaseMapped,
  stabilize,
} from './internal/precis.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

declare const JidBrand: unique symbol

/**
 * The brand that makes `Jid` nominal: only `parse` (and the functions built on it) produce one.
 *
 * @category model
 * @since 0.1.0
 */
export interface JidBrand {
  readonly [JidBrand]: 'Jid'
}

/**
 * A valid JID in its canonical full form `[local@]domain[/resource]`. Being canonical, string
 * equality is address equality (RFC 7622 §3.1).
 *
 * @category model
 * @since 0.1.0
 */
export type Jid = string & JidBrand

/**
 * Why a string is not a JID: the part that failed and a short reason. The message is bounded
 * and never contains the input, only at most one offending code point as `U+XXXX`.
 *
 * @category model
 * @since 0.1.0
 */
export interface JidError {
  readonly _tag: 'JidError'
  readonly part: 'local' | 'domain' | 'resource' | 'jid'
  readonly message: string
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Validates and canonicalizes a JID (RFC 7622 §3). The resourcepart is everything after the
 * first `/`; the localpart is everything before the first `@` that precedes it (RFC 7622 §3.1),
 * so `a/b@c` is domain `a`, resource `b@c`. Each part is prepared (localpart: RFC 8265 §3.3,
 * domainpart: IDNA2008 and RFC 5952, resourcepart: RFC 8265 §4.2) and must be 1–1023 octets.
 * An input already in canonical form is returned as is.
 *
 * @category constructors
 * @since 0.1.0
 */
export const parse = (s: string): Either<JidError, Jid> => {
  const r = prepare(s)
  return typeof r === 'string' ? E.right(r as Jid) : E.left(r)
}

/**
 * Parses a JID written in code, such as a service address: an invalid one is a programmer error
 * and throws a `RangeError`. Use `parse` for anything that comes from input.
 *
 * @example
 * import { Jid } from 'stanzakit'
 * const service = Jid.unsafeParse('Conference.Example.COM')
 * console.log(service) // conference.example.com
 *
 * @category constructors
 * @since 0.2.0
 */
export const unsafeParse = (s: string): Jid => {
  const r = prepare(s)
  if (typeof r !== 'string')
    throw new RangeError(`Jid.unsafeParse: ${r.part}: ${r.message}: ${quoteJid(s)}`)
  return r as Jid
}

// -------------------------------------------------------------------------------------
// refinements
// -------------------------------------------------------------------------------------

/**
 * A string that is a JID in canonical form (it parses to itself). `'Juliet@example.com'` is
 * not, although it parses.
 *
 * @category refinements
 * @since 0.1.0
 */
export const is = (u: unknown): u is Jid => {
  return typeof u === 'string' && prepare(u) === u
}

/**
 * No resourcepart: a bare JID (RFC 7622 §3).
 *
 * @category refinements
 * @since 0.1.0
 */
export const isBare = (j: Jid): boolean => j.indexOf('/') < 0

// -------------------------------------------------------------------------------------
// getters
// -------------------------------------------------------------------------------------

/**
 * The prepared localpart, if any (RFC 7622 §3.3).
 *
 * @category getters
 * @since 0.1.0
 */
export const local = (j: Jid): Option<string> => {
  const slash = j.indexOf('/')
  const at = j.indexOf('@')
  return at >= 0 && (slash < 0 || at < slash) ? O.some(j.slice(0, at)) : O.none
}

/**
 * The prepared domainpart (RFC 7622 §3.2) as a JID of its own (the service), lowercase, U-labels,
 * no final dot; IP literals in RFC 5952 form with brackets.
 *
 * @category getters
 * @since 0.1.0
 */
export const domain = (j: Jid): Jid => {
  const slash = j.indexOf('/')
  const end = slash < 0 ? j.length : slash
  const at = j.indexOf('@')
  return j.slice(at >= 0 && at < end ? at + 1 : 0, end) as Jid
}

/**
 * The prepared resourcepart, if any (RFC 7622 §3.4); case and spaces as given.
 *
 * @category getters
 * @since 0.1.0
 */
export const resource = (j: Jid): Option<string> => {
  const slash = j.indexOf('/')
  return slash < 0 ? O.none : O.some(j.slice(slash + 1))
}

// -------------------------------------------------------------------------------------
// setters
// -------------------------------------------------------------------------------------

/**
 * The bare JID: the resourcepart removed (RFC 7622 §3).
 *
 * @category setters
 * @since 0.1.0
 */
export const bare = (j: Jid): Jid => {
  const slash = j.indexOf('/')
  return slash < 0 ? j : (j.slice(0, slash) as Jid)
}

/**
 * Sets (or replaces) the resourcepart, preparing it as OpaqueString (RFC 7622 §3.4,
 * RFC 8265 §4.2); `Left` if it is empty, too long or has disallowed code points.
 *
 * @category setters
 * @since 0.1.0
 */
export const withResource =
  (r: string) =>
  (j: Jid): Either<JidError, Jid> => {
    const prepared = typeof r === 'string' ? prepareResource(r) : fail('resource', 'not a string')
    return isError(prepared) ? E.left(prepared) : E.right(`${bare(j)}/${prepared}` as Jid)
  }

// -------------------------------------------------------------------------------------
// codecs
// -------------------------------------------------------------------------------------

/**
 * io-ts codec: decodes any string that `parse` accepts (to its canonical form), encodes to the
 * canonical string (RFC 7622 §3).
 *
 * @category codecs
 * @since 0.1.0
 */
export const codec: t.Type<Jid, string, unknown> = new t.Type<Jid, string, unknown>(
  'Jid',
  is,
  (u, c) => {
    if (typeof u !== 'string') return t.failure(u, c, 'expected a JID string')
    const r = parse(u)
    return E.isRight(r) ? t.success(r.right) : t.failure(u, c, `${r.left.part}: ${r.left.message}`)
  },
  (j) => j,
)

// -------------------------------------------------------------------------------------
// instances
// -------------------------------------------------------------------------------------

/**
 * Address equality: string equality of canonical forms (RFC 7622 §3.1). Resourceparts compare
 * case-sensitively.
 *
 * @category instances
 * @since 0.1.0
 */
export const Eq: Eq_<Jid> = { equals: (x, y) => x === y }

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * XEP-0106: turns a user-facing name into a localpart candidate. Edge spaces are dropped
 * (an escaped localpart may not start or end with `\20`), then space, `" & ' / : < > @` and
 * every backslash are escaped. No PRECIS preparation: `parse` still decides validity.
 *
 * @category utils
 * @since 0.1.0
 */
export const escapeLocal = (s: string): string => {
  // Index scans rather than a regex: `/ +$/` backtracks quadratically on long space runs.
  let start = 0
  let end = s.length
  while (start < end && s.charCodeAt(start) === 0x20) start++
  while (end > start && s.charCodeAt(end - 1) === 0x20) end--
  return s.slice(start, end).replace(ESCAPABLE, (c) => ESCAPES.get(c) ?? c)
}

/**
 * XEP-0106: for display only. Replaces exactly the ten lowercase escape sequences, left to
 * right without rescanning (`\5c20` gives `\20`); anything else (`\zz`, `\2F`) stays.
 *
 * @category utils
 * @since 0.1.0
 */
export const unescapeLocal = (s: string): string =>
  s.replace(ESCAPE_SEQUENCE, (q) => UNESCAPES.get(q) ?? q)

// -------------------------------------------------------------------------------------
// internal: preparation of the parts (RFC 7622 §3.1–3.4)
// -------------------------------------------------------------------------------------

/** RFC 7622 §3.1: every part is 1–1023 octets of UTF-8, after preparation. */
const MAX_OCTETS = 1023

/**
 * Preparation never shrinks a part by more than 4 code points into 1 (the longest canonical
 * decomposition, e.g. U+1F82, has 4), and a code point is at most 2 UTF-16 units, so a raw part
 * longer than this cannot prepare to 1023 octets. Checked first, so hostile input costs O(1).
 */
const MAX_RAW_PART = 8 * MAX_OCTETS
const MAX_RAW_JID = 3 * MAX_RAW_PART + 2

const ASCII_PRINTABLE = /^[\x21-\x7e]+$/
/** Printable ASCII without uppercase or the RFC 7622 §3.3.1 exclusions: a canonical localpart. */
const CANONICAL_ASCII_LOCAL = /^[!#-%(-.0-9;=?[-~]+$/
const ASCII_PRINTABLE_OR_SPACE = /^[\x20-\x7e]+$/
const ASCII_HOST = /^[A-Za-z0-9.-]+$/
/** RFC 7622 §3.3.1: beyond IdentifierClass, these ASCII characters are excluded from localparts. */
const LOCAL_EXCLUDED = /["&'/:<>@]/
const DIGITS_AND_DOTS = /^[0-9.]+$/

type Prepared = string | JidError

/** Internals return `string | JidError`: no Either allocated per part on the hot path. */
const fail = (part: JidError['part'], message: string): JidError => ({
  _tag: 'JidError',
  part,
  message,
})

const isError = (r: Prepared): r is JidError => typeof r !== 'string'

const hex = (cp: number): string => `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`

const quoteJid = (s: unknown): string => (typeof s === 'string' ? quote(s, 60) : typeof s)

/** RFC 7622 §3.1: split at the first `/`, then at the first `@` before it; prepare each part. */
const prepare = (s: string): Prepared => {
  if (typeof s !== 'string') return fail('jid', 'not a string')
  if (s === '') return fail('jid', 'empty JID')
  if (s.length > MAX_RAW_JID) return fail('jid', 'JID too long')
  const slash = s.indexOf('/')
  const head = slash < 0 ? s : s.slice(0, slash)
  const at = head.indexOf('@')
  const rawLocal = at < 0 ? undefined : head.slice(0, at)
  const rawDomain = at < 0 ? head : head.slice(at + 1)
  const rawResource = slash < 0 ? undefined : s.slice(slash + 1)

  const l = rawLocal === undefined ? undefined : prepareLocal(rawLocal)
  if (l !== undefined && isError(l)) return l
  const d = prepareDomain(rawDomain)
  if (isError(d)) return d
  const r = rawResource === undefined ? undefined : prepareResource(rawResource)
  if (r !== undefined && isError(r)) return r
  // Already canonical (bench stanza:decode): each part came back as is, so `s` is returned.
  if (l === rawLocal && d === rawDomain && r === rawResource) return s
  const bareJid = l === undefined ? d : `${l}@${d}`
  return r === undefined ? bareJid : `${bareJid}/${r}`
}

const checkLength = (part: 'local' | 'domain' | 'resource', name: string, s: string): Prepared =>
  utf8Length(s) > MAX_OCTETS ? fail(part, `${name} exceeds ${MAX_OCTETS} octets`) : s

/** RFC 7622 §3.3: PRECIS UsernameCaseMapped (RFC 8265 §3.3), then RFC 7622 §3.3.1 exclusions. */
const prepareLocal = (raw: string): Prepared => {
  if (raw === '') return fail('local', 'empty localpart')
  if (raw.length > MAX_RAW_PART) return fail('local', `localpart exceeds ${MAX_OCTETS} octets`)
  // Fast path (bench stanza:decode): a canonical ASCII localpart needs no mapping.
  if (raw.length <= MAX_OCTETS && CANONICAL_ASCII_LOCAL.test(raw)) return raw
  if (ASCII_PRINTABLE.test(raw)) {
    // ASCII is already NFC and has no width forms; lowercasing is the only mapping.
    const s = raw.toLowerCase()
    if (s.length > MAX_OCTETS) return fail('local', `localpart exceeds ${MAX_OCTETS} octets`)
    const bad = LOCAL_EXCLUDED.exec(s)
    if (bad !== null) return fail('local', `disallowed character ${hex(s.charCodeAt(bad.index))}`)
    return s
  }
  const s = mapUsernameCaseMapped(raw)
  if (s === undefined) return fail('local', 'localpart is unstable under preparation')
  if (s === '') return fail('local', 'empty localpart')
  const len = checkLength('local', 'localpart', s)
  if (isError(len)) return len
  const bad = LOCAL_EXCLUDED.exec(s)
  if (bad !== null) return fail('local', `disallowed character ${hex(s.charCodeAt(bad.index))}`)
  const cp = firstDisallowed(s, 'identifier')
  if (cp !== undefined) return fail('local', `disallowed code point ${hex(cp)}`)
  return s
}

/**
 * One pass over the usual domainpart: lowercase LDH labels of 1–63 octets without edge
 * hyphens, no final dot, not all digits. Anything else (including `xn--` and other labels with
 * `--` in positions 3–4) takes the full path; a `true` here is always a correct answer.
 */
const isCanonicalHost = (s: string): boolean => {
  const n = s.length
  if (n > MAX_OCTETS) return false
  let labelStart = 0
  let nonDigit = false
  for (let i = 0; i <= n; i++) {
    const c = i < n ? s.charCodeAt(i) : 0x2e
    if (c === 0x2e) {
      const length = i - labelStart
      if (length === 0 || length > MAX_LABEL_OCTETS) return false
      if (s.charCodeAt(labelStart) === 0x2d || s.charCodeAt(i - 1) === 0x2d) return false
      if (s.charCodeAt(labelStart + 2) === 0x2d && s.charCodeAt(labelStart + 3) === 0x2d)
        return false
      labelStart = i + 1
    } else if ((c >= 0x61 && c <= 0x7a) || c === 0x2d) nonDigit = true
    else if (c < 0x30 || c > 0x39) return false
  }
  return nonDigit
}

/** RFC 7622 §3.2: IP-literal, IPv4address, or a name of LDH labels, A-labels and U-labels. */
const prepareDomain = (raw: string): Prepared => {
  if (raw === '') return fail('domain', 'empty domainpart')
  if (raw.length > MAX_RAW_PART) return fail('domain', `domainpart exceeds ${MAX_OCTETS} octets`)
  // Fast path (bench stanza:decode): one pass over a lowercase LDH hostname.
  if (isCanonicalHost(raw)) return raw
  if (raw.charCodeAt(0) === 0x5b) {
    if (raw.charCodeAt(raw.length - 1) !== 0x5d) return fail('domain', 'unterminated IP literal')
    const groups = parseIPv6(raw.slice(1, -1))
    return groups === undefined ? fail('domain', 'invalid IPv6 address') : `[${formatIPv6(groups)}]`
  }
  let s: string
  if (ASCII_HOST.test(raw)) {
    s = raw.toLowerCase()
    if (isCanonicalHost(s)) return s
  } else {
    const mapped = stabilize(mapDomain, raw)
    if (mapped === undefined) return fail('domain', 'domainpart is unstable under preparation')
    s = mapped
  }
  // RFC 7622 §3.2: a final label separator is stripped before the address is used.
  if (s.charCodeAt(s.length - 1) === 0x2e) s = s.slice(0, -1)
  if (s === '') return fail('domain', 'empty domainpart')
  if (isIPv4(s)) return s
  if (DIGITS_AND_DOTS.test(s)) return fail('domain', 'invalid IPv4 address')
  const labels = s.split('.')
  let changed = false
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i] ?? ''
    const r = prepareLabel(label)
    if (typeof r !== 'string') return fail('domain', r.message)
    if (r !== label) {
      labels[i] = r
      changed = true
    }
  }
  return checkLength('domain', 'domainpart', changed ? labels.join('.') : s)
}

/** RFC 7622 §3.4: PRECIS OpaqueString (RFC 8265 §4.2); case and spaces are kept. */
const prepareResource = (raw: string): Prepared => {
  if (raw === '') return fail('resource', 'empty resourcepart')
  if (raw.length > MAX_RAW_PART)
    return fail('resource', `resourcepart exceeds ${MAX_OCTETS} octets`)
  // Fast path (bench stanza:decode): ASCII is already NFC and has no non-ASCII spaces.
  if (ASCII_PRINTABLE_OR_SPACE.test(raw)) {
    if (raw.length > MAX_OCTETS)
      return fail('resource', `resourcepart exceeds ${MAX_OCTETS} octets`)
    return raw
  }
  const s = mapOpaqueString(raw)
  if (s === undefined) return fail('resource', 'resourcepart is unstable under preparation')
  const len = checkLength('resource', 'resourcepart', s)
  if (isError(len)) return len
  const cp = firstDisallowed(s, 'freeform')
  if (cp !== undefined) return fail('resource', `disallowed code point ${hex(cp)}`)
  return s
}

// -------------------------------------------------------------------------------------
// internal: XEP-0106 escapes
// -------------------------------------------------------------------------------------

const ESCAPES: ReadonlyMap<string, string> = new Map([
  [' ', '\\20'],
  ['"', '\\22'],
  ['&', '\\26'],
  ["'", '\\27'],
  ['/', '\\2f'],
  [':', '\\3a'],
  ['<', '\\3c'],
  ['>', '\\3e'],
  ['@', '\\40'],
  ['\\', '\\5c'],
])
const UNESCAPES: ReadonlyMap<string, string> = new Map(
  Array.from(ESCAPES, ([raw, escaped]) => [escaped, raw]),
)
const ESCAPABLE = /[ "&'/:<>@\\]/g
const ESCAPE_SEQUENCE = /\\(?:20|22|26|27|2f|3a|3c|3e|40|5c)/g
