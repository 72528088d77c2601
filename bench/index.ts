/**
 * `npm run bench [-- SELECTOR...]`: runs the benchmark files registered below (docs/performance.md).
 *
 * A selector is a bench name (`xml`), `bench:workload` (`xml:parse`) or a bare workload name
 * (`serialize`); none selects everything. `--list` prints what exists. Settings come from
 * BENCH_ROUNDS, BENCH_SAMPLE_MS and BENCH_WARMUP_MS (smoke run: BENCH_ROUNDS=2 BENCH_SAMPLE_MS=20
 * BENCH_WARMUP_MS=20).
 *
 * To add a workload (full decode vs `stanza`, IQ correlation, …): write `bench/<name>.ts` exporting
 * a `Bench` (see harness.ts) and append it to `benches`.
 */

import * as os from 'node:os'
import { kinds, MIX_SIZE, mix, PERF_MD_BYTES, utf8Bytes } from './corpus.js'
import { extBench } from './ext.js'
import {
  type Bench,
  fmtBytes,
  fmtRatio,
  type Options,
  optionsFromEnv,
  type Summary,
  sinkDigest,
  table,
} from './harness.js'
import { rxBench } from './rx.js'
import { stanzaBench } from './stanza.js'
import { GateError, xmlBench } from './xml.js'

const benches: ReadonlyArray<Bench> = [xmlBench, stanzaBench, extBench, rxBench]

// -------------------------------------------------------------------------------------
// selection
// -------------------------------------------------------------------------------------

class UsageError extends Error {}

type Selection = ReadonlyArray<{ readonly bench: Bench; readonly workloads: ReadonlySet<string> }>

const select = (args: ReadonlyArray<string>): Selection => {
  if (args.length === 0)
    return benches.map((bench) => ({ bench, workloads: new Set(bench.workloads) }))
  const chosen = new Map<Bench, Set<string>>()
  const pick = (bench: Bench, ws: ReadonlyArray<string>): void => {
    const set = chosen.get(bench) ?? new Set<string>()
    for (const w of ws) set.add(w)
    chosen.set(bench, set)
  }
  for (const arg of args) {
    const [name, workload] = arg.split(':', 2)
    const byName = benches.find((b) => b.name === name)
    if (byName !== undefined && workload === undefined) pick(byName, byName.workloads)
    else if (byName !== undefined && workload !== undefined && byName.workloads.includes(workload))
      pick(byName, [workload])
    else {
      const owners = benches.filter((b) => workload === undefined && b.workloads.includes(arg))
      if (owners.length === 0) {
        throw new UsageError(`unknown benchmark "${arg}"; available: ${listing()}`)
      }
      for (const b of owners) pick(b, [arg])
    }
  }
  // keep registration order
  return benches.flatMap((bench) => {
    const ws = chosen.get(bench)
    return ws === undefined ? [] : [{ bench, workloads: ws }]
  })
}

const listing = (): string =>
  benches
    .map((b) => `${b.name} (${b.workloads.map((w) => `${b.name}:${w}`).join(', ')})`)
    .join('; ')

// -------------------------------------------------------------------------------------
// output
// -------------------------------------------------------------------------------------

const machine = (opts: Options): string => {
  const cpus = os.cpus()
  const model = cpus[0]?.model.trim() ?? 'unknown cpu'
  const load = os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')
  return [
    `node ${process.version} (V8 ${process.versions.v8}), ${process.platform}/${process.arch}`,
    `cpu: ${model} × ${cpus.length}; memory ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB; load average ${load}`,
    `rounds ${opts.rounds}, sample ${opts.sampleMs} ms, warm-up ${opts.warmupMs} ms per case`,
  ].join('\n')
}

const corpusInfo = (): string => {
  let mixBytes = 0
  for (const s of mix()) mixBytes += utf8Bytes(s)
  const rows = [
    ...kinds.map((k) => [
      `(${k.key}) ${k.label}`,
      fmtBytes(utf8Bytes(k.xml)),
      fmtBytes(PERF_MD_BYTES[k.key]),
    ]),
    [
      `10k mix (${MIX_SIZE.toLocaleString('en-US')} stanzas)`,
      fmtBytes(mixBytes),
      fmtBytes(PERF_MD_BYTES['10k']),
    ],
  ]
  return table(['corpus', 'bytes', 'docs/performance.md'], rows)
}

const formatSummary = (s: Summary): string => {
  const kindCols = s.columns.map((c, i) => ({ c, i })).filter(({ c }) => c !== '10k')
  const header = ['ratio', ...s.columns, 'per kind min–max']
  const rows = s.rows.map((row) => {
    const perKind = kindCols
      .map(({ i }) => row.values[i])
      .filter((v): v is number => v !== undefined && Number.isFinite(v))
    const range =
      perKind.length === 0
        ? '—'
        : `${Math.min(...perKind).toFixed(2)}–${Math.max(...perKind).toFixed(2)}×`
    return [row.label, ...row.values.map(fmtRatio), range]
  })
  return `${s.title}\n${table(header, rows)}`
}

// -------------------------------------------------------------------------------------
// main
// -------------------------------------------------------------------------------------

const main = async (): Promise<void> => {
  const args = process.argv.slice(2)
  if (args.includes('--list')) {
    console.log(listing())
    return
  }
  const selection = select(args)
  const opts = optionsFromEnv()
  console.log(`stanzakit benchmarks (docs/performance.md)\n${machine(opts)}\n\n${corpusInfo()}`)
  const started = process.hrtime.bigint()
  const summaries: Array<Summary> = []
  for (const { bench, workloads } of selection) {
    console.log(`\n=== ${bench.name}: ${bench.description} [${[...workloads].join(', ')}]`)
    summaries.push(...(await bench.run(workloads, opts)))
  }
  const secs = Number(process.hrtime.bigint() - started) / 1e9
  console.log(`\n=== summary (${secs.toFixed(0)} s; sink: ${sinkDigest()})`)
  for (const s of summaries) console.log(`\n${formatSummary(s)}`)
}

main().catch((e: unknown) => {
  if (e instanceof GateError) console.error(`\n${e.message}\nNo timings taken.`)
  else if (e instanceof UsageError) console.error(e.message)
  else console.error(e)
  process.exitCode = 1
})
