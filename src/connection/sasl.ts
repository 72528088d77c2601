/**
 * SASL mechanisms for XMPP (RFC 4422, RFC 6120 §6): SCRAM (RFC 5802, RFC 7677) and PLAIN (RFC 4616).
 *
 * Work in progress: signatures are final, bodies are stubs.
 *
 * @since 0.2.0
 */
import * as E from 'fp-ts/lib/Either.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** @category model */
export type Mechanism = 'SCRAM-SHA-256' | 'SCRAM-SHA-1' | 'PLAIN'

/** @category model */
export interface SaslError {
  readonly _tag: 'SaslError'
  /** e.g. `not-authorized`, `malformed-request`, `invalid-server-signature`. */
  readonly condition: string
  readonly message: string
}

/** @category model */
export interface ScramFinal {
  /** client-final-message. */
  readonly message: string
  readonly verify: (serverFinal: string) => E.Either<SaslError, void>
}

/** @category model */
export interface ScramClient {
  /** client-first-message. */
  readonly first: string
  final(serverFirst: string): E.Either<SaslError, ScramFinal>
}

// -------------------------------------------------------------------------------------
// mechanisms
// -------------------------------------------------------------------------------------

/** @category mechanisms */
export const choose = (
  _offered: ReadonlyArray<string>,
  _options: { readonly allowPlain: boolean },
): Mechanism | undefined => undefined

/** @category mechanisms */
export const plain = (_authcid: string, _password: string, _authzid?: string): Uint8Array =>
  new Uint8Array(0)

/** @category mechanisms */
export const scram = (
  _hash: 'SHA-1' | 'SHA-256',
  _username: string,
  _password: string,
  _nonce?: string,
): ScramClient => ({
  first: '',
  final: () => E.left({ _tag: 'SaslError', condition: 'temporary-auth-failure', message: 'stub' }),
})
