/**
 * `npm run fuzz` (`tsx --expose-gc spec/hostile/fuzz.ts`): the hostile-input fuzzer of issue 5.
 * Never part of `npm test`.
 *
 * Properties, over `Stanza.decode`:
 * - `strings`: random UTF-16 strings (lone surrogates included) and soups of XML tokens;
 * - `bytes`: random bytes, and valid stanzas' UTF-8 with bytes overwritten;
 * - `mutations`: valid stanzas (bench/corpus.ts kinds, examples/stream.xml split into stanzas,
 *   the catalog's accepted inputs) with characters and tokens inserted, deleted, replaced and
 *   duplicated (`<`, `&`, `]]>`, `\u0000`, `xmlns:`, …);
 * - `respellings`: valid stanzas (generated records from spec/arbitraries/Stanza.ts, and the
 *   seeds above) rewritten with random but equivalent XML spelling: quotes, whitespace in tags,
 *   prefixes and redundant declarations, entities, character references, CDATA. Each must be
 *   accepted and decode to exactly the record of the canonical spelling;
 * - `trees`: generated hostile trees around the limits (depth, siblings, attributes per element,
 *   name length, size), whose outcome is known: `policy-violation` beyond a limit, else accepted.
 *
 * Every input must: never throw; give a well-formed `Either` (a known condition, messages of at
 * most 200 characters); leave `Object.prototype` alone; decode within the relative time bound of
 * `timing.ts` (K × a normal stanza of the same size + slack; a single slow run is re-measured
 * before it counts); and, when accepted, round-trip: `decode(encode(decode(x)))` equals
 * `decode(x)`.
 *
 * Then the resource bound: 10,000 copies of a stanza of exactly the size cap (262,144 bytes),
 * alternately as string and bytes, decoded while `heapUsed` is sampled (after `global.gc()` when
 * run with `--expose-gc`): it must stay flat.
 *
 * Environment:
 * - `FUZZ_RUNS` runs of `strings`, `bytes` and `mutations` (default 40,000, about a minute in all
 *   on a 2-core machine); `respellings` gets an eighth, `trees` a 25th (their inputs are larger);
 * - `FUZZ_SEED`, `FUZZ_PATH`, `FUZZ_ONLY=<property>`: replay a failure as printed;
 * - `FUZZ_COPIES` copies for the memory check (default 10,000; `0` skips it).
 *
 * A failure prints the property, seed, path and the counterexample (bounded), and the process
 * exits with status 1.
 */
import { readFileSync } from 'node:fs'
import { isDeepStrictEqual } from 'node:util'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { kinds, prng } from '../../bench/corpus.js'
import { framer } from '../../src/connection/framer.js'
import type { Condition, DecodeError } from '../../src/DecodeError.js'
import * as Stanza from '../../src/Stanza.js'
import * as Xml from '../../src/Xml.js'
import { stanza as stanzaRecord } from '../arbitraries/Stanza.js'
import { catalog, utf8Bytes } from './catalog.js'
import { baselineFor, baselines, bound, compare, emptyDecode, K, powerOfTwo } from './timing.js'

const env = (name: string, fallback: number): number => {
  const raw = process.env[name]
  const n = raw === undefined || raw === '' ? fallback : Number(raw)
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a number >= 0, got ${raw}`)
  return Math.floor(n)
}

const RUNS = env('FUZZ_RUNS', 40_000)
const COPIES = env('FUZZ_COPIES', 10_000)
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED)
const PATH = process.env.FUZZ_PATH
const ONLY = process.env.FUZZ_ONLY

const gc = (globalThis as { gc?: () => void }).gc

// -------------------------------------------------------------------------------------
// the oracle: what every input must satisfy
// -------------------------------------------------------------------------------------

const conditions: ReadonlySet<Condition> = new Set<Condition>([
  'not-well-formed',
  'restricted-xml',
  'policy-violation',
  'unsupported-encoding',
  'bad-format',
  'invalid-namespace',
  'unsupported-stanza-type',
  'bad-request',
  'jid-malformed',
])

const protoNames = Object.getOwnPropertyNames(Object.prototype).sort().join()

const size = (x: string | Uint8Array): number => (typeof x === 'string' ? utf8Bytes(x) : x.length)

let empty = 0
const baseline = baselines(powerOfTwo)
const stats = {
  inputs: 0,
  accepted: 0,
  remeasured: 0,
  worstRatio: 0,
}

/** Checks one input; throws a bounded description of the first violation. */
const check = (
  x: string | Uint8Array,
  options?: Stanza.DecodeOptions,
): E.Either<DecodeError, Stanza.Stanza> => {
  stats.inputs++
  let r: E.Either<DecodeError, Stanza.Stanza>
  const t0 = performance.now()
  try {
    r = Stanza.decode(x, options)
  } catch (e) {
    throw new Error(`decode threw: ${String(e).slice(0, 300)}`)
  }
  const t = performance.now() - t0
  // shape
  if (E.isLeft(r)) {
    const problems = r.left.problems
    if (problems.length === 0) throw new Error('Left without problems')
    for (const p of problems) {
      if (!conditions.has(p.condition)) throw new Error(`unknown condition ${String(p.condition)}`)
      if (p.message.length > 200)
        throw new Error(`message longer than 200: ${p.message.slice(0, 80)}…`)
    }
  } else if (!Stanza.is(r.right)) throw new Error('Right that is not a stanza')
  // prototype
  if (Object.getOwnPropertyNames(Object.prototype).sort().join() !== protoNames)
    throw new Error('Object.prototype changed')
  // time: a single run over the bound is re-measured (median, interleaved with the exact-size
  // baseline) before it counts, so a GC pause or a busy neighbour is not a finding
  const n = size(x)
  if (t > bound(baseline(n, options), empty)) {
    stats.remeasured++
    const base = baselineFor(n, options)
    const m = compare(
      () => Stanza.decode(x, options),
      () => Stanza.decode(base.xml, base.options),
    )
    stats.worstRatio = Math.max(stats.worstRatio, m.hostile / m.baseline)
    if (m.hostile > bound(m.baseline, empty))
      throw new Error(
        `too slow: ${m.hostile.toFixed(3)} ms for ${n} bytes, bound ${bound(m.baseline, empty).toFixed(3)} ms (${K}× ${m.baseline.toFixed(3)} ms + slack)`,
      )
  }
  // round trip
  if (E.isRight(r)) {
    stats.accepted++
    const ns = options?.ns ?? 'jabber:client'
    const again = Stanza.decode(Stanza.encode(r.right, { ns }), {
      ns,
      limits: { maxBytes: 2 * n + 1024 },
    })
    if (E.isLeft(again))
      throw new Error(
        `re-decoding the encoding failed: ${JSON.stringify(again.left).slice(0, 300)}`,
      )
    if (!isDeepStrictEqual(again.right, r.right))
      throw new Error(
        `round trip changed the record:\n  first  ${JSON.stringify(r.right).slice(0, 400)}\n  second ${JSON.stringify(again.right).slice(0, 400)}`,
      )
  }
  return r
}

// -------------------------------------------------------------------------------------
// inputs
// -------------------------------------------------------------------------------------

/** Valid stanzas to mutate: the benchmark kinds, the example stream, the catalog's accepted cases. */
const seeds: ReadonlyArray<string> = (() => {
  const out: string[] = kinds.map((k) => k.xml)
  const f = framer({ onFault: 'resync' })
  const stream = readFileSync(new URL('../../examples/stream.xml', import.meta.url))
  for (const e of [...f.push(stream), ...f.end()])
    if (e._tag === 'Element' && ['message', 'presence', 'iq'].includes(e.element.name))
      out.push(e.xml)
  for (const c of catalog)
    if (
      'accept' in c.expect &&
      c.options === undefined &&
      typeof c.input === 'string' &&
      c.input.length <= 2048
    )
      out.push(c.input)
  return out.filter((s) => E.isRight(Stanza.decode(s)))
})()

const TOKENS: ReadonlyArray<string> = [
  '<',
  '>',
  '/>',
  '</',
  '&',
  ';',
  '&amp;',
  '&lt;',
  '&#',
  '&#x',
  '&#0;',
  '&#x10FFFF;',
  '&#9999999;',
  '&nbsp;',
  ']]>',
  '<![CDATA[',
  '<!--',
  '-->',
  '<?',
  '?>',
  '<!DOCTYPE x>',
  '<!ENTITY',
  '\u0000',
  '\u0001',
  '\ud800',
  '\udc00',
  '\ufffe',
  '\ufeff',
  '\u0085',
  '😀',
  'é',
  "'",
  '"',
  '=',
  ' ',
  '\t',
  '\r\n',
  ':',
  'xmlns:',
  "xmlns='urn:x'",
  "xmlns=''",
  "xmlns:xml='urn:x'",
  'xml:lang',
  '__proto__',
  'constructor',
  'message',
  'presence',
  'iq',
  'body',
  'error',
  'type',
  "type='error'",
  "id=''",
  'to',
  '@',
  '/',
  '-0',
  '128',
]

const token: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...TOKENS) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 3 }) },
)

interface Mutation {
  readonly op: 'insert' | 'delete' | 'replace' | 'duplicate'
  readonly at: number
  readonly len: number
  readonly token: string
}

const mutation: fc.Arbitrary<Mutation> = fc.record({
  op: fc.constantFrom('insert', 'delete', 'replace', 'duplicate'),
  at: fc.nat(),
  len: fc.integer({ min: 1, max: 24 }),
  token,
})

const mutate = (s: string, m: Mutation): string => {
  const at = m.at % (s.length + 1)
  switch (m.op) {
    case 'insert':
      return s.slice(0, at) + m.token + s.slice(at)
    case 'delete':
      return s.slice(0, at) + s.slice(at + m.len)
    case 'replace':
      return s.slice(0, at) + m.token + s.slice(at + m.len)
    case 'duplicate':
      return s.slice(0, at + m.len) + s.slice(at, at + m.len) + s.slice(at + m.len)
  }
}

interface Tree {
  readonly depth: number
  readonly siblings: number
  readonly attrs: number
  readonly nameLength: number
  readonly nameChar: string
  readonly prefixed: boolean
  readonly text: string
  readonly padding: number
}

const tree: fc.Arbitrary<Tree> = fc.record({
  depth: fc.oneof(fc.integer({ min: 2, max: 40 }), fc.integer({ min: 30, max: 34 })),
  siblings: fc.oneof(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 9_960, max: 10_010 })),
  attrs: fc.oneof(fc.integer({ min: 0, max: 70 }), fc.integer({ min: 62, max: 67 })),
  nameLength: fc.oneof(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 252, max: 260 })),
  nameChar: fc.constantFrom('a', 'é', '_', 'ꯍ'),
  prefixed: fc.boolean(),
  text: fc.constantFrom('', 'x', '&amp;&#65;', '<![CDATA[<y>]]>', ' \n '),
  padding: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 270_000 })),
})

/**
 * `<message>` holding `siblings` empty elements, a padding body, and a chain of `<c>` down to a
 * target element at `depth` with a long name and `attrs` attributes (its `xmlns:p` included).
 */
const buildTree = (t: Tree): { readonly xml: string; readonly over: boolean } => {
  const name = t.nameChar.repeat(t.nameLength)
  const qname = t.prefixed ? `p:${name}` : name
  const decls = t.prefixed ? " xmlns:p='urn:p'" : ''
  const own = Math.max(t.attrs, t.prefixed ? 1 : 0) - (t.prefixed ? 1 : 0)
  let attrs = decls
  for (let i = 0; i < own; i++) attrs += ` a${i}='${i}'`
  const chain = t.depth - 2
  const xml =
    `<message><body>${'z'.repeat(t.padding)}</body>${'<s/>'.repeat(t.siblings)}` +
    `${'<c>'.repeat(chain)}<${qname}${attrs}>${t.text}</${qname}>${'</c>'.repeat(chain)}</message>`
  const attrCount = own + (t.prefixed ? 1 : 0)
  const elements = 1 + 1 + t.siblings + chain + 1
  const over =
    t.depth > Xml.defaultLimits.maxDepth ||
    elements > Xml.defaultLimits.maxElements ||
    attrCount > Xml.defaultLimits.maxAttributes ||
    qname.length > Xml.defaultLimits.maxNameLength ||
    utf8Bytes(xml) > Xml.defaultLimits.maxBytes
  return { xml, over }
}

/**
 * Writes an element as XML with every spelling choice XML allows made at random: quote style,
 * whitespace inside tags, default or prefixed namespaces (redundant declarations too), attribute
 * order, `<x/>` or `<x></x>`, text as literals, entities, decimal or hex character references or
 * CDATA sections. Every spelling has the same infoset, so it must decode to the same record.
 */
const respell = (root: Xml.XmlElement, rand: () => number): string => {
  const chance = (p: number): boolean => rand() < p
  const pick = <T>(xs: ReadonlyArray<T>, fallback: T): T =>
    xs[Math.floor(rand() * xs.length)] ?? fallback
  const S = (): string => pick([' ', '\n', '\t', '  ', ' \r\n '], ' ')
  const opt = (): string => (chance(0.7) ? '' : S())
  const ref = (cp: number): string => (chance(0.5) ? `&#${cp};` : `&#x${cp.toString(16)};`)
  let prefixes = 0

  const attrValue = (v: string, q: string): string => {
    let out = ''
    for (const ch of v) {
      const cp = ch.codePointAt(0) ?? 0
      if (ch === '&') out += chance(0.5) ? '&amp;' : ref(cp)
      else if (ch === '<') out += chance(0.5) ? '&lt;' : ref(cp)
      else if (ch === q) out += chance(0.5) ? (q === "'" ? '&apos;' : '&quot;') : ref(cp)
      else if (ch === '\t' || ch === '\n' || ch === '\r') out += ref(cp)
      else if (chance(0.05)) out += ref(cp)
      else out += ch
    }
    return out
  }

  const text = (t: string): string => {
    let out = ''
    let i = 0
    const chars = [...t]
    while (i < chars.length) {
      const len = 1 + Math.floor(rand() * 8)
      const chunk = chars.slice(i, i + len).join('')
      i += len
      if (chance(0.2) && !chunk.includes('\r') && !chunk.includes(']]>'))
        out += `<![CDATA[${chunk}]]>`
      else
        for (const ch of chunk) {
          const cp = ch.codePointAt(0) ?? 0
          if (ch === '&') out += chance(0.5) ? '&amp;' : ref(cp)
          else if (ch === '<') out += chance(0.5) ? '&lt;' : ref(cp)
          else if (ch === '>') out += out.endsWith(']]') || chance(0.5) ? '&gt;' : '>'
          else if (ch === '\r') out += ref(cp)
          else if (chance(0.05)) out += ref(cp)
          else out += ch
        }
    }
    return out
  }

  const write = (el: Xml.XmlElement, dflt: string, scope: ReadonlyMap<string, string>): string => {
    const q = (): string => (chance(0.5) ? "'" : '"')
    const attrs: string[] = []
    let inner = dflt
    const bound = new Map(scope)
    let tag = el.name
    // Stay inside the limits the original met: a prefix lengthens the QName, a redundant
    // declaration adds an attribute.
    const { maxNameLength, maxAttributes } = Xml.defaultLimits
    const room = Object.keys(el.attrs).length < maxAttributes
    const prefixable = (name: string): boolean =>
      name.length + 2 + String(prefixes).length <= maxNameLength
    if (el.ns !== dflt || (room && chance(0.15))) {
      if (el.ns !== '' && prefixable(el.name) && chance(0.4)) {
        const p = `p${prefixes++}`
        const qq = q()
        attrs.push(`xmlns:${p}${opt()}=${opt()}${qq}${attrValue(el.ns, qq)}${qq}`)
        bound.set(el.ns, p)
        tag = `${p}:${el.name}`
      } else {
        const qq = q()
        attrs.push(`xmlns${opt()}=${opt()}${qq}${attrValue(el.ns, qq)}${qq}`)
        inner = el.ns
      }
    }
    for (const key of Object.keys(el.attrs)) {
      const value = el.attrs[key] ?? ''
      let qname = key
      if (key.startsWith('{')) {
        const close = key.indexOf('}')
        const uri = key.slice(1, close)
        let p = bound.get(uri)
        if (p === undefined || (room && chance(0.3))) {
          p = `a${prefixes++}`
          const qq = q()
          attrs.push(`xmlns:${p}=${qq}${attrValue(uri, qq)}${qq}`)
          bound.set(uri, p)
        }
        qname = `${p}:${key.slice(close + 1)}`
      }
      const qq = q()
      attrs.push(`${qname}${opt()}=${opt()}${qq}${attrValue(value, qq)}${qq}`)
    }
    for (let i = attrs.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1))
      const a = attrs[i] ?? ''
      attrs[i] = attrs[j] ?? ''
      attrs[j] = a
    }
    const open = `<${tag}${attrs.map((a) => S() + a).join('')}${opt()}`
    if (el.children.length === 0 && chance(0.5)) return `${open}/>`
    let body = ''
    for (const c of el.children) body += typeof c === 'string' ? text(c) : write(c, inner, bound)
    return `${open}>${body}</${tag}${opt()}>`
  }
  return write(root, 'jabber:client', new Map())
}

// -------------------------------------------------------------------------------------
// properties
// -------------------------------------------------------------------------------------

/** What a property run reports, whatever its input type. */
interface Summary {
  readonly failed: boolean
  readonly numRuns: number
  readonly numShrinks: number
  readonly seed: number
  readonly path: string | null
  readonly counterexample: unknown
  readonly error: unknown
}

const summarize = <T>(d: fc.RunDetails<T>): Summary => ({
  failed: d.failed,
  numRuns: d.numRuns,
  numShrinks: d.numShrinks,
  seed: d.seed,
  path: d.counterexamplePath,
  counterexample: d.counterexample,
  error: d.errorInstance,
})

interface Params {
  readonly numRuns: number
  readonly seed?: number
  readonly path?: string
}

interface Prop {
  readonly name: string
  readonly runs: number
  readonly run: (params: Params) => Summary
}

const props: ReadonlyArray<Prop> = [
  {
    name: 'strings',
    runs: RUNS,
    run: (params) =>
      summarize(
        fc.check(
          fc.property(
            fc.oneof(
              fc.string({ unit: 'binary', maxLength: 200 }),
              fc.array(token, { maxLength: 60 }).map((ts) => ts.join('')),
              fc.array(token, { maxLength: 40 }).map((ts) => `<message>${ts.join('')}</message>`),
            ),
            (s) => {
              check(s)
            },
          ),
          params,
        ),
      ),
  },
  {
    name: 'bytes',
    runs: RUNS,
    run: (params) =>
      summarize(
        fc.check(
          fc.property(
            fc.oneof(
              fc.uint8Array({ maxLength: 200 }),
              fc
                .tuple(
                  fc.constantFrom(...seeds),
                  fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
                    minLength: 1,
                    maxLength: 4,
                  }),
                )
                .map(([s, flips]) => {
                  const b = new TextEncoder().encode(s)
                  for (const [at, v] of flips) b[at % b.length] = v
                  return b
                }),
            ),
            (b) => {
              check(b)
            },
          ),
          params,
        ),
      ),
  },
  {
    name: 'mutations',
    runs: RUNS,
    run: (params) =>
      summarize(
        fc.check(
          fc.property(
            fc.constantFrom(...seeds),
            fc.array(mutation, { minLength: 1, maxLength: 6 }),
            (seed, ms) => {
              check(ms.reduce(mutate, seed))
            },
          ),
          params,
        ),
      ),
  },
  {
    name: 'respellings',
    runs: Math.max(1, Math.floor(RUNS / 8)),
    run: (params) =>
      summarize(
        fc.check(
          fc.property(
            fc.oneof(
              stanzaRecord.map((r) => Stanza.encode(r)),
              fc.constantFrom(...seeds),
            ),
            fc.integer(),
            (xml, seed) => {
              const canonical = Stanza.decode(xml)
              const tree = Xml.parse(xml)
              if (E.isLeft(canonical) || E.isLeft(tree))
                throw new Error(
                  `a valid stanza did not decode: ${JSON.stringify(canonical).slice(0, 300)}`,
                )
              const spelled = respell(tree.right, prng(seed))
              const r = check(spelled)
              if (E.isLeft(r))
                throw new Error(
                  `a respelling was rejected: ${r.left.problems[0].condition}: ${r.left.problems[0].message}\n  xml ${spelled.slice(0, 600)}`,
                )
              if (!isDeepStrictEqual(r.right, canonical.right))
                throw new Error(
                  `a respelling decoded differently:\n  xml ${spelled.slice(0, 600)}\n  canonical ${JSON.stringify(canonical.right).slice(0, 400)}\n  respelled ${JSON.stringify(r.right).slice(0, 400)}`,
                )
            },
          ),
          params,
        ),
      ),
  },
  {
    name: 'trees',
    runs: Math.max(1, Math.floor(RUNS / 25)),
    run: (params) =>
      summarize(
        fc.check(
          fc.property(tree, (t) => {
            const { xml, over } = buildTree(t)
            const r = check(xml)
            const got = E.isRight(r) ? 'accepted' : r.left.problems[0].condition
            const want = over ? 'policy-violation' : 'accepted'
            if (got !== want) throw new Error(`expected ${want}, got ${String(got)}`)
          }),
          params,
        ),
      ),
  },
]

const bounded = (v: unknown): string => {
  const s = JSON.stringify(v, (_, x: unknown) =>
    x instanceof Uint8Array ? `bytes:${Buffer.from(x).toString('hex')}` : x,
  )
  return s === undefined
    ? String(v)
    : s.length > 2000
      ? `${s.slice(0, 2000)}… (${s.length} chars)`
      : s
}

let failed = false

const runProperty = (p: Prop): void => {
  const t0 = performance.now()
  const d = p.run({
    numRuns: p.runs,
    ...(SEED === undefined ? {} : { seed: SEED }),
    ...(PATH === undefined ? {} : { path: PATH }),
  })
  const secs = ((performance.now() - t0) / 1000).toFixed(1)
  if (d.failed) {
    failed = true
    const error = d.error instanceof Error ? d.error.message : String(d.error)
    process.stdout.write(
      `FAIL ${p.name} after ${d.numRuns} runs (${secs} s), ${d.numShrinks} shrinks\n` +
        `  seed ${d.seed} path ${d.path}\n` +
        `  replay: FUZZ_ONLY=${p.name} FUZZ_SEED=${d.seed} FUZZ_PATH=${d.path} npm run fuzz\n` +
        `  counterexample: ${bounded(d.counterexample)}\n` +
        `  error: ${error.slice(0, 1500)}\n`,
    )
  } else process.stdout.write(`ok   ${p.name}: ${d.numRuns} runs in ${secs} s (seed ${d.seed})\n`)
}

// -------------------------------------------------------------------------------------
// resource bound
// -------------------------------------------------------------------------------------

/**
 * A stanza of exactly `maxBytes` bytes with a distinct id per copy: a CDATA body (the cheapest
 * way to fill the cap, so 10,000 copies fit the run) plus a payload that exercises attributes,
 * namespaces, references and JIDs.
 */
const fullSize = (copy: number): string => {
  const head =
    `<message from='romeo@example.net/orchard' to='juliet@example.com/balcony' type='chat' id='${copy.toString(36).padStart(8, '0')}' xml:lang='en'>` +
    "<x xmlns='urn:x'>" +
    "<i a='1' b='&amp;' c='&#x1F600;'>t&lt;</i>".repeat(100) +
    '</x><body><![CDATA['
  const tail = ']]></body></message>'
  return head + 'y'.repeat(Xml.defaultLimits.maxBytes - utf8Bytes(head) - tail.length) + tail
}

const memory = (): boolean => {
  if (COPIES === 0) return true
  const t0 = performance.now()
  const encoder = new TextEncoder()
  const heap = (): number => {
    gc?.()
    return process.memoryUsage().heapUsed
  }
  const every = Math.max(1, Math.floor(COPIES / 40))
  const warmup = Math.min(500, Math.floor(COPIES / 10))
  const samples: number[] = []
  let rejected = 0
  let minSinceSample = Number.POSITIVE_INFINITY
  for (let i = 0; i < COPIES; i++) {
    const s = fullSize(i)
    if (utf8Bytes(s) !== Xml.defaultLimits.maxBytes) throw new Error('fullSize is not at the cap')
    const r = Stanza.decode(i % 2 === 0 ? s : encoder.encode(s))
    if (E.isLeft(r)) rejected++
    if (gc === undefined) minSinceSample = Math.min(minSinceSample, process.memoryUsage().heapUsed)
    if (i >= warmup && (i - warmup) % every === 0) {
      samples.push(gc === undefined ? minSinceSample : heap())
      minSinceSample = Number.POSITIVE_INFINITY
    }
  }
  const mb = (b: number): string => `${(b / 1048576).toFixed(1)} MB`
  const first = samples.slice(0, Math.max(1, Math.floor(samples.length / 4)))
  const last = samples.slice(-Math.max(1, Math.floor(samples.length / 4)))
  const med = (xs: number[]): number =>
    [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0
  const growth = med(last) - med(first)
  // With gc, live data is measured exactly: 8 MB is under 1 kB per copy. Without, the minimum
  // between samples still includes young garbage, so the margin is wider.
  const margin = gc === undefined ? 48 * 1048576 : 8 * 1048576
  const secs = ((performance.now() - t0) / 1000).toFixed(1)
  const ok = rejected === 0 && growth <= margin
  process.stdout.write(
    `${ok ? 'ok  ' : 'FAIL'} memory: ${COPIES} copies of ${Xml.defaultLimits.maxBytes} bytes in ${secs} s` +
      ` (${gc === undefined ? 'no --expose-gc: minimum heapUsed between samples' : 'heapUsed after gc'}):` +
      ` first quarter ${mb(med(first))}, last quarter ${mb(med(last))}, growth ${mb(growth)} (margin ${mb(margin)}),` +
      ` min ${mb(Math.min(...samples))}, max ${mb(Math.max(...samples))}, rss ${mb(process.memoryUsage().rss)}` +
      (rejected === 0 ? '' : `, ${rejected} copies rejected`) +
      '\n',
  )
  return ok
}

// -------------------------------------------------------------------------------------
// main
// -------------------------------------------------------------------------------------

const main = (): void => {
  const t0 = performance.now()
  empty = emptyDecode()
  process.stdout.write(
    `fuzz: FUZZ_RUNS=${RUNS}, ${seeds.length} seed stanzas, empty decode ${(empty * 1000).toFixed(1)} µs, bound ${K}× same-size baseline\n`,
  )
  for (const p of props) if (ONLY === undefined || ONLY === p.name) runProperty(p)
  if (ONLY === undefined || ONLY === 'memory') if (!memory()) failed = true
  process.stdout.write(
    `inputs ${stats.inputs}, accepted ${stats.accepted}, slow runs re-measured ${stats.remeasured}` +
      (stats.remeasured > 0 ? ` (worst re-measured ratio ${stats.worstRatio.toFixed(1)}×)` : '') +
      `, total ${((performance.now() - t0) / 1000).toFixed(1)} s\n`,
  )
  process.exitCode = failed ? 1 : 0
}

main()
