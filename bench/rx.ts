/**
 * Workloads "correlation" and "heap" (docs/performance.md "IQ correlation" and target (d)): how
 * `rx.request` settles N pending IQs when their responses arrive, against the naive
 * filter-per-request pipeline, in the same process run.
 *
 * Setup (docs/performance.md): N requests (ping gets to one peer, 128-bit random ids) wait on one `Subject`;
 * their N results, shuffled with a fixed seed, are pushed synchronously through it.
 *
 *   rx.request   stanzakit: one dispatcher per stream (`Map<id, entry>`, one incoming
 *                subscription), timeouts 30 s on one shared timer (asyncScheduler).
 *   naive        per request `incoming.pipe(filter(id), take(1), timeout(30 s))`. It is O(N) per
 *                response, so at 100k only its first 200 responses are timed and µs/response is
 *                extrapolated from them (docs/performance.md); the 10k row also prints that estimate next to
 *                the full measurement as a check.
 *   floors       what an rx API cannot beat: one subscription routing through a
 *                `Map<id, Subscriber>` (no timeout, no sender check), and a bare
 *                `Map<id, callback>` (docs/performance.md's floor). Their growth from 1k to 100k is the
 *                machine's (cache misses on randomly ordered responses), not the algorithm's.
 *
 * correlation: µs per response = time to push all responses ÷ N (registration is timed apart
 *   and reported as µs per request). Each sample repeats the cycle (register, resolve all) until
 *   the resolve time reaches the sample length (BENCH_SAMPLE_MS, ≥ 100 ms by default): one pass
 *   at 1k takes well under a millisecond. Rounds interleave all cases (docs/performance.md "Method"); the
 *   naive pipeline at 10k and 100k runs in the first 3 rounds only (one 10k pass takes seconds).
 *   Ratios are medians of per-round ratios.
 * heap: `heapUsed` after `gc()` with N requests pending (subscribed, timeouts armed) minus before,
 *   ÷ N; the requests themselves are built beforehand and not counted. Needs `--expose-gc`:
 *   `node --expose-gc --import tsx bench/index.ts rx`; skipped without it.
 *
 * Targets (d): µs per response at 100k ≤ 1.2× that at 1k, and ≤ 2 µs; heap ≤ 1 KB per pending
 * request including its timeout.
 */

import * as E from 'fp-ts/lib/Either.js'
import {
  filter,
  Observable,
  Subject,
  type Subscriber,
  type Subscription,
  take,
  timeout,
} from 'rxjs'
import * as Iq from '../src/Iq.js'
import * as Jid from '../src/Jid.js'
import { pendingCount, request } from '../src/rx/request.js'
import type { StanzaStream } from '../src/rx/StanzaStream.js'
import type { Stanza } from '../src/Stanza.js'
import * as Xml from '../src/Xml.js'
import { prng } from './corpus.js'
import { type Bench, median, type Options, type Summary, table } from './harness.js'

// -------------------------------------------------------------------------------------
// fixtures
// -------------------------------------------------------------------------------------

const jid = (s: string): Jid.Jid => {
  const r = Jid.parse(s)
  if (E.isLeft(r)) throw new Error(`bench fixture is not a JID: ${s}`)
  return r.right
}

const ME = jid('juliet@example.com/balcony')
const PEER = jid('romeo@example.net/orchard')
const TIMEOUT = 30_000
const SIZES = [1_000, 10_000, 100_000] as const
const NAIVE_SAMPLE = 200
const NAIVE_FULL_MAX = 10_000
const NAIVE_ROUNDS = 3
const pingEl = Xml.element('ping', 'urn:xmpp:ping')

interface Fixture {
  readonly n: number
  readonly requests: ReadonlyArray<Iq.Iq>
  /** Results in shuffled order. */
  readonly responses: ReadonlyArray<Stanza>
}

const fixture = (n: number, seed: number): Fixture => {
  const requests = Array.from({ length: n }, () => Iq.get(pingEl, { to: PEER }))
  const responses: Array<Stanza> = requests.map(
    (q): Stanza => ({ kind: 'iq', type: 'result', id: q.id, from: PEER, payload: [] }),
  )
  const rand = prng(seed)
  for (let i = responses.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1))
    const a = responses[i]
    const b = responses[j]
    if (a === undefined || b === undefined) continue
    responses[i] = b
    responses[j] = a
  }
  return { n, requests, responses }
}

const noop = (): void => undefined
const now = (): bigint => process.hrtime.bigint()

class BenchError extends Error {}

// -------------------------------------------------------------------------------------
// one pass of each pipeline
// -------------------------------------------------------------------------------------

interface Pass {
  /** Nanoseconds to register all requests. */
  readonly registerNs: number
  readonly registered: number
  /** Nanoseconds to push the timed responses. */
  readonly resolveNs: number
  /** Responses timed. */
  readonly resolved: number
  /** For the naive 10k check: nanoseconds of its first NAIVE_SAMPLE responses. */
  readonly firstNs?: number
}

/** rx.request: register all, push all responses, check every request settled. */
const dispatcherPass = (f: Fixture): Pass => {
  const incoming = new Subject<Stanza>()
  const stream: StanzaStream = { incoming, send: noop, jid: ME }
  const rq = request(stream, { timeout: TIMEOUT, maxPending: Number.POSITIVE_INFINITY })
  let done = 0
  const observer = {
    next: () => {
      done++
    },
    error: noop,
  }
  const t0 = now()
  for (const q of f.requests) rq(q).subscribe(observer)
  const t1 = now()
  for (const s of f.responses) incoming.next(s)
  const t2 = now()
  if (done !== f.n || pendingCount(stream) !== 0 || incoming.observed)
    throw new BenchError(`rx.request: ${done}/${f.n} resolved, ${pendingCount(stream)} pending`)
  return {
    registerNs: Number(t1 - t0),
    registered: f.n,
    resolveNs: Number(t2 - t1),
    resolved: f.n,
  }
}

/** The naive pipeline; above NAIVE_FULL_MAX only the first NAIVE_SAMPLE responses are pushed. */
const naivePass = (f: Fixture): Pass => {
  const incoming = new Subject<Stanza>()
  let done = 0
  const observer = {
    next: () => {
      done++
    },
    error: noop,
  }
  const subs: Array<Subscription> = new Array(f.n)
  const t0 = now()
  for (let i = 0; i < f.n; i++) {
    const q = f.requests[i]
    if (q === undefined) continue
    const id = q.id
    subs[i] = incoming
      .pipe(
        filter((s) => s.kind === 'iq' && s.id === id),
        take(1),
        timeout(TIMEOUT),
      )
      .subscribe(observer)
  }
  const t1 = now()
  const count = f.n > NAIVE_FULL_MAX ? NAIVE_SAMPLE : f.n
  let firstNs = 0
  for (let i = 0; i < count; i++) {
    const s = f.responses[i]
    if (s !== undefined) incoming.next(s)
    if (i === NAIVE_SAMPLE - 1) firstNs = Number(now() - t1)
  }
  const t2 = now()
  if (done !== count) throw new BenchError(`naive: ${done}/${count} resolved`)
  // Cancel the rest (their timers); in subscription order, each is found first in the list.
  for (const s of subs) s?.unsubscribe()
  return {
    registerNs: Number(t1 - t0),
    registered: f.n,
    resolveNs: Number(t2 - t1),
    resolved: count,
    ...(count > NAIVE_SAMPLE ? { firstNs } : {}),
  }
}

/** Floor: one subscription routing through `Map<id, Subscriber>`; no timeout, no sender check. */
const rxFloorPass = (f: Fixture): Pass => {
  const incoming = new Subject<Stanza>()
  const table = new Map<string, Subscriber<Stanza>>()
  const sub = incoming.subscribe((s) => {
    if (s.kind !== 'iq' || s.id === undefined) return
    const waiting = table.get(s.id)
    if (waiting === undefined) return
    table.delete(s.id)
    waiting.next(s)
    waiting.complete()
  })
  let done = 0
  const observer = {
    next: () => {
      done++
    },
    error: noop,
  }
  const t0 = now()
  for (const q of f.requests) {
    const id = q.id
    new Observable<Stanza>((subscriber) => {
      table.set(id, subscriber)
      return () => table.delete(id)
    }).subscribe(observer)
  }
  const t1 = now()
  for (const s of f.responses) incoming.next(s)
  const t2 = now()
  sub.unsubscribe()
  if (done !== f.n) throw new BenchError(`rx floor: ${done}/${f.n} resolved`)
  return {
    registerNs: Number(t1 - t0),
    registered: f.n,
    resolveNs: Number(t2 - t1),
    resolved: f.n,
  }
}

/** Floor: a bare `Map<id, callback>` behind one subscription. */
const bareMapPass = (f: Fixture): Pass => {
  const incoming = new Subject<Stanza>()
  const table = new Map<string, (s: Stanza) => void>()
  const sub = incoming.subscribe((s) => {
    if (s.kind !== 'iq' || s.id === undefined) return
    const callback = table.get(s.id)
    if (callback === undefined) return
    table.delete(s.id)
    callback(s)
  })
  let done = 0
  const callback = (): void => {
    done++
  }
  const t0 = now()
  for (const q of f.requests) table.set(q.id, callback)
  const t1 = now()
  for (const s of f.responses) incoming.next(s)
  const t2 = now()
  sub.unsubscribe()
  if (done !== f.n) throw new BenchError(`bare Map: ${done}/${f.n} resolved`)
  return {
    registerNs: Number(t1 - t0),
    registered: f.n,
    resolveNs: Number(t2 - t1),
    resolved: f.n,
  }
}

/** Repeats passes until the resolve time reaches `sampleMs` (one pass is enough for the naive
 * pipeline at 10k and up); totals. */
const sample = (pass: (f: Fixture) => Pass, f: Fixture, sampleMs: number): Pass => {
  let registerNs = 0
  let registered = 0
  let resolveNs = 0
  let resolved = 0
  let firstNs = 0
  let firsts = 0
  do {
    const p = pass(f)
    registerNs += p.registerNs
    registered += p.registered
    resolveNs += p.resolveNs
    resolved += p.resolved
    if (p.firstNs !== undefined) {
      firstNs += p.firstNs
      firsts++
    }
  } while (resolveNs < sampleMs * 1e6)
  return {
    registerNs,
    registered,
    resolveNs,
    resolved,
    ...(firsts > 0 ? { firstNs: firstNs / firsts } : {}),
  }
}

// -------------------------------------------------------------------------------------
// correlation
// -------------------------------------------------------------------------------------

const OURS = 'rx.request'
const NAIVE = 'naive'
const RX_FLOOR = 'floor: Map<id, Subscriber>'
const BARE = 'floor: bare Map'

const cases: ReadonlyArray<readonly [string, (f: Fixture) => Pass]> = [
  [OURS, dispatcherPass],
  [NAIVE, naivePass],
  [RX_FLOOR, rxFloorPass],
  [BARE, bareMapPass],
]

/** Per case and N: µs per response and µs per registration, one value per round. */
interface Cell {
  readonly perResponse: Array<number | undefined>
  readonly perRegister: Array<number>
  /** Naive at 10k: µs per response over its first NAIVE_SAMPLE responses (the check). */
  readonly first: Array<number>
}

const us = (ns: number, n: number): number => ns / 1e3 / n

const fmtUs = (x: number | undefined): string =>
  x === undefined || !Number.isFinite(x)
    ? '—'
    : x >= 100
      ? x.toFixed(0)
      : x.toFixed(x >= 10 ? 1 : 2)

const fmtX = (x: number | undefined): string =>
  x === undefined || !Number.isFinite(x) ? '—' : `${x >= 100 ? x.toFixed(0) : x.toFixed(2)}×`

const defined = (xs: ReadonlyArray<number | undefined>): Array<number> =>
  xs.filter((x): x is number => x !== undefined && Number.isFinite(x))

/** Median of the per-round ratios a[i] / b[i] (paired). */
const pairedMedian = (
  a: ReadonlyArray<number | undefined>,
  b: ReadonlyArray<number | undefined>,
): number => {
  const rs: Array<number> = []
  for (let i = 0; i < a.length; i++) {
    const x = a[i]
    const y = b[i]
    if (x !== undefined && y !== undefined && y > 0) rs.push(x / y)
  }
  return median(rs)
}

const verdict = (ok: boolean): string => (ok ? 'PASS' : 'FAIL')

const correlation = (opts: Options): Summary => {
  const fixtures = SIZES.map((n, i) => fixture(n, 0x5eed + i))
  // warm-up: every case at 1k
  const warm = fixtures[0]
  if (warm !== undefined) {
    const until = now() + BigInt(Math.round(opts.warmupMs * 1e6))
    while (now() < until) for (const [, pass] of cases) pass(warm)
  }
  const cells = new Map<string, Array<Cell>>(
    cases.map(([name]) => [
      name,
      fixtures.map(() => ({ perResponse: [], perRegister: [], first: [] })),
    ]),
  )
  const cell = (name: string, k: number): Cell | undefined => cells.get(name)?.[k]
  const started = now()
  for (let round = 0; round < opts.rounds; round++) {
    fixtures.forEach((f, k) => {
      // interleaved, the starting case rotated each round (docs/performance.md "Method")
      for (let j = 0; j < cases.length; j++) {
        const entry = cases[(round + k + j) % cases.length]
        if (entry === undefined) continue
        const [name, pass] = entry
        const c = cell(name, k)
        if (c === undefined) continue
        if (name === NAIVE && f.n > NAIVE_FULL_MAX / 10 && round >= NAIVE_ROUNDS) continue
        const p = sample(pass, f, opts.sampleMs)
        c.perResponse[round] = us(p.resolveNs, p.resolved)
        c.perRegister.push(us(p.registerNs, p.registered))
        if (p.firstNs !== undefined) c.first.push(us(p.firstNs, NAIVE_SAMPLE))
      }
    })
    console.log(`  round ${round + 1}/${opts.rounds} done`)
  }
  const secs = Number(now() - started) / 1e9
  for (const byN of cells.values()) for (const c of byN) c.perResponse.length = opts.rounds

  console.log(
    `\nIQ correlation: N pending on one Subject, N shuffled results pushed synchronously; ` +
      `µs per response, median of ${opts.rounds} rounds (naive at 10k+: ${Math.min(NAIVE_ROUNDS, opts.rounds)}), ${secs.toFixed(0)} s`,
  )
  const header = [
    'case',
    'register µs/req',
    ...fixtures.map((f) => `N = ${f.n.toLocaleString('en-US')}`),
    '100k ÷ 1k',
  ]
  const body = cases.map(([name]) => {
    const byN = cells.get(name) ?? []
    const [c1k, , c100k] = byN
    return [
      name,
      fmtUs(median(byN.flatMap((c) => c.perRegister))),
      ...byN.map((c, k) => {
        const m = median(defined(c.perResponse))
        const spread = defined(c.perResponse)
        const pm = m > 0 ? (50 * (Math.max(...spread) - Math.min(...spread))) / m : 0
        const note =
          name === NAIVE && (fixtures[k]?.n ?? 0) > NAIVE_FULL_MAX
            ? ` (first ${NAIVE_SAMPLE})`
            : c.first.length > 0
              ? ` (first ${NAIVE_SAMPLE}: ${fmtUs(median(c.first))})`
              : ''
        return `${fmtUs(m)} ±${pm.toFixed(0)}%${note}`
      }),
      c1k === undefined || c100k === undefined || name === NAIVE
        ? '—'
        : fmtX(pairedMedian(c100k.perResponse, c1k.perResponse)),
    ]
  })
  console.log(table(header, body))

  const ours = cells.get(OURS) ?? []
  const naive = cells.get(NAIVE) ?? []
  const bare = cells.get(BARE) ?? []
  const growth = (byN: ReadonlyArray<Cell>, k: number): number => {
    const base = byN[0]
    const c = byN[k]
    return base === undefined || c === undefined
      ? Number.NaN
      : pairedMedian(c.perResponse, base.perResponse)
  }
  const at100k = median(defined(ours[2]?.perResponse ?? []))
  console.log(
    `\ntarget (d): rx.request µs/response at 100k ÷ at 1k = ${fmtX(growth(ours, 2))} (≤ 1.20×: ${verdict(growth(ours, 2) <= 1.2)}; ` +
      `the bare-Map floor grows ${fmtX(growth(bare, 2))} on this machine); ` +
      `at 100k ${fmtUs(at100k)} µs (≤ 2 µs: ${verdict(at100k <= 2)})`,
  )
  return {
    title: 'rx correlation: paired ratios per N pending (last column: min–max over N)',
    columns: fixtures.map((f) => `${f.n / 1000}k`),
    rows: [
      {
        label: 'naive µs/resp ÷ rx.request µs/resp (speed-up)',
        values: fixtures.map((_, k) =>
          pairedMedian(naive[k]?.perResponse ?? [], ours[k]?.perResponse ?? []),
        ),
      },
      {
        label: 'rx.request µs/resp ÷ its 1k value (target d: 100k ≤ 1.2×)',
        values: fixtures.map((_, k) => growth(ours, k)),
      },
      {
        label: 'bare Map µs/resp ÷ its 1k value (the machine: cache)',
        values: fixtures.map((_, k) => growth(bare, k)),
      },
      {
        label: 'rx.request µs/resp ÷ Map<id, Subscriber> floor',
        values: fixtures.map((_, k) =>
          pairedMedian(ours[k]?.perResponse ?? [], cells.get(RX_FLOOR)?.[k]?.perResponse ?? []),
        ),
      },
    ],
  }
}

// -------------------------------------------------------------------------------------
// heap
// -------------------------------------------------------------------------------------

type Gc = () => void

const heapUsed = (gc: Gc): number => {
  gc()
  gc()
  return process.memoryUsage().heapUsed
}

/** Bytes per pending request: subscribe N (timers armed), measure, then unsubscribe all. */
const heapPerPending = (gc: Gc, f: Fixture, naive: boolean): number => {
  const incoming = new Subject<Stanza>()
  const stream: StanzaStream = { incoming, send: noop, jid: ME }
  const rq = request(stream, { timeout: TIMEOUT, maxPending: Number.POSITIVE_INFINITY })
  const observer = { next: noop, error: noop }
  const subs: Array<Subscription | undefined> = new Array(f.n).fill(undefined)
  const before = heapUsed(gc)
  for (let i = 0; i < f.n; i++) {
    const q = f.requests[i]
    if (q === undefined) continue
    const id = q.id
    subs[i] = naive
      ? incoming
          .pipe(
            filter((s) => s.kind === 'iq' && s.id === id),
            take(1),
            timeout(TIMEOUT),
          )
          .subscribe(observer)
      : rq(q).subscribe(observer)
  }
  const after = heapUsed(gc)
  if (!naive && pendingCount(stream) !== f.n) throw new BenchError('heap: not all pending')
  for (const s of subs) s?.unsubscribe()
  if (pendingCount(stream) !== 0 || incoming.observed) throw new BenchError('heap: leak')
  return (after - before) / f.n
}

const heap = (opts: Options): Summary | undefined => {
  const gc = (globalThis as { gc?: Gc }).gc
  if (gc === undefined) {
    console.log(
      '\nheap: skipped (run `node --expose-gc --import tsx bench/index.ts rx` to measure it)',
    )
    return undefined
  }
  const runs = Math.max(1, Math.min(opts.rounds, 3))
  const rows = SIZES.map((n, i) => {
    const f = fixture(n, 0xbeef + i)
    const ours: Array<number> = []
    const theirs: Array<number> = []
    for (let r = 0; r < runs; r++) {
      ours.push(heapPerPending(gc, f, false))
      theirs.push(heapPerPending(gc, f, true))
    }
    return { n, ours: median(ours), naive: median(theirs) }
  })
  console.log(`\nheap bytes per pending request, timeout armed (median of ${runs})`)
  console.log(
    table(
      ['N pending', 'rx.request', 'naive (filter, take, timeout)'],
      rows.map((r) => [r.n.toLocaleString('en-US'), r.ours.toFixed(0), r.naive.toFixed(0)]),
    ),
  )
  const worst = Math.max(...rows.map((r) => r.ours))
  console.log(
    `\ntarget (d): heap ≤ 1024 B per pending request: worst ${worst.toFixed(0)} B, ${verdict(worst <= 1024)}`,
  )
  return {
    title: 'rx heap: rx.request bytes per pending ÷ naive bytes per pending',
    columns: rows.map((r) => `${r.n / 1000}k`),
    rows: [
      { label: 'rx.request ÷ naive (heap per pending)', values: rows.map((r) => r.ours / r.naive) },
    ],
  }
}

// -------------------------------------------------------------------------------------
// registration
// -------------------------------------------------------------------------------------

const run = (workloads: ReadonlySet<string>, opts: Options): ReadonlyArray<Summary> => {
  const out: Array<Summary> = []
  if (workloads.has('correlation')) out.push(correlation(opts))
  if (workloads.has('heap')) {
    const h = heap(opts)
    if (h !== undefined) out.push(h)
  }
  return out
}

export const rxBench: Bench = {
  name: 'rx',
  description: 'rx.request IQ correlation vs the naive filter-per-request pipeline (target d)',
  workloads: ['correlation', 'heap'],
  run,
}
