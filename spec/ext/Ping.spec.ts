import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { NS, Ping, pong } from '../../src/ext/Ping.js'
import * as Iq from '../../src/Iq.js'
import { type IqHandler, serve } from '../../src/rx/serve.js'
import * as Stanza from '../../src/Stanza.js'
import * as StanzaError from '../../src/StanzaError.js'
import * as Xml from '../../src/Xml.js'
import { iqRequest } from '../arbitraries/Stanza.js'
import { wire } from '../rx/helpers.js'

const iq = (file: string): Iq.Iq => {
  const r = Stanza.decode(readFileSync(resolve(__dirname, '..', 'fixtures', file), 'utf8'))
  if (E.isLeft(r) || r.right.kind !== 'iq') throw new Error(`${file}: not an iq`)
  return r.right
}

const request = (file: string): Iq.Request => {
  const r = iq(file)
  if (!Iq.isRequest(r)) throw new Error(`${file}: not a request`)
  return r
}

/** The answer of a handler that answers synchronously with an `Iq`. */
const answer = (h: IqHandler, req: Iq.Request): Iq.Iq => {
  const a = h.handle(req)
  if (!Iq.is(a)) throw new Error('expected an Iq')
  return a
}

describe('ext/Ping', () => {
  describe('handlers', () => {
    it('pong: handles the iq get carrying <ping xmlns="urn:xmpp:ping"/> (XEP-0199 §3)', () => {
      expect(pong.name).toBe('ping')
      expect(pong.ns).toBe(NS)
      expect(pong.ns).toBe('urn:xmpp:ping')
      expect(pong.type).toBe('get')
      // `pong` is an `rx.IqHandler` as it is.
      const handler: IqHandler = pong
      expect(handler).toBe(pong)
    })

    it('pong: answers XEP-0199 Example 1 with the pong of Example 2 (XEP-0199 §4.1)', () => {
      const ping = request('xep-0199/s2c-ping.xml')
      const expected = iq('xep-0199/s2c-pong.xml')
      const { from: _stampedByTheServer, ...reply } = expected
      expect(answer(pong, ping)).toStrictEqual(reply)
    })

    it('pong: an IQ-result with the ping’s id, back to the pinging entity, and empty (XEP-0199 §3, §4.1)', () => {
      for (const file of [
        'xep-0199/s2c-ping.xml',
        'xep-0199/e2e-ping.xml',
        'xep-0199/component-ping.xml',
      ]) {
        const ping = request(file)
        const r = answer(pong, ping)
        expect(r.type).toBe('result')
        expect(r.id).toBe(ping.id)
        expect(r.to).toBe(ping.from)
        expect(r.payload).toStrictEqual([])
        expect('error' in r).toBe(false)
        // Encoded, the pong has no child at all (Example 2).
        const el = Xml.parse(Stanza.encode(r))
        expect(E.isRight(el) && el.right.children).toStrictEqual([])
      }
    })

    it('pong: any ping get gets the empty result with its id (XEP-0199 §3)', () => {
      fc.assert(
        fc.property(iqRequest, (req0) => {
          const req: Iq.Request = { ...req0, type: 'get', payload: [Ping.encode({})] }
          const r = answer(pong, req)
          expect(r).toStrictEqual(Iq.result(req))
          expect(Stanza.decode(Stanza.encode(r))).toStrictEqual(E.right(r))
        }),
        { numRuns: 100 },
      )
    })

    it('pong: served by rx.serve, it answers a ping and leaves other requests alone (XEP-0199 §4.1)', () => {
      const w = wire()
      const sub = serve(w.stream, [pong], { unhandledCondition: 'service-unavailable' })
      const ping = request('xep-0199/s2c-ping.xml')
      w.wire.next(ping)
      expect(w.sent).toStrictEqual([Iq.result(ping)])
      // A ping `set` is not a ping: unhandled, as an entity without ping support answers (Example 3).
      const set: Iq.Request = { ...ping, id: 's2c2', type: 'set' }
      w.wire.next(set)
      expect(w.sent).toHaveLength(2)
      const unsupported = w.sent[1] as Iq.Iq
      expect(unsupported.type).toBe('error')
      expect(unsupported.id).toBe('s2c2')
      expect(unsupported.error?.condition).toBe('service-unavailable')
      expect(StanzaError.is(unsupported.error)).toBe(true)
      sub.unsubscribe()
    })
  })
})
