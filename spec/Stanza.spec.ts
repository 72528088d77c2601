import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import * as O from 'fp-ts/lib/Option.js'
import * as DecodeError from '../src/DecodeError.js'
import * as Iq from '../src/Iq.js'
import { toXmlText } from '../src/internal/chars.js'
import { escapeAttr, escapeText } from '../src/internal/escape.js'
import * as Jid from '../src/Jid.js'
import * as Message from '../src/Message.js'
import * as Presence from '../src/Presence.js'
import * as Stanza from '../src/Stanza.js'
import * as StanzaError from '../src/StanzaError.js'
import * as Xml from '../src/Xml.js'
import {
  iq as arbIq,
  jid as arbJid,
  lang as arbLang,
  message as arbMessage,
  presence as arbPresence,
  stanza as arbStanza,
  contentNamespaces,
  contentNs,
  payloadElement,
} from './arbitraries/Stanza.js'
import { stanzaError } from './arbitraries/StanzaError.js'
import { element as arbElement, text as arbText } from './arbitraries/Xml.js'
import { deepFreeze, jid } from './helpers.js'

const CLIENT = 'jabber:client'
const SERVER = 'jabber:server'
const COMPONENT = 'jabber:component:accept'
const RUNS = { numRuns: 200 }

// -------------------------------------------------------------------------------------
// helpers
// -------------------------------------------------------------------------------------

const right = <A>(r: E.Either<DecodeError.DecodeError, A>): A => {
  if (E.isLeft(r)) throw new Error(`expected Right, got:\n${DecodeError.format(r.left)}`)
  return r.right
}

const left = <A>(r: E.Either<DecodeError.DecodeError, A>): DecodeError.DecodeError => {
  if (E.isRight(r)) throw new Error(`expected Left, got ${JSON.stringify(r.right)}`)
  return r.left
}

const conditionOf = <A>(r: E.Either<DecodeError.DecodeError, A>): DecodeError.Condition =>
  DecodeError.condition(left(r))

const parse = (xml: string, options?: Xml.ParseOptions): Xml.XmlElement => {
  const r = Xml.parse(xml, options)
  if (E.isLeft(r)) throw new Error(`does not parse: ${JSON.stringify(r.left)}`)
  return r.right
}

/** Absent = missing key (docs/semantics.md §0): no own key of the record holds `undefined`. */
const hasUndefinedValue = (r: object): boolean =>
  Object.values(r).some(
    (v) =>
      v === undefined ||
      (typeof v === 'object' && v !== null && !Array.isArray(v) && hasUndefinedValue(v)),
  )

const kinds = ['message', 'presence', 'iq'] as const

const prio = (n: number): Presence.Priority => {
  const r = Presence.priority(n)
  if (E.isLeft(r)) throw new Error(`not a priority: ${n}`)
  return r.right
}

// -------------------------------------------------------------------------------------
// harmless perturbations (Law 2)
// -------------------------------------------------------------------------------------

const modelledNames: ReadonlySet<string> = new Set([
  'body',
  'subject',
  'thread',
  'show',
  'status',
  'priority',
])

/** Unknown stanza attributes, dropped on decode (RFC 6120 §11.4). */
const unknownAttrs: ReadonlyArray<string> = [
  "foo='bar'",
  "code='404'",
  "xmlns:u='urn:unknown' u:a='1'",
  "xml:space='preserve'",
  "Type='chat'",
]

interface Perturbation {
  /** Root and modelled children use a prefix bound to the content namespace. */
  readonly prefix: boolean
  /** Without prefix: declare `xmlns` on the root (else it inherits the stream's). */
  readonly declare: boolean
  readonly attrSeed: number
  readonly unknown: ReadonlyArray<number>
  readonly ws: ReadonlyArray<string>
  readonly positions: ReadonlyArray<number>
  readonly priorityForm: number
  readonly padShow: boolean
  readonly bogusType: string | undefined
  readonly redundantLang: boolean
  readonly textForm: number
  readonly prefixPayload: boolean
}

const perturbation: fc.Arbitrary<Perturbation> = fc.record({
  prefix: fc.boolean(),
  declare: fc.boolean(),
  attrSeed: fc.nat(),
  unknown: fc.uniqueArray(fc.nat({ max: unknownAttrs.length - 1 }), { maxLength: 3 }),
  ws: fc.array(fc.stringMatching(/^[ \t\n\r]{0,3}$/), { minLength: 12, maxLength: 12 }),
  positions: fc.array(fc.nat(), { minLength: 8, maxLength: 8 }),
  priorityForm: fc.nat({ max: 3 }),
  padShow: fc.boolean(),
  bogusType: fc.option(fc.constantFrom('bogus', 'Chat', '', 'NORMAL'), { nil: undefined }),
  redundantLang: fc.boolean(),
  textForm: fc.nat({ max: 2 }),
  prefixPayload: fc.boolean(),
})

const shuffle = <A>(xs: ReadonlyArray<A>, seed: number): A[] => {
  const out = [...xs]
  let s = seed >>> 0
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0
    const j = s % (i + 1)
    const a = out[i]
    const b = out[j]
    if (a !== undefined && b !== undefined) {
      out[i] = b
      out[j] = a
    }
  }
  return out
}

const flipCase = (s: string): string =>
  [...s].map((c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase())).join('')

/** Every element with a non-empty namespace written with its own prefix; attributes reversed. */
const writePrefixed = (el: Xml.XmlElement, depth = 0): string => {
  const p = `p${depth}`
  const tag = el.ns === '' ? el.name : `${p}:${el.name}`
  const decls = el.ns === '' ? ` xmlns=''` : ` xmlns:${p}='${escapeAttr(el.ns)}'`
  const attrs = Object.keys(el.attrs)
    .reverse()
    .map((k, i) => {
      const v = escapeAttr(el.attrs[k] ?? '')
      if (!k.startsWith('{')) return ` ${k}='${v}'`
      const close = k.indexOf('}')
      return ` xmlns:a${i}='${escapeAttr(k.slice(1, close))}' a${i}:${k.slice(close + 1)}='${v}'`
    })
    .join('')
  const children = el.children
    .map((c) => (typeof c === 'string' ? escapeText(c) : writePrefixed(c, depth + 1)))
    .join('')
  return children === ''
    ? `<${tag}${decls}${attrs}/>`
    : `<${tag}${decls}${attrs}>${children}</${tag}>`
}

const writeText = (s: string, form: number): string => {
  if (form === 1 && !s.includes(']]>') && !s.includes('\r') && s !== '') return `<![CDATA[${s}]]>`
  if (form === 2) return [...s].map((c) => `&#x${(c.codePointAt(0) ?? 0).toString(16)};`).join('')
  return escapeText(s)
}

const priorityText = (n: number, form: number): string => {
  if (form === 1) return n >= 0 ? `+00${n}` : `-00${-n}`
  if (form === 2) return ` \n${n}\t`
  if (form === 3) return n >= 0 ? `0${n}` : `-0${-n}`
  return String(n)
}

/** `s` in content namespace `ns`, written differently but meaning the same (docs/semantics.md §3.3). */
const perturb = (s: Stanza.Stanza, ns: string, p: Perturbation): string => {
  const el = Stanza.toElement(s, ns)
  const pre = p.prefix ? 'c:' : ''
  const attrs = Object.entries(el.attrs).map(([k, v]) => `${k}='${escapeAttr(v)}'`)
  if (p.prefix) attrs.push(`xmlns:c='${ns}'`)
  else if (p.declare) attrs.push(`xmlns='${ns}'`)
  for (const i of p.unknown) attrs.push(unknownAttrs[i] ?? '')
  if (s.kind === 'message' && s.type === undefined && p.bogusType !== undefined)
    attrs.push(`type='${p.bogusType}'`)
  const payload: string[] = []
  const others: string[] = []
  for (const child of el.children) {
    if (typeof child === 'string') throw new Error('text directly in an encoded stanza')
    if (child.ns === ns && modelledNames.has(child.name)) {
      const text = Xml.getText(child)
      const cattrs = Object.entries(child.attrs).map(([k, v]) => ` ${k}='${escapeAttr(v)}'`)
      if (
        p.redundantLang &&
        s.lang !== undefined &&
        (child.name === 'body' || child.name === 'subject' || child.name === 'status')
      )
        cattrs.push(` xml:lang='${flipCase(s.lang)}'`)
      const inner =
        child.name === 'priority'
          ? priorityText(Number(text), p.priorityForm)
          : child.name === 'show' && p.padShow
            ? `\n  ${text} `
            : writeText(text, p.textForm)
      others.push(`<${pre}${child.name}${cattrs.join('')}>${inner}</${pre}${child.name}>`)
    } else if (child.name === 'error' && child.ns === ns) others.push(Xml.serialize(child))
    else payload.push(p.prefixPayload ? writePrefixed(child) : Xml.serialize(child))
  }
  const children = [...payload]
  others.forEach((o, i) => {
    const at = (p.positions[i] ?? 0) % (children.length + 1)
    children.splice(at, 0, o)
  })
  const body = children.map((c, i) => `${p.ws[i] ?? ''}${c}`).join('') + (p.ws[11] ?? '')
  const tag = `${pre}${s.kind}`
  return `<${tag} ${shuffle(attrs, p.attrSeed).join(' ')}>${body}</${tag}>`
}

// -------------------------------------------------------------------------------------
// hostile stanza-like elements (never-throws and Law 2 on whatever decodes)
// -------------------------------------------------------------------------------------

const attrValue: fc.Arbitrary<string> = fc.oneof(
  arbText,
  fc.constantFrom(
    'juliet@example.com/balcony',
    'Romeo@Example.NET',
    'example.com.',
    'a@@b',
    '',
    'error',
    'get',
    'set',
    'result',
    'chat',
    'groupchat',
    'unavailable',
    'subscribe',
    'en',
    'de-CH',
    'not a tag',
    '1',
  ),
)

const childText: fc.Arbitrary<string> = fc.oneof(
  arbText,
  fc.constantFrom('away', ' chat\n', 'Away', '+007', '-128', '128', '1.5', '0x1F', ' ', '', 'hi'),
)

const modelledChild = (ns: string): fc.Arbitrary<Xml.XmlElement> =>
  fc
    .tuple(
      fc.constantFrom('body', 'subject', 'thread', 'show', 'status', 'priority', 'error'),
      fc.constantFrom(ns, ns, ns, CLIENT, SERVER, ''),
      fc.dictionary(fc.constantFrom('xml:lang', 'parent', 'type', 'x'), attrValue, {
        maxKeys: 2,
        noNullPrototype: true,
      }),
      fc.array(fc.oneof(childText, arbElement), { maxLength: 2 }),
    )
    .map(([name, cns, { 'xml:lang': lang, ...rest }, children]) =>
      Xml.element(name, cns, lang === undefined ? rest : { ...rest, 'xml:lang': lang }, children),
    )

const hostile: fc.Arbitrary<Xml.XmlElement> = fc
  .tuple(fc.constantFrom(...kinds), fc.constantFrom(...contentNamespaces, '', 'urn:other'))
  .chain(([kind, ns]) =>
    fc
      .tuple(
        fc.dictionary(
          fc.constantFrom('to', 'from', 'type', 'id', 'xml:lang', 'foo', '{urn:x}a'),
          attrValue,
          { maxKeys: 5, noNullPrototype: true },
        ),
        fc.array(
          fc.oneof(
            { weight: 3, arbitrary: modelledChild(ns) },
            { weight: 2, arbitrary: payloadElement },
            { weight: 1, arbitrary: stanzaError.map((e) => StanzaError.encodeElement(e, ns)) },
            { weight: 1, arbitrary: fc.constantFrom(' ', '\n\t', 'text') },
          ),
          { maxLength: 5 },
        ),
      )
      .map(([attrs, children]) => Xml.element(kind, ns, attrs, children)),
  )

// -------------------------------------------------------------------------------------
// non-XML characters (encode replaces them with U+FFFD)
// -------------------------------------------------------------------------------------

const badChars: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(
      fc.constantFrom('\u0000', '\u0008', '\u001f', '\ud800', '\udfff', '\ufffe', '\uffff', 'ok'),
      fc.string({ unit: 'binary', maxLength: 3 }),
    ),
    { minLength: 1, maxLength: 4 },
  )
  .map((xs) => xs.join(''))

const dirtyElement = (el: Xml.XmlElement, bad: string): Xml.XmlElement => {
  const attrs: Record<string, string> = {}
  for (const [k, v] of Object.entries(el.attrs)) attrs[k] = v + bad
  return {
    name: el.name,
    ns: el.ns,
    attrs,
    children: [
      ...el.children.map((c) => (typeof c === 'string' ? c + bad : dirtyElement(c, bad))),
      bad,
    ],
  }
}

const cleanElement = (el: Xml.XmlElement): Xml.XmlElement =>
  Xml.element(
    el.name,
    el.ns,
    Object.fromEntries(Object.entries(el.attrs).map(([k, v]) => [k, toXmlText(v)])),
    el.children.map((c) => (typeof c === 'string' ? toXmlText(c) : cleanElement(c))),
  )

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

/** Appends `bad` to every free-text field and to the payload's text and attribute values. */
const dirty = (s: Stanza.Stanza, bad: string): Stanza.Stanza => {
  const out: Mutable<Stanza.Stanza> = { ...s, payload: s.payload.map((p) => dirtyElement(p, bad)) }
  if (out.id !== undefined) out.id += bad
  if (out.kind === 'message') {
    if (out.body !== undefined) out.body += bad
    if (out.subject !== undefined) out.subject += bad
    if (out.thread !== undefined) out.thread += bad
    if (out.parentThread !== undefined) out.parentThread += bad
  }
  if (out.kind === 'presence' && out.status !== undefined) out.status += bad
  return out
}

const cleanText = (s: string | undefined): string | undefined =>
  s === undefined ? undefined : toXmlText(s)

const clean = (s: Stanza.Stanza): Stanza.Stanza => {
  const out: Mutable<Stanza.Stanza> = { ...s, payload: s.payload.map(cleanElement) }
  if (out.id !== undefined) out.id = toXmlText(out.id)
  if (out.kind === 'message') {
    if (out.body !== undefined) out.body = toXmlText(out.body)
    if (out.subject !== undefined) out.subject = toXmlText(out.subject)
    if (out.thread !== undefined) out.thread = toXmlText(out.thread)
    const parent = cleanText(out.parentThread)
    if (parent !== undefined) out.parentThread = parent
  }
  if (out.kind === 'presence' && out.status !== undefined) out.status = toXmlText(out.status)
  return out
}

// -------------------------------------------------------------------------------------
// specs
// -------------------------------------------------------------------------------------

describe('Stanza', () => {
  describe('arbitraries', () => {
    it('arbitraries: generate every kind, no undefined values, only decodable records', () => {
      const seen = new Set<string>()
      fc.assert(
        fc.property(arbStanza, (s) => {
          seen.add(`${s.kind}:${'type' in s ? s.type : '-'}`)
          expect(hasUndefinedValue(s)).toBe(false)
          expect(Stanza.is(s)).toBe(true)
        }),
        RUNS,
      )
      for (const k of ['message:error', 'presence:error', 'iq:get', 'iq:result', 'iq:error'])
        expect(seen.has(k)).toBe(true)
    })
  })

  describe('codecs: round-trip laws', () => {
    it.each(contentNamespaces)(
      'Law 1: decode(encode(r, {ns}), {ns}) = Right(r) in %s, for every kind',
      (ns) => {
        fc.assert(
          fc.property(arbStanza, (r) => {
            const decoded = right(Stanza.decode(Stanza.encode(r, { ns }), { ns }))
            expect(decoded).toEqual(r)
            expect(hasUndefinedValue(decoded)).toBe(false)
          }),
          RUNS,
        )
      },
    )

    it('Law 1: each kind’s own decode/encode round-trips that kind', () => {
      fc.assert(
        fc.property(arbMessage, arbPresence, arbIq, contentNs, (m, p, q, ns) => {
          expect(right(Message.decode(Message.encode(m, { ns }), { ns }))).toEqual(m)
          expect(right(Presence.decode(Presence.encode(p, { ns }), { ns }))).toEqual(p)
          expect(right(Iq.decode(Iq.encode(q, { ns }), { ns }))).toEqual(q)
        }),
        { numRuns: 120 },
      )
    })

    it('Law 1: without ns, encode and decode use jabber:client', () => {
      fc.assert(
        fc.property(arbStanza, (r) => {
          const xml = Stanza.encode(r)
          expect(xml).toBe(Stanza.encode(r, { ns: CLIENT }))
          expect(right(Stanza.decode(xml))).toEqual(r)
        }),
        { numRuns: 100 },
      )
    })

    it('Law 2: harmless rewritings decode to the record, and encode(decode(x)) re-decodes to it', () => {
      fc.assert(
        fc.property(arbStanza, contentNs, perturbation, (r, ns, p) => {
          const x = perturb(r, ns, p)
          const decoded = right(Stanza.decode(x, { ns }))
          expect(decoded).toEqual(r)
          expect(right(Stanza.decode(Stanza.encode(decoded, { ns }), { ns }))).toEqual(decoded)
        }),
        RUNS,
      )
    })

    it('Law 2: +007, padded and zero-led priorities normalize to the number', () => {
      for (const [raw, n] of [
        ['+007', 7],
        [' 12\n', 12],
        ['-0128', -128],
        ['0127', 127],
        ['00', 0],
        ['+0', 0],
      ] as const) {
        const p = right(Presence.decode(`<presence><priority>${raw}</priority></presence>`))
        expect(p.priority).toBe(n)
        expect(Stanza.encode(p)).toBe(
          `<presence xmlns='jabber:client'><priority>${n}</priority></presence>`,
        )
      }
    })

    // docs/semantics.md §3.3 Law 2: encode(decode(x)) decodes to the same record; `-0` (a valid
    // xs:byte) decodes to the number -0, which encodes as "0" and re-decodes to +0.
    it('Law 2: a negative zero priority re-decodes to the same record', () => {
      const p = right(Presence.decode('<presence><priority>-0</priority></presence>'))
      expect(right(Stanza.decode(Stanza.encode(p)))).toEqual(p)
    })

    it('Law 2: every decodable stanza-like element re-decodes to the same record after encode', () => {
      fc.assert(
        fc.property(hostile, (x) => {
          const r = Stanza.codec.decode(x)
          if (E.isLeft(r)) return
          const s = r.right
          expect(hasUndefinedValue(s)).toBe(false)
          const ns = x.ns
          expect(right(Stanza.decode(Stanza.encode(s, { ns }), { ns }))).toEqual(s)
        }),
        RUNS,
      )
    })

    // docs/semantics.md §3.3 Law 2 and §4 ("thread: at most one"): a <thread> in another language is
    // kept in `payload` AND decoded as `thread`, so the encoding has two threads.
    it('Law 2: a <thread xml:lang> in another language re-decodes to the same record', () => {
      const r = right(
        Stanza.decode("<message xml:lang='en'><thread xml:lang='de'>t1</thread></message>"),
      )
      expect(right(Stanza.decode(Stanza.encode(r)))).toEqual(r)
    })

    it('decode(serialize(x)) agrees with the io-ts codec on the element', () => {
      fc.assert(
        fc.property(hostile, (x) => {
          const viaCodec = Stanza.codec.decode(x)
          const viaString = Stanza.decode(Xml.serialize(x), { ns: null })
          expect(E.isRight(viaString)).toBe(E.isRight(viaCodec))
          if (E.isRight(viaString) && E.isRight(viaCodec))
            expect(viaString.right).toEqual(viaCodec.right)
        }),
        RUNS,
      )
    })
  })

  describe('codecs: never throws', () => {
    it('decode: never throws on arbitrary trees with stanza roots (codec and string)', () => {
      fc.assert(
        fc.property(
          arbElement,
          fc.constantFrom(...kinds),
          fc.constantFrom(...contentNamespaces, '', 'urn:x'),
          fc.constantFrom<string | null | undefined>(CLIENT, SERVER, null, undefined),
          (el, kind, ns, opt) => {
            const x = Xml.element(kind, ns, el.attrs, el.children)
            const viaCodec = Stanza.codec.decode(x)
            expect(E.isLeft(viaCodec) || E.isRight(viaCodec)).toBe(true)
            for (const K of [Message, Presence, Iq]) K.codec.decode(x)
            const xml = Xml.serialize(x)
            const r = opt === undefined ? Stanza.decode(xml) : Stanza.decode(xml, { ns: opt })
            expect(E.isLeft(r) || E.isRight(r)).toBe(true)
            // The original root too, whatever its name.
            const original = Stanza.codec.decode(el)
            expect(E.isLeft(original) || E.isRight(original)).toBe(true)
          },
        ),
        RUNS,
      )
    })

    it('decode: never throws on hostile stanza-like elements', () => {
      fc.assert(
        fc.property(hostile, contentNs, (x, ns) => {
          const r = Stanza.decode(Xml.serialize(x), { ns })
          if (E.isLeft(r)) {
            expect(r.left.problems.length).toBeGreaterThan(0)
            for (const p of r.left.problems) expect(p.message.length).toBeLessThanOrEqual(200)
          }
        }),
        RUNS,
      )
    })

    it('decode: never throws on arbitrary strings and bytes', () => {
      const token = fc.constantFrom(
        '<message',
        '<iq',
        '<presence',
        '>',
        '/>',
        '</message>',
        '</iq>',
        '<body>',
        '</body>',
        "xmlns='jabber:client'",
        "xmlns:s='jabber:server'",
        '<s:message',
        " type='error'",
        " id='1'",
        " type='get'",
        '<error type="cancel">',
        '</error>',
        '&amp;',
        '&#0;',
        '&#x1F600;',
        '<![CDATA[',
        ']]>',
        '<!--',
        '-->',
        '<?xml',
        '<priority>',
        '</priority>',
        '\u0000',
        '\ud800',
        ' ',
        'x',
      )
      fc.assert(
        fc.property(
          fc.oneof(
            fc.string({ unit: 'binary', maxLength: 40 }),
            fc.array(token, { maxLength: 20 }).map((ts) => ts.join('')),
          ),
          fc.uint8Array({ maxLength: 40 }),
          (s, bytes) => {
            for (const input of [s, bytes]) {
              const r = Stanza.decode(input)
              expect(E.isLeft(r) || E.isRight(r)).toBe(true)
              Message.decode(input)
              Presence.decode(input)
              Iq.decode(input)
            }
          },
        ),
        RUNS,
      )
    })

    it('codec.decode: a Left, never a throw, on values that are not elements', () => {
      fc.assert(
        fc.property(fc.anything(), (u) => {
          expect(E.isLeft(Stanza.codec.decode(u))).toBe(true)
        }),
        { numRuns: 120 },
      )
      for (const u of [null, undefined, 42, 'message', {}, { name: 'message' }])
        expect(E.isLeft(Stanza.codec.decode(u))).toBe(true)
    })

    // docs/security.md: "Decoders return Either and never throw"; docs/api.md: functions "never throw on
    // data". The io-ts codec takes `unknown`, but checks children only shallowly.
    const malformed: ReadonlyArray<readonly [string, string, ReadonlyArray<unknown>]> = [
      ['message', 'a null child', [null]],
      ['iq', 'a null child', [null]],
      ['message', 'a <body> child without attrs', [{ name: 'body', ns: CLIENT }]],
      ['presence', 'an <error> child without attrs', [{ name: 'error', ns: CLIENT }]],
      [
        'presence',
        'a <priority> child without children',
        [{ name: 'priority', ns: CLIENT, attrs: {} }],
      ],
      ['message', 'a number child', [42]],
      ['iq', 'an empty-object child', [{}]],
      ['presence', 'a child without attrs or children', [{ name: 'x', ns: 'urn:x' }]],
    ]
    it.each(malformed)(
      'codec.decode: <%s> with %s gives a Left (no throw, no Right)',
      (name, _, children) => {
        const attrs: Record<string, string> = name === 'iq' ? { type: 'result', id: '1' } : {}
        const input = { name, ns: CLIENT, attrs, children }
        expect(() => Stanza.codec.decode(input)).not.toThrow()
        // A Right would hold a payload that is not made of XmlElements.
        expect(E.isLeft(Stanza.codec.decode(input))).toBe(true)
      },
    )
  })

  describe('rules: no mutation', () => {
    it('reply, errorReply, encode and the codec never mutate deep-frozen records', () => {
      fc.assert(
        fc.property(
          arbStanza,
          stanzaError,
          fc.boolean(),
          fc.boolean(),
          (s, err, clear, component) => {
            const before = structuredClone(s)
            const frozen = deepFreeze(s)
            const frozenErr = deepFreeze(err)
            Stanza.reply()(frozen)
            Stanza.reply({ clear, component })(frozen)
            Stanza.errorReply(frozenErr)(frozen)
            Stanza.errorReply(frozenErr, { clear, component })(frozen)
            Stanza.encode(frozen)
            Stanza.encode(frozen, { ns: SERVER })
            Stanza.codec.encode(frozen)
            expect(frozen).toEqual(before)
          },
        ),
        { numRuns: 120 },
      )
    })

    it('decode never mutates a frozen input element', () => {
      fc.assert(
        fc.property(hostile, (x) => {
          const before = structuredClone(x)
          Stanza.codec.decode(deepFreeze(x))
          expect(x).toEqual(before)
        }),
        { numRuns: 120 },
      )
    })
  })

  describe('codecs: root identity (docs/semantics.md §3.2)', () => {
    it('decode: the content namespace, default jabber:client, is accepted', () => {
      expect(right(Stanza.decode('<message/>'))).toEqual({ kind: 'message', payload: [] })
      expect(right(Stanza.decode("<presence xmlns='jabber:client'/>"))).toEqual({
        kind: 'presence',
        payload: [],
      })
      expect(right(Stanza.decode("<c:iq xmlns:c='jabber:client' type='result' id='1'/>"))).toEqual({
        kind: 'iq',
        type: 'result',
        id: '1',
        payload: [],
      })
    })

    it.each(contentNamespaces)(
      'decode: with ns %s, unqualified and declared roots are accepted',
      (ns) => {
        for (const xml of [
          '<message/>',
          `<message xmlns='${ns}'/>`,
          `<x:message xmlns:x='${ns}'/>`,
        ])
          expect(right(Stanza.decode(xml, { ns }))).toEqual({ kind: 'message', payload: [] })
      },
    )

    it('decode: an unqualified root with ns: null is invalid-namespace', () => {
      for (const xml of ['<message/>', "<presence xmlns=''/>", "<iq type='get' id='1'><a/></iq>"])
        expect(conditionOf(Stanza.decode(xml, { ns: null }))).toBe('invalid-namespace')
      expect(conditionOf(Stanza.decodeElement(Xml.element('message', '')))).toBe(
        'invalid-namespace',
      )
    })

    it('decode: with ns: null, a root declaring a content namespace is accepted (DecodeOptions)', () => {
      for (const ns of contentNamespaces)
        expect(right(Stanza.decode(`<message xmlns='${ns}'/>`, { ns: null })).kind).toBe('message')
    })

    it('decode: a root in another content namespace is invalid-namespace', () => {
      for (const [xml, ns] of [
        ["<message xmlns='jabber:server'/>", undefined],
        ["<presence xmlns='jabber:component:accept'/>", CLIENT],
        ["<iq xmlns='jabber:client' type='get' id='1'><a/></iq>", SERVER],
        ["<s:message xmlns:s='jabber:client'/>", COMPONENT],
      ] as const) {
        const r = ns === undefined ? Stanza.decode(xml) : Stanza.decode(xml, { ns })
        expect(conditionOf(r)).toBe('invalid-namespace')
        expect(DecodeError.isStanzaLevel(left(r))).toBe(false)
      }
    })

    it('decode: other names and namespaces are unsupported-stanza-type', () => {
      for (const xml of [
        '<Message/>',
        '<IQ/>',
        '<body/>',
        "<stream:features xmlns:stream='http://etherx.jabber.org/streams'/>",
        "<stream:error xmlns:stream='http://etherx.jabber.org/streams'/>",
        "<message xmlns='urn:foreign'/>",
        "<m:presence xmlns:m='jabber:iq:roster'/>",
        "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>",
      ]) {
        expect(conditionOf(Stanza.decode(xml))).toBe('unsupported-stanza-type')
        expect(conditionOf(Stanza.decode(xml, { ns: null }))).toBe('unsupported-stanza-type')
      }
    })

    it('decode: each kind’s decode and codec reject the other kinds with unsupported-stanza-type', () => {
      const samples = {
        message: '<message/>',
        presence: '<presence/>',
        iq: "<iq type='get' id='1'><ping xmlns='urn:xmpp:ping'/></iq>",
      }
      type ByString = (xml: string) => E.Either<DecodeError.DecodeError, Stanza.Stanza>
      type ByCodec = (u: unknown) => E.Either<ReadonlyArray<{ message?: string }>, Stanza.Stanza>
      const decoders: Record<(typeof kinds)[number], readonly [ByString, ByCodec]> = {
        message: [(x) => Message.decode(x), (u) => Message.codec.decode(u)],
        presence: [(x) => Presence.decode(x), (u) => Presence.codec.decode(u)],
        iq: [(x) => Iq.decode(x), (u) => Iq.codec.decode(u)],
      }
      for (const k of kinds)
        for (const other of kinds) {
          const xml = samples[other]
          const [byString, byCodec] = decoders[k]
          const viaString = byString(xml)
          const viaCodec = byCodec(parse(xml))
          if (k === other) {
            expect(E.isRight(viaString)).toBe(true)
            expect(E.isRight(viaCodec)).toBe(true)
          } else {
            expect(conditionOf(viaString)).toBe('unsupported-stanza-type')
            expect(E.isLeft(viaCodec)).toBe(true)
            if (E.isLeft(viaCodec))
              expect(viaCodec.left[0]?.message).toMatch(/: unsupported-stanza-type: /)
          }
        }
    })
  })

  describe('refinements', () => {
    it('isMessage / isPresence / isIq: work with Array.prototype.filter and narrow', () => {
      fc.assert(
        fc.property(fc.array(arbStanza, { maxLength: 8 }), (all) => {
          const ms: ReadonlyArray<Message.Message> = all.filter(Stanza.isMessage)
          const ps: ReadonlyArray<Presence.Presence> = all.filter(Stanza.isPresence)
          const qs: ReadonlyArray<Iq.Iq> = all.filter(Stanza.isIq)
          expect(ms.length + ps.length + qs.length).toBe(all.length)
          expect(ms.every((m) => m.kind === 'message')).toBe(true)
          expect(ps.every((p) => p.kind === 'presence')).toBe(true)
          expect(qs.every((q) => q.kind === 'iq' && typeof q.id === 'string')).toBe(true)
          expect(ms).toEqual(all.filter((s) => s.kind === 'message'))
        }),
        { numRuns: 100 },
      )
    })

    it('isMessage / isPresence / isIq: narrow in a conditional', () => {
      const s: Stanza.Stanza = Message.make({ body: 'hi' })
      if (Stanza.isMessage(s)) expect(s.body).toBe('hi')
      else throw new Error('not narrowed')
      expect(Stanza.isPresence(s)).toBe(false)
      expect(Stanza.isIq(s)).toBe(false)
    })
  })

  describe('rules: reply', () => {
    it('reply: dispatches to the kind’s own reply', () => {
      fc.assert(
        fc.property(
          arbStanza,
          fc.record({ clear: fc.boolean(), component: fc.boolean() }, { requiredKeys: [] }),
          (s, opts) => {
            const expected =
              s.kind === 'message'
                ? Message.reply(opts)(s)
                : s.kind === 'presence'
                  ? Presence.reply(opts)(s)
                  : // a response is never answered: it gets the result a request would get
                    Iq.reply(opts)(Iq.isRequest(s) ? s : { ...s, type: 'get' })
            expect(Stanza.reply(opts)(s)).toEqual(expected)
            expect(Stanza.reply(opts)(s).kind).toBe(s.kind)
          },
        ),
        { numRuns: 120 },
      )
    })

    it('reply: addressing swaps to the original from; component mode swaps both', () => {
      const from = jid('juliet@example.com/balcony')
      const to = jid('romeo@example.net/orchard')
      for (const s of [
        Message.make({ from, to, body: 'x' }),
        Presence.make({ from, to }),
        Iq.get(Xml.element('ping', 'urn:xmpp:ping'), { from, to, id: 'p1' }),
      ] as ReadonlyArray<Stanza.Stanza>) {
        const plain = Stanza.reply()(s)
        expect(plain.to).toBe(from)
        expect('from' in plain).toBe(false)
        const comp = Stanza.reply({ component: true })(s)
        expect(comp.to).toBe(from)
        expect(comp.from).toBe(to)
      }
    })
  })

  describe('rules: errorReply (docs/semantics.md §3.1)', () => {
    const err = StanzaError.make('service-unavailable')

    it('errorReply: None for an error stanza and for an iq result', () => {
      fc.assert(
        fc.property(arbStanza, stanzaError, (s, e) => {
          const r = Stanza.errorReply(e)(s)
          const unanswerable = s.type === 'error' || (s.kind === 'iq' && s.type === 'result')
          expect(O.isNone(r)).toBe(unanswerable)
        }),
        RUNS,
      )
    })

    it('errorReply: same kind and id, type error, error set, plain or component addressing', () => {
      fc.assert(
        fc.property(
          arbStanza,
          stanzaError,
          fc.record({ clear: fc.boolean(), component: fc.boolean() }, { requiredKeys: [] }),
          (s, e, opts) => {
            const r = Stanza.errorReply(e, opts)(s)
            if (O.isNone(r)) return
            const x = r.value
            expect(x.kind).toBe(s.kind)
            expect(x.type).toBe('error')
            expect(x.error).toEqual(e)
            expect('id' in x).toBe('id' in s)
            expect(x.id).toBe(s.id)
            expect('lang' in x).toBe('lang' in s)
            expect(x.lang).toBe(s.lang)
            if (s.from === undefined) expect('to' in x).toBe(false)
            else expect(x.to).toBe(s.from)
            if (opts.component === true && s.to !== undefined) expect(x.from).toBe(s.to)
            else expect('from' in x).toBe(false)
            expect(hasUndefinedValue(x)).toBe(false)
            // The reply is well-formed: it round-trips (Law 1).
            expect(right(Stanza.decode(Stanza.encode(x)))).toEqual(x)
          },
        ),
        RUNS,
      )
    })

    it('errorReply: clear (default) removes body, subject, show, status, priority and payload; keeps the thread', () => {
      fc.assert(
        fc.property(
          arbStanza,
          fc.constantFrom<boolean | undefined>(true, undefined),
          (s, clear) => {
            const r = Stanza.errorReply(err, clear === undefined ? {} : { clear })(s)
            if (O.isNone(r)) return
            const x = r.value
            for (const k of ['body', 'subject', 'show', 'status', 'priority'])
              expect(Object.hasOwn(x, k)).toBe(false)
            expect(x.payload).toEqual([])
            if (s.kind === 'message' && x.kind === 'message') {
              expect(x.thread).toBe(s.thread)
              expect(x.parentThread).toBe(s.parentThread)
              expect('thread' in x).toBe('thread' in s)
            }
          },
        ),
        RUNS,
      )
    })

    it('errorReply: clear: false keeps the content (iq: the request payload) but drops show', () => {
      fc.assert(
        fc.property(arbStanza, (s) => {
          const r = Stanza.errorReply(err, { clear: false })(s)
          if (O.isNone(r)) return
          const x = r.value
          expect(x.payload).toEqual(s.payload)
          expect(Object.hasOwn(x, 'show')).toBe(false)
          if (s.kind === 'message' && x.kind === 'message') {
            expect(x.body).toBe(s.body)
            expect(x.subject).toBe(s.subject)
            expect(x.thread).toBe(s.thread)
          }
          if (s.kind === 'presence' && x.kind === 'presence') {
            expect(x.status).toBe(s.status)
            expect(x.priority).toBe(s.priority)
          }
        }),
        RUNS,
      )
    })

    it('errorReply: an iq request echoes its payload with clear: false (RFC 6120 §8.2.3 rule 7)', () => {
      const ping = Xml.element('ping', 'urn:xmpp:ping')
      const req = Iq.get(ping, { id: 'p1', from: jid('juliet@example.com/balcony') })
      const r = Stanza.errorReply(err, { clear: false })(req)
      expect(r).toEqual(
        O.some({
          kind: 'iq',
          type: 'error',
          id: 'p1',
          to: 'juliet@example.com/balcony',
          payload: [ping],
          error: err,
        }),
      )
      expect(O.map((x: Iq.Iq) => x.payload)(Stanza.errorReply(err)(req))).toEqual(O.some([]))
    })

    it('errorReply: a groupchat message is answered to the full from, without room rewrite, keeping the id', () => {
      const m = Message.make({
        type: 'groupchat',
        id: 'g1',
        from: jid('room@muc.example/nick'),
        to: jid('juliet@example.com/balcony'),
        body: 'hi',
        thread: 't1',
      })
      const r = Stanza.errorReply(err)(m)
      expect(r).toEqual(
        O.some({
          kind: 'message',
          type: 'error',
          id: 'g1',
          to: 'room@muc.example/nick',
          thread: 't1',
          payload: [],
          error: err,
        }),
      )
      // Message.reply drops the id and goes to the room; errorReply does neither.
      expect(Message.reply()(m).to).toBe('room@muc.example')
    })

    it('errorReply: presence drops show even with clear: false', () => {
      const p = Presence.make({ show: 'away', status: 'lunch', id: 'x' })
      expect(Stanza.errorReply(err, { clear: false })(p)).toEqual(
        O.some({
          kind: 'presence',
          type: 'error',
          id: 'x',
          status: 'lunch',
          payload: [],
          error: err,
        }),
      )
    })

    it('errorReply: dispatches to the kind’s own errorReply', () => {
      fc.assert(
        fc.property(
          arbStanza,
          stanzaError,
          fc.record({ clear: fc.boolean(), component: fc.boolean() }, { requiredKeys: [] }),
          (s, e, opts) => {
            const expected: O.Option<Stanza.Stanza> =
              s.kind === 'message'
                ? Message.errorReply(e, opts)(s)
                : s.kind === 'presence'
                  ? Presence.errorReply(e, opts)(s)
                  : Iq.errorReply(e, opts)(s)
            expect(Stanza.errorReply(e, opts)(s)).toEqual(expected)
            if (s.kind === 'iq') expect(Iq.isRequest(s)).toBe(O.isSome(expected))
          },
        ),
        { numRuns: 120 },
      )
    })
  })

  describe('codecs: XML-level conditions (docs/security.md §2)', () => {
    const table: ReadonlyArray<readonly [string, string | Uint8Array, DecodeError.Condition]> = [
      ['a comment', '<message><!-- c --></message>', 'restricted-xml'],
      ['a processing instruction', '<message><?pi x?></message>', 'restricted-xml'],
      ['an XML declaration', "<?xml version='1.0'?><message/>", 'restricted-xml'],
      ['a DOCTYPE', '<!DOCTYPE message><message/>', 'restricted-xml'],
      ['an undeclared entity', '<message><body>&nbsp;</body></message>', 'restricted-xml'],
      ['a truncated stanza', '<message><body>hi</body>', 'not-well-formed'],
      ['mismatched tags', '<message><body></message></body>', 'not-well-formed'],
      ['an undeclared prefix', '<message><p:x/></message>', 'not-well-formed'],
      ['empty input', '', 'not-well-formed'],
      ['a NUL reference', '<message><body>&#0;</body></message>', 'not-well-formed'],
      [
        'bad UTF-8',
        new Uint8Array([0x3c, 0x6d, 0x3e, 0xff, 0x3c, 0x2f, 0x6d, 0x3e]),
        'not-well-formed',
      ],
      [
        'UTF-16LE with a byte order mark',
        new Uint8Array([0xff, 0xfe, ...Buffer.from('<message/>', 'utf16le')]),
        'unsupported-encoding',
      ],
      [
        'UTF-16BE without one',
        new Uint8Array(Buffer.from('<message/>', 'utf16le').swap16()),
        'unsupported-encoding',
      ],
      [
        'UTF-16LE without one',
        new Uint8Array(Buffer.from('<message/>', 'utf16le')),
        'unsupported-encoding',
      ],
      ['a prototype element name', '<message><__proto__/></message>', 'bad-format'],
    ]

    it.each(table)('decode: %s passes through with its condition', (_, input, condition) => {
      const r = left(Stanza.decode(input))
      expect(DecodeError.condition(r)).toBe(condition)
      expect(r.problems).toHaveLength(1)
      expect(DecodeError.isStanzaLevel(r)).toBe(false)
    })

    it('decode: limits are policy-violation, and configurable', () => {
      expect(
        conditionOf(Stanza.decode('<message><a><b/></a></message>', { limits: { maxDepth: 2 } })),
      ).toBe('policy-violation')
      expect(
        right(Stanza.decode('<message><a><b/></a></message>', { limits: { maxDepth: 3 } })).kind,
      ).toBe('message')
      const big = `<message><body>${'x'.repeat(300_000)}</body></message>`
      expect(conditionOf(Stanza.decode(big))).toBe('policy-violation')
      expect(right(Stanza.decode(big, { limits: { maxBytes: 400_000 } })).kind).toBe('message')
    })
  })

  describe('codecs: io-ts', () => {
    it('codec.decode: Left messages name the path and the condition', () => {
      const el = parse(
        "<presence to='a@@b'><priority>abc</priority><show>away</show><show>xa</show></presence>",
      )
      const r = Stanza.codec.decode(el)
      if (E.isRight(r)) throw new Error('expected Left')
      const messages = r.left.map((e) => e.message ?? '')
      expect(messages).toHaveLength(3)
      expect(messages[0]).toMatch(/^presence@to: jid-malformed: /)
      expect(messages.some((m) => m.startsWith('presence/priority: bad-request: '))).toBe(true)
      expect(messages.some((m) => m.startsWith('presence/show[2]: bad-request: '))).toBe(true)
    })

    it('codec.decode: the messages are the DecodeError.format lines', () => {
      fc.assert(
        fc.property(hostile, (x) => {
          const viaCodec = Stanza.codec.decode(x)
          const direct = Stanza.decodeElement(x)
          if (E.isLeft(direct) && E.isLeft(viaCodec))
            expect(viaCodec.left.map((e) => e.message).join('\n')).toBe(
              DecodeError.format(direct.left),
            )
          else expect(E.isRight(viaCodec)).toBe(E.isRight(direct))
        }),
        { numRuns: 120 },
      )
    })

    it('codec.encode: gives a jabber:client element that re-decodes, as element and as XML', () => {
      fc.assert(
        fc.property(arbStanza, (s) => {
          const el = Stanza.codec.encode(s)
          expect(el.name).toBe(s.kind)
          expect(el.ns).toBe(CLIENT)
          expect(Stanza.codec.decode(el)).toEqual(E.right(s))
          expect(right(Stanza.decode(Xml.serialize(el)))).toEqual(s)
          expect(Stanza.codec.is(s)).toBe(true)
        }),
        { numRuns: 120 },
      )
    })
  })

  describe('codecs: encode', () => {
    it.each(contentNamespaces)('encode: an unprefixed root with xmlns=%s', (ns) => {
      fc.assert(
        fc.property(arbStanza, (s) => {
          const xml = Stanza.encode(s, { ns })
          const start = xml.slice(0, xml.indexOf('>') + 1)
          expect(start).toMatch(new RegExp(`^<${s.kind}[ />]`))
          expect(start).toContain(` xmlns='${ns}'`)
          const el = parse(xml, { ns: null })
          expect(el.name).toBe(s.kind)
          expect(el.ns).toBe(ns)
        }),
        { numRuns: 100 },
      )
    })

    it('encode: modelled children first, then the payload, then <error/> last', () => {
      const ping = Xml.element('x', 'urn:x')
      const m = Message.make({
        type: 'error',
        body: 'b',
        subject: 's',
        thread: 't',
        payload: [ping],
        error: StanzaError.make('bad-request'),
      })
      const names = parse(Stanza.encode(m)).children.map((c) =>
        typeof c === 'string' ? '#' : c.name,
      )
      expect(names.slice(0, 3).sort()).toEqual(['body', 'subject', 'thread'])
      expect(names.slice(3)).toEqual(['x', 'error'])
      const p = Presence.make({
        show: 'dnd',
        status: 's',
        priority: prio(5),
        payload: [ping],
      })
      const pn = parse(Stanza.encode(p)).children.map((c) => (typeof c === 'string' ? '#' : c.name))
      expect(pn.slice(0, 3).sort()).toEqual(['priority', 'show', 'status'])
      expect(pn[3]).toBe('x')
    })

    it('encode: non-XML characters in text become U+FFFD; never throws; output parses', () => {
      fc.assert(
        fc.property(arbStanza, badChars, contentNs, (s, bad, ns) => {
          const d = dirty(s, bad)
          let xml = ''
          expect(() => {
            xml = Stanza.encode(d, { ns })
          }).not.toThrow()
          expect(E.isRight(Xml.parse(xml, { ns }))).toBe(true)
          expect(right(Stanza.decode(xml, { ns }))).toEqual(clean(d))
        }),
        RUNS,
      )
    })

    it('encode: a NUL and a lone surrogate in a body', () => {
      const xml = Stanza.encode(Message.make({ body: 'a\u0000b\ud800c', id: '\uffff' }))
      expect(xml).toBe(
        "<message xmlns='jabber:client' id='\ufffd'><body>a\ufffdb\ufffdc</body></message>",
      )
    })
  })

  describe('arbitraries: helpers', () => {
    it('jid and lang arbitraries give canonical JIDs and tags the decoder keeps', () => {
      fc.assert(
        fc.property(arbJid, arbLang, (j, l) => {
          expect(Jid.parse(j)).toEqual(E.right(j))
          const m = right(Stanza.decode(`<message to='${escapeAttr(j)}' xml:lang='${l}'/>`))
          expect(m.to).toBe(j)
          expect(m.lang).toBe(l)
        }),
        { numRuns: 100 },
      )
    })
  })

  describe('encode: the fast writer', () => {
    // `encode` writes the stanza directly; `Xml.serialize(toElement(...))` is the element path the
    // io-ts codec uses. They must agree byte for byte (docs/semantics.md §3.3).
    const same = (s: Stanza.Stanza, ns: string): void => {
      expect(Stanza.encode(s, { ns })).toBe(Xml.serialize(Stanza.toElement(s, ns)))
    }

    it.each(contentNamespaces)(
      'encode: equals Xml.serialize(toElement(s, %s)), every kind',
      (ns) => {
        fc.assert(
          fc.property(arbStanza, (s) => same(s, ns)),
          { numRuns: 300 },
        )
      },
    )

    it('encode: equals the element path per kind, with the default namespace', () => {
      fc.assert(
        fc.property(arbMessage, arbPresence, arbIq, (m, p, q) => {
          expect(Message.encode(m)).toBe(Xml.serialize(Message.toElement(m)))
          expect(Presence.encode(p)).toBe(Xml.serialize(Presence.toElement(p)))
          expect(Iq.encode(q)).toBe(Xml.serialize(Iq.toElement(q)))
        }),
        RUNS,
      )
    })

    it('encode: equals the element path with non-XML characters anywhere', () => {
      fc.assert(
        fc.property(arbStanza, badChars, contentNs, (s, bad, ns) => same(dirty(s, bad), ns)),
        RUNS,
      )
    })

    it('encode: escaping in attributes and text', () => {
      const m = Message.make({
        to: jid('a@b/<&>\'"'),
        id: `i'd"<&>\t\n\r`,
        lang: 'en',
        subject: ']]> & <x/> \r',
        body: '\'"<&>\r\n\t',
        thread: 't&<',
        parentThread: `p'"<&>\t`,
      })
      for (const ns of contentNamespaces) same(m, ns)
      expect(Stanza.encode(m)).toBe(
        "<message xmlns='jabber:client' to='a@b/&lt;&amp;&gt;&apos;&quot;' id='i&apos;d&quot;&lt;&amp;&gt;&#9;&#10;&#13;' xml:lang='en'>" +
          '<subject>]]&gt; &amp; &lt;x/&gt; &#13;</subject>' +
          '<body>\'"&lt;&amp;&gt;&#13;\n\t</body>' +
          "<thread parent='p&apos;&quot;&lt;&amp;&gt;&#9;'>t&amp;&lt;</thread></message>",
      )
    })

    it('encode: empty text children, xml:lang and an empty stanza', () => {
      same(Message.make({ body: '', subject: '', thread: '', lang: '' }), CLIENT)
      same(Presence.make({ status: '', lang: 'de-CH', show: 'xa', priority: prio(-128) }), SERVER)
      same(Presence.make({}), COMPONENT)
      expect(Stanza.encode(Message.make({ body: '', lang: 'de-CH' }))).toBe(
        "<message xmlns='jabber:client' xml:lang='de-CH'><body/></message>",
      )
      expect(Stanza.encode(Presence.make({}), { ns: COMPONENT })).toBe(
        "<presence xmlns='jabber:component:accept'/>",
      )
    })

    it('encode: payload in other namespaces, in the content namespace and with xml:lang', () => {
      const payload = [
        Xml.element('query', 'jabber:iq:roster', {}, [
          Xml.element('item', 'jabber:iq:roster', { jid: 'a@b', name: '<&>' }),
        ]),
        Xml.element('body', CLIENT, { 'xml:lang': 'fr' }, ['salut']),
        Xml.element('x', 'urn:x', { [`{${Xml.XML_NS}}lang`]: 'en', '{urn:y}a': 'v' }, [
          Xml.element('y', ''),
          'text & more',
        ]),
        Xml.element('c', CLIENT),
      ]
      for (const ns of contentNamespaces) {
        same(Message.make({ body: 'hi', lang: 'en', payload }), ns)
        same(Presence.make({ status: 's', payload }), ns)
        same(Iq.make({ type: 'result', id: 'r1', payload: payload.slice(0, 1) }), ns)
      }
    })

    it('encode: errors with text, by and application conditions', () => {
      const error = StanzaError.make('undefined-condition', {
        type: 'modify',
        text: 'no <way> & "never"',
        by: jid('service.example'),
        app: Xml.element('too-many', 'urn:xmpp:app-errors', { max: '5' }, ['x']),
      })
      for (const ns of contentNamespaces) {
        same(Message.make({ type: 'error', body: 'b', error }), ns)
        same(Presence.make({ type: 'error', error }), ns)
        same(
          Iq.make({
            type: 'error',
            id: 'e1',
            payload: [Xml.element('ping', 'urn:xmpp:ping')],
            error,
          }),
          ns,
        )
        same(
          Iq.make({
            type: 'error',
            id: 'e2',
            error: StanzaError.make('gone', { redirect: 'xmpp:a@b' }),
          }),
          ns,
        )
      }
    })
  })
})
