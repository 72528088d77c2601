import { describe, expect, it } from '@jest/globals'
import { type Observable, Subject } from 'rxjs'
import * as Iq from '../../src/Iq.js'
import * as Message from '../../src/Message.js'
import { iqRequests, isIqRequest } from '../../src/rx/iqRequests.js'
import type { Stanza } from '../../src/Stanza.js'
import * as Xml from '../../src/Xml.js'
import { failed, pingEl, result, testScheduler } from './helpers.js'

const version = Xml.element('query', 'jabber:iq:version')
const roster = Xml.element('query', 'jabber:iq:roster')

const values: Record<'g' | 's' | 'r' | 'e' | 'm' | 'v', Stanza> = {
  g: Iq.get(version, { id: 'g' }),
  s: Iq.set(roster, { id: 's' }),
  r: result('r'),
  e: failed('e'),
  m: Message.make({ id: 'm', body: 'x' }),
  v: Iq.get(pingEl, { id: 'v' }),
}

describe('rx/iqRequests', () => {
  describe('operators', () => {
    it('iqRequests: no filter keeps every get/set, never results, errors or other kinds', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        expectObservable(cold('-g-s-r-e-m-v-|', values).pipe(iqRequests())).toBe(
          '-g-s-------v-|',
          values,
        )
      })
    })

    it('iqRequests: ns, name and type each filter; all given must hold', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const src = cold('-g-s-r-e-m-v-|', values)
        expectObservable(src.pipe(iqRequests({ ns: 'jabber:iq:version' }))).toBe(
          '-g-----------|',
          values,
        )
        expectObservable(src.pipe(iqRequests({ name: 'query' }))).toBe('-g-s---------|', values)
        expectObservable(src.pipe(iqRequests({ type: 'get' }))).toBe('-g---------v-|', values)
        expectObservable(src.pipe(iqRequests({ type: 'set' }))).toBe('---s---------|', values)
        expectObservable(src.pipe(iqRequests({ name: 'query', type: 'get' }))).toBe(
          '-g-----------|',
          values,
        )
        expectObservable(src.pipe(iqRequests({ name: 'ping', ns: 'jabber:iq:version' }))).toBe(
          '-------------|',
          values,
        )
        expectObservable(src.pipe(iqRequests({ name: 'ping', ns: 'urn:xmpp:ping' }))).toBe(
          '-----------v-|',
          values,
        )
      })
    })

    it('iqRequests: results/errors never pass even when their payload matches', () => {
      const echoed = Iq.make({ type: 'result', id: 'x', payload: [version] })
      expect(isIqRequest({ ns: 'jabber:iq:version' })(echoed)).toBe(false)
    })

    it('isIqRequest: a request without payload matches only an empty filter', () => {
      const empty = Iq.make({ type: 'get', id: 'x' })
      expect(isIqRequest()(empty)).toBe(true)
      expect(isIqRequest({ type: 'get' })(empty)).toBe(true)
      expect(isIqRequest({ ns: 'jabber:iq:version' })(empty)).toBe(false)
      expect(isIqRequest({ name: 'query' })(empty)).toBe(false)
    })

    it('iqRequests: narrows to Iq.Request', () => {
      const src: Observable<Stanza> = new Subject<Stanza>()
      const requests: Observable<Iq.Request> = src.pipe(iqRequests({ type: 'get' }))
      // @ts-expect-error only get and set are requests
      iqRequests({ type: 'result' })
      expect(requests).toBeDefined()
    })
  })
})
