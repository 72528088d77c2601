/**
 * Golden fixtures (spec/fixtures/README.md), checked both ways: every `<slug>.xml` stanza decodes
 * (with `Stanza.decode`, then the named extension's `getAll`) to the `<slug>.json` records, and
 * every record encodes back to the stanza's element (or to the JSON's `encoded` form), which
 * also survives `Xml.serialize` → `Xml.parse`.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import * as E from 'fp-ts/lib/Either.js'
import * as O from 'fp-ts/lib/Option.js'
import * as DecodeError from '../../src/DecodeError.js'
import type * as X from '../../src/Extension.js'
import * as ext from '../../src/ext/index.js'
import * as Stanza from '../../src/Stanza.js'
import * as Xml from '../../src/Xml.js'

const root = resolve(__dirname, '..', 'fixtures')

interface Fixture {
  readonly source: string
  readonly extension: string
  readonly records: ReadonlyArray<unknown>
  readonly encoded?: ReadonlyArray<string>
}

interface Case {
  readonly file: string
  readonly fixture: Fixture
  readonly xml: string
}

const cases: ReadonlyArray<Case> = readdirSync(root, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) =>
    readdirSync(join(root, d.name))
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => {
        const slug = f.slice(0, -'.json'.length)
        return {
          file: `${d.name}/${slug}`,
          fixture: JSON.parse(readFileSync(join(root, d.name, f), 'utf8')) as Fixture,
          xml: readFileSync(join(root, d.name, `${slug}.xml`), 'utf8'),
        }
      }),
  )

// -------------------------------------------------------------------------------------
// fixture conventions
// -------------------------------------------------------------------------------------

type AnyExtension = X.Extension<X.Kind, unknown>

const extensions = ext as unknown as Readonly<Record<string, AnyExtension | undefined>>

const right = <A>(r: E.Either<DecodeError.DecodeError, A>, what: string): A => {
  if (E.isLeft(r)) throw new Error(`${what}: expected Right, got:\n${DecodeError.format(r.left)}`)
  return r.right
}

/** A standalone element as written in a fixture string: its namespace is declared on it. */
const parseElement = (xml: string): Xml.XmlElement => {
  const r = Xml.parse(xml, { ns: null })
  if (E.isLeft(r)) throw new Error(`fixture XML does not parse: ${r.left.message}`)
  return r.right
}

const isRecord = (u: unknown): u is Readonly<Record<string, unknown>> =>
  typeof u === 'object' && u !== null && !Array.isArray(u)

/**
 * A fixture record in the library's terms: `$rest.children[].xml` strings parsed into `node`s,
 * `{ "$stanza": "<message…>" }` decoded with `Stanza.decode`.
 */
const fromFixture = (u: unknown): unknown => {
  if (Array.isArray(u)) return u.map(fromFixture)
  if (!isRecord(u)) return u
  const stanza = u.$stanza
  if (typeof stanza === 'string') return right(Stanza.decode(stanza), 'fixture $stanza')
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(u)) {
    if (key === '$rest' && isRecord(value)) {
      const rest: Record<string, unknown> = { ...value }
      if (Array.isArray(value.children))
        rest.children = value.children.map((c: { at: number; xml: string }) => ({
          at: c.at,
          node: parseElement(c.xml),
        }))
      out[key] = rest
    } else out[key] = fromFixture(value)
  }
  return out
}

const isElement = (u: unknown): u is Xml.XmlElement =>
  isRecord(u) &&
  typeof u.name === 'string' &&
  typeof u.ns === 'string' &&
  isRecord(u.attrs) &&
  Array.isArray(u.children)

const isBlank = (s: string): boolean => /^[ \t\r\n]*$/.test(s)

/** Drops whitespace-only text children, recursively: insignificant whitespace is not kept. */
const stripBlank = (el: Xml.XmlElement): Xml.XmlElement => ({
  name: el.name,
  ns: el.ns,
  attrs: el.attrs,
  children: el.children.flatMap<Xml.XmlNode>((c) =>
    typeof c === 'string' ? (isBlank(c) ? [] : [c]) : [stripBlank(c)],
  ),
})

/**
 * A record with whitespace-only text removed from the XML it holds (an embedded stanza's payload,
 * `$rest` nodes), and every object a plain one, for `toStrictEqual`: `Stanza.decode` keeps the
 * blank text inside payload elements, the compact fixture strings have none.
 */
const comparable = (u: unknown): unknown => {
  if (Array.isArray(u)) return u.map(comparable)
  if (isElement(u)) {
    const el = stripBlank(u)
    return {
      name: el.name,
      ns: el.ns,
      attrs: { ...el.attrs },
      children: el.children.map(comparable),
    }
  }
  if (!isRecord(u)) return u
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(u)) out[key] = comparable(value)
  return out
}

const show = (el: Xml.XmlElement): string => Xml.serialize(el)

// -------------------------------------------------------------------------------------
// specs
// -------------------------------------------------------------------------------------

describe('ext golden fixtures', () => {
  it('finds the 80 pairs of spec/fixtures/README.md', () => {
    expect(cases).toHaveLength(80)
  })

  describe.each(cases.map((c) => [c.file, c] as const))('%s', (_file, { file, fixture, xml }) => {
    it(`${fixture.source} (${file}): decodes to the records and encodes back`, () => {
      const extension = extensions[fixture.extension]
      if (extension === undefined) throw new Error(`no extension ${fixture.extension} in ext`)
      const stanza = right(Stanza.decode(xml), file)
      expect(extension.kinds).toContain(stanza.kind)
      const expected = fromFixture(fixture.records) as ReadonlyArray<unknown>

      // XML → records
      const records = extension.getAll(stanza)
      expect(comparable(records)).toStrictEqual(comparable(expected))
      for (const r of records) expect(extension.codec.is(r)).toBe(true)
      expect(extension.has(stanza)).toBe(expected.length > 0)
      expect(extension.getEither(stanza)).toStrictEqual(E.right(O.fromNullable(records[0])))
      expect(extension.get(stanza)).toStrictEqual(O.fromNullable(records[0]))

      // records → XML
      const elements = stanza.payload.filter(extension.is)
      expect(elements).toHaveLength(expected.length)
      if (fixture.encoded !== undefined) expect(fixture.encoded).toHaveLength(expected.length)
      expected.forEach((record, i) => {
        const source = elements[i] as Xml.XmlElement
        const encodedXml = fixture.encoded?.[i]
        const want = encodedXml === undefined ? stripBlank(source) : parseElement(encodedXml)
        const got = extension.encode(record)
        if (!Xml.equals(got, want)) expect(show(got)).toBe(show(want))
        expect(Xml.equals(got, want)).toBe(true)
        // The element itself decodes to the record (paths start at the element).
        expect(comparable(right(extension.decode(source), file))).toStrictEqual(comparable(record))
        // And what is written survives serialization.
        const reparsed = parseElement(Xml.serialize(got))
        expect(Xml.equals(reparsed, got)).toBe(true)
        expect(comparable(right(extension.decode(reparsed), file))).toStrictEqual(
          comparable(record),
        )
      })
    })
  })
})
