/**
 * Reconnect backoff: the option checks, full-jitter delays as properties (bounds, determinism,
 * extremes, overflow, broken `random`s), which close reasons are worth a retry, and the target of
 * a `<see-other-host/>` stream error.
 */
import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import * as B from '../../../src/connection/internal/backoff.js'
import * as S from '../../../src/connection/Session.js'
import * as Xml from '../../../src/Xml.js'

// -------------------------------------------------------------------------------------
// fixtures
// -------------------------------------------------------------------------------------

const STREAM = 'http://etherx.jabber.org/streams'
const STREAM_ERRORS = 'urn:ietf:params:xml:ns:xmpp-streams'
/** The largest double below 1: what a `random` "just under 1" can return. */
const ALMOST_ONE = 1 - 2 ** -53

/** `min(maxDelay, initialDelay · 2^(attempt−1))`, computed naively (0 · ∞ is 0 here). */
const ceilingOf = (b: B.Backoff, attempt: number): number =>
  b.initialDelay === 0 ? 0 : Math.min(b.maxDelay, b.initialDelay * 2 ** (attempt - 1))

const arbBackoff: fc.Arbitrary<B.Backoff> = fc
  .record({
    initialDelay: fc.integer({ min: 0, max: 100_000 }),
    extra: fc.integer({ min: 0, max: 10_000_000 }),
    maxAttempts: fc.oneof(fc.constant(Number.POSITIVE_INFINITY), fc.integer({ min: 1, max: 100 })),
  })
  .map(({ initialDelay, extra, maxAttempts }) =>
    B.backoff({ initialDelay, maxDelay: initialDelay + extra, maxAttempts }),
  )
const arbAttempt = fc.integer({ min: 1, max: 2_000 })
const arbRandom = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true })

/** A stream error (RFC 6120 §4.9.2) whose condition is `<see-other-host>text</see-other-host>`. */
const seeOther = (text: string): Xml.XmlElement =>
  Xml.element('error', STREAM, {}, [
    Xml.element('see-other-host', STREAM_ERRORS, {}, text === '' ? [] : [text]),
  ])

const parsed = (xml: string): Xml.XmlElement => {
  const r = Xml.parse(xml)
  if (E.isLeft(r)) throw new Error(`test setup: ${r.left.message}`)
  return r.right
}

// -------------------------------------------------------------------------------------
// specs
// -------------------------------------------------------------------------------------

describe('connection/internal/backoff', () => {
  describe('backoff', () => {
    it('no options: the defaults (1 s doubling to a minute, forever), frozen', () => {
      const b = B.backoff()
      expect(b).toEqual({
        initialDelay: 1_000,
        maxDelay: 60_000,
        maxAttempts: Number.POSITIVE_INFINITY,
      })
      expect(b).toEqual(B.defaults)
      expect(Object.isFrozen(b)).toBe(true)
      expect(Object.isFrozen(B.defaults)).toBe(true)
      expect(B.backoff({})).toEqual(B.defaults)
    })

    it('options override the defaults one by one; the input is not kept', () => {
      const o = { initialDelay: 10, maxDelay: 20 }
      const b = B.backoff(o)
      expect(b).toEqual({ initialDelay: 10, maxDelay: 20, maxAttempts: Number.POSITIVE_INFINITY })
      expect(b).not.toBe(o)
      expect(Object.isFrozen(o)).toBe(false)
      expect(B.backoff({ maxAttempts: 3 })).toEqual({ ...B.defaults, maxAttempts: 3 })
      expect(B.backoff({ maxDelay: 1_000 })).toEqual({ ...B.defaults, maxDelay: 1_000 })
    })

    it('edge values are accepted: zero delays, equal delays, one attempt, the largest counts', () => {
      expect(B.backoff({ initialDelay: 0, maxDelay: 0, maxAttempts: 1 })).toEqual({
        initialDelay: 0,
        maxDelay: 0,
        maxAttempts: 1,
      })
      expect(B.backoff({ initialDelay: 5, maxDelay: 5 }).maxDelay).toBe(5)
      expect(B.backoff({ maxAttempts: Number.MAX_SAFE_INTEGER }).maxAttempts).toBe(
        Number.MAX_SAFE_INTEGER,
      )
      expect(B.backoff({ maxDelay: Number.MAX_VALUE }).maxDelay).toBe(Number.MAX_VALUE)
      expect(B.backoff({ initialDelay: 0.5, maxDelay: 1.5 }).initialDelay).toBe(0.5)
    })

    it.each<[string, Partial<B.Backoff>, RegExp]>([
      ['initialDelay < 0', { initialDelay: -1 }, /initialDelay.*-1/],
      ['initialDelay NaN', { initialDelay: Number.NaN }, /initialDelay.*NaN/],
      ['initialDelay ∞', { initialDelay: Number.POSITIVE_INFINITY }, /initialDelay/],
      ['initialDelay a string', { initialDelay: '5' as unknown as number }, /initialDelay/],
      ['initialDelay null', { initialDelay: null as unknown as number }, /initialDelay/],
      ['initialDelay undefined', { initialDelay: undefined as unknown as number }, /initialDelay/],
      ['maxDelay < initialDelay', { initialDelay: 10, maxDelay: 9 }, /maxDelay.*9/],
      ['initialDelay over the default maxDelay', { initialDelay: 120_000 }, /maxDelay.*60000/],
      ['maxDelay < 0', { initialDelay: 0, maxDelay: -1 }, /maxDelay/],
      ['maxDelay NaN', { maxDelay: Number.NaN }, /maxDelay.*NaN/],
      ['maxDelay ∞', { maxDelay: Number.POSITIVE_INFINITY }, /maxDelay.*Infinity/],
      ['maxDelay a string', { maxDelay: '60000' as unknown as number }, /maxDelay/],
      ['maxAttempts 0', { maxAttempts: 0 }, /maxAttempts.*0/],
      ['maxAttempts < 0', { maxAttempts: -1 }, /maxAttempts/],
      ['maxAttempts fractional', { maxAttempts: 1.5 }, /maxAttempts.*1\.5/],
      ['maxAttempts NaN', { maxAttempts: Number.NaN }, /maxAttempts/],
      ['maxAttempts −∞', { maxAttempts: Number.NEGATIVE_INFINITY }, /maxAttempts/],
      ['maxAttempts past 2^53', { maxAttempts: 2 ** 53 }, /maxAttempts/],
      ['maxAttempts a string', { maxAttempts: '3' as unknown as number }, /maxAttempts/],
    ])('%s: RangeError naming the option', (_, o, message) => {
      expect(() => B.backoff(o)).toThrow(RangeError)
      expect(() => B.backoff(o)).toThrow(message)
    })

    it('property: every ordered pair of finite delays ≥ 0 is accepted as given', () => {
      fc.assert(
        fc.property(
          fc.double({ min: 0, max: 1e12, noNaN: true }),
          fc.double({ min: 0, max: 1e12, noNaN: true }),
          fc.integer({ min: 1 }),
          (a, c, maxAttempts) => {
            const [initialDelay, maxDelay] = a <= c ? [a, c] : [c, a]
            expect(B.backoff({ initialDelay, maxDelay, maxAttempts })).toEqual({
              initialDelay,
              maxDelay,
              maxAttempts,
            })
          },
        ),
      )
    })
  })

  describe('delay', () => {
    it('property: 0 ≤ delay ≤ min(maxDelay, initialDelay · 2^(attempt−1)), a whole number of ms', () => {
      fc.assert(
        fc.property(arbBackoff, arbAttempt, arbRandom, (b, attempt, r) => {
          const d = B.delay(b, attempt, () => r)
          expect(d).toBeGreaterThanOrEqual(0)
          expect(d).toBeLessThanOrEqual(ceilingOf(b, attempt))
          expect(Number.isInteger(d)).toBe(true)
        }),
      )
    })

    it('property: with the default Math.random, still within the bounds', () => {
      fc.assert(
        fc.property(arbBackoff, arbAttempt, (b, attempt) => {
          const d = B.delay(b, attempt)
          expect(d >= 0 && d <= ceilingOf(b, attempt)).toBe(true)
        }),
      )
    })

    it('property: deterministic for an injected random, which is called once', () => {
      fc.assert(
        fc.property(arbBackoff, arbAttempt, arbRandom, (b, attempt, r) => {
          let calls = 0
          const random = (): number => {
            calls++
            return r
          }
          const first = B.delay(b, attempt, random)
          expect(calls).toBe(1)
          expect(B.delay(b, attempt, random)).toBe(first)
        }),
      )
    })

    it('property: random() → 0 gives 0', () => {
      fc.assert(
        fc.property(arbBackoff, arbAttempt, (b, attempt) => {
          expect(B.delay(b, attempt, () => 0)).toBe(0)
        }),
      )
    })

    it('property: random just under 1 gives the ceiling', () => {
      fc.assert(
        fc.property(arbBackoff, arbAttempt, (b, attempt) => {
          expect(B.delay(b, attempt, () => ALMOST_ONE)).toBe(ceilingOf(b, attempt))
        }),
      )
    })

    it('property: full jitter is uniform: the draw (k + ½)/(ceiling + 1) gives k', () => {
      fc.assert(
        fc.property(
          arbBackoff,
          arbAttempt,
          fc.double({ min: 0, max: 1, noNaN: true }),
          (b, a, u) => {
            const c = ceilingOf(b, a)
            const k = Math.min(c, Math.floor(u * (c + 1)))
            expect(B.delay(b, a, () => (k + 0.5) / (c + 1))).toBe(k)
          },
        ),
      )
    })

    it('property: monotone in the draw, and in the attempt for a fixed draw', () => {
      fc.assert(
        fc.property(arbBackoff, arbAttempt, arbRandom, arbRandom, (b, attempt, r1, r2) => {
          const [lo, hi] = r1 <= r2 ? [r1, r2] : [r2, r1]
          expect(B.delay(b, attempt, () => lo)).toBeLessThanOrEqual(B.delay(b, attempt, () => hi))
          expect(B.delay(b, attempt, () => hi)).toBeLessThanOrEqual(
            B.delay(b, attempt + 1, () => hi),
          )
        }),
      )
    })

    it('the ceilings double from initialDelay and stop at maxDelay', () => {
      const b = B.backoff({ initialDelay: 1_000, maxDelay: 10_000 })
      const ceilings = [1, 2, 3, 4, 5, 6].map((a) => B.delay(b, a, () => ALMOST_ONE))
      expect(ceilings).toEqual([1_000, 2_000, 4_000, 8_000, 10_000, 10_000])
      expect(B.delay(b, 1, () => 0.5)).toBe(500)
      expect(B.delay(B.backoff({ initialDelay: 0, maxDelay: 0 }), 7, () => ALMOST_ONE)).toBe(0)
    })

    it.each([1_025, 1e6, Number.MAX_SAFE_INTEGER, 1e308, Number.POSITIVE_INFINITY])(
      'a huge attempt number (%d) does not overflow: capped by maxDelay',
      (attempt) => {
        const b = B.backoff()
        expect(B.delay(b, attempt, () => ALMOST_ONE)).toBe(60_000)
        expect(B.delay(b, attempt, () => 0.5)).toBe(30_000)
        const wide = B.backoff({ initialDelay: 1e300, maxDelay: Number.MAX_VALUE })
        // initialDelay · 2^52 is past Number.MAX_VALUE here: the cap still holds, nothing is ∞
        const d = B.delay(wide, attempt, () => ALMOST_ONE)
        expect(Number.isFinite(d)).toBe(true)
        expect(d).toBeLessThanOrEqual(Number.MAX_VALUE)
        expect(d).toBeGreaterThan(Number.MAX_VALUE * 0.999)
        expect(B.delay(wide, attempt, () => 0)).toBe(0)
      },
    )

    it.each([
      Number.NaN,
      1,
      -1,
      -Number.MIN_VALUE,
      1.5,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
    ])('a bad random() value (%p) is treated safely: a finite delay within the bounds', (r) => {
      fc.assert(
        fc.property(arbBackoff, arbAttempt, (b, attempt) => {
          const d = B.delay(b, attempt, () => r)
          expect(Number.isFinite(d)).toBe(true)
          expect(d).toBeGreaterThanOrEqual(0)
          expect(d).toBeLessThanOrEqual(ceilingOf(b, attempt))
        }),
      )
      expect(B.delay(B.defaults, 3, () => r)).toBe(0) // out of [0, 1): read as 0
    })
  })

  describe('retryable', () => {
    it.each<[string, S.CloseReason, boolean]>([
      ['Ended', S.ended, false],
      ['AuthFailure not-authorized', S.authFailure('not-authorized', 'bad password'), false],
      ['AuthFailure account-disabled', S.authFailure('account-disabled'), false],
      ['AuthFailure invalid-mechanism', S.authFailure('invalid-mechanism'), false],
      ['AuthFailure credentials-expired', S.authFailure('credentials-expired'), false],
      ['AuthFailure invalid-server-signature', S.authFailure('invalid-server-signature'), false],
      ['AuthFailure temporary-auth-failure', S.authFailure('temporary-auth-failure'), true],
      ['BindFailure conflict', S.bindFailure('conflict'), false],
      ['BindFailure not-allowed', S.bindFailure('not-allowed', 'no'), false],
      ['BindFailure internal-server-error', S.bindFailure('internal-server-error'), false],
      [
        'StreamError conflict',
        S.streamError('conflict', 'server', 'Replaced by new connection'),
        false,
      ],
      ['StreamError not-authorized', S.streamError('not-authorized', 'server', 'no'), false],
      ['StreamError host-unknown', S.streamError('host-unknown', 'server', 'who?'), false],
      ['StreamError system-shutdown', S.streamError('system-shutdown', 'server', 'bye'), true],
      ['StreamError reset', S.streamError('reset', 'server', 'again'), true],
      ['StreamError see-other-host', S.streamError('see-other-host', 'server'), true],
      ['StreamError connection-timeout', S.streamError('connection-timeout', 'server', ''), true],
      ['StreamError policy-violation (ours)', S.streamError('policy-violation', 'client'), true],
      ['SocketClosed', S.socketClosed('the server closed the connection'), true],
      ['Timeout features', S.timeout('features'), true],
      ['Timeout connect', S.timeout('connect'), true],
      [
        'ConnectionRefused',
        S.connectionRefused('127.0.0.1', 5222, 'connect ECONNREFUSED', 'ECONNREFUSED'),
        true,
      ],
      ['ConnectionRefused without a code', S.connectionRefused('x.example', 5222, 'nope'), true],
      ['TlsFailure', S.tlsFailure('self-signed certificate'), true],
    ])('%s → %p', (_, reason, expected) => {
      expect(B.retryable(reason)).toBe(expected)
    })
  })

  describe('seeOtherHost', () => {
    it.each<[string, string, number]>([
      ['host', 'host', 5222],
      ['host:5223', 'host', 5223],
      ['[::1]:5333', '::1', 5333],
      ['[::1]', '::1', 5222],
      ['127.0.0.1:80', '127.0.0.1', 80],
      ['  xmpp.example.net:5269 \n', 'xmpp.example.net', 5269],
    ])('%p → that host and port, STARTTLS', (text, host, port) => {
      expect(B.seeOtherHost(seeOther(text))).toEqual({ directTls: false, host, port })
    })

    it('reads a parsed <stream:error/> too', () => {
      const el = parsed(
        `<stream:error xmlns:stream='${STREAM}'><see-other-host xmlns='${STREAM_ERRORS}'>[2001:db8::1]:9999</see-other-host></stream:error>`,
      )
      expect(B.seeOtherHost(el)).toEqual({ directTls: false, host: '2001:db8::1', port: 9999 })
    })

    it('a <text/> beside the condition does not matter', () => {
      const el = Xml.element('error', STREAM, {}, [
        Xml.element('see-other-host', STREAM_ERRORS, {}, ['other.example']),
        Xml.element('text', STREAM_ERRORS, { 'xml:lang': 'en' }, ['moved']),
      ])
      expect(B.seeOtherHost(el)).toEqual({ directTls: false, host: 'other.example', port: 5222 })
    })

    it.each([
      ['empty', ''],
      ['whitespace', ' \t\n '],
      ['a path', 'host/path'],
      ['a URL', 'xmpp://host:5222/'],
      ['a user', 'user@host'],
      ['a query', 'host?x=1'],
      ['a fragment', 'host#x'],
      ['inner whitespace', 'ho st'],
      ['a port past 65535', 'host:99999'],
      ['a port that is not a number', 'host:abc'],
      ['two ports', 'host:5222:1'],
      ['an IPv6 address without brackets', '::1'],
      ['over 300 characters', 'a'.repeat(301)],
    ])('%s → undefined', (_, text) => {
      expect(B.seeOtherHost(seeOther(text))).toBeUndefined()
    })

    it('not a see-other-host error → undefined', () => {
      const conflict = Xml.element('error', STREAM, {}, [Xml.element('conflict', STREAM_ERRORS)])
      expect(B.seeOtherHost(conflict)).toBeUndefined()
      // the right name in another namespace
      const foreign = Xml.element('error', STREAM, {}, [
        Xml.element('see-other-host', 'urn:example:other', {}, ['host']),
      ])
      expect(B.seeOtherHost(foreign)).toBeUndefined()
      expect(B.seeOtherHost(Xml.element('error', STREAM))).toBeUndefined()
      expect(B.seeOtherHost(parsed("<message xmlns='jabber:client'/>"))).toBeUndefined()
    })

    it('property: never throws, and any answer has a host and a port in 0..65535', () => {
      fc.assert(
        fc.property(fc.string({ maxLength: 40 }), (text) => {
          const s = B.seeOtherHost(seeOther(text))
          if (s !== undefined) {
            expect(s.directTls).toBe(false)
            expect(s.host).not.toBe('')
            expect(Number.isInteger(s.port) && s.port >= 0 && s.port <= 65535).toBe(true)
          }
        }),
      )
    })
  })
})
