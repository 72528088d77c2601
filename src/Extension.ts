/**
 * Typed payload extensions, defined once as values. A definition names its element, the stanza
 * kinds it may appear in and its fields; from that one value come the inferred record type, a
 * lossless io-ts codec and kind-checked getters and setters that compose with `pipe`. There is
 * no registry and no global state: `Stanza.decode` decodes no extension, and `get` decodes the
 * matching payload element when asked. The library defines every extension in `stanzakit/ext`
 * exactly this way.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as O from 'fp-ts/Option'
 * import { Extension, Message } from 'stanzakit'
 *
 * // XEP-0224 attention, with an optional reason of our own.
 * const Attention = Extension.define({
 *   name: 'attention',
 *   ns: 'urn:xmpp:attention:0',
 *   on: ['message'],
 *   fields: { reason: Extension.optional(Extension.attr('reason')) },
 * })
 * type Attention = Extension.TypeOf<typeof Attention> // { readonly reason?: string; … }
 *
 * const buzz = pipe(Message.make({ body: 'hey!' }), Attention.set({ reason: 'lunch' }))
 * console.log(Attention.get(buzz)) // { _tag: 'Some', value: { reason: 'lunch' } }
 *
 * @since 0.2.0
 */
import * as E from 'fp-ts/lib/Either.js'
import * as O from 'fp-ts/lib/Option.js'
import type * as t from 'io-ts'
import * as DecodeError from './DecodeError.js'
import type * as Iq from './Iq.js'
import { isXmlSpace, quote, trimXmlSpace } from './internal/chars.js'
import { ElementCodec, fromDecoder, isXmlElement } from './internal/codec.js'
import * as DT from './internal/dateTime.js'
import * as Jid from './Jid.js'
import type * as Message from './Message.js'
import type * as Presence from './Presence.js'
import type * as Stanza from './Stanza.js'
import * as Xml from './Xml.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** The stanza kinds an extension may appear in. @category model @since 0.2.0 */
export type Kind = Stanza.Kind

/**
 * The stanza record of a kind, distributed over unions: `StanzaOf<'message' | 'presence'>` is
 * `Message | Presence`.
 *
 * @category model
 * @since 0.2.0
 */
export type StanzaOf<K extends Kind> = K extends 'message'
  ? Message.Message
  : K extends 'presence'
    ? Presence.Presence
    : K extends 'iq'
      ? Iq.Iq
      : never

/**
 * What a definition does not model, kept so that `encode(decode(el))` gives `el` back: unknown
 * attributes, and unknown children with their index among the element's significant children
 * (elements and non-blank text), so they are written back in place.
 *
 * @category model
 * @since 0.2.0
 */
export interface Rest {
  readonly attrs?: Readonly<Record<string, string>>
  readonly children?: ReadonlyArray<RestChild>
}

/** @category model @since 0.2.0 */
export interface RestChild {
  readonly at: number
  readonly node: Xml.XmlNode
}

/**
 * A scalar: how an attribute value or a text is read and written. `parse` gives the reason when
 * the string is not a value; `format` writes the canonical form.
 *
 * @category model
 * @since 0.2.0
 */
export interface Value<A> {
  /** What is expected, for messages: `an integer`, `a JID`. */
  readonly name: string
  /** The condition of a problem: `jid-malformed` for JIDs, else `bad-request`. */
  readonly condition: 'bad-request' | 'jid-malformed'
  readonly parse: (s: string) => E.Either<string, A>
  readonly format: (a: A) => string
  readonly is: (u: unknown) => u is A
}

/** Whether a field's key is always in the record or may be missing. @category model @since 0.2.0 */
export type Occurs = 'required' | 'optional'

declare const FieldType: unique symbol

/**
 * One field of an element definition: where its value lives in the XML (an attribute, a child,
 * the text) and whether its key may be missing. Built with `attr`, `text`, `childText`, `flag`,
 * `child`, `many`, `values`, `embed`, …
 *
 * @category model
 * @since 0.2.0
 */
export interface Field<A, O extends Occurs> {
  readonly [FieldType]?: { readonly value: A; readonly occurs: O }
  /** @internal */
  readonly impl: FieldImpl
}

/** A record of fields, as given to `define` and `element`. @category model @since 0.2.0 */
export type Fields = Readonly<Record<string, Field<unknown, Occurs>>>

type Flatten<T> = { [K in keyof T]: T[K] } & {}
type RequiredKeys<F> = {
  [K in keyof F]: F[K] extends Field<unknown, 'required'> ? K : never
}[keyof F]
type FieldValue<X> = X extends Field<infer A, Occurs> ? A : never

/**
 * The record a set of fields decodes to: required keys, optional keys (missing when absent) and
 * `$rest` for what the definition does not model.
 *
 * @category model
 * @since 0.2.0
 */
export type RecordOf<F extends Fields> = Flatten<
  { readonly [K in RequiredKeys<F>]: FieldValue<F[K]> } & {
    readonly [K in Exclude<keyof F, RequiredKeys<F>>]?: FieldValue<F[K]>
  } & { readonly $rest?: Rest }
>

/**
 * An element and its record: the building block of extensions, and what `child` and `many`
 * take. Every `Extension` is one.
 *
 * @category model
 * @since 0.2.0
 */
export interface ElementDef<A> {
  readonly name: string
  readonly ns: string
  /** Name and namespace match. */
  readonly is: (el: Xml.XmlElement) => boolean
  /** Paths start at the element: `delay@stamp`. */
  readonly decode: (el: Xml.XmlElement) => E.Either<DecodeError.DecodeError, A>
  readonly encode: (a: A) => Xml.XmlElement
  /** Is `u` a record of this definition (the io-ts `is`)? */
  readonly isValue: (u: unknown) => u is A
  /** @internal Decodes a matching element, reporting problems under `path`. */
  readonly decodeAt: (el: Xml.XmlElement, path: string, problems: Problem[]) => A | Fail
}

/**
 * A payload extension: an element definition bound to the stanza kinds it may appear in, with
 * getters and setters over a stanza's `payload`. Getters decode lazily; setters never touch
 * payload elements that do not match.
 *
 * @category model
 * @since 0.2.0
 */
export interface Extension<K extends Kind, A> extends ElementDef<A> {
  readonly kinds: ReadonlyArray<K>
  /** The disco feature (XEP-0030) this extension implies, if any. */
  readonly feature?: string
  /** io-ts, lossless: `XmlElement ⇄ A`. */
  readonly codec: t.Type<A, Xml.XmlElement, unknown>
  /** The first matching element, decoded; `none` when it is absent or invalid. */
  readonly get: (s: StanzaOf<K>) => O.Option<A>
  /** The first matching element: `Left` with its path when invalid, `Right(none)` when absent. */
  readonly getEither: (s: StanzaOf<K>) => E.Either<DecodeError.DecodeError, O.Option<A>>
  /** Every valid matching element, in order. */
  readonly getAll: (s: StanzaOf<K>) => ReadonlyArray<A>
  /** Whether an element matches, valid or not. */
  readonly has: (s: StanzaOf<K>) => boolean
  /** Replaces every match by one element, at the first match's place (else appended). */
  readonly set: (a: A) => <S extends StanzaOf<K>>(s: S) => S
  /** Appends one more element. */
  readonly add: (a: A) => <S extends StanzaOf<K>>(s: S) => S
  /** Applies `f` to every valid match; invalid matches and other elements stay as they are. */
  readonly modify: (f: (a: A) => A) => <S extends StanzaOf<K>>(s: S) => S
  /** Removes every match. */
  readonly remove: <S extends StanzaOf<K>>(s: S) => S
}

/**
 * The record type of a definition: `type Delay = TypeOf<typeof Delay>`.
 *
 * @category model
 * @since 0.2.0
 */
export type TypeOf<D> = D extends ElementDef<infer A> ? A : never

// -------------------------------------------------------------------------------------
// internal machinery
// -------------------------------------------------------------------------------------

/** @internal */
export type Problem = DecodeError.Problem
declare const FailBrand: unique symbol
/** @internal The result of a decode that reported its problems. */
export type Fail = { readonly [FailBrand]: 'Fail' }
const FAIL = Symbol('fail') as unknown as Fail
// A field with nothing to contribute: its key stays missing.
const ABSENT = Symbol('absent')

/** The element being decoded, shared by its fields. */
interface Cx {
  readonly el: Xml.XmlElement
  readonly path: string
  readonly problems: Problem[]
  /** Children taken by a field, by index. */
  readonly used: Array<boolean>
  /** Attributes taken by a field. */
  readonly attrs: string[]
}

/** Where an encoded field goes. */
interface Out {
  readonly ns: string
  readonly attrs: Record<string, string>
  readonly children: Xml.XmlNode[]
}

/** @internal */
export interface FieldImpl {
  /** Whether decoding fails when the XML lacks it (`optional`/`required` change this). */
  readonly required: boolean
  /** Runs after every other field (an `embed` takes the first child nobody else took). */
  readonly last: boolean
  readonly decode: (cx: Cx, required: boolean) => unknown
  /** `v` is `undefined` when the key is missing. */
  readonly encode: (v: unknown, out: Out) => void
  /** Is `v` (possibly `undefined`) an acceptable value of the key? */
  readonly check: (v: unknown) => boolean
}

const field = <A, O extends Occurs>(impl: FieldImpl): Field<A, O> => ({ impl })

const childPath = (parent: string, name: string, ordinal: number): string =>
  (parent === '' ? name : `${parent}/${name}`) + (ordinal > 1 ? `[${ordinal}]` : '')

const report = (
  cx: Cx,
  path: string,
  condition: DecodeError.Condition,
  message: string,
): typeof FAIL => {
  cx.problems.push(DecodeError.problem(path, condition, message))
  return FAIL
}

const readValue = <A>(value: Value<A>, raw: string, cx: Cx, path: string): A | Fail => {
  if (value === anyString) return raw as A
  const r = value.parse(raw)
  return E.isRight(r) ? r.right : report(cx, path, value.condition, r.left)
}

/** The first child at or after `from` that `match` accepts and no field took, or -1. */
const findChild = (cx: Cx, match: (el: Xml.XmlElement) => boolean, from = 0): number => {
  const { children } = cx.el
  for (let i = from; i < children.length; i++) {
    const c = children[i] as Xml.XmlNode
    if (typeof c !== 'string' && cx.used[i] !== true && match(c)) return i
  }
  return -1
}

/** 1-based position of `children[index]` among its same-named siblings, for paths. */
const ordinalOf = (el: Xml.XmlElement, index: number): number => {
  const target = el.children[index] as Xml.XmlElement
  let n = 0
  for (let i = 0; i <= index; i++) {
    const c = el.children[i] as Xml.XmlNode
    if (typeof c !== 'string' && c.name === target.name) n++
  }
  return n
}

const isSignificant = (node: Xml.XmlNode): boolean => typeof node !== 'string' || !isXmlSpace(node)

const restOf = (cx: Cx): Rest | undefined => {
  let attrs: Record<string, string> | undefined
  const own = cx.el.attrs
  const keys = Object.keys(own)
  // Fields take distinct attributes: as many taken as there are means none is left.
  if (keys.length > cx.attrs.length)
    for (const key of keys)
      if (!cx.attrs.includes(key)) {
        attrs ??= Object.create(null) as Record<string, string>
        attrs[key] = own[key] as string
      }
  const children: RestChild[] = []
  let at = 0
  const all = cx.el.children
  for (let i = 0; i < all.length; i++) {
    const node = all[i] as Xml.XmlNode
    if (!isSignificant(node)) continue
    if (cx.used[i] !== true) children.push({ at, node })
    at++
  }
  if (attrs === undefined && children.length === 0) return undefined
  return {
    ...(attrs === undefined ? {} : { attrs }),
    ...(children.length === 0 ? {} : { children }),
  }
}

const isRest = (u: unknown): u is Rest => {
  if (typeof u !== 'object' || u === null) return false
  const { attrs, children } = u as { attrs?: unknown; children?: unknown }
  if (attrs !== undefined && (typeof attrs !== 'object' || attrs === null)) return false
  if (children === undefined) return true
  return (
    Array.isArray(children) &&
    children.every(
      (c: unknown) =>
        typeof c === 'object' &&
        c !== null &&
        Number.isInteger((c as RestChild).at) &&
        (typeof (c as RestChild).node === 'string' || isXmlElement((c as RestChild).node)),
    )
  )
}

const nullRecord = (): Record<string, string> => Object.create(null) as Record<string, string>

const hasOwn = (o: object, key: string): boolean => Object.hasOwn(o, key)

// -------------------------------------------------------------------------------------
// scalars
// -------------------------------------------------------------------------------------

/** Any string, as received. @category scalars @since 0.2.0 */
export const string: Value<string> = {
  name: 'a string',
  condition: 'bad-request',
  parse: E.right,
  format: (s) => s,
  is: (u): u is string => typeof u === 'string',
}

// The default of the field builders' implementation signatures.
const anyString = string as Value<unknown>

/**
 * An xs:int-style integer: optional sign, ASCII digits, surrounding white space allowed
 * (xs:whiteSpace collapse); written canonically (`+007` comes back as `7`). Values are safe
 * integers, the range `is` accepts, so every value comes back from its canonical form.
 *
 * @category scalars
 * @since 0.2.0
 */
export const int: Value<number> = {
  name: 'an integer',
  condition: 'bad-request',
  parse: (s) => {
    const v = trimXmlSpace(s)
    if (!/^[+-]?\d+$/.test(v)) return E.left(`expected an integer, got ${quote(s)}`)
    const n = Number(v) + 0
    return Number.isSafeInteger(n) ? E.right(n) : E.left(`integer out of range, got ${quote(s)}`)
  },
  format: (n) => String(n),
  is: (u): u is number => Number.isSafeInteger(u),
}

/**
 * xs:boolean: `true`, `false`, `1`, `0`; written as `true`/`false`.
 *
 * @category scalars
 * @since 0.2.0
 */
export const boolean: Value<boolean> = {
  name: 'a boolean',
  condition: 'bad-request',
  parse: (s) => {
    const v = trimXmlSpace(s)
    return v === 'true' || v === '1'
      ? E.right(true)
      : v === 'false' || v === '0'
        ? E.right(false)
        : E.left(`expected a boolean (true, false, 1, 0), got ${quote(s)}`)
  },
  format: (b) => (b ? 'true' : 'false'),
  is: (u): u is boolean => typeof u === 'boolean',
}

/**
 * A JID (RFC 7622), stored canonical; an invalid one is `jid-malformed`.
 *
 * @category scalars
 * @since 0.2.0
 */
export const jid: Value<Jid.Jid> = {
  name: 'a JID',
  condition: 'jid-malformed',
  parse: (s) => {
    const r = Jid.parse(s)
    return E.isRight(r) ? r : E.left(`${r.left.part}: ${r.left.message}`)
  },
  format: (j) => j,
  is: Jid.is,
}

/**
 * An XEP-0082 DateTime, kept as received (validated, branded).
 *
 * @category scalars
 * @since 0.2.0
 */
export const dateTime: Value<DT.DateTime> = {
  name: 'a DateTime',
  condition: 'bad-request',
  parse: DT.parse,
  format: (d) => d,
  is: DT.is,
}

/**
 * A closed set of strings: anything else is `bad-request`.
 *
 * @example
 * import { Extension } from 'stanzakit'
 * const FormType = Extension.literal('form', 'submit', 'cancel', 'result')
 * console.log(FormType.parse('submit')) // { _tag: 'Right', right: 'submit' }
 *
 * @category scalars
 * @since 0.2.0
 */
export const literal = <const V extends ReadonlyArray<string>>(...values: V): Value<V[number]> => {
  const known: ReadonlySet<string> = new Set(values)
  const list = values
    .slice(0, 8)
    .map((v) => JSON.stringify(v))
    .join(', ')
  return {
    name: `one of ${list}`,
    condition: 'bad-request',
    parse: (s) =>
      known.has(s) ? E.right(s as V[number]) : E.left(`expected one of ${list}, got ${quote(s)}`),
    format: (v) => v,
    is: (u): u is V[number] => typeof u === 'string' && known.has(u),
  }
}

/**
 * An open set: the known strings (for completion and exhaustive matches) plus any other string,
 * for enumerations a XEP lets grow (a form field's `type`, a MUC `affiliation`).
 *
 * @category scalars
 * @since 0.2.0
 */
export const open = <const V extends ReadonlyArray<string>>(
  ..._known: V
): Value<V[number] | (string & {})> => string as Value<V[number] | (string & {})>

// -------------------------------------------------------------------------------------
// fields
// -------------------------------------------------------------------------------------

/**
 * An attribute, required unless wrapped in `optional`. Keys with a namespace are written
 * `xml:lang` or `{uri}local`, as in `XmlElement.attrs`.
 *
 * @category fields
 * @since 0.2.0
 */
export function attr(name: string): Field<string, 'required'>
export function attr<A>(name: string, value: Value<A>): Field<A, 'required'>
export function attr(name: string, value: Value<unknown> = anyString): Field<unknown, 'required'> {
  return field({
    required: true,
    last: false,
    decode: (cx, required) => {
      const own = cx.el.attrs
      if (!hasOwn(own, name)) {
        if (!required) return ABSENT
        return report(cx, `${cx.path}@${name}`, 'bad-request', 'missing attribute')
      }
      cx.attrs.push(name)
      return readValue(value, own[name] as string, cx, `${cx.path}@${name}`)
    },
    encode: (v, out) => {
      if (v !== undefined) out.attrs[name] = value.format(v)
    },
    check: (v) => value.is(v),
  })
}

/**
 * The element's own character data (`<delay>Offline Storage</delay>`), kept as received; only
 * white space counts as absent. An optional key.
 *
 * @category fields
 * @since 0.2.0
 */
export function text(): Field<string, 'optional'>
export function text<A>(value: Value<A>): Field<A, 'optional'>
export function text(value: Value<unknown> = anyString): Field<unknown, 'optional'> {
  return field({
    required: false,
    last: false,
    decode: (cx, required) => {
      let s = ''
      const { children } = cx.el
      for (let i = 0; i < children.length; i++) {
        const c = children[i] as Xml.XmlNode
        if (typeof c === 'string') {
          s += c
          cx.used[i] = true
        }
      }
      if (isXmlSpace(s)) {
        return required ? report(cx, cx.path, 'bad-request', 'missing text') : ABSENT
      }
      return readValue(value, s, cx, cx.path)
    },
    encode: (v, out) => {
      if (v !== undefined) {
        const s = value.format(v)
        if (s !== '') out.children.push(s)
      }
    },
    // White space alone would decode as absent: such a record could not come back.
    check: (v) => v === undefined || (value.is(v) && !isXmlSpace(value.format(v))),
  })
}

/**
 * The text of the first child element with this name, in the parent's namespace
 * (`<name>Exodus</name>`); an empty element gives `''`. An optional key.
 *
 * @category fields
 * @since 0.2.0
 */
export function childText(name: string): Field<string, 'optional'>
export function childText<A>(name: string, value: Value<A>): Field<A, 'optional'>
export function childText(
  name: string,
  value: Value<unknown> = anyString,
): Field<unknown, 'optional'> {
  return field({
    required: false,
    last: false,
    decode: (cx, required) => {
      const ns = cx.el.ns
      const i = findChild(cx, (c) => c.name === name && c.ns === ns)
      if (i < 0) {
        if (!required) return ABSENT
        return report(cx, childPath(cx.path, name, 1), 'bad-request', 'missing element')
      }
      cx.used[i] = true
      const path = childPath(cx.path, name, ordinalOf(cx.el, i))
      return readValue(value, Xml.getText(cx.el.children[i] as Xml.XmlElement), cx, path)
    },
    encode: (v, out) => {
      if (v !== undefined) out.children.push(textElement(name, out.ns, value.format(v)))
    },
    check: (v) => v === undefined || value.is(v),
  })
}

const textElement = (name: string, ns: string, s: string): Xml.XmlElement => ({
  name,
  ns,
  attrs: nullRecord(),
  children: s === '' ? [] : [s],
})

/**
 * The texts of every child element with this name, in the parent's namespace, in order
 * (`<group>` of a roster item, `<value>` of a form field). A list, `[]` when there is none.
 *
 * @category fields
 * @since 0.2.0
 */
export function childTexts(name: string): Field<ReadonlyArray<string>, 'required'>
export function childTexts<A>(name: string, value: Value<A>): Field<ReadonlyArray<A>, 'required'>
export function childTexts(
  name: string,
  value: Value<unknown> = anyString,
): Field<unknown, 'required'> {
  return field({
    required: true,
    last: false,
    decode: (cx) => {
      const ns = cx.el.ns
      const out: unknown[] = []
      let failed = false
      let n = 0
      const { children } = cx.el
      for (let i = 0; i < children.length; i++) {
        const c = children[i] as Xml.XmlNode
        if (typeof c === 'string' || c.name !== name) continue
        n++
        if (c.ns !== ns || cx.used[i] === true) continue
        cx.used[i] = true
        const v = readValue(value, Xml.getText(c), cx, childPath(cx.path, name, n))
        if (v === FAIL) failed = true
        else out.push(v)
      }
      return failed ? FAIL : out
    },
    encode: (v, out) => {
      for (const x of (v ?? []) as ReadonlyArray<unknown>)
        out.children.push(textElement(name, out.ns, value.format(x)))
    },
    check: (v) => Array.isArray(v) && v.every(value.is),
  })
}

/**
 * Whether an empty child element with this name (in the parent's namespace) is present:
 * `<required/>` of a form field. Written as `<name/>` when `true`.
 *
 * @category fields
 * @since 0.2.0
 */
export const flag = (name: string): Field<boolean, 'required'> =>
  field({
    required: true,
    last: false,
    decode: (cx) => {
      const ns = cx.el.ns
      const i = findChild(cx, (c) => c.name === name && c.ns === ns)
      if (i < 0) return false
      cx.used[i] = true
      return true
    },
    encode: (v, out) => {
      if (v === true) out.children.push(textElement(name, out.ns, ''))
    },
    check: (v) => typeof v === 'boolean',
  })

/**
 * The first child element matching a definition, decoded. An optional key.
 *
 * @category fields
 * @since 0.2.0
 */
export const child = <A>(def: ElementDef<A>): Field<A, 'optional'> =>
  field({
    required: false,
    last: false,
    decode: (cx, required) => {
      const i = findChild(cx, def.is)
      if (i < 0) {
        if (!required) return ABSENT
        return report(cx, childPath(cx.path, def.name, 1), 'bad-request', 'missing element')
      }
      cx.used[i] = true
      const el = cx.el.children[i] as Xml.XmlElement
      return def.decodeAt(el, childPath(cx.path, el.name, ordinalOf(cx.el, i)), cx.problems)
    },
    encode: (v, out) => {
      if (v !== undefined) out.children.push(def.encode(v as A))
    },
    check: (v) => v === undefined || def.isValue(v),
  })

/**
 * Every child element matching a definition, decoded, in order; `[]` when there is none. One
 * invalid element makes the whole extension invalid, with that element's path.
 *
 * @category fields
 * @since 0.2.0
 */
export const many = <A>(def: ElementDef<A>): Field<ReadonlyArray<A>, 'required'> =>
  field({
    required: true,
    last: false,
    decode: (cx) => {
      const out: A[] = []
      let failed = false
      const counts = new Map<string, number>()
      const { children } = cx.el
      for (let i = 0; i < children.length; i++) {
        const c = children[i] as Xml.XmlNode
        if (typeof c === 'string') continue
        const n = (counts.get(c.name) ?? 0) + 1
        counts.set(c.name, n)
        if (cx.used[i] === true || !def.is(c)) continue
        cx.used[i] = true
        const v = def.decodeAt(c, childPath(cx.path, c.name, n), cx.problems)
        if (v === FAIL) failed = true
        else out.push(v as A)
      }
      return failed ? FAIL : out
    },
    encode: (v, out) => {
      for (const x of (v ?? []) as ReadonlyArray<A>) out.children.push(def.encode(x))
    },
    check: (v) => Array.isArray(v) && v.every(def.isValue),
  })

/**
 * One attribute of every child element with this name (in the parent's namespace), in order:
 * `values('feature', 'var', string)` reads `<feature var='…'/>` lists, `values('status',
 * 'code', int)` MUC status codes. A child without the attribute is `bad-request`.
 *
 * @category fields
 * @since 0.2.0
 */
export const values = <A>(
  childName: string,
  attrName: string,
  value: Value<A>,
): Field<ReadonlyArray<A>, 'required'> =>
  field({
    required: true,
    last: false,
    decode: (cx) => {
      const ns = cx.el.ns
      const out: A[] = []
      let failed = false
      let n = 0
      const { children } = cx.el
      for (let i = 0; i < children.length; i++) {
        const c = children[i] as Xml.XmlNode
        if (typeof c === 'string' || c.name !== childName) continue
        n++
        if (c.ns !== ns || cx.used[i] === true) continue
        cx.used[i] = true
        const path = `${childPath(cx.path, childName, n)}@${attrName}`
        const raw = c.attrs[attrName]
        const v =
          raw === undefined || !hasOwn(c.attrs, attrName)
            ? report(cx, path, 'bad-request', 'missing attribute')
            : readValue(value, raw, cx, path)
        if (v === FAIL) failed = true
        else out.push(v as A)
      }
      return failed ? FAIL : out
    },
    encode: (v, out) => {
      for (const x of (v ?? []) as ReadonlyArray<A>) {
        const attrs = nullRecord()
        attrs[attrName] = value.format(x)
        out.children.push({ name: childName, ns: out.ns, attrs, children: [] })
      }
    },
    check: (v) => Array.isArray(v) && v.every(value.is),
  })

/**
 * A whole element decoded by another io-ts codec: the first child element that `accepts` takes
 * and no other field took (by default, any). XEP-0297 embeds a stanza this way:
 * `embed(Stanza.codec, isStanzaElement)`. Required unless wrapped in `optional`; problems of
 * stanzakit's own codecs keep their paths below this element.
 *
 * @category fields
 * @since 0.2.0
 */
export const embed = <A>(
  codec: t.Type<A, Xml.XmlElement, unknown>,
  accepts: (el: Xml.XmlElement) => boolean = () => true,
): Field<A, 'required'> =>
  field({
    required: true,
    last: true,
    decode: (cx, required) => {
      const i = findChild(cx, accepts)
      if (i < 0) {
        if (!required) return ABSENT
        return report(cx, cx.path, 'bad-request', `missing element (${codec.name})`)
      }
      cx.used[i] = true
      const el = cx.el.children[i] as Xml.XmlElement
      const path = childPath(cx.path, el.name, ordinalOf(cx.el, i))
      if (codec instanceof ElementCodec) {
        // stanzakit's own codecs report paths from the element itself (`message/body`).
        const r = (codec as ElementCodec<A>).decodeElement(el)
        if (E.isRight(r)) return r.right
        // Their paths start with the element's name: give it its position among its namesakes.
        for (const p of r.left.problems) {
          const own =
            p.path.startsWith(el.name) &&
            (p.path.length === el.name.length || /^[/@]/.test(p.path.slice(el.name.length)))
          const at = own ? `${path}${p.path.slice(el.name.length)}` : `${cx.path}/${p.path}`
          cx.problems.push(DecodeError.problem(at, p.condition, p.message))
        }
        return FAIL
      }
      const r = codec.decode(el)
      if (E.isRight(r)) return r.right
      const why = r.left[0]?.message ?? `expected ${codec.name}`
      return report(cx, path, 'bad-request', why)
    },
    encode: (v, out) => {
      if (v !== undefined) out.children.push(codec.encode(v as A))
    },
    check: (v) => codec.is(v),
  })

/**
 * Makes a field's key optional: an absent attribute (or embedded element) is a missing key
 * instead of a problem. On fields that are already optional it changes nothing.
 *
 * @category fields
 * @since 0.2.0
 */
export const optional = <A>(f: Field<A, Occurs>): Field<A, 'optional'> =>
  field({
    ...f.impl,
    required: false,
    check: (v) => v === undefined || f.impl.check(v),
  })

/**
 * Makes a field's key required: a missing child (or text) is `bad-request`. For
 * `required(childText('url'))` (XEP-0066) and the like.
 *
 * @category fields
 * @since 0.2.0
 */
export const required = <A>(f: Field<A, Occurs>): Field<A, 'required'> =>
  field({
    ...f.impl,
    required: true,
    check: (v) => v !== undefined && f.impl.check(v),
  })

// -------------------------------------------------------------------------------------
// element definitions
// -------------------------------------------------------------------------------------

const isName = (name: string, ns: string): void => {
  // Xml.element validates the name once, at definition time, so encoders can trust it.
  Xml.element(name, ns)
}

const makeDef = <A>(
  name: string,
  ns: string,
  is: (el: Xml.XmlElement) => boolean,
  decodeAt: (el: Xml.XmlElement, path: string, problems: Problem[]) => A | Fail,
  encode: (a: A) => Xml.XmlElement,
  isValue: (u: unknown) => u is A,
): ElementDef<A> => ({
  name,
  ns,
  is,
  decodeAt,
  encode,
  isValue,
  decode: (el) => {
    const problems: Problem[] = []
    if (!is(el)) {
      const expected = `expected <${name} xmlns='${ns}'>, got <${el.name}>`
      return E.left(DecodeError.make([DecodeError.problem(el.name, 'bad-request', expected)]))
    }
    const r = decodeAt(el, el.name, problems)
    const [first, ...more] = problems
    return r === FAIL || first !== undefined
      ? E.left(DecodeError.make([first ?? unknownProblem(el.name), ...more]))
      : E.right(r as A)
  },
})

const unknownProblem = (path: string): Problem =>
  DecodeError.problem(path, 'bad-request', 'invalid element')

/**
 * An element whose record is its fields: `element('item', NS, { jid: attr('jid', jid) })`.
 * Unknown attributes and children go to `$rest` and are written back in place.
 *
 * @category element definitions
 * @since 0.2.0
 */
export const element = <const F extends Fields>(
  name: string,
  ns: string,
  fields: F,
): ElementDef<RecordOf<F>> => {
  isName(name, ns)
  const keys = Object.keys(fields)
  const order = [
    ...keys.filter((k) => !(fields[k] as Field<unknown, Occurs>).impl.last),
    ...keys.filter((k) => (fields[k] as Field<unknown, Occurs>).impl.last),
  ].map((k) => [k, (fields[k] as Field<unknown, Occurs>).impl] as const)
  const is = (el: Xml.XmlElement): boolean => el.name === name && el.ns === ns

  const decodeAt = (el: Xml.XmlElement, path: string, problems: Problem[]): RecordOf<F> | Fail => {
    const cx: Cx = { el, path, problems, used: [], attrs: [] }
    const out: Record<string, unknown> = {}
    let failed = false
    for (const [key, f] of order) {
      const v = f.decode(cx, f.required)
      if (v === FAIL) failed = true
      else if (v !== ABSENT) out[key] = v
    }
    if (failed) return FAIL
    const rest = restOf(cx)
    if (rest !== undefined) out.$rest = rest
    return out as RecordOf<F>
  }

  const encode = (a: RecordOf<F>): Xml.XmlElement => {
    const r = a as Record<string, unknown>
    const rest = r.$rest as Rest | undefined
    const attrs = nullRecord()
    if (rest?.attrs !== undefined) Object.assign(attrs, rest.attrs)
    const out: Out = { ns, attrs, children: [] }
    for (const key of keys) (fields[key] as Field<unknown, Occurs>).impl.encode(r[key], out)
    for (const { at, node } of rest?.children ?? [])
      out.children.splice(Math.min(Math.max(at, 0), out.children.length), 0, node)
    return { name, ns, attrs, children: out.children }
  }

  const isValue = (u: unknown): u is RecordOf<F> => {
    if (typeof u !== 'object' || u === null) return false
    const r = u as Record<string, unknown>
    for (const [key, f] of order) if (!f.check(r[key])) return false
    return r.$rest === undefined || isRest(r.$rest)
  }

  return makeDef(name, ns, is, decodeAt, encode, isValue)
}

/**
 * A definition seen through a pair of functions: `imap(f, g)(def)` decodes with `def` and then
 * `f`, encodes with `g` and then `def`. For elements whose record is better as another shape,
 * such as a data form's `<reported>` as the list of its fields. What `g` cannot give back (the
 * wrapper's own `$rest`) is dropped on rewrite.
 *
 * @category element definitions
 * @since 0.2.0
 */
export const imap =
  <A, B>(f: (a: A) => B, g: (b: B) => A, isB: (u: unknown) => u is B) =>
  (def: ElementDef<A>): ElementDef<B> =>
    makeDef(
      def.name,
      def.ns,
      def.is,
      (el, path, problems) => {
        const a = def.decodeAt(el, path, problems)
        return a === FAIL ? FAIL : f(a as A)
      },
      (b) => def.encode(g(b)),
      isB,
    )

/**
 * A definition resolved on first use, for recursive structures.
 *
 * @category element definitions
 * @since 0.2.0
 */
export const lazy = <A>(thunk: () => ElementDef<A>): ElementDef<A> => {
  let memo: ElementDef<A> | undefined
  const def = (): ElementDef<A> => {
    memo ??= thunk()
    return memo
  }
  return {
    get name() {
      return def().name
    },
    get ns() {
      return def().ns
    },
    is: (el) => def().is(el),
    decode: (el) => def().decode(el),
    encode: (a) => def().encode(a),
    isValue: (u): u is A => def().isValue(u),
    decodeAt: (el, path, problems) => def().decodeAt(el, path, problems),
  }
}

// -------------------------------------------------------------------------------------
// extensions
// -------------------------------------------------------------------------------------

const payloadPath = (s: Stanza.Stanza, index: number): string => {
  const el = s.payload[index] as Xml.XmlElement
  let n = 0
  for (let i = 0; i <= index; i++) if ((s.payload[i] as Xml.XmlElement).name === el.name) n++
  return childPath(s.kind, el.name, n)
}

/**
 * An extension from an element definition and the kinds it may appear in.
 *
 * @category extensions
 * @since 0.2.0
 */
export const fromElement = <A, const K extends Kind>(
  def: ElementDef<A>,
  options: { readonly on: ReadonlyArray<K>; readonly feature?: string },
): Extension<K, A> => {
  const { is, decodeAt, encode } = def
  const decodeOne = (s: Stanza.Stanza, i: number, problems: Problem[]): A | Fail => {
    const r = decodeAt(s.payload[i] as Xml.XmlElement, payloadPath(s, i), problems)
    return problems.length > 0 ? FAIL : r
  }
  // For getters that drop the problems: no path to compute (bench ext:get guards this).
  const quietly = (el: Xml.XmlElement): A | Fail => {
    const problems: Problem[] = []
    const r = decodeAt(el, el.name, problems)
    return problems.length > 0 ? FAIL : r
  }
  const withPayload = <S extends Stanza.Stanza>(s: S, payload: ReadonlyArray<Xml.XmlElement>): S =>
    ({ ...s, payload }) as S

  const get = (s: Stanza.Stanza): O.Option<A> => {
    const payload = s.payload
    for (let i = 0; i < payload.length; i++)
      if (is(payload[i] as Xml.XmlElement)) {
        const r = quietly(payload[i] as Xml.XmlElement)
        return r === FAIL ? O.none : O.some(r as A)
      }
    return O.none
  }

  const getEither = (s: Stanza.Stanza): E.Either<DecodeError.DecodeError, O.Option<A>> => {
    const i = s.payload.findIndex(is)
    if (i < 0) return E.right(O.none)
    const problems: Problem[] = []
    const r = decodeOne(s, i, problems)
    const [first, ...more] = problems
    if (r !== FAIL && first === undefined) return E.right(O.some(r as A))
    return E.left(DecodeError.make([first ?? unknownProblem(payloadPath(s, i)), ...more]))
  }

  const getAll = (s: Stanza.Stanza): ReadonlyArray<A> => {
    const out: A[] = []
    for (let i = 0; i < s.payload.length; i++)
      if (is(s.payload[i] as Xml.XmlElement)) {
        const r = quietly(s.payload[i] as Xml.XmlElement)
        if (r !== FAIL) out.push(r as A)
      }
    return out
  }

  const set =
    (a: A) =>
    <S extends Stanza.Stanza>(s: S): S => {
      const el = encode(a)
      const payload: Xml.XmlElement[] = []
      let placed = false
      for (const p of s.payload)
        if (!is(p)) payload.push(p)
        else if (!placed) {
          payload.push(el)
          placed = true
        }
      if (!placed) payload.push(el)
      return withPayload(s, payload)
    }

  const modify =
    (f: (a: A) => A) =>
    <S extends Stanza.Stanza>(s: S): S => {
      let changed = false
      const payload = s.payload.map((p) => {
        if (!is(p)) return p
        const r = quietly(p)
        if (r === FAIL) return p
        changed = true
        return encode(f(r as A))
      })
      return changed ? withPayload(s, payload) : s
    }

  const remove = <S extends Stanza.Stanza>(s: S): S =>
    s.payload.some(is)
      ? withPayload(
          s,
          s.payload.filter((p) => !is(p)),
        )
      : s

  return {
    ...def,
    kinds: options.on,
    ...(options.feature === undefined ? {} : { feature: options.feature }),
    codec: fromDecoder(def.name, def.isValue, def.decode, encode),
    get,
    getEither,
    getAll,
    has: (s) => s.payload.some(is),
    set,
    add:
      (a) =>
      <S extends Stanza.Stanza>(s: S): S =>
        withPayload(s, [...s.payload, encode(a)]),
    modify,
    remove,
  } as Extension<K, A>
}

/**
 * Defines an extension: an element, the stanza kinds it may appear in, its fields and the disco
 * feature it implies. The record type is inferred (`TypeOf<typeof Ext>`); attributes and
 * children the fields do not model are kept in `$rest` and written back.
 *
 * @example
 * import { Extension } from 'stanzakit'
 * // XEP-0359 origin-id
 * const OriginId = Extension.define({
 *   name: 'origin-id',
 *   ns: 'urn:xmpp:sid:0',
 *   on: ['message'],
 *   fields: { id: Extension.attr('id') },
 * })
 * console.log(OriginId.encode({ id: 'de305d54' }).attrs.id) // de305d54
 *
 * @category extensions
 * @since 0.2.0
 */
export const define = <const K extends Kind, const F extends Fields>(d: {
  readonly name: string
  readonly ns: string
  readonly on: ReadonlyArray<K>
  readonly fields: F
  readonly feature?: string
}): Extension<K, RecordOf<F>> =>
  fromElement(element(d.name, d.ns, d.fields), {
    on: d.on,
    ...(d.feature === undefined ? {} : { feature: d.feature }),
  })

/**
 * "One of these empty elements", whose record is the name itself: XEP-0085 chat states, XEP-0333
 * markers. `name` is the first of `names`; `is` matches any. The element's extras are not kept.
 *
 * @category extensions
 * @since 0.2.0
 */
export const oneOf = <const N extends string, const K extends Kind>(d: {
  readonly ns: string
  readonly names: readonly [N, ...ReadonlyArray<N>]
  readonly on: ReadonlyArray<K>
  readonly feature?: string
}): Extension<K, N> => {
  const known: ReadonlySet<string> = new Set(d.names)
  for (const n of d.names) isName(n, d.ns)
  const { ns } = d
  const is = (el: Xml.XmlElement): boolean => el.ns === ns && known.has(el.name)
  const isValue = (u: unknown): u is N => typeof u === 'string' && known.has(u)
  const def = makeDef<N>(
    d.names[0],
    ns,
    is,
    (el) => el.name as N,
    (n) => ({ name: n, ns, attrs: nullRecord(), children: [] }),
    isValue,
  )
  return fromElement(def, { on: d.on, ...(d.feature === undefined ? {} : { feature: d.feature }) })
}

// -------------------------------------------------------------------------------------
// DateTime
// -------------------------------------------------------------------------------------

/**
 * An XEP-0082 DateTime (`CCYY-MM-DDThh:mm:ss[.s+]TZD`), exactly as received: validated and
 * branded, so records hold no mutable `Date`.
 *
 * @category DateTime
 * @since 0.2.0
 */
export type DateTime = DT.DateTime

/**
 * `DateTime.is`, `DateTime.parse`, `DateTime.toDate`, `DateTime.fromDate`.
 *
 * @example
 * import { Extension } from 'stanzakit'
 * const now = Extension.DateTime.fromDate(new Date(0))
 * console.log(now) // 1970-01-01T00:00:00.000Z
 *
 * @category DateTime
 * @since 0.2.0
 */
export const DateTime: {
  readonly is: (u: unknown) => u is DateTime
  readonly parse: (s: string) => E.Either<string, DateTime>
  readonly toDate: (d: DateTime) => Date
  readonly fromDate: (date: Date) => DateTime
} = { is: DT.is, parse: DT.parse, toDate: DT.toDate, fromDate: DT.fromDate }
