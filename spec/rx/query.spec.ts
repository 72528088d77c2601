import { describe, expect, it } from '@jest/globals'
import { type ObservedValueOf, Subject } from 'rxjs'
import { Delay } from '../../src/ext/Delay.js'
import { DiscoInfo, DiscoItems, INFO, ITEMS } from '../../src/ext/Disco.js'
import { Ping } from '../../src/ext/Ping.js'
import { Version } from '../../src/ext/Version.js'
import * as Iq from '../../src/Iq.js'
import type * as Jid from '../../src/Jid.js'
import { type IqBadResponse, iqClosed, iqError, iqTimeout } from '../../src/rx/IqFailure.js'
import { query } from '../../src/rx/query.js'
import { pendingCount } from '../../src/rx/request.js'
import type { StanzaStream } from '../../src/rx/StanzaStream.js'
import type { Stanza } from '../../src/Stanza.js'
import * as StanzaError from '../../src/StanzaError.js'
import * as Xml from '../../src/Xml.js'
import type { Equals } from '../helpers.js'
import {
  failed,
  hotStream,
  MALLORY,
  ME,
  MY_DOMAIN,
  PEER,
  PEER_BARE,
  recorder,
  testScheduler,
  wire,
} from './helpers.js'

const emptyInfo: DiscoInfo = { identities: [], features: [], extensions: [] }

/** Our disco#info get to the peer. */
const infoGet = (id: string, to: Jid.Jid | undefined = PEER): Iq.Request =>
  Iq.get(DiscoInfo.encode(emptyInfo), { id, ...(to === undefined ? {} : { to }) })

const info: DiscoInfo = {
  identities: [{ category: 'client', type: 'pc', name: 'Romeo' }],
  features: [INFO, 'urn:xmpp:ping'],
  extensions: [],
}

/** A result for `id` from `from` carrying `payload`. */
const answer = (id: string, from: Jid.Jid | undefined, ...payload: Xml.XmlElement[]): Iq.Iq =>
  Iq.make({ type: 'result', id, payload, ...(from === undefined ? {} : { from }) })

const itemsGet = (id: string): Iq.Request =>
  Iq.get(DiscoItems.encode({ items: [] }), { id, to: PEER })

const item = (jid: string): Xml.XmlElement => Xml.element('item', ITEMS, { jid })

/** What an `IqBadResponse` must look like: `request` and `response` as given, a path. */
const badResponse = (
  request: Iq.Iq,
  response: Iq.Iq,
  path: string,
  condition: 'bad-request' | 'jid-malformed',
): unknown =>
  expect.objectContaining({
    _tag: 'IqBadResponse',
    request,
    response,
    error: {
      _tag: 'DecodeError',
      problems: [expect.objectContaining({ path, condition, message: expect.any(String) })],
    },
  })

describe('rx/query', () => {
  // -----------------------------------------------------------------------------------
  describe('marbles (virtual time)', () => {
    it('query: sends on subscribe, emits the decoded record of a valid result, completes', () => {
      const ts = testScheduler()
      const req = infoGet('q1')
      const r = answer('q1', PEER, DiscoInfo.encode(info))
      let sent: Array<Stanza> = []
      ts.run(({ hot, expectObservable, expectSubscriptions }) => {
        const incoming = hot<Stanza>('---r--', { r })
        const h = hotStream(incoming)
        sent = h.sent
        expectObservable(query(h.stream, { timeout: 10, scheduler: ts })(DiscoInfo, req)).toBe(
          '---(q|)',
          { q: info },
        )
        expectSubscriptions(incoming.subscriptions).toBe('^--!')
      })
      expect(sent).toEqual([req])
    })

    it('query: unknown attributes and children of the result survive in $rest', () => {
      const ts = testScheduler()
      const req = Iq.get(Version.encode({}), { id: 'v1', to: PEER })
      const el = Xml.element('query', 'jabber:iq:version', { 'xml:lang': 'en' }, [
        Xml.element('name', 'jabber:iq:version', {}, ['Exodus']),
        Xml.element('build', 'urn:example', {}, ['42']),
        Xml.element('version', 'jabber:iq:version', {}, ['0.7.0.4']),
      ])
      const r = answer('v1', PEER, el)
      ts.run(({ hot, expectObservable }) => {
        const { stream } = hotStream(hot<Stanza>('-r', { r }))
        const v$ = query(stream, { timeout: 10, scheduler: ts })(Version, req)
        expectObservable(v$).toBe('-(v|)', {
          v: {
            name: 'Exodus',
            version: '0.7.0.4',
            $rest: {
              attrs: { 'xml:lang': 'en' },
              children: [{ at: 1, node: Xml.element('build', 'urn:example', {}, ['42']) }],
            },
          },
        })
      })
    })

    it('query: a result without the element fails with IqBadResponse (path iq/…)', () => {
      const req = infoGet('q1')
      const values = {
        e: answer('q1', PEER), // empty result
        o: answer('q1', PEER, DiscoItems.encode({ items: [] })), // same name, other namespace
      }
      for (const k of ['e', 'o'] as const) {
        const ts = testScheduler()
        ts.run(({ hot, expectObservable }) => {
          const { stream } = hotStream(hot<Stanza>('--x', { x: values[k] }))
          expectObservable(query(stream, { timeout: 10, scheduler: ts })(DiscoInfo, req)).toBe(
            '--#',
            undefined,
            badResponse(req, values[k], 'iq/query', 'bad-request'),
          )
        })
      }
    })

    it('query: an invalid element fails with IqBadResponse carrying its path and condition', () => {
      const req = itemsGet('i1')
      const values = {
        a: answer('i1', PEER, Xml.element('query', ITEMS, {}, [item('@bad')])),
        b: answer('i1', PEER, Xml.element('query', ITEMS, {}, [item('a.example'), item('@bad')])),
        c: answer('i1', PEER, Xml.element('query', INFO, {}, [Xml.element('feature', INFO)])),
      }
      const ts1 = testScheduler()
      ts1.run(({ hot, expectObservable }) => {
        const { stream } = hotStream(hot<Stanza>('--a', values))
        expectObservable(query(stream, { timeout: 10, scheduler: ts1 })(DiscoItems, req)).toBe(
          '--#',
          undefined,
          badResponse(req, values.a, 'iq/query/item@jid', 'jid-malformed'),
        )
      })
      const ts2 = testScheduler()
      ts2.run(({ hot, expectObservable }) => {
        const { stream } = hotStream(hot<Stanza>('--b', values))
        expectObservable(query(stream, { timeout: 10, scheduler: ts2 })(DiscoItems, req)).toBe(
          '--#',
          undefined,
          badResponse(req, values.b, 'iq/query/item[2]@jid', 'jid-malformed'),
        )
      })
      const infoReq = infoGet('i1')
      const ts3 = testScheduler()
      ts3.run(({ hot, expectObservable }) => {
        const { stream } = hotStream(hot<Stanza>('--c', values))
        expectObservable(query(stream, { timeout: 10, scheduler: ts3 })(DiscoInfo, infoReq)).toBe(
          '--#',
          undefined,
          badResponse(infoReq, values.c, 'iq/query/feature@var', 'bad-request'),
        )
      })
    })

    it('query: IqError passes through unchanged (even when the error carries the payload)', () => {
      const req = infoGet('q1')
      const e = failed('q1', PEER, StanzaError.make('service-unavailable'))
      const withPayload = { ...e, payload: [DiscoInfo.encode(info)] }
      for (const response of [e, withPayload]) {
        const ts = testScheduler()
        ts.run(({ hot, expectObservable }) => {
          const { stream } = hotStream(hot<Stanza>('--e', { e: response }))
          expectObservable(query(stream, { timeout: 10, scheduler: ts })(DiscoInfo, req)).toBe(
            '--#',
            undefined,
            iqError(req, response),
          )
        })
      }
    })

    it('query: IqTimeout in virtual time (timeout + scheduler)', () => {
      const ts = testScheduler()
      const req = infoGet('q1')
      const late = answer('q1', PEER, DiscoInfo.encode(info))
      ts.run(({ hot, expectObservable, expectSubscriptions }) => {
        const incoming = hot<Stanza>('12ms r', { r: late })
        const { stream } = hotStream(incoming)
        expectObservable(query(stream, { timeout: 10, scheduler: ts })(DiscoInfo, req)).toBe(
          '10ms #',
          undefined,
          iqTimeout(req),
        )
        expectSubscriptions(incoming.subscriptions).toBe('^ 9ms !')
      })
    })

    it('query: IqClosed when incoming completes or errors first', () => {
      const req = infoGet('q1')
      for (const marbles of ['--|', '--#']) {
        const ts = testScheduler()
        ts.run(({ hot, expectObservable }) => {
          const { stream } = hotStream(hot<Stanza>(marbles, undefined, new Error('reset')))
          expectObservable(query(stream, { timeout: 10, scheduler: ts })(DiscoInfo, req)).toBe(
            '--#',
            undefined,
            iqClosed(req),
          )
        })
      }
    })

    it('query: spoofed answers are ignored like rx.request; the genuine one is decoded', () => {
      const ts = testScheduler()
      const req = infoGet('q1')
      const forged: DiscoInfo = { identities: [], features: ['urn:evil'], extensions: [] }
      const values = {
        // a valid payload from someone else: not the answer (docs/security.md §6)
        f: answer('q1', MALLORY, DiscoInfo.encode(forged)),
        // an invalid payload from someone else: must not fail the query either
        x: answer('q1', MALLORY),
        // the peer's bare JID is not the full JID we asked
        b: answer('q1', PEER_BARE, DiscoInfo.encode(forged)),
        // nor is an answer without from
        a: answer('q1', undefined, DiscoInfo.encode(forged)),
        // an error from someone else does not fail it
        e: failed('q1', MALLORY),
        r: answer('q1', PEER, DiscoInfo.encode(info)),
      }
      ts.run(({ hot, expectObservable }) => {
        const { stream } = hotStream(hot<Stanza>('-f-x-b-a-e-r-r', values))
        expectObservable(query(stream, { timeout: 20, scheduler: ts })(DiscoInfo, req)).toBe(
          '11ms (q|)',
          { q: info },
        )
      })
    })

    it('query: unsubscribing before the answer forgets the request', () => {
      const ts = testScheduler()
      const r = answer('q1', PEER, DiscoInfo.encode(info))
      let stream: StanzaStream | undefined
      ts.run(({ hot, expectObservable, expectSubscriptions }) => {
        const incoming = hot<Stanza>('-----r', { r })
        const h = hotStream(incoming)
        stream = h.stream
        expectObservable(
          query(h.stream, { timeout: 10, scheduler: ts })(DiscoInfo, infoGet('q1')),
          '^--!',
        ).toBe('')
        expectSubscriptions(incoming.subscriptions).toBe('^--!')
      })
      expect(stream === undefined ? -1 : pendingCount(stream)).toBe(0)
    })
  })

  // -----------------------------------------------------------------------------------
  describe('lifecycle', () => {
    it('query: cold — nothing sent before subscribe, exactly one send per subscription', () => {
      const w = wire({ jid: ME })
      const req = infoGet('c1')
      const q$ = query(w.stream, { timeout: Number.POSITIVE_INFINITY })(DiscoInfo, req)
      expect(w.sent).toEqual([])
      expect(w.listeners()).toBe(0)
      const first = recorder()
      q$.subscribe(first.observer)
      expect(w.sent).toEqual([req])
      w.wire.next(answer('c1', PEER, DiscoInfo.encode(info)))
      expect(first.seen).toEqual([{ next: info }, { complete: true }])
      const second = recorder()
      q$.subscribe(second.observer)
      expect(w.sent).toEqual([req, req])
      w.wire.next(answer('c1', PEER, DiscoInfo.encode(emptyInfo)))
      expect(second.seen).toEqual([{ next: emptyInfo }, { complete: true }])
      expect(w.sent).toHaveLength(2)
      expect(pendingCount(w.stream)).toBe(0)
      expect(w.listeners()).toBe(0)
    })

    it('query: a synchronous reply (from within send) is caught', () => {
      const w = wire({
        jid: ME,
        onSend: (s, wire) => {
          if (s.kind === 'iq' && s.type === 'get')
            wire.next(answer(s.id, s.to, DiscoInfo.encode(info)))
        },
      })
      const { seen, observer } = recorder()
      query(w.stream)(DiscoInfo, infoGet('s1')).subscribe(observer)
      expect(seen).toEqual([{ next: info }, { complete: true }])
      expect(pendingCount(w.stream)).toBe(0)
    })

    it('query: the IqBadResponse value (request, response, DecodeError) in detail', () => {
      const w = wire({ jid: ME })
      const req = itemsGet('d1')
      const { seen, observer } = recorder()
      query(w.stream)(DiscoItems, req).subscribe(observer)
      const response = answer('d1', PEER, Xml.element('query', ITEMS, {}, [item('@bad')]))
      w.wire.next(response)
      expect(seen).toHaveLength(1)
      const [only] = seen
      const failure = (only as { readonly error: IqBadResponse }).error
      expect(failure._tag).toBe('IqBadResponse')
      expect(failure.request).toBe(req)
      expect(failure.response).toBe(response)
      expect(failure.error._tag).toBe('DecodeError')
      expect(failure.error.problems).toHaveLength(1)
      expect(failure.error.problems[0]).toMatchObject({
        path: 'iq/query/item@jid',
        condition: 'jid-malformed',
      })
      // also an Error, for logs: it names the request and the first problem, never the payload
      expect(failure).toBeInstanceOf(Error)
      expect(String(failure)).toBe(
        `IqBadResponse: the result from ${PEER} to iq get <query xmlns='${ITEMS}'/> id=d1 to ${PEER} does not decode: iq/query/item@jid: jid-malformed: ${failure.error.problems[0]?.message}`,
      )
      expect(failure.message).not.toContain('<item')
      expect(pendingCount(w.stream)).toBe(0)
    })

    it('query: options are those of rx.request (acceptOwnDomain)', () => {
      const own = answer('o1', MY_DOMAIN, DiscoInfo.encode(info))
      const noTo = Iq.get(DiscoInfo.encode(emptyInfo), { id: 'o1' })
      for (const acceptOwnDomain of [false, true]) {
        const w = wire({ jid: ME })
        const { seen, observer } = recorder()
        const sub = query(w.stream, { acceptOwnDomain })(DiscoInfo, noTo).subscribe(observer)
        w.wire.next(own)
        expect(seen).toEqual(acceptOwnDomain ? [{ next: info }, { complete: true }] : [])
        sub.unsubscribe()
      }
    })

    it('query: a protocol whose result is empty by design (ping) fails: use rx.request', () => {
      const w = wire({ jid: ME })
      const req = Iq.get(Ping.encode({}), { id: 'p1', to: PEER })
      const { seen, observer } = recorder()
      query(w.stream)(Ping, req).subscribe(observer)
      const pong = answer('p1', PEER)
      w.wire.next(pong)
      expect(seen).toEqual([{ error: badResponse(req, pong, 'iq/ping', 'bad-request') }])
    })
  })

  // -----------------------------------------------------------------------------------
  describe('types', () => {
    it('query: gives an Observable of the record; only iq extensions compile', () => {
      const stream: StanzaStream = { incoming: new Subject<Stanza>(), send: () => undefined }
      const q = query(stream)
      const info$ = q(DiscoInfo, infoGet('t1'))
      const ok: Equals<ObservedValueOf<typeof info$>, DiscoInfo> = true
      // @ts-expect-error a delay never comes in an iq
      q(Delay, infoGet('t2'))
      expect(ok).toBe(true)
    })
  })
})
