import { inspect } from 'node:util'
import { describe, expect, it } from '@jest/globals'
import * as DecodeError from '../../src/DecodeError.js'
import * as Iq from '../../src/Iq.js'
import * as IqFailure from '../../src/rx/IqFailure.js'
import * as StanzaError from '../../src/StanzaError.js'
import * as Xml from '../../src/Xml.js'
import { failed, PEER, ping, result } from './helpers.js'

const req = ping('f1', PEER)
const response = failed('f1', PEER, StanzaError.make('not-allowed'))
const all: ReadonlyArray<IqFailure.IqFailure> = [
  IqFailure.iqError(req, response),
  IqFailure.iqTimeout(req),
  IqFailure.iqClosed(req),
]

describe('rx/IqFailure', () => {
  describe('constructors', () => {
    it('iqError: carries request, response and the response error', () => {
      expect(IqFailure.iqError(req, response)).toEqual({
        _tag: 'IqError',
        request: req,
        response,
        error: StanzaError.make('not-allowed'),
      })
    })

    it('iqTimeout / iqClosed: carry the request', () => {
      expect(IqFailure.iqTimeout(req)).toEqual({ _tag: 'IqTimeout', request: req })
      expect(IqFailure.iqClosed(req)).toEqual({ _tag: 'IqClosed', request: req })
    })
  })

  describe('as Errors (a rejected Promise prints usefully)', () => {
    const bad = IqFailure.iqBadResponse(
      req,
      result('f1', PEER),
      DecodeError.make([
        DecodeError.problem('iq/query', 'bad-request', 'missing'),
        DecodeError.problem('iq/query@x', 'bad-request', 'other'),
      ]),
    )
    const each: ReadonlyArray<readonly [string, IqFailure.QueryFailure, string]> = [
      [
        'IqError',
        IqFailure.iqError(req, response),
        `not-allowed (cancel) from ${PEER} in answer to iq get <ping xmlns='urn:xmpp:ping'/> id=f1 to ${PEER}`,
      ],
      [
        'IqTimeout',
        IqFailure.iqTimeout(req),
        `no answer to iq get <ping xmlns='urn:xmpp:ping'/> id=f1 to ${PEER} within the timeout`,
      ],
      [
        'IqClosed',
        IqFailure.iqClosed(req),
        `the stream ended before an answer to iq get <ping xmlns='urn:xmpp:ping'/> id=f1 to ${PEER}`,
      ],
      [
        'IqBadResponse',
        bad,
        `the result from ${PEER} to iq get <ping xmlns='urn:xmpp:ping'/> id=f1 to ${PEER} does not decode: iq/query: bad-request: missing (+1 more)`,
      ],
    ]

    it.each(each)(
      '%s: an Error named after its tag, with a message and a stack',
      (tag, e, message) => {
        expect(e).toBeInstanceOf(Error)
        expect(e.name).toBe(tag)
        expect(e.message).toBe(message)
        expect(String(e)).toBe(`${tag}: ${message}`)
        expect(e.stack?.split('\n')[0]).toBe(`${tag}: ${message}`)
        expect(e.stack).toMatch(/\n\s+at /)
        expect(inspect(e)).toContain(`${tag}: ${message}`)
      },
    )

    it.each(each)(
      '%s: its enumerable fields are the record, readable by the refinements',
      (tag, e) => {
        expect(e._tag).toBe(tag)
        expect(Object.keys(e)).toEqual(
          tag === 'IqTimeout' || tag === 'IqClosed'
            ? ['_tag', 'request']
            : ['_tag', 'request', 'response', 'error'],
        )
        expect(JSON.parse(JSON.stringify(e))).toEqual(JSON.parse(JSON.stringify({ ...e })))
        expect(IqFailure.isIqFailure(e)).toBe(tag !== 'IqBadResponse')
        expect(IqFailure.isIqBadResponse(e)).toBe(tag === 'IqBadResponse')
      },
    )

    it('specs compare failures by their records, not by message alone (spec/setup.ts)', () => {
      const echoed = Iq.make({ ...response, payload: [Xml.element('ping', 'urn:xmpp:ping')] })
      expect(IqFailure.iqError(req, echoed).message).toBe(IqFailure.iqError(req, response).message)
      expect(IqFailure.iqError(req, echoed)).not.toEqual(IqFailure.iqError(req, response))
      expect(IqFailure.iqError(req, response)).toEqual(IqFailure.iqError(req, response))
      expect(IqFailure.iqTimeout(req)).not.toEqual(IqFailure.iqClosed(req))
      expect(IqFailure.iqTimeout(req)).not.toEqual({ _tag: 'IqTimeout', request: req, more: 1 })
      expect(IqFailure.iqTimeout(req)).toMatchObject({ _tag: 'IqTimeout' })
      expect(IqFailure.iqTimeout(req)).not.toMatchObject({ _tag: 'IqClosed' })
    })

    it('iqError: the response text, quoted and cut; no condition reads undefined-condition', () => {
      const text = `${'x'.repeat(500)}`
      const e = IqFailure.iqError(
        req,
        failed('f1', undefined, StanzaError.make('conflict', { text: 'in\u202eline\nnext' })),
      )
      expect(e.message).toBe(
        `conflict (cancel) in answer to iq get <ping xmlns='urn:xmpp:ping'/> id=f1 to ${PEER}: "in\\u202eline\\nnext"`,
      )
      const long = IqFailure.iqError(
        req,
        failed('f1', PEER, StanzaError.make('conflict', { text })),
      )
      expect(long.message.length).toBeLessThan(400)
      expect(IqFailure.iqError(req, Iq.make({ type: 'error', id: 'f1' })).message).toMatch(
        /^undefined-condition \(cancel\) in answer to /,
      )
    })

    it('messages are bounded and one line: long or odd ids, names and namespaces are cut and escaped', () => {
      const odd = Iq.get(Xml.element('q', `urn:${'n'.repeat(5000)}`), {
        id: `a\nb${'i'.repeat(5000)}`,
      })
      const e = IqFailure.iqTimeout(odd)
      expect(e.message.length).toBeLessThan(300)
      expect(e.message).not.toContain('\n')
      expect(e.message).toMatch(
        /^no answer to iq get <q xmlns='"urn:n+…"'\/> id="a\\nbi+…" within the timeout$/,
      )
      // only the payload's name and namespace: never its content
      const secret = Iq.set(
        Xml.element('query', 'jabber:iq:auth', {}, [
          Xml.element('password', 'jabber:iq:auth', {}, ['hunter2']),
        ]),
        { id: 's1' },
      )
      expect(String(IqFailure.iqTimeout(secret))).not.toContain('hunter2')
    })
  })

  describe('refinements', () => {
    it('isIqError / isIqTimeout / isIqClosed: exactly one holds for each failure', () => {
      for (const f of all) {
        const hits = [IqFailure.isIqError(f), IqFailure.isIqTimeout(f), IqFailure.isIqClosed(f)]
        expect(hits.filter(Boolean)).toHaveLength(1)
        expect(IqFailure.isIqFailure(f)).toBe(true)
      }
    })

    it('isIqFailure: false for anything else, including plain Errors', () => {
      for (const u of [undefined, null, 0, 'IqError', new Error('x'), { _tag: 'Other' }, req]) {
        expect(IqFailure.isIqFailure(u)).toBe(false)
      }
    })
  })

  describe('pattern matching', () => {
    it('matchIqFailure: dispatches on the tag', () => {
      const f = IqFailure.matchIqFailure({
        IqError: (e) => `error ${e.error.condition}`,
        IqTimeout: () => 'timeout',
        IqClosed: () => 'closed',
      })
      expect(all.map(f)).toEqual(['error not-allowed', 'timeout', 'closed'])
    })
  })
})
