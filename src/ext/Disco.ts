/**
 * XEP-0030 Service Discovery: `disco#info` (identities, features and XEP-0128 extension forms)
 * and `disco#items` (the entities an entity hosts). `discoInfoFor` builds the answer a client or
 * component gives from the extensions it uses.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import { Iq, ext } from 'stanzakit'
 * const info = ext.discoInfoFor({
 *   identities: [{ category: 'client', type: 'bot', name: 'echo' }],
 *   extensions: [ext.Ping, ext.Version],
 * })
 * const request = Iq.get(ext.DiscoInfo.encode({ identities: [], features: [], extensions: [] }))
 * const answer = pipe(ext.DiscoInfo.get(request), (q) => q._tag === 'Some' && info(request, q.value))
 * console.log(answer && answer.features)
 * // ['http://jabber.org/protocol/disco#info', 'urn:xmpp:ping', 'jabber:iq:version']
 *
 * // serving it: rx.serve(session, [rx.handle(ext.DiscoInfo, 'get', info)])
 *
 * @since 0.2.0
 */
import * as X from '../Extension.js'
import type * as Iq from '../Iq.js'
import { DataForm } from './DataForm.js'

/** `http://jabber.org/protocol/disco#info` @category model @since 0.2.0 */
export const INFO = 'http://jabber.org/protocol/disco#info'
/** `http://jabber.org/protocol/disco#items` @category model @since 0.2.0 */
export const ITEMS = 'http://jabber.org/protocol/disco#items'

/** @category element definitions @since 0.2.0 */
export const Identity = X.element('identity', INFO, {
  category: X.attr(
    'category',
    X.open(
      'account',
      'auth',
      'client',
      'component',
      'conference',
      'gateway',
      'pubsub',
      'server',
      'store',
    ),
  ),
  type: X.attr('type', X.open()),
  name: X.optional(X.attr('name')),
  lang: X.optional(X.attr('xml:lang')),
})

/** @category model @since 0.2.0 */
export type Identity = X.TypeOf<typeof Identity>

/**
 * disco#info: the `node` asked about, `identities`, `features` (each `<feature var/>`) and
 * `extensions` (XEP-0128 data forms).
 *
 * @category extensions
 * @since 0.2.0
 */
export const DiscoInfo = X.define({
  name: 'query',
  ns: INFO,
  on: ['iq'],
  feature: INFO,
  fields: {
    node: X.optional(X.attr('node')),
    identities: X.many(Identity),
    features: X.values('feature', 'var', X.string),
    extensions: X.many(DataForm),
  },
})

/** @category model @since 0.2.0 */
export type DiscoInfo = X.TypeOf<typeof DiscoInfo>

/** One `<item jid node? name?/>` of disco#items. @category element definitions @since 0.2.0 */
export const DiscoItem = X.element('item', ITEMS, {
  jid: X.attr('jid', X.jid),
  node: X.optional(X.attr('node')),
  name: X.optional(X.attr('name')),
})

/** @category model @since 0.2.0 */
export type DiscoItem = X.TypeOf<typeof DiscoItem>

/** @category extensions @since 0.2.0 */
export const DiscoItems = X.define({
  name: 'query',
  ns: ITEMS,
  on: ['iq'],
  feature: ITEMS,
  fields: { node: X.optional(X.attr('node')), items: X.many(DiscoItem) },
})

/** @category model @since 0.2.0 */
export type DiscoItems = X.TypeOf<typeof DiscoItems>

/**
 * The disco#info answer of an entity (XEP-0030 §3.1), for `rx.handle(DiscoInfo, 'get', …)`: it
 * echoes the query's `node` (§3.2: the response MUST mirror it), lists the identities,
 * disco#info's own feature (§3.1: every entity MUST support it), the `feature` of every extension
 * given and any extra `features` (each once, in that order), and the XEP-0128 `forms`.
 *
 * @category rules
 * @since 0.2.0
 */
export const discoInfoFor =
  (entity: {
    readonly identities: ReadonlyArray<Identity>
    readonly extensions: ReadonlyArray<{ readonly feature?: string }>
    readonly features?: ReadonlyArray<string>
    readonly forms?: ReadonlyArray<DataForm>
  }) =>
  (_request: Iq.Request, query: DiscoInfo): DiscoInfo => {
    const features = [
      ...new Set([
        INFO,
        ...entity.extensions.flatMap((e) => (e.feature === undefined ? [] : [e.feature])),
        ...(entity.features ?? []),
      ]),
    ]
    return {
      ...(query.node === undefined ? {} : { node: query.node }),
      identities: entity.identities,
      features,
      extensions: entity.forms ?? [],
    }
  }
