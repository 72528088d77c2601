/**
 * Why a stanza could not be decoded: every problem with its path, RFC condition and a short
 * message. XML-level faults (docs/security.md §1 stages 1–6) are stream errors and come alone;
 * stanza-level problems (stage 7, RFC 6120 §8.3.3) are all collected, in document order.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as E from 'fp-ts/Either'
 * import * as DecodeError from 'stanzakit/DecodeError'
 * import * as Stanza from 'stanzakit/Stanza'
 *
 * const xml = "<presence xmlns='jabber:client'><priority>abc</priority></presence>"
 * pipe(Stanza.decode(xml), E.mapLeft(DecodeError.format))
 * // left('presence/priority: bad-request: expected an integer in -128..127, got "abc"')
 *
 * @since 0.1.0
 */
import type { ReadonlyNonEmptyArray } from 'fp-ts/lib/ReadonlyNonEmptyArray.js'
import type * as t from 'io-ts'
import type { XmlCondition, XmlError } from './Xml.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * Stream-level conditions come from the XML layer (RFC 6120 §4.9.3); `bad-request` and
 * `jid-malformed` are stanza-level (RFC 6120 §8.3.3).
 *
 * @category model
 * @since 0.1.0
 */
export type Condition =
  | XmlCondition
  | 'invalid-namespace'
  | 'unsupported-stanza-type'
  | 'bad-request'
  | 'jid-malformed'

/**
 * One problem. `path` names the element or attribute: `iq@type`, `presence/priority`,
 * `message/body[2]` (1-based among same-named siblings), `iq/error@type`; for XML faults,
 * `offset N`.
 *
 * @category model
 * @since 0.1.0
 */
export interface Problem {
  readonly path: string
  readonly condition: Condition
  readonly message: string
}

/** @category model @since 0.1.0 */
export interface DecodeError {
  readonly _tag: 'DecodeError'
  readonly problems: ReadonlyNonEmptyArray<Problem>
}

/** Stanza-level problems are answered with an error reply; the others close the stream. */
const stanzaLevel: ReadonlySet<Condition> = new Set(['bad-request', 'jid-malformed'])

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/** @category constructors @since 0.1.0 */
export const make = (problems: ReadonlyNonEmptyArray<Problem>): DecodeError => ({
  _tag: 'DecodeError',
  problems,
})

/** @category constructors @since 0.1.0 */
export const problem = (path: string, condition: Condition, message: string): Problem => ({
  path,
  condition,
  message: message.length > 200 ? `${message.slice(0, 199)}…` : message,
})

/** @category constructors @since 0.1.0 */
export const fromXmlError = (e: XmlError): DecodeError =>
  make([problem(`offset ${e.offset}`, e.condition, e.message)])

// -------------------------------------------------------------------------------------
// getters
// -------------------------------------------------------------------------------------

/**
 * The condition to answer with: the first problem's (docs/semantics.md §3.2).
 *
 * @category getters
 * @since 0.1.0
 */
export const condition = (e: DecodeError): Condition => e.problems[0].condition

/**
 * Whether the fault is in the stanza (answer with an error reply, keep the stream) rather than in
 * the XML (close the stream with a stream error), per docs/security.md §1.
 *
 * @category getters
 * @since 0.1.0
 */
export const isStanzaLevel = (e: DecodeError): boolean => stanzaLevel.has(condition(e))

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * One line per problem: `path: condition: message`.
 *
 * @category utils
 * @since 0.1.0
 */
export const format = (e: DecodeError): string =>
  e.problems.map((p) => `${p.path}: ${p.condition}: ${p.message}`).join('\n')

/**
 * io-ts errors for a decode error, so codecs report through the usual `Validation`; each
 * message is the formatted problem line.
 *
 * @category utils
 * @since 0.1.0
 */
export const toErrors = (e: DecodeError, value: unknown, context: t.Context): t.Errors =>
  e.problems.map((p) => ({ value, context, message: `${p.path}: ${p.condition}: ${p.message}` }))
