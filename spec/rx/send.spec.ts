import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { config, VirtualTimeScheduler } from 'rxjs'
import type * as Iq from '../../src/Iq.js'
import { iqClosed, iqError, iqTimeout } from '../../src/rx/IqFailure.js'
import { pendingCount } from '../../src/rx/request.js'
import { send } from '../../src/rx/send.js'
import * as StanzaError from '../../src/StanzaError.js'
import { failed, ME, PEER, ping, result, wire } from './helpers.js'

/** Lets pending timers (the asynchronous reports) run. */
const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 5))

describe('rx/send', () => {
  let reported: Array<unknown> = []
  let saved: ((e: unknown) => void) | null = null
  beforeEach(() => {
    reported = []
    saved = config.onUnhandledError
    config.onUnhandledError = (e) => reported.push(e)
  })
  afterEach(() => {
    config.onUnhandledError = saved
  })

  it('send: a get resolves with the result; callback runs with it first', async () => {
    const w = wire({ jid: ME })
    const calls: Array<unknown> = []
    const p = send(w.stream)(ping('s1', PEER), {
      callback: (r) => calls.push(r),
      timeoutCallback: (r) => calls.push({ timeout: r }),
    })
    expect(w.sent).toEqual([ping('s1', PEER)])
    w.wire.next(result('s1', PEER))
    await expect(p).resolves.toEqual(result('s1', PEER))
    expect(calls).toEqual([result('s1', PEER)])
  })

  it('send: an error response rejects with IqError; callback runs with the response', async () => {
    const w = wire({ jid: ME })
    const calls: Array<Iq.Iq> = []
    const req = ping('s2', PEER)
    const p = send(w.stream)(req, { callback: (r) => calls.push(r) })
    const e = failed('s2', PEER, StanzaError.make('forbidden'))
    w.wire.next(e)
    await expect(p).rejects.toEqual(iqError(req, e))
    expect(calls).toEqual([e])
  })

  it('send: timeout rejects with IqTimeout; timeoutCallback runs with the request, callback does not', async () => {
    const vt = new VirtualTimeScheduler()
    const w = wire({ jid: ME })
    const calls: Array<unknown> = []
    const req = ping('s3', PEER)
    const p = send(w.stream)(req, {
      timeout: 1000,
      scheduler: vt,
      callback: (r) => calls.push({ callback: r }),
      timeoutCallback: (r) => calls.push({ timeoutCallback: r }),
    })
    vt.flush()
    await expect(p).rejects.toEqual(iqTimeout(req))
    expect(calls).toEqual([{ timeoutCallback: req }])
    w.wire.next(result('s3', PEER)) // late: dropped
    expect(calls).toHaveLength(1)
  })

  it('send: timeout is in milliseconds (real time)', async () => {
    const w = wire({ jid: ME })
    const req = ping('s4', PEER)
    const t0 = Date.now()
    await expect(send(w.stream)(req, { timeout: 20 })).rejects.toEqual(iqTimeout(req))
    expect(Date.now() - t0).toBeGreaterThanOrEqual(15)
    expect(pendingCount(w.stream)).toBe(0)
  })

  it('send: the stream ending rejects with IqClosed; no callback runs', async () => {
    const w = wire({ jid: ME })
    const calls: Array<unknown> = []
    const req = ping('s5', PEER)
    const p = send(w.stream)(req, {
      callback: (r) => calls.push(r),
      timeoutCallback: (r) => calls.push(r),
    })
    w.wire.complete()
    await expect(p).rejects.toEqual(iqClosed(req))
    expect(calls).toEqual([])
  })

  it('send: result and error iqs are sent and resolve to undefined at once', async () => {
    const w = wire({ jid: ME })
    const calls: Array<unknown> = []
    await expect(
      send(w.stream)(result('r1', PEER), { callback: (r) => calls.push(r) }),
    ).resolves.toBeUndefined()
    await expect(send(w.stream)(failed('r2', PEER))).resolves.toBeUndefined()
    expect(w.sent).toEqual([result('r1', PEER), failed('r2', PEER)])
    expect(calls).toEqual([])
    expect(pendingCount(w.stream)).toBe(0)
  })

  it('send: a callback that throws is reported asynchronously; the outcome stands', async () => {
    const w = wire({ jid: ME })
    const boom = new Error('callback bug')
    const p = send(w.stream)(ping('s6', PEER), {
      callback: () => {
        throw boom
      },
    })
    w.wire.next(result('s6', PEER))
    await expect(p).resolves.toEqual(result('s6', PEER))
    expect(reported).toEqual([]) // not synchronously
    await tick()
    expect(reported).toEqual([boom])
  })

  it('send: a timeoutCallback that throws is reported; the promise still rejects with IqTimeout', async () => {
    const vt = new VirtualTimeScheduler()
    const w = wire({ jid: ME })
    const boom = new Error('timeout callback bug')
    const req = ping('s7', PEER)
    const p = send(w.stream)(req, {
      timeout: 5,
      scheduler: vt,
      timeoutCallback: () => {
        throw boom
      },
    })
    vt.flush()
    await expect(p).rejects.toEqual(iqTimeout(req))
    await tick()
    expect(reported).toEqual([boom])
  })

  it('send: an id already pending rejects with a plain Error, nothing sent', async () => {
    const w = wire({ jid: ME })
    const first = send(w.stream)(ping('dup', PEER))
    await expect(send(w.stream)(ping('dup', PEER))).rejects.toBeInstanceOf(Error)
    expect(w.sent).toHaveLength(1)
    w.wire.next(result('dup', PEER))
    await expect(first).resolves.toEqual(result('dup', PEER))
  })

  it('send: an invalid timeout throws synchronously (programmer error)', () => {
    const w = wire({ jid: ME })
    expect(() => send(w.stream)(ping('bad', PEER), { timeout: -5 })).toThrow(RangeError)
    expect(w.sent).toEqual([])
  })

  it('send: stream.send throwing rejects', async () => {
    const boom = new Error('closed')
    const w = wire({
      onSend: () => {
        throw boom
      },
    })
    await expect(send(w.stream)(ping('x', PEER))).rejects.toBe(boom)
    await expect(send(w.stream)(result('y', PEER))).rejects.toBe(boom)
  })
})
