import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import type { ReadonlyNonEmptyArray } from 'fp-ts/lib/ReadonlyNonEmptyArray.js'
import * as DecodeError from '../src/DecodeError.js'
import * as Stanza from '../src/Stanza.js'
import * as Xml from '../src/Xml.js'

const left = <A>(r: E.Either<DecodeError.DecodeError, A>): DecodeError.DecodeError => {
  if (E.isRight(r)) throw new Error(`expected Left, got ${JSON.stringify(r.right)}`)
  return r.left
}

const paths = (xml: string): ReadonlyArray<string> =>
  left(Stanza.decode(xml)).problems.map((p) => p.path)

const conditions: ReadonlyArray<DecodeError.Condition> = [
  'not-well-formed',
  'restricted-xml',
  'policy-violation',
  'unsupported-encoding',
  'bad-format',
  'invalid-namespace',
  'unsupported-stanza-type',
  'bad-request',
  'jid-malformed',
]

const stanzaLevel: ReadonlySet<DecodeError.Condition> = new Set(['bad-request', 'jid-malformed'])

const lineSafe = fc.string({ maxLength: 30 }).filter((s) => !s.includes('\n'))

const problem: fc.Arbitrary<DecodeError.Problem> = fc
  .tuple(lineSafe, fc.constantFrom(...conditions), lineSafe)
  .map(([path, condition, message]) => DecodeError.problem(path, condition, message))

const problems: fc.Arbitrary<ReadonlyNonEmptyArray<DecodeError.Problem>> = fc
  .tuple(problem, fc.array(problem, { maxLength: 5 }))
  .map(([first, rest]) => [first, ...rest])

/** 10 KB of one character: a value that must never come back in an error message. */
const big = 'x'.repeat(10_240)
const echoes = (s: string): boolean => s.includes('x'.repeat(65))

describe('DecodeError', () => {
  describe('constructors', () => {
    it('problem: keeps short messages and cuts long ones to 200 characters', () => {
      expect(DecodeError.problem('iq@type', 'bad-request', 'short')).toEqual({
        path: 'iq@type',
        condition: 'bad-request',
        message: 'short',
      })
      fc.assert(
        fc.property(fc.string({ minLength: 0, maxLength: 1000 }), (m) => {
          const p = DecodeError.problem('p', 'bad-request', m)
          expect(p.message.length).toBeLessThanOrEqual(200)
          if (m.length <= 200) expect(p.message).toBe(m)
          else expect(m.startsWith(p.message.slice(0, 150))).toBe(true)
        }),
        { numRuns: 200 },
      )
    })

    it('make / fromXmlError: a tagged record; XML faults come alone, at "offset N"', () => {
      const p = DecodeError.problem('message', 'bad-request', 'x')
      expect(DecodeError.make([p])).toEqual({ _tag: 'DecodeError', problems: [p] })
      const e = DecodeError.fromXmlError({
        _tag: 'XmlError',
        condition: 'not-well-formed',
        message: 'unclosed tag',
        offset: 17,
      })
      expect(e.problems).toEqual([
        { path: 'offset 17', condition: 'not-well-formed', message: 'unclosed tag' },
      ])
    })
  })

  describe('utils: format', () => {
    it('format: one "path: condition: message" line per problem, in order', () => {
      fc.assert(
        fc.property(problems, (ps) => {
          const lines = DecodeError.format(DecodeError.make(ps)).split('\n')
          expect(lines).toEqual(ps.map((p) => `${p.path}: ${p.condition}: ${p.message}`))
        }),
        { numRuns: 200 },
      )
    })

    it('format: the documented example', () => {
      const e = left(Stanza.decode('<presence><priority>abc</priority></presence>'))
      expect(DecodeError.format(e)).toMatch(/^presence\/priority: bad-request: .*"abc"/)
      expect(DecodeError.format(e).split('\n')).toHaveLength(1)
    })

    it('format: a stanza with several problems gives them all, each on its line', () => {
      const e = left(
        Stanza.decode(
          "<presence to='a@@b' type='available'><show>sleeping</show><priority>1e2</priority></presence>",
        ),
      )
      const lines = DecodeError.format(e).split('\n')
      expect(lines).toHaveLength(e.problems.length)
      expect(lines).toHaveLength(4)
      expect(lines[0]).toMatch(/^presence@to: jid-malformed: /)
      expect(lines).toContainEqual(expect.stringMatching(/^presence@type: bad-request: /))
      expect(lines.slice(2)).toEqual([
        expect.stringMatching(/^presence\/show: bad-request: /),
        expect.stringMatching(/^presence\/priority: bad-request: /),
      ])
    })

    it('format: XML-level faults are one line at their offset', () => {
      const e = left(Stanza.decode('<message><body></message>'))
      expect(DecodeError.format(e)).toMatch(/^offset \d+: not-well-formed: /)
      expect(DecodeError.format(e)).not.toContain('\n')
    })
  })

  describe('problems: document order (docs/semantics.md §3.2)', () => {
    it('children problems follow the children, in order', () => {
      expect(
        paths(
          '<presence><show>x</show><priority>y</priority><priority>1</priority><show>away</show></presence>',
        ),
      ).toEqual(['presence/show', 'presence/priority', 'presence/priority[2]', 'presence/show[2]'])
    })

    it('a <body/> holding markup before a second <thread/> is reported first', () => {
      expect(paths('<message><thread/><body><b/></body><thread/></message>')).toEqual([
        'message/body',
        'message/thread[2]',
      ])
    })

    it('a repeated <status/> before a bad <show/> is reported first', () => {
      expect(paths('<presence><status/><status/><show>x</show></presence>')).toEqual([
        'presence/status[2]',
        'presence/show',
      ])
    })

    it('a repeated <body/> before a repeated <subject/> is reported first', () => {
      expect(paths('<message><body/><body/><subject/><subject/></message>')).toEqual([
        'message/body[2]',
        'message/subject[2]',
      ])
    })

    it('a bad <priority/> before a bad <error/> is reported first', () => {
      expect(
        paths("<presence type='error'><priority>z</priority><error type='fatal'/></presence>"),
      ).toEqual(['presence/priority', 'presence/error@type'])
    })
  })

  describe('messages: bounded, no echo of hostile input', () => {
    const bigJid = `${big}@example.com`
    const inputs: ReadonlyArray<readonly [string, string]> = [
      ['a presence type', `<presence type='${big}'/>`],
      ['an iq type', `<iq id='1' type='${big}'><a/></iq>`],
      ['an iq id (valid) and a bad type', `<iq id='${big}' type='x'/>`],
      ['a to JID', `<message to='${bigJid}'/>`],
      ['a from JID with a bad character', `<message from='${big}\u0001x@example.com'/>`],
      ['an xml:lang', `<message xml:lang='${big}'/>`],
      ['a show', `<presence><show>${big}</show></presence>`],
      ['a priority', `<presence><priority>${big}</priority></presence>`],
      ['an error type', `<iq id='1' type='error'><error type='${big}'/></iq>`],
      ['an error by', `<iq id='1' type='error'><error type='cancel' by='${bigJid}'/></iq>`],
      ['a root namespace', `<message xmlns='${big}'/>`],
      ['a root name', `<${big}/>`],
      ['an attribute with a raw <', `<message a='${big}<'/>`],
      ['an unknown entity', `<message a='&${big};'/>`],
      ['an undeclared prefix', `<message><${big}:a/></message>`],
    ]

    it.each(inputs)('decode: %s of 10 KB gives messages of at most 200 characters', (_, xml) => {
      const e = left(Stanza.decode(xml))
      for (const p of e.problems) {
        expect(p.message.length).toBeLessThanOrEqual(200)
        expect(p.path.length).toBeLessThanOrEqual(200)
        expect(echoes(p.message)).toBe(false)
        expect(echoes(p.path)).toBe(false)
      }
      expect(echoes(DecodeError.format(e))).toBe(false)
    })

    it('decode: messages stay bounded for any long attribute value', () => {
      fc.assert(
        fc.property(
          fc.constantFrom('type', 'to', 'from', 'xml:lang'),
          fc.constantFrom('message', 'presence', 'iq'),
          fc.string({ minLength: 300, maxLength: 2000 }),
          (attr, kind, raw) => {
            const value = raw.replace(/[^a-zA-Z0-9 ]/g, 'q')
            const r = Stanza.decode(`<${kind} ${attr}='${value}'/>`)
            if (E.isRight(r)) return
            for (const p of r.left.problems) {
              expect(p.message.length).toBeLessThanOrEqual(200)
              expect(p.message).not.toContain(value.slice(0, 65))
            }
          },
        ),
        { numRuns: 100 },
      )
    })
  })

  describe('getters', () => {
    it('condition: the first problem’s', () => {
      fc.assert(
        fc.property(problems, (ps) => {
          expect(DecodeError.condition(DecodeError.make(ps))).toBe(ps[0].condition)
        }),
        { numRuns: 100 },
      )
      const e = left(Stanza.decode("<message to='a@@b'><body/><body/></message>"))
      expect(e.problems.map((p) => p.condition)).toEqual(['jid-malformed', 'bad-request'])
      expect(DecodeError.condition(e)).toBe('jid-malformed')
    })

    it('isStanzaLevel: bad-request and jid-malformed only', () => {
      for (const c of conditions) {
        const e = DecodeError.make([DecodeError.problem('p', c, 'm')])
        expect(DecodeError.isStanzaLevel(e)).toBe(stanzaLevel.has(c))
      }
      fc.assert(
        fc.property(problems, (ps) => {
          expect(DecodeError.isStanzaLevel(DecodeError.make(ps))).toBe(
            stanzaLevel.has(ps[0].condition),
          )
        }),
        { numRuns: 100 },
      )
    })

    it('isStanzaLevel: on decoded stanzas and XML faults', () => {
      for (const [xml, level] of [
        ["<presence type='available'/>", true],
        ["<message to='@x'/>", true],
        ["<iq type='get'/>", true],
        ['<message><!-- x --></message>', false],
        ['<message>', false],
        ["<message xmlns='jabber:server'/>", false],
        ['<Message/>', false],
      ] as const)
        expect(DecodeError.isStanzaLevel(left(Stanza.decode(xml)))).toBe(level)
    })
  })

  describe('utils: toErrors', () => {
    it('toErrors: one io-ts error per problem, whose message is the format line', () => {
      fc.assert(
        fc.property(problems, (ps) => {
          const e = DecodeError.make(ps)
          const errors = DecodeError.toErrors(e, 'v', [])
          expect(errors.map((x) => x.message).join('\n')).toBe(DecodeError.format(e))
          expect(errors.every((x) => x.value === 'v')).toBe(true)
        }),
        { numRuns: 100 },
      )
      const el = Xml.element('iq', 'jabber:client', { type: 'get' })
      expect(E.isLeft(Stanza.codec.decode(el))).toBe(true)
    })
  })
})
