/**
 * XEP-0297 Stanza Forwarding: `<forwarded xmlns='urn:xmpp:forward:0'>` wrapping a whole stanza
 * (in `jabber:client` or `jabber:server`) and, optionally, the XEP-0203 `<delay/>` saying when it
 * was first sent. Carbons (XEP-0280) and MAM (XEP-0313) results carry it; check who forwarded
 * before trusting the inner stanza (XEP-0297 §7).
 *
 * The namespace of the forwarded stanza must be preserved (XEP-0297 §3.2): a `jabber:client`
 * stanza, the usual case, has no `$ns`; a `jabber:server` one has `$ns: 'jabber:server'`, and is
 * written back in that namespace.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import { Message, ext } from 'stanzakit'
 * const inner = Message.make({ type: 'chat', body: 'hello' })
 * const fwd = pipe(Message.make({ body: 'fwd' }), ext.Forwarded.set({ stanza: inner }))
 * console.log(ext.Forwarded.has(fwd)) // true
 *
 * @since 0.2.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as X from '../Extension.js'
import { fromDecoder } from '../internal/codec.js'
import { stanzaNames } from '../internal/stanza.js'
import * as Stanza from '../Stanza.js'
import type * as Xml from '../Xml.js'
import { Delay } from './Delay.js'

/**
 * `urn:xmpp:forward:0` (XEP-0297 §6.1), also its disco feature (§4).
 *
 * @category model
 * @since 0.2.0
 */
export const NS = 'urn:xmpp:forward:0'

const CLIENT = 'jabber:client'
const SERVER = 'jabber:server'

const stanzaNamespaces: ReadonlySet<string> = new Set([CLIENT, SERVER])

// XEP-0297 §8 (schema): the forwarded stanza is a message, presence or iq of either namespace.
const isStanzaElement = (el: Xml.XmlElement): boolean =>
  stanzaNames.has(el.name) && stanzaNamespaces.has(el.ns)

/** The embedded stanza with the namespace it came in. */
interface Embedded {
  readonly stanza: Stanza.Stanza
  readonly ns: string
}

const isObject = (u: unknown): u is Readonly<Record<string, unknown>> =>
  typeof u === 'object' && u !== null

// A stanzakit codec (its problems keep their paths below `<forwarded>`) that remembers the
// namespace, so that `encode` writes the stanza back in it.
const embedded = fromDecoder<Embedded>(
  'Stanza',
  (u): u is Embedded =>
    isObject(u) && Stanza.is(u.stanza) && typeof u.ns === 'string' && stanzaNamespaces.has(u.ns),
  (el) =>
    pipe(
      Stanza.decodeElement(el),
      E.map((stanza) => ({ stanza, ns: el.ns })),
    ),
  ({ stanza, ns }) => Stanza.toElement(stanza, ns),
)

const ForwardedElement = X.element('forwarded', NS, {
  delay: X.child(Delay),
  stanza: X.embed(embedded, isStanzaElement),
})

/**
 * A forwarded stanza: the XEP-0203 `delay` of its first sending, the `stanza` itself and, when
 * it is in `jabber:server`, `$ns` saying so.
 *
 * @category model
 * @since 0.2.0
 */
export interface Forwarded {
  readonly delay?: Delay
  readonly stanza: Stanza.Stanza
  /** The forwarded stanza's namespace when it is not `jabber:client` (XEP-0297 §3.2). */
  readonly $ns?: typeof SERVER
  readonly $rest?: X.Rest
}

const toRecord = ({
  stanza: { stanza, ns },
  ...r
}: X.TypeOf<typeof ForwardedElement>): Forwarded =>
  ns === SERVER ? { ...r, stanza, $ns: SERVER } : { ...r, stanza }

const fromRecord = ({ stanza, $ns, ...r }: Forwarded): X.TypeOf<typeof ForwardedElement> => ({
  ...r,
  stanza: { stanza, ns: $ns ?? CLIENT },
})

const isForwarded = (u: unknown): u is Forwarded =>
  isObject(u) &&
  (u.$ns === undefined || u.$ns === SERVER) &&
  ForwardedElement.isValue(fromRecord(u as unknown as Forwarded))

/** @category extensions @since 0.2.0 */
export const Forwarded: X.Extension<'message', Forwarded> = X.fromElement(
  pipe(ForwardedElement, X.imap(toRecord, fromRecord, isForwarded)),
  { on: ['message'], feature: NS },
)
