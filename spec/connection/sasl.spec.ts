import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import * as Sasl from '../../src/connection/sasl.js'

const right = <A>(r: E.Either<Sasl.SaslError, A>): A => {
  if (E.isLeft(r)) throw new Error(`expected Right, got ${r.left.condition}: ${r.left.message}`)
  return r.right
}

const left = <A>(r: E.Either<Sasl.SaslError, A>): Sasl.SaslError => {
  if (E.isRight(r)) throw new Error('expected Left')
  return r.left
}

// RFC 5802 §5, SCRAM-SHA-1: user `user`, password `pencil`.
const sha1 = {
  nonce: 'fyko+d2lbbFgONRv9qkxdawL',
  first: 'n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL',
  serverFirst: 'r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096',
  final: 'c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=',
  serverFinal: 'v=rmF9pqV8S7suAoZWja4dJRkFsKQ=',
}

// RFC 7677 §3, SCRAM-SHA-256: user `user`, password `pencil`.
const sha256 = {
  nonce: 'rOprNGfwEbeRWgbNEkqO',
  first: 'n,,n=user,r=rOprNGfwEbeRWgbNEkqO',
  serverFirst:
    'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096',
  final:
    'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
  serverFinal: 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=',
}

const vectors = [
  ['SHA-1', sha1],
  ['SHA-256', sha256],
] as const

describe('sasl', () => {
  describe('choose', () => {
    it('choose: prefers SCRAM-SHA-256, then SCRAM-SHA-1, then PLAIN', () => {
      const all = ['PLAIN', 'SCRAM-SHA-1', 'SCRAM-SHA-256']
      expect(Sasl.choose(all, { allowPlain: true })).toBe('SCRAM-SHA-256')
      expect(Sasl.choose(['PLAIN', 'SCRAM-SHA-1'], { allowPlain: true })).toBe('SCRAM-SHA-1')
      expect(Sasl.choose(['X-OAUTH2', 'PLAIN'], { allowPlain: true })).toBe('PLAIN')
    })

    it('choose: PLAIN only when allowed', () => {
      expect(Sasl.choose(['PLAIN'], { allowPlain: false })).toBeUndefined()
      expect(Sasl.choose(['PLAIN', 'SCRAM-SHA-1'], { allowPlain: false })).toBe('SCRAM-SHA-1')
    })

    it('choose: nothing known, channel-binding variants and other spellings are not picked', () => {
      expect(Sasl.choose([], { allowPlain: true })).toBeUndefined()
      expect(
        Sasl.choose(['SCRAM-SHA-1-PLUS', 'scram-sha-1', 'DIGEST-MD5'], { allowPlain: true }),
      ).toBeUndefined()
    })

    it('choose: the result is always one of the offered names', () => {
      const names = fc.constantFrom(
        'PLAIN',
        'SCRAM-SHA-1',
        'SCRAM-SHA-256',
        'EXTERNAL',
        'ANONYMOUS',
      )
      fc.assert(
        fc.property(fc.array(names), fc.boolean(), (offered, allowPlain) => {
          const m = Sasl.choose(offered, { allowPlain })
          if (m !== undefined) expect(offered).toContain(m)
          if (!allowPlain) expect(m).not.toBe('PLAIN')
        }),
      )
    })
  })

  describe('PLAIN', () => {
    const text = (b: Uint8Array) => Buffer.from(b).toString('utf8')

    it('plain: NUL authcid NUL passwd without authzid (RFC 4616 §2)', () => {
      expect(text(Sasl.plain('juliet', 'r0m30'))).toBe('\0juliet\0r0m30')
    })

    it('plain: authzid first', () => {
      expect(text(Sasl.plain('juliet', 'r0m30', 'juliet@example.com'))).toBe(
        'juliet@example.com\0juliet\0r0m30',
      )
    })

    it('plain: UTF-8 encoded', () => {
      expect(Array.from(Sasl.plain('ü', 'é'))).toEqual([0, 0xc3, 0xbc, 0, 0xc3, 0xa9])
    })

    it('plain: NUL inside a field or an empty field is a programmer error', () => {
      expect(() => Sasl.plain('a\0b', 'p')).toThrow(TypeError)
      expect(() => Sasl.plain('a', 'p\0')).toThrow(TypeError)
      expect(() => Sasl.plain('a', 'p', 'z\0')).toThrow(TypeError)
      expect(() => Sasl.plain('', 'p')).toThrow(TypeError)
      expect(() => Sasl.plain('a', '')).toThrow(TypeError)
    })
  })

  describe('SCRAM', () => {
    it.each(vectors)('scram %s: the RFC example, message for message', (hash, v) => {
      const client = Sasl.scram(hash, 'user', 'pencil', v.nonce)
      expect(client.first).toBe(v.first)
      const step = right(client.final(v.serverFirst))
      expect(step.message).toBe(v.final)
      expect(step.verify(v.serverFinal)).toEqual(E.right(undefined))
    })

    it.each(vectors)('scram %s: a tampered server signature is rejected', (hash, v) => {
      const step = right(Sasl.scram(hash, 'user', 'pencil', v.nonce).final(v.serverFirst))
      const sig = Buffer.from(v.serverFinal.slice(2), 'base64')
      sig[0] = (sig[0] ?? 0) ^ 1
      expect(left(step.verify(`v=${sig.toString('base64')}`)).condition).toBe(
        'invalid-server-signature',
      )
      // Right length matters too: a truncated signature is no signature.
      expect(left(step.verify(`v=${sig.subarray(1).toString('base64')}`)).condition).toBe(
        'invalid-server-signature',
      )
    })

    it('scram: a wrong password gives another proof and fails the server signature', () => {
      const step = right(Sasl.scram('SHA-1', 'user', 'pencil!', sha1.nonce).final(sha1.serverFirst))
      expect(step.message).not.toBe(sha1.final)
      expect(left(step.verify(sha1.serverFinal)).condition).toBe('invalid-server-signature')
    })

    it('scram: the server error in server-final becomes the condition', () => {
      const step = right(Sasl.scram('SHA-1', 'user', 'pencil', sha1.nonce).final(sha1.serverFirst))
      expect(left(step.verify('e=invalid-proof')).condition).toBe('invalid-proof')
      expect(left(step.verify('e=<script>')).condition).toBe('other-error')
      expect(left(step.verify('x=1')).condition).toBe('malformed-request')
      expect(left(step.verify('')).condition).toBe('malformed-request')
    })

    it('scram: a server nonce not extending ours is rejected', () => {
      const client = Sasl.scram('SHA-1', 'user', 'pencil', sha1.nonce)
      for (const r of ['r=someoneelse', `r=${sha1.nonce}`, `r=X${sha1.nonce}abc`])
        expect(left(client.final(`${r},s=QSXCR+Q6sek8bf92,i=4096`)).condition).toBe('invalid-nonce')
    })

    it.each([
      ['no nonce', 's=QSXCR+Q6sek8bf92,i=4096'],
      ['no salt', `r=${sha1.nonce}x,i=4096`],
      ['salt not base64', `r=${sha1.nonce}x,s=!!!!,i=4096`],
      ['no iteration count', `r=${sha1.nonce}x,s=QSXCR+Q6sek8bf92`],
      ['zero iterations', `r=${sha1.nonce}x,s=QSXCR+Q6sek8bf92,i=0`],
      ['negative iterations', `r=${sha1.nonce}x,s=QSXCR+Q6sek8bf92,i=-1`],
      ['absurd iterations (DoS guard)', `r=${sha1.nonce}x,s=QSXCR+Q6sek8bf92,i=1000001`],
      ['mandatory extension', `m=ext,r=${sha1.nonce}x,s=QSXCR+Q6sek8bf92,i=4096`],
      ['empty', ''],
    ])('scram: server-first with %s is malformed-request', (_, serverFirst) => {
      const client = Sasl.scram('SHA-256', 'user', 'pencil', sha1.nonce)
      expect(left(client.final(serverFirst)).condition).toBe('malformed-request')
    })

    it('scram: a small iteration count is accepted (the server chose it)', () => {
      const client = Sasl.scram('SHA-1', 'user', 'pencil', sha1.nonce)
      expect(E.isRight(client.final(`r=${sha1.nonce}x,s=QSXCR+Q6sek8bf92,i=1`))).toBe(true)
    })

    it('scram: `=` and `,` in the username are escaped (RFC 5802 §5.1)', () => {
      expect(Sasl.scram('SHA-1', 'a=b,c', 'p', 'abc').first).toBe('n,,n=a=3Db=2Cc,r=abc')
    })

    it('scram: the default nonce is 24 random bytes, base64, fresh each time', () => {
      const a = Sasl.scram('SHA-256', 'user', 'pencil')
      const b = Sasl.scram('SHA-256', 'user', 'pencil')
      const nonce = a.first.slice('n,,n=user,r='.length)
      expect(Buffer.from(nonce, 'base64')).toHaveLength(24)
      expect(a.first).not.toBe(b.first)
    })

    it('scram: an invalid test nonce is a programmer error', () => {
      expect(() => Sasl.scram('SHA-1', 'user', 'pencil', 'a,b')).toThrow(TypeError)
      expect(() => Sasl.scram('SHA-1', 'user', 'pencil', '')).toThrow(TypeError)
    })

    it('scram: the password is prepared as SASLprep maps it (non-ASCII space, NFKC)', () => {
      const proof = (password: string) =>
        right(Sasl.scram('SHA-1', 'user', password, sha1.nonce).final(sha1.serverFirst)).message
      expect(proof('pen\u00a0cil')).toBe(proof('pen cil'))
      expect(proof('pen\u00adcil')).toBe(sha1.final)
      expect(proof('\uff50encil')).toBe(sha1.final) // fullwidth p
    })

    it('scram: never throws on hostile server messages', () => {
      const client = Sasl.scram('SHA-1', 'user', 'pencil', sha1.nonce)
      const step = right(client.final(sha1.serverFirst))
      fc.assert(
        fc.property(fc.string(), (s) => {
          const first = client.final(s)
          if (E.isRight(first)) expect(s.startsWith(`r=${sha1.nonce}`)).toBe(true)
          expect(E.isLeft(step.verify(s)) || s.startsWith(sha1.serverFinal)).toBe(true)
        }),
      )
    })
  })
})
