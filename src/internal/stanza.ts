/**
 * What `<message/>`, `<presence/>` and `<iq/>` share (RFC 6120 §8.1): the common record fields,
 * the decoding skeleton with its paths, the encoding skeleton, each kind's codec derived from a
 * small descriptor (`kindCodec`), and reply addressing. Internal so
 * that Message, Presence and Iq can use it without importing each other or `Stanza`. The public
 * types (`Common`, `Kind`, the options) are declared in `Stanza.ts` and only taken as types here;
 * the core names no kind's fields: each kind says what its error reply clears.
 */
import * as E from 'fp-ts/lib/Either.js'
import * as O from 'fp-ts/lib/Option.js'
import type { ReadonlyNonEmptyArray } from 'fp-ts/lib/ReadonlyNonEmptyArray.js'
import * as DecodeError from '../DecodeError.js'
import * as Jid from '../Jid.js'
import type { Common, DecodeOptions, EncodeOptions, Kind, ReplyOptions } from '../Stanza.js'
import * as StanzaError from '../StanzaError.js'
import * as Xml from '../Xml.js'
import { isXmlSpace, quote } from './chars.js'
import { escapeAttr, escapeText } from './escape.js'

type Problem = DecodeError.Problem

/** The names of the three stanza elements (RFC 6120 §8): anything else at top level is a nonza. */
export const stanzaNames: ReadonlySet<string> = new Set(['message', 'presence', 'iq'])

/** Content namespaces of RFC 6120 §4.8.3 and XEP-0114. */
export const contentNamespaces: ReadonlySet<string> = new Set([
  'jabber:client',
  'jabber:server',
  'jabber:component:accept',
])

// -------------------------------------------------------------------------------------
// decoding
// -------------------------------------------------------------------------------------

/**
 * Checks the root's identity (docs/security.md §1 stage 6). `expected` is the stream's content
 * namespace, or `null` to accept any content namespace the element declares.
 */
export const checkRoot = (
  el: Xml.XmlElement,
  kinds: ReadonlySet<string>,
  expected: string | null,
): Problem | undefined => {
  if (!kinds.has(el.name) || (el.ns !== '' && !contentNamespaces.has(el.ns) && el.ns !== expected))
    return DecodeError.problem(
      el.name.length > 40 ? 'element' : el.name,
      'unsupported-stanza-type',
      `expected ${[...kinds].join(', ')} in a content namespace, got ${quote(el.name)} in ${quote(el.ns, 60)}`,
    )
  if (expected === null ? el.ns === '' : el.ns !== expected)
    return DecodeError.problem(
      el.name,
      'invalid-namespace',
      el.ns === ''
        ? 'no content namespace'
        : `content namespace ${quote(el.ns)}, expected ${quote(expected ?? '')}`,
    )
  return undefined
}

/** Parses the string boundary and checks the root, for `decode` of one kind or the union. */
const parseRoot = (
  xml: string | Uint8Array,
  kinds: ReadonlySet<string>,
  options?: DecodeOptions,
): E.Either<DecodeError.DecodeError, Xml.XmlElement> => {
  const expected = options?.ns === undefined ? 'jabber:client' : options.ns
  const parsed = Xml.parse(
    xml,
    options?.limits === undefined ? { ns: expected } : { ns: expected, limits: options.limits },
  )
  if (E.isLeft(parsed)) return E.left(DecodeError.fromXmlError(parsed.left))
  const wrong = checkRoot(parsed.right, kinds, expected)
  return wrong === undefined ? parsed : E.left(DecodeError.make([wrong]))
}

/**
 * The string boundary of one kind, or of the union: parse, check the root, then the kind's rules.
 * Not `E.flatMap`: its data-first/data-last dispatch copies `arguments` on every call.
 */
export const decodeWith =
  <A>(
    kinds: ReadonlySet<string>,
    decodeElement: (x: Xml.XmlElement) => E.Either<DecodeError.DecodeError, A>,
  ) =>
  (xml: string | Uint8Array, options?: DecodeOptions): E.Either<DecodeError.DecodeError, A> => {
    const root = parseRoot(xml, kinds, options)
    return E.isLeft(root) ? root : decodeElement(root.right)
  }

const noNames: ReadonlySet<string> = new Set()

const isForeign = (child: Xml.XmlElement, lang: string | undefined): boolean => {
  const tagged = child.attrs['xml:lang']
  return tagged !== undefined && tagged.toLowerCase() !== (lang ?? '').toLowerCase()
}

/** A modelled child (`body`, `show`, …) seen while walking the stanza, with its path. */
export interface Modelled {
  readonly el: Xml.XmlElement
  readonly path: string
  /** Position among the stanza's children, to report problems in document order. */
  readonly index: number
  /** In another language than the stanza's: kept in the payload, only counted here. */
  readonly foreign?: true
}

/** The shared part of a decoded stanza, plus the modelled children for the kind to interpret. */
export interface Walked {
  readonly common: { -readonly [K in keyof Common]: Common[K] }
  readonly modelled: ReadonlyArray<Modelled>
  readonly errors: ReadonlyArray<Modelled>
  readonly problems: Problem[]
  /** Where each problem sits in the document, parallel to `problems` (docs/semantics.md §3.2). */
  readonly at: number[]
}

/** Attributes come before any child; rules about the children as a whole, after them all. */
export const ATTRIBUTES = -1
export const AFTER_CHILDREN = Number.POSITIVE_INFINITY

/** Records a problem at a document position. */
export const report = (w: Walked, at: number, ...problems: ReadonlyArray<Problem>): void => {
  for (const p of problems) {
    w.problems.push(p)
    w.at.push(at)
  }
}

/** The addressing attributes (RFC 6120 §8.1.1, §8.1.2), in the order their problems are reported. */
const addresses = ['to', 'from'] as const

/**
 * Walks a stanza: addressing attributes, `xml:lang`, text, `<error/>` and the children the kind
 * models (only in the stanza's namespace, docs/semantics.md §3.2); everything else is payload.
 */
const walk = (
  el: Xml.XmlElement,
  kind: Kind,
  names: ReadonlySet<string>,
  langNames: ReadonlySet<string> = noNames,
): Walked => {
  const problems: Problem[] = []
  const at: number[] = []
  const common: Walked['common'] = { payload: [] }
  const { attrs } = el
  for (const key of addresses) {
    const raw = attrs[key]
    if (raw === undefined) continue
    const jid = Jid.parse(raw)
    if (E.isRight(jid)) common[key] = jid.right
    else {
      problems.push(DecodeError.problem(`${kind}@${key}`, 'jid-malformed', jid.left.message))
      at.push(ATTRIBUTES)
    }
  }
  const id = attrs.id
  if (id !== undefined) common.id = id
  const lang = attrs['xml:lang']
  if (lang !== undefined) {
    if (lang === '' || isLanguageTag(lang)) common.lang = lang
    else {
      problems.push(
        DecodeError.problem(
          `${kind}@xml:lang`,
          'bad-request',
          `not a BCP 47 language tag: ${quote(lang)}`,
        ),
      )
      at.push(ATTRIBUTES)
    }
  }
  const payload: Xml.XmlElement[] = []
  const modelled: Modelled[] = []
  const errors: Modelled[] = []
  let counts: Map<string, number> | undefined
  const children = el.children
  for (let index = 0; index < children.length; index++) {
    const child = children[index] as Xml.XmlNode
    if (typeof child === 'string') {
      if (!isXmlSpace(child)) {
        problems.push(DecodeError.problem(kind, 'bad-request', 'text directly inside the stanza'))
        at.push(index)
      }
      continue
    }
    const isError = child.name === 'error' && (child.ns === el.ns || child.ns === 'jabber:client')
    if (!isError && (child.ns !== el.ns || !names.has(child.name))) {
      payload.push(child)
      continue
    }
    counts ??= new Map()
    const n = (counts.get(child.name) ?? 0) + 1
    counts.set(child.name, n)
    const path = n === 1 ? `${kind}/${child.name}` : `${kind}/${child.name}[${n}]`
    if (isError) errors.push({ el: child, path, index })
    else if (langNames.has(child.name) && isForeign(child, common.lang)) {
      payload.push(child)
      modelled.push({ el: child, path, index, foreign: true })
    } else modelled.push({ el: child, path, index })
  }
  common.payload = payload
  return { common, modelled, errors, problems, at }
}

/**
 * Decodes `<error/>` children and the type rule (RFC 6120 §8.3.1): exactly one `<error/>` when the
 * type is `error`, none otherwise.
 */
const decodeErrors = (w: Walked, kind: Kind, isErrorType: boolean): void => {
  const [first, second] = w.errors
  if (first === undefined) {
    if (isErrorType)
      report(
        w,
        ATTRIBUTES,
        DecodeError.problem(kind, 'bad-request', "type 'error' without an <error/> child"),
      )
    return
  }
  if (!isErrorType)
    report(
      w,
      first.index,
      DecodeError.problem(
        first.path,
        'bad-request',
        "<error/> in a stanza whose type is not 'error'",
      ),
    )
  if (second !== undefined)
    report(
      w,
      second.index,
      DecodeError.problem(second.path, 'bad-request', 'more than one <error/>'),
    )
  const decoded = StanzaError.decodeElement(first.el, first.path)
  if (E.isRight(decoded)) w.common.error = decoded.right
  else report(w, first.index, ...decoded.left)
}

/** Text of a modelled child, which may hold text only (docs/semantics.md §3.2). */
export const textOf = (w: Walked, m: Modelled): string | undefined => {
  let text = ''
  for (const c of m.el.children) {
    if (typeof c !== 'string') {
      report(
        w,
        m.index,
        DecodeError.problem(m.path, 'bad-request', `<${m.el.name}/> may hold text only`),
      )
      return undefined
    }
    text += c
  }
  return text
}

/**
 * The one-per-language rule for `<body/>`, `<subject/>` and `<status/>` (RFC 6121 §5.2.3,
 * §5.2.4, §4.7.2.2): the child in the stanza's own language becomes the field; children in other
 * languages stay in the payload where `walk` left them; two in one language are `bad-request`.
 */
export const perLanguage = (w: Walked, matches: ReadonlyArray<Modelled>): string | undefined => {
  if (matches.length === 0) return undefined
  const [only] = matches
  // One child cannot repeat a language: skip the set (the common case).
  if (matches.length === 1 && only !== undefined)
    return only.foreign === undefined ? textOf(w, only) : undefined
  const seen = new Set<string>()
  let field: string | undefined
  for (const m of matches) {
    const lang = (m.el.attrs['xml:lang'] ?? w.common.lang ?? '').toLowerCase()
    if (seen.has(lang)) {
      report(
        w,
        m.index,
        DecodeError.problem(m.path, 'bad-request', `a second <${m.el.name}/> in one language`),
      )
      continue
    }
    seen.add(lang)
    if (m.foreign === undefined) field = textOf(w, m)
  }
  return field
}

/**
 * The text of a per-language child (`body`, `subject`, `status`; RFC 6121 §5.2.3, §4.7.2.2): the
 * one in language `lang` (default: the stanza's own), else the field in the stanza's language,
 * else the first one in the payload. `field` is the stanza's own-language text; the others sit in
 * the payload as content-namespace elements named `name`.
 */
export const inLanguage = (
  s: Common,
  field: string | undefined,
  name: string,
  lang: string | undefined,
): O.Option<string> => {
  const want = (lang ?? s.lang)?.toLowerCase()
  if (field !== undefined && (want === undefined || want === (s.lang ?? '').toLowerCase()))
    return O.some(field)
  const others = s.payload.filter((p) => p.name === name && contentNamespaces.has(p.ns))
  const match = others.find((p) => p.attrs['xml:lang']?.toLowerCase() === want)
  if (match !== undefined) return O.some(Xml.getText(match))
  if (field !== undefined) return O.some(field)
  const first = others[0]
  return first === undefined ? O.none : O.some(Xml.getText(first))
}

/** A `Left` with every problem in document order (docs/semantics.md §3.2), or the record. */
const finish = <A>(
  problems: Problem[],
  build: () => A,
  at?: ReadonlyArray<number>,
): E.Either<DecodeError.DecodeError, A> => {
  // Checked before anything else: the valid stanza is the hot path.
  if (problems.length === 0) return E.right(build())
  const ordered =
    at === undefined || problems.length === 1
      ? problems
      : problems
          .map((p, i) => ({ p, at: at[i] ?? AFTER_CHILDREN }))
          .sort((a, b) => a.at - b.at) // stable: same position keeps the order found
          .map((x) => x.p)
  const [first, ...rest] = ordered
  if (first === undefined) return E.right(build())
  const all: ReadonlyNonEmptyArray<Problem> = [first, ...rest]
  return E.left(DecodeError.make(all))
}

// RFC 5646 §2.1 `Language-Tag` syntax (well-formed, not validated against the registry).
const languageTag = new RegExp(
  '^(?:' +
    '(?:[a-z]{2,3}(?:-[a-z]{3}){0,3}|[a-z]{4}|[a-z]{5,8})' + // language (+ extlang)
    '(?:-[a-z]{4})?' + // script
    '(?:-(?:[a-z]{2}|[0-9]{3}))?' + // region
    '(?:-(?:[a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*' + // variants
    '(?:-[0-9a-wy-z](?:-[a-z0-9]{2,8})+)*' + // extensions
    '(?:-x(?:-[a-z0-9]{1,8})+)?' + // private use
    '|x(?:-[a-z0-9]{1,8})+' + // private use only
    '|en-gb-oed|i-ami|i-bnn|i-default|i-enochian|i-hak|i-klingon|i-lux|i-mingo|i-navajo|i-pwn|i-tao|i-tay|i-tsu|sgn-be-fr|sgn-be-nl|sgn-ch-de' +
    '|art-lojban|cel-gaulish|no-bok|no-nyn|zh-guoyu|zh-hakka|zh-min|zh-min-nan|zh-xiang' +
    ')$',
  'i',
)

/** Is `s` a well-formed BCP 47 tag (RFC 5646 §2.1)? `xml:lang` values must be (RFC 6120 §8.1.5). */
const isLanguageTag = (s: string): boolean => s.length <= 128 && languageTag.test(s)

// -------------------------------------------------------------------------------------
// encoding
// -------------------------------------------------------------------------------------

/** Builds an element without re-validating names: ours are constants, users' went through `Xml.element` or `parse`. */
const el = (
  name: string,
  ns: string,
  attrs: Readonly<Record<string, string>>,
  children: ReadonlyArray<Xml.XmlNode>,
): Xml.XmlElement => ({ name, ns, attrs, children })

/** A text-only child (`<body/>`, `<show/>` …); empty text is an empty element. */
const textChild = (
  name: string,
  ns: string,
  text: string,
  attrs: Readonly<Record<string, string>> = {},
): Xml.XmlElement => el(name, ns, attrs, text === '' ? [] : [text])

/** The stanza element: common attributes, the kind's children, then payload, then `<error/>` (docs/semantics.md §3.3). */
const stanzaElement = (
  kind: Kind,
  s: Common,
  ns: string,
  type: string | undefined,
  children: Xml.XmlElement[],
): Xml.XmlElement => {
  for (const p of s.payload) children.push(p)
  if (s.error !== undefined) children.push(StanzaError.encodeElement(s.error, ns))
  return el(kind, ns, commonAttrs(s, type), children)
}

// The string writer (bench stanza:encode guards it). `encode` is a hot path: building the stanza's
// elements, attribute records and child arrays only to walk them again in `Xml.serialize` cost
// about as much as the writing.
// So the fixed parts (the stanza element, its attributes, the kind's text children) are written
// here directly, to the very string `Xml.serialize(toElement(s, ns))` produces (a property in
// spec/Stanza.spec.ts, "encode: the fast writer", proves the bytes equal); payload and `<error/>`
// are elements already (or built by StanzaError) and go through `Xml.serialize`.

/**
 * A text-only child as `Xml.serialize` writes `textChild(name, ns, text, attrs)` inside its
 * stanza: no namespace declaration, empty text as an empty element. `undefined` for a text that
 * is not a string (a record built around its type): the caller then takes the element path.
 */
const writeTextChild = (
  name: string,
  text: unknown,
  attrName?: string,
  attrValue?: unknown,
): string | undefined => {
  if (typeof text !== 'string') return undefined
  const attr = typeof attrValue === 'string' ? ` ${attrName}='${escapeAttr(attrValue)}'` : ''
  return text === '' ? `<${name}${attr}/>` : `<${name}${attr}>${escapeText(text)}</${name}>`
}

/**
 * The stanza as `Xml.serialize(stanzaElement(kind, s, ns, type, children))` writes it, where
 * `own` is the kind's children already written (see {@link writeTextChild}). `undefined` when the
 * record holds something its type does not allow (`payload` not an array of objects, `ns` not a
 * string): the element path, which defines the result, then handles it.
 */
const writeStanza = (
  kind: Kind,
  s: Common,
  ns: string,
  type: string | undefined,
  own: string,
): string | undefined => {
  const payload: unknown = s.payload
  if (typeof ns !== 'string' || !Array.isArray(payload)) return undefined
  for (const p of payload) if (typeof p !== 'object' || p === null) return undefined
  // Built before anything is written, as `stanzaElement` does: it throws where that would.
  const error = s.error === undefined ? undefined : StanzaError.encodeElement(s.error, ns)
  // The element path writes these two as `Xml.serialize` does (prefixed, or not at all).
  if (ns === Xml.XML_NS || ns === Xml.XMLNS_NS) return undefined
  let out = `<${kind} xmlns='${escapeAttr(ns)}'`
  if (typeof s.to === 'string') out += ` to='${escapeAttr(s.to)}'`
  if (typeof s.from === 'string') out += ` from='${escapeAttr(s.from)}'`
  if (typeof type === 'string') out += ` type='${escapeAttr(type)}'`
  if (typeof s.id === 'string') out += ` id='${escapeAttr(s.id)}'`
  if (typeof s.lang === 'string') out += ` xml:lang='${escapeAttr(s.lang)}'`
  if (own === '' && payload.length === 0 && error === undefined) return `${out}/>`
  out += `>${own}`
  const options = { parentNs: ns }
  for (const p of s.payload) out += Xml.serialize(p, options)
  if (error !== undefined) out += Xml.serialize(error, options)
  return `${out}</${kind}>`
}

/** The common fields as attributes of an `XmlElement`, for the io-ts codecs. */
const commonAttrs = (s: Common, type: string | undefined): Record<string, string> => {
  const attrs: Record<string, string> = {}
  if (s.to !== undefined) attrs.to = s.to
  if (s.from !== undefined) attrs.from = s.from
  if (type !== undefined) attrs.type = type
  if (s.id !== undefined) attrs.id = s.id
  if (s.lang !== undefined) attrs['xml:lang'] = s.lang
  return attrs
}

// -------------------------------------------------------------------------------------
// kinds as data
// -------------------------------------------------------------------------------------

/** What a kind's codec reads of a record: the common fields and its type. */
type Typed = Common & { readonly type?: string }

/**
 * A text-only child a kind models (`<body/>`, `<show/>`, …): its name, its text in the record
 * (`undefined`: absent), at most one attribute (`<thread parent='…'/>`) and whether it follows the
 * one-per-language rule (RFC 6121 §5.2.3). `text` is `unknown` because a record built around its
 * type may hold anything: the writer then hands it to the element path.
 */
export interface TextField<S> {
  readonly name: string
  readonly text: (s: S) => unknown
  readonly attr?: { readonly name: string; readonly value: (s: S) => unknown }
  readonly perLanguage?: true
}

/**
 * A kind as data: its root name, the text children it models in the order encode writes them
 * (docs/semantics.md §3.3), and its rules. `attributes` reads the kind's own attributes (type, and
 * the iq id) and reports their problems; `children` interprets the modelled children (and rules
 * about the children as a whole) and returns the record's builder. Both run after `walk`, with
 * `decodeErrors` between them.
 */
export interface Descriptor<S extends Typed, T> {
  readonly kind: Kind
  readonly fields: ReadonlyArray<TextField<S>>
  readonly attributes: (w: Walked, attrs: Readonly<Record<string, string>>) => T | undefined
  readonly isError: (type: T | undefined) => boolean
  readonly children: (w: Walked, type: T | undefined) => () => S
}

/** The codec of one kind, derived from its descriptor. */
export interface KindCodec<S> {
  readonly decodeElement: (x: Xml.XmlElement) => E.Either<DecodeError.DecodeError, S>
  readonly decode: (
    xml: string | Uint8Array,
    options?: DecodeOptions,
  ) => E.Either<DecodeError.DecodeError, S>
  readonly toElement: (s: S, ns?: string) => Xml.XmlElement
  readonly encode: (s: S, options?: EncodeOptions) => string
}

/**
 * Derives a kind's codec: decode is root check, `walk`, the kind's attributes, `decodeErrors`,
 * its children, `finish`; encode is the one string writer (`writeStanza`), with `toElement` (the
 * element the io-ts codec gives) as its definition and fallback for records outside their type.
 */
export const kindCodec = <S extends Typed, T>(d: Descriptor<S, T>): KindCodec<S> => {
  const { kind, fields } = d
  const kinds: ReadonlySet<string> = new Set([kind])
  const names: ReadonlySet<string> = new Set(fields.map((f) => f.name))
  const langNames: ReadonlySet<string> = new Set(
    fields.filter((f) => f.perLanguage === true).map((f) => f.name),
  )
  const decodeElement = (x: Xml.XmlElement): E.Either<DecodeError.DecodeError, S> => {
    const wrong = checkRoot(x, kinds, null)
    if (wrong !== undefined) return E.left(DecodeError.make([wrong]))
    const w = walk(x, kind, names, langNames)
    const type = d.attributes(w, x.attrs)
    decodeErrors(w, kind, d.isError(type))
    const build = d.children(w, type)
    return finish(w.problems, build, w.at)
  }
  const toElement = (s: S, ns = 'jabber:client'): Xml.XmlElement => {
    const children: Xml.XmlElement[] = []
    for (const f of fields) {
      const text = f.text(s)
      if (text === undefined) continue
      const value = f.attr?.value(s)
      children.push(
        textChild(
          f.name,
          ns,
          text as string,
          f.attr === undefined || value === undefined ? {} : { [f.attr.name]: value as string },
        ),
      )
    }
    return stanzaElement(kind, s, ns, s.type, children)
  }
  // `Xml.serialize(toElement(s, ns))` written directly; `undefined` for a record outside its type.
  const write = (s: S, ns: string): string | undefined => {
    let own = ''
    for (const f of fields) {
      const text = f.text(s)
      if (text === undefined) continue
      const child =
        f.attr === undefined
          ? writeTextChild(f.name, text)
          : writeTextChild(f.name, text, f.attr.name, f.attr.value(s))
      if (child === undefined) return undefined
      own += child
    }
    return writeStanza(kind, s, ns, s.type, own)
  }
  const encode = (s: S, options?: EncodeOptions): string => {
    const ns = options?.ns ?? 'jabber:client'
    return write(s, ns) ?? Xml.serialize(toElement(s, ns))
  }
  return { decodeElement, decode: decodeWith(kinds, decodeElement), toElement, encode }
}

// -------------------------------------------------------------------------------------
// rules
// -------------------------------------------------------------------------------------

/**
 * Reply addressing (docs/semantics.md §3.1, RFC 6120 §8.1.2): `to` becomes the original `from` and
 * `from` is dropped (the server stamps it); component mode swaps them (XEP-0114 §3).
 */
export const replyAddress = <S extends Common>(s: S, component: boolean | undefined): S => {
  const out: { -readonly [K in keyof S]: S[K] } = { ...s }
  delete out.to
  delete out.from
  if (s.from !== undefined) out.to = s.from
  if (component === true && s.to !== undefined) out.from = s.to
  return out
}

/**
 * The result reply (RFC 6120 §8.2.3 rule 4) of an iq record: reply addressing, type `result`,
 * same id, `error` removed; `clear` (default) empties the payload. `Iq.reply` gives it to
 * requests only; `Stanza.reply`, which is total, also to responses.
 */
export const resultReply = <S extends Common>(
  s: S,
  options: ReplyOptions,
): S & { readonly type: 'result' } => {
  const r = { ...omit(replyAddress(s, options.component), ['error']), type: 'result' as const }
  return options.clear === false ? r : { ...r, payload: [] }
}

/** What `errorReply` needs of a stanza. */
type Replyable = Common & { readonly type?: string }

/**
 * The error reply (docs/semantics.md §3.1): same kind, type `error`, same id (RFC 6120 §8.1.3), the
 * error set, plain reply addressing. `None` for an error stanza (§8.3.1), which is never
 * answered. `clear` (default) removes the payload and the kind's content, `clears`; `clear: false`
 * keeps them (an iq echoes its request payload, §8.2.3 rule 7) but still removes `drops`.
 */
export const errorReply = <S extends Replyable>(
  s: S,
  error: StanzaError.StanzaError,
  options: ReplyOptions,
  clears: ReadonlyArray<keyof S>,
  drops: ReadonlyArray<keyof S> = [],
): O.Option<S & { readonly type: 'error'; readonly error: StanzaError.StanzaError }> => {
  if (s.type === 'error') return O.none
  const r = { ...replyAddress(s, options.component), type: 'error' as const, error }
  if (options.clear === false) return O.some(drops.length === 0 ? r : omit(r, drops))
  return O.some({ ...omit(r, clears), payload: [] })
}

/** Removes keys from a record copy (absent = missing key, docs/semantics.md §0). */
export const omit = <S, K extends keyof S>(s: S, keys: ReadonlyArray<K>): S => {
  const out = { ...s }
  for (const k of keys) delete out[k]
  return out
}

/** Sets or, for `undefined`, removes a key, returning a copy. */
export const assign = <S, K extends keyof S>(s: S, key: K, value: S[K] | undefined): S => {
  const out = { ...s }
  if (value === undefined) delete out[key]
  else out[key] = value
  return out
}

// -------------------------------------------------------------------------------------
// ids
// -------------------------------------------------------------------------------------

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

/**
 * 128 bits from the platform CSPRNG, URL-safe base64 (22 characters). Never a counter:
 * predictable ids let others answer our requests (CVE-2024-46957, docs/security.md §6).
 */
export const randomId = (): string => {
  if (poolAt === POOL) {
    globalThis.crypto.getRandomValues(pool)
    poolAt = 0
  }
  let out = ''
  let bits = 0
  let acc = 0
  for (let i = poolAt; i < poolAt + 16; i++) {
    acc = ((acc << 8) | (pool[i] ?? 0)) & 0xfff
    bits += 8
    while (bits >= 6) {
      bits -= 6
      out += alphabet[(acc >> bits) & 63]
    }
  }
  // Each id uses its 16 bytes once: zero them so nothing of an id lingers for the next caller.
  pool.fill(0, poolAt, poolAt + 16)
  poolAt += 16
  if (bits > 0) out += alphabet[(acc << (6 - bits)) & 63]
  return out
}

// A bounded pool (4 KiB) of random bytes, the module's only mutable state: one
// `getRandomValues` call per 256 ids. The call itself, not the bytes, is what costs (about 3 µs
// each), and the bytes are just as random; guarded by `npm run bench:e2e` (10,000 `rx.request`
// pings, each with a fresh id), the only benchmark that makes ids while it is timed.
const POOL = 16 * 256
const pool = new Uint8Array(POOL)
let poolAt = POOL
