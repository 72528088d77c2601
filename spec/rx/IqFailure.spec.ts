import { describe, expect, it } from '@jest/globals'
import * as IqFailure from '../../src/rx/IqFailure.js'
import * as StanzaError from '../../src/StanzaError.js'
import { failed, PEER, ping } from './helpers.js'

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
