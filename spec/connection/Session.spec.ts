/**
 * The session failures as values: each is its tagged record and an `Error` named after its tag,
 * with a bounded one-line message and a stack (what an unhandled rejection prints).
 */
import { inspect } from 'node:util'
import { describe, expect, it } from '@jest/globals'
import * as S from '../../src/connection/Session.js'

const each: ReadonlyArray<readonly [S.SessionError, string, ReadonlyArray<string>]> = [
  [
    S.connectionRefused('127.0.0.1', 5222, 'connect ECONNREFUSED 127.0.0.1:5222', 'ECONNREFUSED'),
    'connect ECONNREFUSED 127.0.0.1:5222',
    ['_tag', 'host', 'port', 'code', 'message'],
  ],
  [S.tlsFailure('the server refused STARTTLS'), 'the server refused STARTTLS', ['_tag', 'message']],
  [
    S.authFailure('not-authorized', 'Unable to authorize you'),
    'not-authorized: "Unable to authorize you"',
    ['_tag', 'condition', 'text'],
  ],
  [S.bindFailure('conflict'), 'conflict', ['_tag', 'condition']],
  [
    S.streamError('conflict', 'server', 'Replaced by new connection'),
    'conflict from the server: "Replaced by new connection"',
    ['_tag', 'condition', 'text', 'origin'],
  ],
  [
    S.streamError('policy-violation', 'client'),
    'policy-violation sent to the server',
    ['_tag', 'condition', 'origin'],
  ],
  [
    S.socketClosed('the server closed the stream'),
    'the server closed the stream',
    ['_tag', 'message'],
  ],
  [S.timeout('stream header'), 'timed out during stream header', ['_tag', 'stage']],
]

/** Rows for `it.each`, titled by tag. */
const rows = each.map(
  ([e, message, keys]) =>
    [e._tag === 'StreamError' ? `StreamError (${e.origin})` : e._tag, e, message, keys] as const,
)

describe('connection/Session', () => {
  describe('constructors', () => {
    it.each(rows)(
      '%s: an Error named after its tag, with a message and a stack',
      (_, e, message) => {
        expect(e).toBeInstanceOf(Error)
        expect(e.name).toBe(e._tag)
        expect(e.message).toBe(message)
        expect(String(e)).toBe(`${e._tag}: ${message}`)
        expect(e.stack?.split('\n')[0]).toBe(`${e._tag}: ${message}`)
        expect(e.stack).toMatch(/\n\s+at /)
        expect(inspect(e)).toContain(`${e._tag}: ${message}`)
      },
    )

    it.each(rows)('%s: its enumerable fields are the record, in order', (_, e, __, keys) => {
      expect(Object.keys(e)).toEqual(keys)
      expect(S.isSessionError(e)).toBe(true)
      expect(S.isSessionError({ ...e })).toBe(true)
    })

    it('the records are as before: an empty text is no text; `message` fields keep their value', () => {
      expect({ ...S.authFailure('not-authorized', '') }).toStrictEqual({
        _tag: 'AuthFailure',
        condition: 'not-authorized',
      })
      expect({ ...S.connectionRefused('h', 1, 'm') }).toStrictEqual({
        _tag: 'ConnectionRefused',
        host: 'h',
        port: 1,
        message: 'm',
      })
      expect(JSON.stringify(S.tlsFailure('x'))).toBe('{"_tag":"TlsFailure","message":"x"}')
    })

    it('messages are bounded and one line: what a server said is quoted, cut, escaped', () => {
      const e = S.authFailure('not-authorized', `a\u202eb\n${'x'.repeat(5000)}`)
      expect(e.message).toMatch(/^not-authorized: "a\\u202eb\\nx+…"$/)
      expect(e.message.length).toBeLessThan(250)
      expect(e.text).toHaveLength(5004)
      const odd = S.streamError(`c${'d'.repeat(500)}`, 'server')
      expect(odd.message.length).toBeLessThan(100)
      expect(S.socketClosed('y'.repeat(5000)).message.length).toBeLessThanOrEqual(300)
    })

    it('ended: a record, not an Error (not a failure)', () => {
      expect(S.ended).not.toBeInstanceOf(Error)
      expect(S.isSessionError(S.ended)).toBe(false)
    })
  })

  describe('utils', () => {
    it('format: one line per reason, as before', () => {
      expect(S.format(S.authFailure('not-authorized'))).toBe('AuthFailure: not-authorized')
      expect(S.format(S.connectionRefused('h', 1, 'm'))).toBe('ConnectionRefused: h:1: m')
      expect(S.format(S.streamError('conflict', 'server', 't'))).toBe(
        'StreamError (server): conflict (t)',
      )
      expect(S.format(S.ended)).toBe('Ended')
    })
  })
})
