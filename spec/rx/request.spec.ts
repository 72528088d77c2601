import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { defer, type Subscription, VirtualTimeScheduler } from 'rxjs'
import * as Iq from '../../src/Iq.js'
import type * as Jid from '../../src/Jid.js'
import * as Message from '../../src/Message.js'
import * as Presence from '../../src/Presence.js'
import { iqClosed, iqError, iqTimeout } from '../../src/rx/IqFailure.js'
import { pendingCount, request } from '../../src/rx/request.js'
import type { StanzaStream } from '../../src/rx/StanzaStream.js'
import type { Stanza } from '../../src/Stanza.js'
import * as StanzaError from '../../src/StanzaError.js'
import {
  failed,
  hotStream,
  MALLORY,
  ME,
  MY_BARE,
  MY_DOMAIN,
  MY_OTHER,
  PEER,
  PEER_BARE,
  PEER_DOMAIN,
  ping,
  pingEl,
  recorder,
  result,
  testScheduler,
  wire,
} from './helpers.js'

describe('rx/request', () => {
  // -----------------------------------------------------------------------------------
  describe('marbles (virtual time)', () => {
    it('request: sends on subscribe, emits the valid result and completes', () => {
      const ts = testScheduler()
      const req = ping('a1', PEER)
      const r = result('a1', PEER)
      let sent: Array<Stanza> = []
      ts.run(({ hot, expectObservable, expectSubscriptions }) => {
        const incoming = hot('---r--', { r })
        const h = hotStream(incoming)
        sent = h.sent
        expectObservable(request(h.stream, { timeout: 10, scheduler: ts })(req)).toBe('---(r|)', {
          r,
        })
        expectSubscriptions(incoming.subscriptions).toBe('^--!')
      })
      expect(sent).toEqual([req])
    })

    it('request: the default asyncScheduler runs in virtual time inside run()', () => {
      const ts = testScheduler()
      ts.run(({ hot, expectObservable }) => {
        const { stream } = hotStream(hot<Stanza>('-------'))
        const req = ping('a1', PEER)
        expectObservable(request(stream, { timeout: 5 })(req)).toBe(
          '5ms #',
          undefined,
          iqTimeout(req),
        )
      })
    })

    it('request: an error response from the peer fails with IqError carrying it', () => {
      const ts = testScheduler()
      const req = ping('a1', PEER)
      const e = failed('a1', PEER, StanzaError.make('service-unavailable'))
      ts.run(({ hot, expectObservable }) => {
        const { stream } = hotStream(hot('--e--', { e }))
        expectObservable(request(stream, { timeout: 10, scheduler: ts })(req)).toBe(
          '--#',
          undefined,
          iqError(req, e),
        )
      })
      expect(iqError(req, e).error.condition).toBe('service-unavailable')
    })

    it('request: an error response without <error/> gets undefined-condition', () => {
      const req = ping('a1', PEER)
      const bare = Iq.make({ type: 'error', id: 'a1', from: PEER })
      expect(iqError(req, bare).error).toEqual(StanzaError.make('undefined-condition'))
    })

    it('request: no response within the timeout fails with IqTimeout and unsubscribes', () => {
      const ts = testScheduler()
      const req = ping('a1', PEER)
      ts.run(({ hot, expectObservable, expectSubscriptions }) => {
        const incoming = hot<Stanza>('------------')
        const { stream } = hotStream(incoming)
        expectObservable(request(stream, { timeout: 10, scheduler: ts })(req)).toBe(
          '10ms #',
          undefined,
          iqTimeout(req),
        )
        expectSubscriptions(incoming.subscriptions).toBe('^ 9ms !')
      })
    })

    it('request: a late response after the timeout is dropped', () => {
      const ts = testScheduler()
      const req = ping('a1', PEER)
      const r = result('a1', PEER)
      let stream: StanzaStream | undefined
      ts.run(({ hot, expectObservable }) => {
        const h = hotStream(hot('12ms r', { r }))
        stream = h.stream
        expectObservable(request(h.stream, { timeout: 10, scheduler: ts })(req)).toBe(
          '10ms #',
          undefined,
          iqTimeout(req),
        )
      })
      expect(stream === undefined ? -1 : pendingCount(stream)).toBe(0)
    })

    it('request: unsubscribing before the response forgets the request', () => {
      const ts = testScheduler()
      const r = result('a1', PEER)
      let stream: StanzaStream | undefined
      ts.run(({ hot, expectObservable, expectSubscriptions }) => {
        const incoming = hot('-----r', { r })
        const h = hotStream(incoming)
        stream = h.stream
        expectObservable(
          request(h.stream, { timeout: 10, scheduler: ts })(ping('a1', PEER)),
          '^--!',
        ).toBe('')
        expectSubscriptions(incoming.subscriptions).toBe('^--!')
      })
      expect(stream === undefined ? -1 : pendingCount(stream)).toBe(0)
    })

    it('request: incoming completing while pending fails with IqClosed', () => {
      const ts = testScheduler()
      const req = ping('a1', PEER)
      ts.run(({ hot, expectObservable }) => {
        const { stream } = hotStream(hot('--|'))
        expectObservable(request(stream, { timeout: 10, scheduler: ts })(req)).toBe(
          '--#',
          undefined,
          iqClosed(req),
        )
      })
    })

    it('request: incoming erroring while pending fails with IqClosed (not the stream error)', () => {
      const ts = testScheduler()
      const req = ping('a1', PEER)
      ts.run(({ hot, expectObservable }) => {
        const { stream } = hotStream(hot('--#', undefined, new Error('socket reset')))
        expectObservable(request(stream, { timeout: 10, scheduler: ts })(req)).toBe(
          '--#',
          undefined,
          iqClosed(req),
        )
      })
    })

    it('request: two concurrent requests answered out of order, one incoming subscription', () => {
      const ts = testScheduler()
      const a = result('a', PEER)
      const b = result('b', PEER)
      ts.run(({ hot, expectObservable, expectSubscriptions }) => {
        const incoming = hot('--b-a', { a, b })
        const { stream } = hotStream(incoming)
        const rq = request(stream, { timeout: 10, scheduler: ts })
        expectObservable(rq(ping('a', PEER))).toBe('----(a|)', { a })
        expectObservable(rq(ping('b', PEER))).toBe('--(b|)', { b })
        expectSubscriptions(incoming.subscriptions).toBe('^---!')
      })
    })

    it('request: duplicate responses: the first valid one wins, the rest are dropped', () => {
      const ts = testScheduler()
      const r1 = result('a1', PEER)
      const r2 = failed('a1', PEER)
      ts.run(({ hot, expectObservable }) => {
        const { stream } = hotStream(hot('--r-e-r', { r: r1, e: r2 }))
        expectObservable(request(stream, { timeout: 10, scheduler: ts })(ping('a1', PEER))).toBe(
          '--(r|)',
          { r: r1 },
        )
      })
    })

    it('request: spoofs (sender, kind, type, id) are ignored; the genuine reply still wins', () => {
      const ts = testScheduler()
      const values = {
        f: result('a1', MALLORY),
        m: Message.make({ id: 'a1', from: PEER, type: 'chat', body: 'hi' }),
        p: Presence.make({ id: 'a1', from: PEER }),
        g: Iq.get(pingEl, { id: 'a1', from: PEER }),
        s: Iq.set(pingEl, { id: 'a1', from: PEER }),
        o: result('a1', jid2(PEER_BARE, 'Orchard')),
        x: result('zz', PEER),
        r: result('a1', PEER),
      }
      ts.run(({ hot, expectObservable }) => {
        const { stream } = hotStream(hot('-f-m-p-g-s-o-x-r', values))
        expectObservable(request(stream, { timeout: 20, scheduler: ts })(ping('a1', PEER))).toBe(
          '15ms (r|)',
          { r: values.r },
        )
      })
    })

    it('request: timeouts share one timer; mixed timeouts fire in deadline order', () => {
      const ts = testScheduler()
      ts.run(({ hot, expectObservable }) => {
        const { stream } = hotStream(hot('-'))
        const reqs = [ping('t9', PEER), ping('t3', PEER), ping('t6', PEER), ping('t3b', PEER)]
        const [t9, t3, t6, t3b] = reqs
        if (t9 === undefined || t3 === undefined || t6 === undefined || t3b === undefined)
          throw new Error('fixture')
        expectObservable(request(stream, { timeout: 9, scheduler: ts })(t9)).toBe(
          '9ms #',
          undefined,
          iqTimeout(t9),
        )
        expectObservable(request(stream, { timeout: 3, scheduler: ts })(t3)).toBe(
          '3ms #',
          undefined,
          iqTimeout(t3),
        )
        expectObservable(request(stream, { timeout: 6, scheduler: ts })(t6)).toBe(
          '6ms #',
          undefined,
          iqTimeout(t6),
        )
        expectObservable(request(stream, { timeout: 3, scheduler: ts })(t3b), '-^').toBe(
          '- 3ms #',
          undefined,
          iqTimeout(t3b),
        )
      })
    })
  })

  // -----------------------------------------------------------------------------------
  describe('lifecycle', () => {
    it('request: a synchronous reply (sent from within send) is caught', () => {
      const w = wire({
        jid: ME,
        onSend: (s, wire) => {
          if (s.kind === 'iq' && s.type === 'get') wire.next(result(s.id, s.to))
        },
      })
      const { seen, observer } = recorder()
      request(w.stream, { timeout: Number.POSITIVE_INFINITY })(ping('s1', PEER)).subscribe(observer)
      expect(seen).toEqual([{ next: result('s1', PEER) }, { complete: true }])
      expect(pendingCount(w.stream)).toBe(0)
      expect(w.listeners()).toBe(0)
    })

    it('request: cold — nothing is sent before subscribe; re-subscribing resends the same id', () => {
      const w = wire({ jid: ME })
      const req = ping('c1', PEER)
      const r$ = request(w.stream, { timeout: Number.POSITIVE_INFINITY })(req)
      expect(w.sent).toEqual([])
      const s1 = r$.subscribe()
      s1.unsubscribe()
      const s2 = r$.subscribe()
      expect(w.sent).toEqual([req, req])
      s2.unsubscribe()
      expect(pendingCount(w.stream)).toBe(0)
    })

    it('request: defer builds a fresh id per subscription', () => {
      const w = wire({ jid: ME })
      const r$ = defer(() => request(w.stream)(Iq.get(pingEl, { to: PEER })))
      const subs = [r$.subscribe(), r$.subscribe()]
      const ids = w.sent.map((s) => s.id)
      expect(new Set(ids).size).toBe(2)
      expect(ids.every((id) => id !== undefined && id.length === 22)).toBe(true)
      for (const s of subs) s.unsubscribe()
    })

    it('request: an id already pending errors at once with a plain Error, nothing sent', () => {
      const w = wire({ jid: ME })
      const rq = request(w.stream, { timeout: Number.POSITIVE_INFINITY })
      const first = recorder()
      rq(ping('dup', PEER)).subscribe(first.observer)
      const second = recorder()
      rq(ping('dup', MALLORY)).subscribe(second.observer)
      expect(w.sent).toEqual([ping('dup', PEER)])
      expect(second.seen).toHaveLength(1)
      const [only] = second.seen
      expect(only !== undefined && 'error' in only && only.error instanceof Error).toBe(true)
      expect(pendingCount(w.stream)).toBe(1)
      // the first is untouched and still settles
      w.wire.next(result('dup', PEER))
      expect(first.seen).toEqual([{ next: result('dup', PEER) }, { complete: true }])
      // once settled, the id may be used again
      rq(ping('dup', PEER)).subscribe()
      expect(w.sent).toHaveLength(2)
    })

    it('request: result/error iqs are not requests: plain Error, nothing sent', () => {
      const w = wire({ jid: ME })
      for (const iq of [result('r', PEER), failed('e', PEER)]) {
        const { seen, observer } = recorder()
        request(w.stream)(iq).subscribe(observer)
        const [only] = seen
        expect(only !== undefined && 'error' in only && only.error instanceof Error).toBe(true)
      }
      expect(w.sent).toEqual([])
      expect(w.listeners()).toBe(0)
    })

    it('request: a full table (maxPending) refuses, nothing sent', () => {
      const w = wire({ jid: ME })
      const rq = request(w.stream, { timeout: Number.POSITIVE_INFINITY, maxPending: 2 })
      const subs = [rq(ping('1', PEER)).subscribe(), rq(ping('2', PEER)).subscribe()]
      const { seen, observer } = recorder()
      rq(ping('3', PEER)).subscribe(observer)
      const [only] = seen
      expect(only !== undefined && 'error' in only && only.error instanceof Error).toBe(true)
      expect(w.sent.map((s) => s.id)).toEqual(['1', '2'])
      for (const s of subs) s.unsubscribe()
      rq(ping('3', PEER)).subscribe().unsubscribe()
      expect(w.sent.map((s) => s.id)).toEqual(['1', '2', '3'])
    })

    it('request: invalid options throw a RangeError when request is called', () => {
      const w = wire()
      expect(() => request(w.stream, { timeout: -1 })).toThrow(RangeError)
      expect(() => request(w.stream, { timeout: Number.NaN })).toThrow(RangeError)
      expect(() => request(w.stream, { maxPending: 0 })).toThrow(RangeError)
      expect(() => request(w.stream, { maxPending: 1.5 })).toThrow(RangeError)
      expect(() => request(w.stream, { timeout: 0 })).not.toThrow()
      expect(() => request(w.stream, { timeout: Number.POSITIVE_INFINITY })).not.toThrow()
      expect(() => request(w.stream, { maxPending: Number.POSITIVE_INFINITY })).not.toThrow()
    })

    it('request: timeout Infinity schedules no timer', () => {
      const vt = new VirtualTimeScheduler()
      const w = wire({ jid: ME })
      const s = request(w.stream, { timeout: Number.POSITIVE_INFINITY, scheduler: vt })(
        ping('i', PEER),
      ).subscribe()
      expect(vt.actions).toHaveLength(0)
      s.unsubscribe()
    })

    it('request: one scheduled action however many requests are pending; none when idle', () => {
      const vt = new VirtualTimeScheduler()
      const w = wire({ jid: ME })
      const rq = request(w.stream, { timeout: 100, scheduler: vt })
      const subs: Array<Subscription> = []
      for (let i = 0; i < 1000; i++)
        subs.push(rq(ping(`p${i}`, PEER)).subscribe({ error: () => {} }))
      expect(vt.actions).toHaveLength(1)
      expect(w.listeners()).toBe(1)
      for (const s of subs) s.unsubscribe()
      expect(vt.actions).toHaveLength(0)
      expect(w.listeners()).toBe(0)
    })

    it('request: an incoming that has already ended fails with IqClosed, nothing sent', () => {
      const w = wire({ jid: ME })
      w.wire.complete()
      const req = ping('late', PEER)
      const { seen, observer } = recorder()
      request(w.stream)(req).subscribe(observer)
      expect(seen).toEqual([{ error: iqClosed(req) }])
      expect(w.sent).toEqual([])
      expect(pendingCount(w.stream)).toBe(0)
    })

    it('request: stream.send throwing errors the subscriber and forgets the request', () => {
      const boom = new Error('socket closed')
      const w = wire({
        jid: ME,
        onSend: () => {
          throw boom
        },
      })
      const { seen, observer } = recorder()
      request(w.stream)(ping('t', PEER)).subscribe(observer)
      expect(seen).toEqual([{ error: boom }])
      expect(pendingCount(w.stream)).toBe(0)
      expect(w.listeners()).toBe(0)
    })

    it('request: a retry from the timeout handler (timeout 0) waits for the next timer turn', () => {
      const vt = new VirtualTimeScheduler()
      const w = wire({ jid: ME })
      const rq = request(w.stream, { timeout: 0, scheduler: vt })
      let attempts = 0
      const attempt = (): void => {
        attempts++
        if (attempts < 5) rq(Iq.get(pingEl, { to: PEER })).subscribe({ error: attempt })
      }
      attempt()
      vt.flush()
      expect(attempts).toBe(5)
      expect(pendingCount(w.stream)).toBe(0)
      expect(vt.actions).toHaveLength(0)
    })

    it('request: a request made while settling another one is tracked normally', () => {
      const w = wire({ jid: ME })
      const rq = request(w.stream, { timeout: Number.POSITIVE_INFINITY })
      const chained = recorder()
      rq(ping('one', PEER)).subscribe({
        complete: () => rq(ping('two', PEER)).subscribe(chained.observer),
      })
      w.wire.next(result('one', PEER))
      expect(pendingCount(w.stream)).toBe(1)
      expect(w.listeners()).toBe(1)
      w.wire.next(result('two', PEER))
      expect(chained.seen).toEqual([{ next: result('two', PEER) }, { complete: true }])
      expect(w.listeners()).toBe(0)
    })

    it('request: each stream object has its own table', () => {
      const a = wire({ jid: ME })
      const b = wire({ jid: ME })
      const sa = request(a.stream)(ping('same', PEER)).subscribe()
      const sb = request(b.stream)(ping('same', PEER)).subscribe()
      expect([pendingCount(a.stream), pendingCount(b.stream)]).toEqual([1, 1])
      sa.unsubscribe()
      sb.unsubscribe()
    })
  })

  // -----------------------------------------------------------------------------------
  describe('allowed senders (docs/security.md §6 table, row by row)', () => {
    type From = Jid.Jid | undefined
    interface Row {
      readonly title: string
      readonly me: Jid.Jid | undefined
      readonly to: Jid.Jid | undefined
      readonly acceptOwnDomain?: boolean
      readonly allowed: ReadonlyArray<From>
    }
    const everyone: ReadonlyArray<From> = [
      undefined,
      ME,
      MY_BARE,
      MY_OTHER,
      MY_DOMAIN,
      PEER,
      PEER_BARE,
      jid2(PEER_BARE, 'Orchard'),
      jid2(PEER_BARE, 'garden'),
      PEER_DOMAIN,
      MALLORY,
    ]
    const rows: ReadonlyArray<Row> = [
      {
        title: 'to absent → absent or bare(me)',
        me: ME,
        to: undefined,
        allowed: [undefined, MY_BARE],
      },
      {
        title: 'to absent, acceptOwnDomain → also domain(me)',
        me: ME,
        to: undefined,
        acceptOwnDomain: true,
        allowed: [undefined, MY_BARE, MY_DOMAIN],
      },
      {
        title: 'to absent, no stream.jid → absent only',
        me: undefined,
        to: undefined,
        allowed: [undefined],
      },
      {
        title: 'to absent, no stream.jid, acceptOwnDomain → absent only',
        me: undefined,
        to: undefined,
        acceptOwnDomain: true,
        allowed: [undefined],
      },
      {
        title: 'to bare(me) → bare(me) or absent',
        me: ME,
        to: MY_BARE,
        allowed: [MY_BARE, undefined],
      },
      {
        title: 'to bare(me) without stream.jid → exactly that JID (own rows match nothing)',
        me: undefined,
        to: MY_BARE,
        allowed: [MY_BARE],
      },
      { title: 'to a peer full JID → exactly it', me: ME, to: PEER, allowed: [PEER] },
      { title: 'to a peer bare JID → exactly it', me: ME, to: PEER_BARE, allowed: [PEER_BARE] },
      { title: 'to a domain → exactly it', me: ME, to: PEER_DOMAIN, allowed: [PEER_DOMAIN] },
      {
        title: 'to our own domain → exactly it, even with acceptOwnDomain',
        me: ME,
        to: MY_DOMAIN,
        acceptOwnDomain: true,
        allowed: [MY_DOMAIN],
      },
      { title: 'to our other resource → exactly it', me: ME, to: MY_OTHER, allowed: [MY_OTHER] },
      { title: 'to our own full JID → exactly it', me: ME, to: ME, allowed: [ME] },
    ]
    for (const row of rows) {
      it(`request: ${row.title}`, () => {
        for (const from of everyone) {
          const w = wire(row.me === undefined ? {} : { jid: row.me })
          const { seen, observer } = recorder()
          request(w.stream, {
            timeout: Number.POSITIVE_INFINITY,
            ...(row.acceptOwnDomain === true ? { acceptOwnDomain: true } : {}),
          })(ping('q', row.to)).subscribe(observer)
          const r = result('q', from)
          w.wire.next(r)
          const expected = row.allowed.includes(from) ? [{ next: r }, { complete: true }] : []
          expect({ from: from ?? '(absent)', seen }).toEqual({
            from: from ?? '(absent)',
            seen: expected,
          })
          // an error response from the same sender is judged the same way
          const w2 = wire(row.me === undefined ? {} : { jid: row.me })
          const rec2 = recorder()
          const req2 = ping('q', row.to)
          request(w2.stream, {
            timeout: Number.POSITIVE_INFINITY,
            ...(row.acceptOwnDomain === true ? { acceptOwnDomain: true } : {}),
          })(req2).subscribe(rec2.observer)
          const e = failed('q', from)
          w2.wire.next(e)
          expect(rec2.seen).toEqual(row.allowed.includes(from) ? [{ error: iqError(req2, e) }] : [])
        }
      })
    }

    it('request: wrong kind or type from an allowed sender neither resolves nor fails', () => {
      const w = wire({ jid: ME })
      const { seen, observer } = recorder()
      request(w.stream, { timeout: Number.POSITIVE_INFINITY })(ping('k', PEER)).subscribe(observer)
      w.wire.next(
        Message.make({ id: 'k', from: PEER, type: 'error', error: StanzaError.make('gone') }),
      )
      w.wire.next(
        Presence.make({ id: 'k', from: PEER, type: 'error', error: StanzaError.make('gone') }),
      )
      w.wire.next(Iq.get(pingEl, { id: 'k', from: PEER }))
      w.wire.next(Iq.set(pingEl, { id: 'k', from: PEER }))
      expect(seen).toEqual([])
      expect(pendingCount(w.stream)).toBe(1)
      w.wire.next(result('k', PEER))
      expect(seen).toEqual([{ next: result('k', PEER) }, { complete: true }])
    })

    it('request: our own other resources cannot answer a request to the server or to bare(me)', () => {
      for (const to of [undefined, MY_BARE]) {
        const w = wire({ jid: ME })
        const { seen, observer } = recorder()
        request(w.stream, { timeout: Number.POSITIVE_INFINITY })(ping('o', to)).subscribe(observer)
        w.wire.next(result('o', MY_OTHER))
        w.wire.next(result('o', ME))
        expect(seen).toEqual([])
        w.wire.next(result('o', MY_BARE))
        expect(seen).toHaveLength(2)
      }
    })

    it('request: stream.jid is read when the request is subscribed', () => {
      let current: Jid.Jid | undefined
      const w = wire()
      const stream: StanzaStream = {
        incoming: w.stream.incoming,
        send: w.stream.send,
        get jid() {
          return current
        },
      }
      const { seen, observer } = recorder()
      request(stream, { timeout: Number.POSITIVE_INFINITY })(ping('j', undefined)).subscribe(
        observer,
      )
      current = ME // bound later: does not widen the pending request
      w.wire.next(result('j', MY_BARE))
      expect(seen).toEqual([])
      w.wire.next(result('j'))
      expect(seen).toHaveLength(2)
    })
  })

  // -----------------------------------------------------------------------------------
  describe('property: random interleavings', () => {
    const targets: ReadonlyArray<Jid.Jid | undefined> = [
      undefined,
      MY_BARE,
      PEER,
      PEER_BARE,
      PEER_DOMAIN,
      ME,
    ]
    const froms: ReadonlyArray<Jid.Jid | undefined> = [
      undefined,
      ME,
      MY_BARE,
      MY_OTHER,
      MY_DOMAIN,
      PEER,
      PEER_BARE,
      jid2(PEER_BARE, 'Orchard'),
      PEER_DOMAIN,
      MALLORY,
    ]
    /** The table, written again independently of the implementation. */
    const allowedFor = (to: Jid.Jid | undefined): ReadonlyArray<Jid.Jid | undefined> =>
      to === undefined ? [undefined, MY_BARE] : to === MY_BARE ? [MY_BARE, undefined] : [to]

    const arbRequest = fc.record({
      target: fc.nat({ max: targets.length - 1 }),
      start: fc.nat({ max: 20 }).map((n) => 2 * n), // even frames
      timeout: fc.integer({ min: 1, max: 12 }).map((n) => 2 * n), // even: deadlines on even frames
    })
    const forgery = fc.constantFrom('from', 'message', 'presence', 'get', 'set', 'id')
    const arbEvent = fc.record({
      at: fc.nat({ max: 35 }).map((n) => 2 * n + 1), // odd frames: never tied with a deadline
      request: fc.nat({ max: 7 }),
      genuine: fc.boolean(),
      error: fc.boolean(),
      forgery,
      pick: fc.nat({ max: 99 }),
    })

    it('request: every request settles once, with its genuine response or its timeout', () => {
      fc.assert(
        fc.property(
          fc.array(arbRequest, { minLength: 1, maxLength: 8 }),
          fc.array(arbEvent, { maxLength: 40 }),
          (reqs, events) => {
            const vt = new VirtualTimeScheduler()
            const w = wire({ jid: ME })
            const requests = reqs.map((r, i) => {
              const to = targets[r.target]
              return { ...r, to, iq: ping(`id${i}`, to), seen: [] as Array<unknown> }
            })
            const stanzas: Array<{
              readonly at: number
              readonly s: Stanza
              readonly genuine: boolean
              readonly i: number
            }> = []
            for (const e of events) {
              const r = requests[e.request % requests.length]
              if (r === undefined) continue
              const id = r.iq.id
              const allowed = allowedFor(r.to)
              let s: Stanza
              if (e.genuine) {
                const from = allowed[e.pick % allowed.length]
                s = e.error ? failed(id, from) : result(id, from)
              } else {
                const forgedFroms = froms.filter((f) => !allowed.includes(f))
                const okFrom = allowed[e.pick % allowed.length]
                const okAddr = okFrom === undefined ? {} : { from: okFrom }
                switch (e.forgery) {
                  case 'from': {
                    const f = forgedFroms[e.pick % forgedFroms.length]
                    s = e.error ? failed(id, f) : result(id, f)
                    break
                  }
                  case 'message':
                    s = Message.make({ id, ...okAddr, type: 'chat', body: 'x' })
                    break
                  case 'presence':
                    s = Presence.make({ id, ...okAddr })
                    break
                  case 'get':
                    s = Iq.get(pingEl, { id, ...okAddr })
                    break
                  case 'set':
                    s = Iq.set(pingEl, { id, ...okAddr })
                    break
                  default:
                    s = result(`${id}x`, okFrom)
                }
              }
              stanzas.push({ at: e.at, s, genuine: e.genuine, i: e.request % requests.length })
            }
            for (const r of requests) {
              vt.schedule(() => {
                request(w.stream, { timeout: r.timeout, scheduler: vt })(r.iq).subscribe({
                  next: (v) => r.seen.push({ next: v, at: vt.now() }),
                  error: (e) => r.seen.push({ error: e, at: vt.now() }),
                  complete: () => r.seen.push({ complete: true, at: vt.now() }),
                })
              }, r.start)
            }
            for (const x of stanzas) vt.schedule(() => w.wire.next(x.s), x.at)
            vt.flush()
            // the model
            requests.forEach((r, i) => {
              const deadline = r.start + r.timeout
              const winner = stanzas
                .filter((x) => x.genuine && x.i === i && x.at > r.start && x.at < deadline)
                .sort((a, b) => a.at - b.at)[0]
              const expected =
                winner === undefined
                  ? [{ error: iqTimeout(r.iq), at: deadline }]
                  : winner.s.type === 'result'
                    ? [
                        { next: winner.s, at: winner.at },
                        { complete: true, at: winner.at },
                      ]
                    : [{ error: iqError(r.iq, winner.s as Iq.Iq), at: winner.at }]
              expect(r.seen).toEqual(expected)
              // identity: never a forged stanza, always the genuine object
              const first = r.seen[0] as { next?: unknown; error?: { response?: unknown } }
              if (winner !== undefined)
                expect(first.next === winner.s || first.error?.response === winner.s).toBe(true)
            })
            expect(pendingCount(w.stream)).toBe(0)
            expect(w.listeners()).toBe(0)
            expect(vt.actions).toHaveLength(0)
          },
        ),
        { numRuns: 300 },
      )
    })
  })

  // -----------------------------------------------------------------------------------
  describe('property: the dispatcher applies the pure rule', () => {
    const jids: ReadonlyArray<Jid.Jid | undefined> = [
      undefined,
      ME,
      MY_BARE,
      MY_OTHER,
      MY_DOMAIN,
      PEER,
      PEER_BARE,
      PEER_DOMAIN,
      MALLORY,
    ]
    const anyJid = fc.constantFrom(...jids)
    const candidate = fc.record({
      me: fc.constantFrom(undefined, ME, MY_BARE),
      to: anyJid,
      from: anyJid,
      acceptOwnDomain: fc.boolean(),
      kind: fc.constantFrom('result', 'error', 'get', 'set', 'message', 'other-id'),
    })

    it('request: settles on a stanza exactly when Iq.isResponseTo(request, stream.jid) holds', () => {
      fc.assert(
        fc.property(fc.array(candidate, { minLength: 1, maxLength: 6 }), (cs) => {
          for (const c of cs) {
            const w = wire(c.me === undefined ? {} : { jid: c.me })
            const { seen, observer } = recorder()
            const req = ping('p', c.to)
            const options = c.acceptOwnDomain ? { acceptOwnDomain: true } : {}
            request(w.stream, { timeout: Number.POSITIVE_INFINITY, ...options })(req).subscribe(
              observer,
            )
            const addr = c.from === undefined ? {} : { from: c.from }
            const s: Stanza =
              c.kind === 'result'
                ? result('p', c.from)
                : c.kind === 'error'
                  ? failed('p', c.from)
                  : c.kind === 'other-id'
                    ? result('p2', c.from)
                    : c.kind === 'message'
                      ? Message.make({
                          id: 'p',
                          ...addr,
                          type: 'error',
                          error: StanzaError.make('gone'),
                        })
                      : Iq.make({ type: c.kind, id: 'p', payload: [pingEl], ...addr })
            w.wire.next(s)
            const rule = s.kind === 'iq' && Iq.isResponseTo(req, c.me, options)(s)
            expect(seen.length > 0).toBe(rule)
            expect(pendingCount(w.stream)).toBe(rule ? 0 : 1)
          }
        }),
        { numRuns: 300 },
      )
    })
  })

  // -----------------------------------------------------------------------------------
  describe('leaks', () => {
    it('request: 100k requests timed out, unsubscribed or answered leave nothing behind', () => {
      const vt = new VirtualTimeScheduler()
      const w = wire({ jid: ME })
      // a baseline subscriber of our own, like rx.serve would be
      const baseline = w.stream.incoming.subscribe()
      expect(w.listeners()).toBe(1)
      const rq = request(w.stream, {
        timeout: 50,
        scheduler: vt,
        maxPending: Number.POSITIVE_INFINITY,
      })
      const N = 100_000
      const subs: Array<Subscription> = new Array(N)
      let timedOut = 0
      let answered = 0
      const observer = {
        next: () => {
          answered++
        },
        error: () => {
          timedOut++
        },
      }
      for (let i = 0; i < N; i++) subs[i] = rq(ping(`L${i}`, PEER)).subscribe(observer)
      expect(pendingCount(w.stream)).toBe(N)
      expect(w.listeners()).toBe(2)
      expect(vt.actions).toHaveLength(1)
      // unsubscribe every third, answer every third (shuffled order), let the rest time out
      for (let i = 0; i < N; i += 3) subs[i]?.unsubscribe()
      for (let i = N - 2; i >= 0; i -= 3) w.wire.next(result(`L${i}`, PEER))
      expect(pendingCount(w.stream)).toBe(N - Math.ceil(N / 3) - Math.floor((N + 1) / 3))
      vt.flush()
      expect(answered).toBe(Math.floor((N + 1) / 3))
      expect(timedOut).toBe(N - Math.ceil(N / 3) - answered)
      expect(pendingCount(w.stream)).toBe(0)
      expect(w.listeners()).toBe(1)
      expect(vt.actions).toHaveLength(0)
      // and again, all unsubscribed: back to the baseline without any timer firing
      for (let i = 0; i < N; i++) subs[i] = rq(ping(`M${i}`, PEER)).subscribe(observer)
      for (let i = 0; i < N; i++) subs[i]?.unsubscribe()
      expect(pendingCount(w.stream)).toBe(0)
      expect(w.listeners()).toBe(1)
      expect(vt.actions).toHaveLength(0)
      baseline.unsubscribe()
      expect(w.listeners()).toBe(0)
      expect(w.wire.observed).toBe(false)
    })
  })
})

/** `bare/resource` as a canonical JID (fixtures only). */
function jid2(bare: Jid.Jid, resource: string): Jid.Jid {
  return `${bare}/${resource}` as Jid.Jid
}
