/**
 * Relative time bounds for hostile input (issue 5): a hostile input of n bytes must decode within
 * `K ×` the time of a normal stanza of n bytes (a message whose body is filler text), plus a
 * small slack of `SLACK ×` the time of decoding an empty stanza. No absolute times anywhere, so
 * the bound holds on a fast laptop and on a busy 2-core CI runner alike.
 *
 * Why K = 80. Legitimate shapes differ in cost per byte: 10,000 empty elements in 40 kB (the
 * densest input the limits allow: one tree node per 4 bytes against one string) measured 13–19×
 * the filler text of the same size in a quiet process, and up to ~32× inside Jest on 2 cores
 * shared with other jobs (a bigger heap makes its allocations cost more GC); every other catalog
 * case stays under ~8×. The faults these bounds exist to catch are far out of that range:
 * fast-xml-parser's quadratic nesting (50k levels: 44 s, 10^4× a 350 kB text stanza), unbounded
 * entity expansion (a million `&#65;`: 0.94 s and 158 MB), a scan or regex gone quadratic on a
 * 256 kB value (10^3× and more). K = 80 leaves 2.5× headroom over the worst legitimate ratio
 * seen, so CI noise does not flake it, and still fails any super-linear path at these sizes.
 *
 * Why SLACK = 100 empty decodes: below ~1 kB, fixed costs (allocating the error, a first
 * `Jid.parse` of a long part, the JIT leaving a cold path) dominate and do not scale with size.
 * An empty decode measured 10–35 µs here, so the slack is a few milliseconds: small against
 * the 256 kB cases, and enough to absorb one GC pause in a sub-kilobyte case.
 *
 * Measurement: each sample repeats the call until it lasts at least one quantum, so timer
 * resolution and call overhead vanish; the median of a few samples shrugs off a GC pause; the
 * hostile input and its baseline are sampled alternately, so both see the same load.
 */
import type { DecodeOptions } from '../../src/Stanza.js'
import * as Stanza from '../../src/Stanza.js'
import { defaultLimits } from '../../src/Xml.js'
import { paddedMessage } from './catalog.js'

export const K = 80
export const SLACK = 100

/** Each timing sample lasts at least this long (ms): far above `performance.now()` resolution. */
const QUANTUM_MS = 0.25

/** A call this long (ms) is timed alone, in 3 samples: noise is small against it. */
const LONG_MS = 5

interface Plan {
  readonly reps: number
  readonly samples: number
}

/**
 * Runs `f` once (warming its path) and sizes its samples: short calls are repeated until a
 * sample lasts a quantum; long ones are timed one call per sample, in 3 samples.
 */
const plan = (f: () => unknown, samples: number): Plan => {
  const t0 = performance.now()
  f()
  if (performance.now() - t0 >= LONG_MS) return { reps: 1, samples: Math.min(samples, 3) }
  let reps = 1
  for (;;) {
    const t1 = performance.now()
    for (let i = 0; i < reps; i++) f()
    if (performance.now() - t1 >= QUANTUM_MS || reps >= 1 << 16) return { reps, samples }
    reps *= 2
  }
}

/** One sample: the time per call (ms) over `reps` calls. */
const sample = (f: () => unknown, reps: number): number => {
  const t0 = performance.now()
  for (let i = 0; i < reps; i++) f()
  return (performance.now() - t0) / reps
}

const median = (xs: number[]): number => {
  xs.sort((a, b) => a - b)
  return xs[Math.floor(xs.length / 2)] ?? 0
}

/** Median time per call of `f` (ms). */
export const perCall = (f: () => unknown, samples = 5): number => {
  const p = plan(f, samples)
  const times: number[] = []
  for (let s = 0; s < p.samples; s++) times.push(sample(f, p.reps))
  return median(times)
}

/**
 * Median times per call of a hostile input and of its baseline, sampled alternately so that both
 * see the same machine load (a busy neighbour slows both, not one).
 */
export const compare = (
  hostile: () => unknown,
  baseline: () => unknown,
  samples = 5,
): { readonly hostile: number; readonly baseline: number } => {
  const ph = plan(hostile, samples)
  const pb = plan(baseline, samples)
  const n = Math.max(ph.samples, pb.samples)
  const h: number[] = []
  const b: number[] = []
  for (let s = 0; s < n; s++) {
    h.push(sample(hostile, ph.reps))
    b.push(sample(baseline, pb.reps))
  }
  return { hostile: median(h), baseline: median(b) }
}

/**
 * The normal stanza an input of `bytes` bytes is compared with, and the options to decode it
 * with: the case's content namespace (so it is valid under them) and a size cap at least the
 * default one; other limits stay at their defaults, so a case with `maxDepth: 1` is still
 * compared with a normal stanza, not with a rejected one. Sizes beyond the cap are capped.
 */
export const baselineFor = (
  bytes: number,
  options?: DecodeOptions,
): { readonly xml: string; readonly options: DecodeOptions } => {
  const ns = options?.ns ?? 'jabber:client'
  const cap = Math.max(defaultLimits.maxBytes, options?.limits?.maxBytes ?? 0)
  return {
    xml: paddedMessage(Math.min(bytes, cap), ns === 'jabber:client' ? undefined : ns),
    options: { ns, limits: { maxBytes: cap } },
  }
}

/** Median time (ms) of decoding an empty `<message/>`: the unit of the slack. */
export const emptyDecode = (): number => {
  const empty = '<message/>'
  for (let i = 0; i < 50; i++) Stanza.decode(empty)
  return perCall(() => Stanza.decode(empty), 7)
}

/** The bound for a hostile decode, given its baseline's time and the empty decode's. */
export const bound = (baseline: number, empty: number): number => K * baseline + SLACK * empty

/**
 * Cached baselines by size bucket, for the fuzzer: `bucket` rounds sizes up (a power of two) so
 * a few dozen baselines cover every size. Rounding up only makes the bound more generous.
 */
export const baselines = (
  bucket: (bytes: number) => number,
): ((bytes: number, options?: DecodeOptions) => number) => {
  const cache = new Map<string, number>()
  return (bytes, options) => {
    const { xml, options: opts } = baselineFor(bucket(Math.max(bytes, 1)), options)
    const key = `${opts.ns} ${xml.length}`
    const known = cache.get(key)
    if (known !== undefined) return known
    const t = perCall(() => Stanza.decode(xml, opts))
    cache.set(key, t)
    return t
  }
}

/** Next power of two (at least 64): the fuzzer's size buckets. */
export const powerOfTwo = (n: number): number => {
  let p = 64
  while (p < n) p *= 2
  return p
}
