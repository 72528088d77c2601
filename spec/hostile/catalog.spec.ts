/**
 * Runs every case of the hostile-input catalog (issue 5): the outcome docs/security.md / docs/semantics.md
 * require, that `Object.prototype` is untouched, that accepted records survive
 * `decode(encode(r))`, and that each case decodes within the relative time bound of `timing.ts`.
 * Cases marked `knownFailure` run with `it.failing`: they document a disagreement between the
 * implementation and the spec, and start failing (as a reminder to drop the marker) once fixed.
 */

import { isDeepStrictEqual } from 'node:util'
import { beforeAll, describe, expect, it } from '@jest/globals'
import * as E from 'fp-ts/lib/Either.js'
import { Subject } from 'rxjs'
import * as DecodeError from '../../src/DecodeError.js'
import * as Iq from '../../src/Iq.js'
import * as Jid from '../../src/Jid.js'
import { isIqError } from '../../src/rx/IqFailure.js'
import { request } from '../../src/rx/request.js'
import type { StanzaStream } from '../../src/rx/StanzaStream.js'
import * as Stanza from '../../src/Stanza.js'
import * as Xml from '../../src/Xml.js'
import {
  type Case,
  type Category,
  type Correlation,
  catalog,
  type Input,
  inputOf,
  ME,
  utf8Bytes,
} from './catalog.js'
import { baselineFor, bound, compare, emptyDecode, K, SLACK } from './timing.js'

// Inputs are built once per case (several are 256 kB–1 MB).
const inputs = new Map<string, Input>()
const input = (c: Case): Input => {
  const known = inputs.get(c.id)
  if (known !== undefined) return known
  const built = inputOf(c)
  inputs.set(c.id, built)
  return built
}
const sizeOf = (i: Input): number => (typeof i === 'string' ? utf8Bytes(i) : i.length)

const protoNames = Object.getOwnPropertyNames(Object.prototype).sort().join()
const expectCleanPrototype = (): void => {
  expect(Object.getOwnPropertyNames(Object.prototype).sort().join()).toBe(protoNames)
  const probe: Record<string, unknown> = {}
  expect(probe.polluted).toBeUndefined()
  expect(Object.getPrototypeOf(probe)).toBe(Object.prototype)
}

const parseOptions = (c: Case): Xml.ParseOptions => {
  const ns = c.options?.ns === undefined ? 'jabber:client' : c.options.ns
  const limits = c.options?.limits
  return limits === undefined ? { ns } : { ns, limits }
}

const decode = (c: Case): E.Either<DecodeError.DecodeError, Stanza.Stanza> =>
  Stanza.decode(input(c), c.options)

const jid = (s: string): Jid.Jid => {
  const r = Jid.parse(s)
  if (E.isLeft(r)) throw new Error(`bad fixture JID ${s}`)
  return r.right
}

/** Does delivering `s` settle a pending request per `cor` (docs/security.md §6)? */
const settles = (s: Stanza.Stanza, cor: Correlation): boolean => {
  const wire = new Subject<Stanza.Stanza>()
  const stream: StanzaStream = { incoming: wire, send: () => undefined, jid: jid(ME) }
  const ping = Xml.element('ping', 'urn:xmpp:ping')
  const req = Iq.get(ping, cor.to === undefined ? { id: 'c1' } : { id: 'c1', to: jid(cor.to) })
  let settled = false
  let other: unknown
  const sub = request(stream, {
    timeout: Number.POSITIVE_INFINITY,
    acceptOwnDomain: cor.acceptOwnDomain ?? false,
  })(req).subscribe({
    next: () => {
      settled = true
    },
    error: (e: unknown) => {
      if (isIqError(e)) settled = true
      else other = e
    },
  })
  wire.next(s)
  sub.unsubscribe()
  if (other !== undefined) throw new Error(`unexpected failure ${String(other)}`)
  return settled
}

const checkOutcome = (c: Case): void => {
  const r = decode(c)
  const e = c.expect
  if ('reject' in e) {
    if (E.isRight(r))
      throw new Error(
        `${c.id}: expected ${e.reject}, accepted ${JSON.stringify(r.right).slice(0, 300)}`,
      )
    const first = r.left.problems[0]
    expect({
      condition: first.condition,
      ...(e.path === undefined ? {} : { path: first.path }),
    }).toEqual({
      condition: e.reject,
      ...(e.path === undefined ? {} : { path: e.path }),
    })
    // Error text is bounded (docs/security.md §1: cut to 200 characters).
    for (const p of r.left.problems) expect(p.message.length).toBeLessThanOrEqual(200)
    if (e.reason !== undefined || e.offset !== undefined) {
      const x = Xml.parse(input(c), parseOptions(c))
      if (E.isRight(x)) throw new Error(`${c.id}: Xml.parse accepted it`)
      if (e.reason !== undefined) expect(x.left.reason).toBe(e.reason)
      if (e.offset !== undefined) expect(x.left.offset).toBe(e.offset)
    }
  } else {
    if (E.isLeft(r)) throw new Error(`${c.id}: expected accept, got ${DecodeError.format(r.left)}`)
    const s = r.right
    if (typeof e.accept === 'function') e.accept(s)
    else expect(s).toMatchObject(e.accept) // partial expectations are small by construction
    // Law 2 (docs/semantics.md §3.3): what was accepted survives encode → decode. The encoder adds
    // `xmlns` declarations (bytes, attributes), so this decode runs with the larger of the
    // case's and the default limits, and room for the bytes.
    const root = c.options?.ns === null ? Xml.parse(input(c), parseOptions(c)) : undefined
    const ns =
      root === undefined ? (c.options?.ns ?? 'jabber:client') : E.isRight(root) ? root.right.ns : ''
    const own = c.options?.limits ?? {}
    const d = Xml.defaultLimits
    const again = Stanza.decode(Stanza.encode(s, { ns }), {
      ns,
      limits: {
        maxBytes: 2 * sizeOf(input(c)) + 1024,
        maxDepth: Math.max(d.maxDepth, own.maxDepth ?? 0),
        maxElements: Math.max(d.maxElements, own.maxElements ?? 0),
        maxAttributes: Math.max(d.maxAttributes, own.maxAttributes ?? 0) + 1,
        maxNameLength: Math.max(d.maxNameLength, own.maxNameLength ?? 0),
      },
    })
    if (E.isLeft(again) || !isDeepStrictEqual(again.right, s))
      throw new Error(
        `${c.id}: round trip changed the record: ${JSON.stringify(again).slice(0, 300)}`,
      )
    if (c.correlation !== undefined) expect(settles(s, c.correlation)).toBe(c.correlation.settles)
  }
  expectCleanPrototype()
}

const categories: ReadonlyArray<Category> = [
  'malformed',
  'forbidden',
  'entity-expansion',
  'prototype-pollution',
  'limits',
  'illegal-chars',
  'encoding',
  'namespaces',
  'stanza-rules',
  'jid-reject',
  'jid-accept',
  'valid',
  'correlation',
]

describe('hostile catalog', () => {
  it('catalog: at least 150 cases, unique ids, every category populated, every case sourced', () => {
    expect(catalog.length).toBeGreaterThanOrEqual(150)
    expect(new Set(catalog.map((c) => c.id)).size).toBe(catalog.length)
    for (const cat of categories) expect(catalog.some((c) => c.category === cat)).toBe(true)
    for (const c of catalog) expect(c.source).not.toBe('')
  })

  for (const category of categories)
    describe(`outcome: ${category}`, () => {
      for (const c of catalog.filter((x) => x.category === category)) {
        const title = `${c.id} (${c.source})`
        if (c.knownFailure === undefined) it(title, () => checkOutcome(c))
        else it.failing(`${title} [known failure: ${c.knownFailure}]`, () => checkOutcome(c))
      }
    })

  describe(`time: within ${K}× a normal stanza of the same size + ${SLACK}× an empty one`, () => {
    let empty = 0
    const ratios: Array<[string, number]> = []
    beforeAll(() => {
      empty = emptyDecode()
    })
    for (const c of catalog)
      it(c.id, () => {
        const i = input(c)
        const base = baselineFor(sizeOf(i), c.options)
        const t = compare(
          () => Stanza.decode(i, c.options),
          () => Stanza.decode(base.xml, base.options),
        )
        ratios.push([c.id, t.hostile / t.baseline])
        expect(t.hostile).toBeLessThanOrEqual(bound(t.baseline, empty))
      })
    it('time: report (HOSTILE_TIMING=1 prints the slowest ratios)', () => {
      if (process.env.HOSTILE_TIMING === '1') {
        const top = [...ratios].sort((x, y) => y[1] - x[1]).slice(0, 15)
        process.stdout.write(
          `empty decode ${empty.toFixed(4)} ms; slowest ratios to the same-size baseline:\n${top
            .map(([id, r]) => `  ${r.toFixed(1).padStart(6)}×  ${id}`)
            .join('\n')}\n`,
        )
      }
      expect(ratios.length).toBe(catalog.length)
    })
  })
})
