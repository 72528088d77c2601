/**
 * SRV resolution (RFC 2782, RFC 6120 §3.2, XEP-0368 §3): the pure RFC 2782 ordering as
 * properties, then `resolve` through real `node:dns` lookups against a DNS responder of our own
 * on loopback, including a hostile one and one that never answers.
 */
import { afterEach, describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import * as Srv from '../../../src/connection/internal/srv.js'
import { deepFreeze } from '../../helpers.js'
import { type DnsServer, type DnsServerOptions, dnsServer } from '../helpers/dnsServer.js'

// -------------------------------------------------------------------------------------
// fixtures
// -------------------------------------------------------------------------------------

const rec = (
  name: string,
  priority: number,
  weight: number,
  port = 5222,
  directTls = false,
): Srv.SrvRecord => ({ name, port, priority, weight, directTls })

/** A `random` that replays `values` in a loop: the same list, the same draws. */
const replay = (values: ReadonlyArray<number>): (() => number) => {
  let i = 0
  return () => values[i++ % values.length] ?? 0
}

const arbRecord: fc.Arbitrary<Srv.SrvRecord> = fc.record({
  name: fc.constantFrom('a.example', 'b.example', 'c.example', '.', ''),
  port: fc.integer({ min: 1, max: 65535 }),
  // Few priorities, so groups with several records (and ties) are common.
  priority: fc.integer({ min: 0, max: 3 }),
  weight: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 65535 })),
  directTls: fc.boolean(),
})
const arbRandoms = fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), {
  minLength: 1,
  maxLength: 20,
})

// -------------------------------------------------------------------------------------
// order
// -------------------------------------------------------------------------------------

describe('order (RFC 2782)', () => {
  it('returns the input records, each once, minus root targets', () => {
    fc.assert(
      fc.property(fc.array(arbRecord, { maxLength: 12 }), arbRandoms, (records, randoms) => {
        const out = Srv.order(deepFreeze(records), replay(randoms))
        const kept = records.filter((r) => r.name !== '.' && r.name !== '')
        expect(out).toHaveLength(kept.length)
        // Identity, not equality: every output element is an input record, none twice.
        expect(new Set(out).size).toBe(out.length)
        for (const r of out) expect(kept).toContain(r)
      }),
    )
  })

  it('sorts by priority, lowest first', () => {
    fc.assert(
      fc.property(fc.array(arbRecord, { maxLength: 12 }), arbRandoms, (records, randoms) => {
        const priorities = Srv.order(records, replay(randoms)).map((r) => r.priority)
        expect(priorities).toEqual([...priorities].sort((a, b) => a - b))
      }),
    )
  })

  it('is deterministic given random', () => {
    fc.assert(
      fc.property(fc.array(arbRecord, { maxLength: 12 }), arbRandoms, (records, randoms) => {
        expect(Srv.order(records, replay(randoms))).toEqual(Srv.order(records, replay(randoms)))
      }),
    )
  })

  it('keeps zero-weight records, and gives them a chance to come first', () => {
    const zero = rec('zero.example', 0, 0)
    const heavy = rec('heavy.example', 0, 100)
    expect(Srv.order([heavy, zero], () => 0)).toEqual([zero, heavy])
    expect(Srv.order([heavy, zero], () => 0.99)).toEqual([heavy, zero])
    const zeros = [rec('a.example', 1, 0), rec('b.example', 1, 0), rec('c.example', 1, 0)]
    expect(Srv.order(zeros, () => 0.5)).toEqual(zeros)
  })

  it('draws by running sums within a priority', () => {
    const a = rec('a.example', 0, 10)
    const b = rec('b.example', 0, 30)
    const c = rec('c.example', 0, 60)
    const low = rec('low.example', 5, 1000)
    // Sums 10, 40, 100; draw floor(r * 101): 50 picks c, then of a, b (sums 10, 40) 5 picks a.
    expect(Srv.order([low, a, b, c], replay([50.5 / 101, 5.5 / 41, 0]))).toEqual([c, a, b, low])
  })

  it('drops a "." target and survives a random outside [0, 1)', () => {
    expect(Srv.order([rec('.', 0, 0)])).toEqual([])
    const a = rec('a.example', 0, 1)
    const b = rec('b.example', 0, 1)
    expect(Srv.order([a, b], () => 1)).toEqual([b, a])
    expect(Srv.order([a, b], () => Number.NaN)).toEqual([a, b])
  })
})

describe('hostName', () => {
  it('accepts DNS host names and strips one trailing dot', () => {
    expect(Srv.hostName('xmpp.example.org.')).toBe('xmpp.example.org')
    expect(Srv.hostName('a-1.B2')).toBe('a-1.B2')
  })

  it('rejects anything a socket should not see', () => {
    for (const bad of [
      '',
      '.',
      'a..b',
      '-a.example',
      'a_b.example',
      'evil host.example',
      'a\\000b.example',
      'é.example',
      'a.example..',
      `${'a'.repeat(64)}.example`,
      Array.from({ length: 5 }, () => 'a'.repeat(60)).join('.'),
    ])
      expect(Srv.hostName(bad)).toBeUndefined()
  })
})

// -------------------------------------------------------------------------------------
// resolve, against a DNS server on loopback
// -------------------------------------------------------------------------------------

describe('resolve', () => {
  const servers: DnsServer[] = []
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()))
  })
  const serve = async (options: DnsServerOptions): Promise<DnsServer> => {
    const s = await dnsServer(options)
    servers.push(s)
    return s
  }
  const srv = (priority: number, weight: number, port: number, target: string) => ({
    priority,
    weight,
    port,
    target,
  })
  const XMPPS = '_xmpps-client._tcp.example.org'
  const XMPP = '_xmpp-client._tcp.example.org'

  it('merges both services into one RRset by priority (XEP-0368 §3)', async () => {
    const s = await serve({
      srv: {
        [XMPPS]: [srv(5, 0, 5223, 'tls.example.org.'), srv(20, 0, 443, 'tls2.example.org')],
        [XMPP]: [srv(1, 0, 5222, 'plain.example.org'), srv(10, 0, 5222, 'plain2.example.org')],
      },
    })
    await expect(Srv.resolve('example.org', { dns: [s.address] })).resolves.toEqual([
      { host: 'plain.example.org', port: 5222, directTls: false },
      { host: 'tls.example.org', port: 5223, directTls: true },
      { host: 'plain2.example.org', port: 5222, directTls: false },
      { host: 'tls2.example.org', port: 443, directTls: true },
    ])
    expect([...s.queries].sort()).toEqual([`${XMPPS}/33`, `${XMPP}/33`].sort())
  })

  it('uses _xmpp-client alone when there is no _xmpps-client', async () => {
    const s = await serve({ srv: { [XMPP]: [srv(0, 0, 5269, 'xmpp.example.org')] } })
    await expect(Srv.resolve('example.org', { dns: [s.address] })).resolves.toEqual([
      { host: 'xmpp.example.org', port: 5269, directTls: false },
    ])
  })

  it('falls back to domain:5222 without records (NXDOMAIN or ENODATA)', async () => {
    const s = await serve({ srv: { [XMPPS]: [] } })
    const fallback = [{ host: 'example.org', port: 5222, directTls: false }]
    await expect(Srv.resolve('example.org', { dns: [s.address] })).resolves.toEqual(fallback)
    await expect(Srv.resolve('example.org.', { dns: [s.address] })).resolves.toEqual(fallback)
  })

  it('reads a lone "." target as no service (RFC 2782)', async () => {
    const s = await serve({
      srv: {
        [XMPPS]: [srv(0, 0, 0, '.')],
        [XMPP]: [srv(0, 0, 0, '.')],
        '_xmpps-client._tcp.tls.example': [srv(0, 0, 0, '.')],
        '_xmpp-client._tcp.tls.example': [srv(0, 0, 5222, 'xmpp.tls.example')],
      },
    })
    await expect(Srv.resolve('example.org', { dns: [s.address] })).resolves.toEqual([])
    await expect(Srv.resolve('tls.example', { dns: [s.address] })).resolves.toEqual([
      { host: 'xmpp.tls.example', port: 5222, directTls: false },
    ])
  })

  it('drops hostile targets and ports', async () => {
    const s = await serve({
      srv: {
        [XMPPS]: [
          srv(0, 0, 5223, 'evil host.example.org'),
          srv(0, 0, 5223, 'a_b.example.org'),
          srv(0, 0, 5223, 'nul\u0000.example.org'),
          srv(0, 0, 5223, 'caf\u00e9.example.org'),
          srv(0, 0, 0, 'port-zero.example.org'),
        ],
        [XMPP]: [srv(1, 0, 5222, 'good.example.org'), srv(2, 0, 5222, '.')],
        '_xmpp-client._tcp.hostile.example': [srv(0, 0, 5222, 'only bad.example')],
      },
    })
    await expect(Srv.resolve('example.org', { dns: [s.address] })).resolves.toEqual([
      { host: 'good.example.org', port: 5222, directTls: false },
    ])
    // Nothing usable left is no answer at all: the RFC 6120 §3.2.2 fallback.
    await expect(Srv.resolve('hostile.example', { dns: [s.address] })).resolves.toEqual([
      { host: 'hostile.example', port: 5222, directTls: false },
    ])
  })

  it('falls back within the timeout when the resolver never answers', async () => {
    const s = await serve({ silent: true })
    const start = Date.now()
    await expect(Srv.resolve('example.org', { dns: [s.address], timeout: 300 })).resolves.toEqual([
      { host: 'example.org', port: 5222, directTls: false },
    ])
    expect(Date.now() - start).toBeLessThan(1000)
    expect(s.queries).toEqual([])
  })

  it('falls back when the resolver port is closed', async () => {
    const s = await serve({})
    const address = s.address
    await Promise.all(servers.splice(0).map((x) => x.close()))
    await expect(Srv.resolve('example.org', { dns: [address], timeout: 300 })).resolves.toEqual([
      { host: 'example.org', port: 5222, directTls: false },
    ])
  })

  it('looks nothing up for an IP literal or a domain that is no DNS name', async () => {
    const s = await serve({})
    for (const domain of ['127.0.0.1', '::1', 'bad domain', ''])
      await expect(Srv.resolve(domain, { dns: [s.address] })).resolves.toEqual([
        { host: domain, port: 5222, directTls: false },
      ])
    expect(s.queries).toEqual([])
  })

  it('takes an injected resolver, bounds it, and survives it throwing', async () => {
    const calls: string[] = []
    const resolver: Srv.SrvResolver = {
      resolveSrv: (name) => {
        calls.push(name)
        if (name.startsWith('_xmpps')) return new Promise(() => {}) // never settles
        return Promise.resolve([
          { name: 'b.example', port: 5222, priority: 0, weight: 0 },
          { name: 'b.example', port: 5222, priority: 1, weight: 0 }, // the same endpoint
          { name: 'x'.repeat(254), port: 5222, priority: 0, weight: 0 },
          { name: 'c.example', port: 70000, priority: 0, weight: 0 },
          { name: 'd.example', port: 5222, priority: -1, weight: 0 },
        ])
      },
    }
    await expect(Srv.resolve('example.org', { resolver, timeout: 100 })).resolves.toEqual([
      { host: 'b.example', port: 5222, directTls: false },
    ])
    expect(calls.sort()).toEqual([
      '_xmpp-client._tcp.example.org',
      '_xmpps-client._tcp.example.org',
    ])
    const throwing: Srv.SrvResolver = {
      resolveSrv: () => {
        throw new Error('boom')
      },
    }
    await expect(Srv.resolve('example.org', { resolver: throwing })).resolves.toEqual(
      Srv.domainFallback('example.org'),
    )
  })

  it('rejects bad options as programmer errors', async () => {
    await expect(Srv.resolve('example.org', { timeout: 0 })).rejects.toThrow(RangeError)
    await expect(Srv.resolve('example.org', { dns: ['not an address'] })).rejects.toThrow(
      RangeError,
    )
  })
})
