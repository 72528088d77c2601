/**
 * fast-check generators for JIDs: canonical parts and whole JIDs (valid by construction, checked
 * through `Jid.parse`), plus noisy spellings that exercise the mappings.
 */
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import * as Jid from '../../src/Jid.js'

const chars = (s: string): ReadonlyArray<string> => Array.from(s)

const parsesTo = (s: string): Jid.Jid | undefined => {
  const r = Jid.parse(s)
  return E.isRight(r) ? r.right : undefined
}

const isDefined = <A>(a: A | undefined): a is A => a !== undefined

/** Characters valid in a canonical localpart: ASCII, and a few non-ASCII letters and marks. */
const localUnit: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...chars('abcdefghijklmnopqrstuvwxyz0123456789')) },
  { weight: 2, arbitrary: fc.constantFrom(...chars('.-_+!#$%*=?^`{|}~()[],;\\')) },
  { weight: 2, arbitrary: fc.constantFrom(...chars('ßςπσéüøжя中あกक한')) },
)

/** Canonical localparts (RFC 7622 §3.3), 1–12 characters. */
export const localpart: fc.Arbitrary<string> = fc
  .string({ unit: localUnit, minLength: 1, maxLength: 12 })
  .filter((l) => {
    const j = parsesTo(`${l}@example.com`)
    return j !== undefined && j === `${l}@example.com`
  })

const ldhLabel: fc.Arbitrary<string> = fc
  .stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,10}[a-z0-9])?$/)
  .filter((l) => !(l.charAt(2) === '-' && l.charAt(3) === '-'))

const uLabel: fc.Arbitrary<string> = fc.constantFrom(
  'bücher',
  'münchen',
  'faß',
  'пример',
  '例え',
  'テスト',
  'ελληνικά',
  'mañana',
)

const hostname: fc.Arbitrary<string> = fc
  .tuple(
    fc.array(fc.oneof({ weight: 4, arbitrary: ldhLabel }, { weight: 1, arbitrary: uLabel }), {
      minLength: 0,
      maxLength: 3,
    }),
    fc.constantFrom('com', 'org', 'example', 'lit', 'xn--zckzah', 'de'),
  )
  .map(([labels, tld]) => [...labels, tld].join('.'))

const ipv4: fc.Arbitrary<string> = fc
  .tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255))
  .map((octets) => octets.join('.'))

const ipv6: fc.Arbitrary<string> = fc
  .array(fc.oneof(fc.constant(0), fc.nat(0xffff)), { minLength: 8, maxLength: 8 })
  .map((groups) => `[${groups.map((g) => g.toString(16)).join(':')}]`)

/** Canonical domainparts (RFC 7622 §3.2): hostnames with U-labels, IPv4, IPv6 literals. */
export const domainpart: fc.Arbitrary<string> = fc
  .oneof(
    { weight: 6, arbitrary: hostname },
    { weight: 1, arbitrary: ipv4 },
    { weight: 1, arbitrary: ipv6 },
  )
  .map((d) => parsesTo(d))
  .filter(isDefined)
  .map(Jid.domain)

const resourceUnit: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: fc.constantFrom(' ', '@', '/', '♚', 'Ⅳ', 'Σ', 'é', '😀', '中', 'Ｆ') },
)

/** Canonical resourceparts (RFC 7622 §3.4): any case, spaces, `@`, `/`, symbols. */
export const resourcepart: fc.Arbitrary<string> = fc
  .string({ unit: resourceUnit, minLength: 1, maxLength: 16 })
  .filter((r) => parsesTo(`example.com/${r}`) === `example.com/${r}`)

/** Bare JIDs in canonical form, with and without a localpart. */
export const bareJid: fc.Arbitrary<Jid.Jid> = fc
  .tuple(fc.option(localpart, { nil: undefined }), domainpart)
  .map(([l, d]) => parsesTo(l === undefined ? d : `${l}@${d}`))
  .filter(isDefined)

/** Full JIDs (with a resourcepart) in canonical form. */
export const fullJid: fc.Arbitrary<Jid.Jid> = fc
  .tuple(bareJid, resourcepart)
  .map(([b, r]) => parsesTo(`${b}/${r}`))
  .filter(isDefined)

/** Any canonical JID. */
export const jid: fc.Arbitrary<Jid.Jid> = fc.oneof(bareJid, fullJid)

const fullwidth = (s: string): string =>
  s.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0))

/**
 * Non-canonical spellings of a valid JID together with it: uppercase local and domain,
 * fullwidth localpart, a final dot on a hostname.
 */
export const spelling: fc.Arbitrary<{ readonly raw: string; readonly jid: Jid.Jid }> = fc
  .tuple(jid, fc.boolean(), fc.boolean(), fc.boolean())
  .map(([j, upper, wide, dot]) => {
    const l = Jid.local(j)
    const d = Jid.domain(j)
    const r = Jid.resource(j)
    const isHost = !d.startsWith('[') && !/^[0-9.]+$/.test(d)
    const local = l._tag === 'Some' ? (wide ? fullwidth(l.value) : l.value) : undefined
    const domain = (upper ? d.toUpperCase() : d) + (dot && isHost ? '.' : '')
    const head = local === undefined ? domain : `${upper ? local.toUpperCase() : local}@${domain}`
    return { raw: r._tag === 'Some' ? `${head}/${r.value}` : head, jid: j }
  })
  .filter(({ raw, jid: j }) => parsesTo(raw) === j)

/** Strings near the JID grammar, valid or not: separators, case, spaces, marks, width forms. */
export const noisy: fc.Arbitrary<string> = fc.string({
  unit: fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...chars('aZ9.-@/ \\"&\'<>:')) },
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        ...chars('ßΣςİıÅé\u0301\u0308\u200d\u200c\u00b7\u3002\uff0e\uff20\uff0f\u3000\u00a0Ⅳ♚ﬁｶﾞ'),
      ),
    },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  ),
  maxLength: 24,
})
