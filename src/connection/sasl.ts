/**
 * Client side of the SASL mechanisms XMPP uses (RFC 4422, RFC 6120 §6): SCRAM-SHA-256 and
 * SCRAM-SHA-1 (RFC 5802, RFC 7677) and PLAIN (RFC 4616). Pure, apart from the random client
 * nonce: no I/O, no XML. The connection wraps these messages in `<auth/>`, `<response/>`, …
 * (base64, RFC 6120 §6.4.2) and maps the outcome.
 *
 * SCRAM is preferred because the password never crosses the wire and because the server proves
 * it knows the salted password too: the client *verifies* the server signature, so a
 * man-in-the-middle that merely accepts any proof is caught (`invalid-server-signature`).
 *
 * @example
 * import * as E from 'fp-ts/Either'
 * import { connection } from 'stanzakit'
 *
 * // RFC 7677 §3: user 'user', password 'pencil' and the RFC's client nonce (random when omitted).
 * const client = connection.sasl.scram('SHA-256', 'user', 'pencil', 'rOprNGfwEbeRWgbNEkqO')
 * console.log(client.first) // n,,n=user,r=rOprNGfwEbeRWgbNEkqO
 * const serverFirst =
 *   'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096'
 * const step = client.final(serverFirst) // Either<SaslError, { message, verify }>
 * if (E.isRight(step)) {
 *   console.log(step.right.message)
 *   // c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=
 *   console.log(step.right.verify('v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=')) // { _tag: 'Right', right: undefined }
 * }
 *
 * @since 0.1.0
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto'
import * as E from 'fp-ts/lib/Either.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** @category model @since 0.1.0 */
export type Mechanism = 'SCRAM-SHA-256' | 'SCRAM-SHA-1' | 'PLAIN'

/**
 * A failed exchange. `condition` is, for faults found by the client: `malformed-request` (a
 * server message that does not parse, or an iteration count out of bounds), `invalid-nonce`
 * (the server nonce does not extend ours, RFC 5802 §5.1), `invalid-server-signature`; for a
 * server-final `e=` (RFC 5802 §7): the server's value, e.g. `invalid-proof`, `unknown-user`.
 *
 * @category model
 * @since 0.1.0
 */
export interface SaslError {
  readonly _tag: 'SaslError'
  readonly condition: string
  readonly message: string
}

/** @category model @since 0.1.0 */
export interface ScramFinal {
  /** client-final-message (RFC 5802 §7), with the client proof. */
  readonly message: string
  /** Checks server-final-message: `v=` must carry the expected server signature. */
  readonly verify: (serverFinal: string) => E.Either<SaslError, void>
}

/** @category model @since 0.1.0 */
export interface ScramClient {
  /** client-first-message (RFC 5802 §7): gs2 header `n,,` (no channel binding), user, nonce. */
  readonly first: string
  /** Answers server-first-message with client-final-message. */
  final(serverFirst: string): E.Either<SaslError, ScramFinal>
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

const saslError = (condition: string, message: string): SaslError => ({
  _tag: 'SaslError',
  condition,
  message,
})

// -------------------------------------------------------------------------------------
// mechanisms
// -------------------------------------------------------------------------------------

const preference: ReadonlyArray<Mechanism> = ['SCRAM-SHA-256', 'SCRAM-SHA-1', 'PLAIN']

/**
 * The mechanism to use among those the server offers (RFC 6120 §6.3.3: the client picks):
 * SCRAM-SHA-256, then SCRAM-SHA-1, then PLAIN only when `allowPlain` (RFC 6120 §13.8: PLAIN
 * only under TLS, which the caller knows). Names are compared exactly: they are case-sensitive
 * upper case (RFC 4422 §3.1). `-PLUS` variants (channel binding) are not supported.
 *
 * @category mechanisms
 * @since 0.1.0
 */
export const choose = (
  offered: ReadonlyArray<string>,
  options: { readonly allowPlain: boolean },
): Mechanism | undefined => {
  for (const m of preference)
    if (offered.includes(m) && (m !== 'PLAIN' || options.allowPlain)) return m
  return undefined
}

/**
 * The PLAIN message (RFC 4616 §2): `[authzid] NUL authcid NUL passwd`, UTF-8. A NUL inside a
 * part would change its meaning (another authzid), so it is a programmer error and throws, as
 * does an empty authcid or password.
 *
 * @category mechanisms
 * @since 0.1.0
 */
export const plain = (authcid: string, password: string, authzid?: string): Uint8Array => {
  if (authcid === '' || password === '')
    throw new TypeError('PLAIN: empty authentication identity or password (RFC 4616 §2)')
  if (authcid.includes('\0') || password.includes('\0') || authzid?.includes('\0') === true)
    throw new TypeError('PLAIN: NUL inside a field (RFC 4616 §2)')
  return new TextEncoder().encode(`${authzid ?? ''}\0${authcid}\0${password}`)
}

/**
 * A SCRAM client (RFC 5802; RFC 7677 for SHA-256), without channel binding (gs2 header `n,,`).
 *
 * - Username: `=` and `,` are escaped as `=3D`, `=2C` (§5.1). It is otherwise sent as given: an
 *   XMPP username is a JID localpart, already prepared by PRECIS (RFC 7622 §3.3).
 * - Password: prepared as SASLprep (RFC 4013) maps and normalizes it, non-ASCII spaces to
 *   U+0020, "commonly mapped to nothing" characters removed, NFKC, because servers (Prosody
 *   among them) derive the stored keys from the prepared form. The prohibited-character and
 *   bidi checks are left out: a server refuses what it could not have stored. For ASCII
 *   passwords this is the identity.
 * - Iteration count: any value from 1 is accepted (RFC 5802 recommends at least 4096, but the
 *   server chose it when the password was stored); above 1,000,000 is refused as
 *   `malformed-request`, since a hostile server could otherwise make the client burn seconds of
 *   CPU in PBKDF2 per login.
 * - A server-first with a mandatory extension (`m=`) is refused (§5.1).
 *
 * `nonce` is for tests; the default is 24 random bytes, base64.
 *
 * @category mechanisms
 * @since 0.1.0
 */
export const scram = (
  hash: 'SHA-1' | 'SHA-256',
  username: string,
  password: string,
  nonce?: string,
): ScramClient => {
  const clientNonce = nonce ?? randomBytes(24).toString('base64')
  if (!isNonce(clientNonce))
    throw new TypeError('SCRAM: the nonce must be printable ASCII without `,` (RFC 5802 §7)')
  const algorithm = hash === 'SHA-1' ? 'sha1' : 'sha256'
  const clientFirstBare = `n=${escapeUsername(username)},r=${clientNonce}`
  return {
    first: `${GS2_HEADER}${clientFirstBare}`,
    final: (serverFirst) => {
      const parsed = parseServerFirst(serverFirst, clientNonce)
      if (E.isLeft(parsed)) return parsed
      const { nonce: combined, salt, iterations } = parsed.right
      const hmac = (key: Buffer, data: string): Buffer =>
        createHmac(algorithm, key).update(data, 'utf8').digest()
      const size = hash === 'SHA-1' ? 20 : 32
      const salted = pbkdf2Sync(prepPassword(password), salt, iterations, size, algorithm)
      const clientKey = hmac(salted, 'Client Key')
      const storedKey = createHash(algorithm).update(clientKey).digest()
      const withoutProof = `c=${Buffer.from(GS2_HEADER).toString('base64')},r=${combined}`
      const authMessage = `${clientFirstBare},${serverFirst},${withoutProof}`
      const clientSignature = hmac(storedKey, authMessage)
      const proof = Buffer.alloc(size)
      for (let k = 0; k < size; k++) proof[k] = (clientKey[k] ?? 0) ^ (clientSignature[k] ?? 0)
      const serverSignature = hmac(hmac(salted, 'Server Key'), authMessage)
      return E.right({
        message: `${withoutProof},p=${proof.toString('base64')}`,
        verify: (serverFinal) => verifyServerFinal(serverFinal, serverSignature),
      })
    },
  }
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/** No channel binding, no authzid (RFC 5802 §7 gs2-header). */
const GS2_HEADER = 'n,,'

/** The most PBKDF2 rounds a server may ask for (see {@link scram}). */
const MAX_ITERATIONS = 1_000_000

/** `printable` of RFC 5802 §7: %x21-2B / %x2D-7E. */
const isNonce = (s: string): boolean => /^[\x21-\x2b\x2d-\x7e]+$/.test(s)

const isBase64 = (s: string): boolean =>
  s.length > 0 && s.length % 4 === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(s)

/** `saslname` (RFC 5802 §7): `=` and `,` escaped. */
const escapeUsername = (s: string): string => s.replace(/=/g, '=3D').replace(/,/g, '=2C')

// RFC 4013 §2.1: non-ASCII spaces (RFC 3454 C.1.2) become U+0020; "commonly mapped to nothing"
// (B.1) is dropped. Sets, not regex classes: several of these are combining characters.
const nonAsciiSpaces: ReadonlySet<number> = new Set([
  0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009,
  0x200a, 0x200b, 0x202f, 0x205f, 0x3000,
])
const mappedToNothing: ReadonlySet<number> = new Set([
  0xad, 0x34f, 0x1806, 0x180b, 0x180c, 0x180d, 0x200c, 0x200d, 0x2060, 0xfe00, 0xfe01, 0xfe02,
  0xfe03, 0xfe04, 0xfe05, 0xfe06, 0xfe07, 0xfe08, 0xfe09, 0xfe0a, 0xfe0b, 0xfe0c, 0xfe0d, 0xfe0e,
  0xfe0f, 0xfeff,
])

/** RFC 4013 §2.1–2.2 mapping and NFKC (see {@link scram}). */
const prepPassword = (s: string): string => {
  if (/^[\x20-\x7e]*$/.test(s)) return s
  let mapped = ''
  for (const c of s) {
    const code = c.codePointAt(0) ?? 0
    if (nonAsciiSpaces.has(code)) mapped += ' '
    else if (!mappedToNothing.has(code)) mapped += c
  }
  return mapped.normalize('NFKC')
}

interface ServerFirst {
  readonly nonce: string
  readonly salt: Buffer
  readonly iterations: number
}

/** server-first-message (RFC 5802 §7): `r=…,s=…,i=…[,ext]`. */
const parseServerFirst = (
  message: string,
  clientNonce: string,
): E.Either<SaslError, ServerFirst> => {
  const malformed = (why: string) =>
    E.left(saslError('malformed-request', `SCRAM server-first: ${why} (RFC 5802 §7)`))
  const [r, s, i] = message.split(',')
  if (r?.startsWith('m=') === true) return malformed('unsupported mandatory extension')
  if (r === undefined || !r.startsWith('r=')) return malformed('no nonce')
  if (s === undefined || !s.startsWith('s=')) return malformed('no salt')
  if (i === undefined || !i.startsWith('i=')) return malformed('no iteration count')
  const nonce = r.slice(2)
  if (!isNonce(nonce)) return malformed('invalid nonce')
  if (!nonce.startsWith(clientNonce) || nonce.length === clientNonce.length)
    return E.left(
      saslError('invalid-nonce', 'SCRAM: the server nonce does not extend ours (RFC 5802 §5.1)'),
    )
  const salt = s.slice(2)
  if (!isBase64(salt)) return malformed('invalid salt')
  const count = i.slice(2)
  if (!/^[1-9][0-9]{0,9}$/.test(count)) return malformed('invalid iteration count')
  const iterations = Number(count)
  if (iterations > MAX_ITERATIONS)
    return malformed(`iteration count above ${MAX_ITERATIONS.toLocaleString('en')}`)
  return E.right({ nonce, salt: Buffer.from(salt, 'base64'), iterations })
}

/** server-final-message (RFC 5802 §7): `v=<signature>` or `e=<error>`. */
const verifyServerFinal = (message: string, expected: Buffer): E.Either<SaslError, void> => {
  const [first = ''] = message.split(',')
  if (first.startsWith('e=')) {
    const value = first.slice(2)
    return E.left(
      saslError(
        /^[a-z-]{1,64}$/.test(value) ? value : 'other-error',
        'SCRAM: the server reported an error (RFC 5802 §7)',
      ),
    )
  }
  const signature = first.slice(2)
  if (!first.startsWith('v=') || !isBase64(signature))
    return E.left(saslError('malformed-request', 'SCRAM server-final: no verifier (RFC 5802 §7)'))
  const got = Buffer.from(signature, 'base64')
  if (got.length !== expected.length || !timingSafeEqual(got, expected))
    return E.left(
      saslError(
        'invalid-server-signature',
        'SCRAM: the server signature is wrong; the server does not know the password (RFC 5802 §9)',
      ),
    )
  return E.right(undefined)
}
