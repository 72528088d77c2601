/**
 * A small `process.hrtime.bigint()` harness, as described in docs/performance.md "Method".
 *
 * A *workload* is a group of cases measured together: each case is warmed up (~300 ms), calibrated
 * so one sample lasts ~120 ms, then every round runs all cases back to back (interleaved, with the
 * starting case rotated each round) so machine drift hits them alike. Reported: median ops/s over
 * rounds, MB/s from the UTF-8 byte counts a case declares, and ratios as the median of per-round
 * ratios (paired) against a named baseline case. GC time counts.
 *
 * Environment: `BENCH_ROUNDS` (7), `BENCH_SAMPLE_MS` (120), `BENCH_WARMUP_MS` (300).
 */

// -------------------------------------------------------------------------------------
// sink
// -------------------------------------------------------------------------------------

/** Every result lands here, so V8 cannot prove the work dead. Read once at the end of a run. */
export let sink: unknown

/** Something derived from the sink, printed at the very end so the stores are observable. */
export const sinkDigest = (): string => {
  const s = sink
  return s === null ? 'null' : typeof s === 'object' ? 'object' : typeof s
}

// -------------------------------------------------------------------------------------
// options
// -------------------------------------------------------------------------------------

export interface Options {
  readonly rounds: number
  readonly sampleMs: number
  readonly warmupMs: number
}

const envNumber = (name: string, fallback: number, min: number): number => {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const n = Number(raw)
  if (!Number.isFinite(n) || n < min) throw new Error(`${name}=${raw}: expected a number >= ${min}`)
  return n
}

export const optionsFromEnv = (): Options => ({
  rounds: Math.floor(envNumber('BENCH_ROUNDS', 7, 1)),
  sampleMs: envNumber('BENCH_SAMPLE_MS', 120, 1),
  warmupMs: envNumber('BENCH_WARMUP_MS', 300, 0),
})

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

export interface Case {
  readonly name: string
  /** One op. Its return value goes to the sink. */
  readonly fn: () => unknown
  /** UTF-8 bytes processed by one op (input for parse/decode, output for serialize). */
  readonly bytes?: number
}

export interface Workload {
  readonly title: string
  /** Name of the case the ratio column is against. */
  readonly baseline: string
  readonly cases: ReadonlyArray<Case>
  /** Items handled by one op (e.g. 10,000 stanzas for the 10k mix); adds an items/s column. */
  readonly itemsPerOp?: number
  readonly itemName?: string
}

export interface CaseResult {
  readonly name: string
  /** Ops per sample, fixed by calibration. */
  readonly iterations: number
  /** ops/s of each round, in round order (index r is round r for every case: paired). */
  readonly perRound: ReadonlyArray<number>
  readonly median: number
  readonly min: number
  readonly max: number
  readonly mbPerSec: number | undefined
}

export interface WorkloadResult {
  readonly workload: Workload
  readonly cases: ReadonlyArray<CaseResult>
}

// -------------------------------------------------------------------------------------
// statistics
// -------------------------------------------------------------------------------------

export const median = (xs: ReadonlyArray<number>): number => {
  if (xs.length === 0) return Number.NaN
  const s = [...xs].sort((a, b) => a - b)
  const mid = s.length >> 1
  const hi = s[mid] ?? Number.NaN
  return s.length % 2 === 1 ? hi : ((s[mid - 1] ?? Number.NaN) + hi) / 2
}

export const findCase = (r: WorkloadResult, name: string): CaseResult | undefined =>
  r.cases.find((c) => c.name === name)

/**
 * Paired ratio `a ÷ b` (ops/s): the median of the per-round ratios. `undefined` when either case
 * is absent from the workload.
 */
export const pairedRatio = (r: WorkloadResult, a: string, b: string): number | undefined => {
  const ca = findCase(r, a)
  const cb = findCase(r, b)
  if (ca === undefined || cb === undefined) return undefined
  const ratios: Array<number> = []
  for (let i = 0; i < ca.perRound.length; i++) {
    const x = ca.perRound[i]
    const y = cb.perRound[i]
    if (x !== undefined && y !== undefined && y > 0) ratios.push(x / y)
  }
  return median(ratios)
}

// -------------------------------------------------------------------------------------
// timing
// -------------------------------------------------------------------------------------

const NS_PER_MS = 1_000_000

/** Runs `fn` `n` times; nanoseconds elapsed. */
const time = (fn: () => unknown, n: number): number => {
  let r: unknown
  const t0 = process.hrtime.bigint()
  for (let i = 0; i < n; i++) r = fn()
  const t1 = process.hrtime.bigint()
  sink = r
  return Number(t1 - t0)
}

/** Warm `fn` for ~warmupMs (batches double while short); estimated ns per op (at least one op). */
const warmup = (fn: () => unknown, warmupMs: number): number => {
  const budget = warmupMs * NS_PER_MS
  let batch = 1
  let total = 0
  let ops = 0
  let lastPerOp = Number.NaN
  do {
    const ns = time(fn, batch)
    total += ns
    ops += batch
    lastPerOp = ns / batch
    if (ns < budget / 20) batch *= 2
  } while (total < budget)
  // The last batch is the warmest; never below the average of the whole warm-up by more than 4×.
  return Math.max(lastPerOp, total / ops / 4)
}

/** Ops per sample so that one sample lasts ~sampleMs (one calibration pass to refine). */
const calibrate = (fn: () => unknown, perOpNs: number, sampleMs: number): number => {
  const target = sampleMs * NS_PER_MS
  let n = Math.max(1, Math.round(target / Math.max(perOpNs, 1)))
  const ns = time(fn, n)
  if (ns > 0) n = Math.max(1, Math.round((n * target) / ns))
  return n
}

export const runWorkload = (w: Workload, opts: Options): WorkloadResult => {
  if (!w.cases.some((c) => c.name === w.baseline)) {
    throw new Error(`workload "${w.title}": baseline "${w.baseline}" is not one of its cases`)
  }
  const iterations = w.cases.map((c) => calibrate(c.fn, warmup(c.fn, opts.warmupMs), opts.sampleMs))
  const perRound: Array<Array<number>> = w.cases.map(() => [])
  const k = w.cases.length
  for (let round = 0; round < opts.rounds; round++) {
    for (let j = 0; j < k; j++) {
      const idx = (round + j) % k
      const c = w.cases[idx]
      const n = iterations[idx]
      const slot = perRound[idx]
      if (c === undefined || n === undefined || slot === undefined) continue
      const ns = time(c.fn, n)
      slot.push((n * 1e9) / Math.max(ns, 1))
    }
  }
  const cases = w.cases.map((c, i): CaseResult => {
    const xs = perRound[i] ?? []
    const med = median(xs)
    return {
      name: c.name,
      iterations: iterations[i] ?? 0,
      perRound: xs,
      median: med,
      min: Math.min(...xs),
      max: Math.max(...xs),
      mbPerSec: c.bytes === undefined ? undefined : (med * c.bytes) / 1e6,
    }
  })
  return { workload: w, cases }
}

// -------------------------------------------------------------------------------------
// formatting
// -------------------------------------------------------------------------------------

/** 28.7k, 1.52M, 488 */
export const fmtRate = (x: number): string => {
  if (!Number.isFinite(x)) return '—'
  if (x >= 1e6) return `${(x / 1e6).toFixed(x >= 1e7 ? 1 : 2)}M`
  if (x >= 1e4) return `${(x / 1e3).toFixed(1)}k`
  if (x >= 1e3) return `${(x / 1e3).toFixed(2)}k`
  if (x >= 100) return x.toFixed(0)
  return x.toFixed(x >= 10 ? 1 : 2)
}

export const fmtRatio = (x: number | undefined): string =>
  x === undefined || !Number.isFinite(x) ? '—' : `${x.toFixed(2)}×`

export const fmtBytes = (n: number): string => n.toLocaleString('en-US')

/** A plain monospace table: first column left-aligned, the others right-aligned. */
export const table = (
  header: ReadonlyArray<string>,
  rows: ReadonlyArray<ReadonlyArray<string>>,
): string => {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: ReadonlyArray<string>): string =>
    cells
      .map((c, i) => {
        const w = widths[i] ?? 0
        return i === 0 ? c.padEnd(w) : c.padStart(w)
      })
      .join('  ')
      .trimEnd()
  const rule = widths.map((w) => '-'.repeat(w)).join('  ')
  return [line(header), rule, ...rows.map(line)].join('\n')
}

export const formatWorkload = (r: WorkloadResult): string => {
  const w = r.workload
  const items = w.itemsPerOp
  const header = [
    'case',
    'ops/s',
    ...(items === undefined ? [] : [`${w.itemName ?? 'items'}/s`]),
    'spread',
    'MB/s',
    `÷ ${w.baseline}`,
  ]
  const rows = r.cases.map((c) => [
    c.name,
    fmtRate(c.median),
    ...(items === undefined ? [] : [fmtRate(c.median * items)]),
    // half the min–max range over rounds, relative to the median
    `±${((50 * (c.max - c.min)) / c.median).toFixed(0)}%`,
    c.mbPerSec === undefined ? '—' : c.mbPerSec.toFixed(1),
    fmtRatio(pairedRatio(r, c.name, w.baseline)),
  ])
  const n = r.cases[0]?.perRound.length ?? 0
  return `${w.title}  (${n} rounds)\n${table(header, rows)}`
}

// -------------------------------------------------------------------------------------
// registry of benchmark files
// -------------------------------------------------------------------------------------

/** Ratios worth a line in the final summary: one row per ratio, one column per corpus item. */
export interface Summary {
  readonly title: string
  readonly columns: ReadonlyArray<string>
  readonly rows: ReadonlyArray<{
    readonly label: string
    readonly values: ReadonlyArray<number | undefined>
  }>
}

/**
 * One file of `bench/`: a name to select it by (`npm run bench -- xml`), its workloads (also
 * selectable as `xml:parse` or `parse`), and a runner that prints its tables and returns summaries.
 */
export interface Bench {
  readonly name: string
  readonly description: string
  readonly workloads: ReadonlyArray<string>
  readonly run: (
    workloads: ReadonlySet<string>,
    opts: Options,
  ) => ReadonlyArray<Summary> | Promise<ReadonlyArray<Summary>>
}
