/** fast-check generators for well-formed stanza errors (records the decoder could produce). */
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import * as Jid from '../../src/Jid.js'
import * as StanzaError from '../../src/StanzaError.js'
import type * as Xml from '../../src/Xml.js'
import { element, text } from './Xml.js'

const jid = (s: string): Jid.Jid => {
  const r = Jid.parse(s)
  if (E.isLeft(r) || r.right !== s) throw new Error(`arbitraries: ${s} is not a canonical JID`)
  return r.right
}

export const errorType: fc.Arbitrary<StanzaError.ErrorType> = fc.constantFrom(
  ...StanzaError.errorTypes,
)

export const condition: fc.Arbitrary<StanzaError.Condition> = fc.constantFrom(
  ...StanzaError.conditions,
)

/** Simple canonical JIDs: domain, bare, full with a resource holding spaces, `@` and `/`. */
export const by: fc.Arbitrary<Jid.Jid> = fc.constantFrom(
  ...[
    'conference.example.com',
    'example.net',
    'juliet@im.example.com',
    'room@muc.example/nick',
    'romeo@example.net/orchard',
    'a@b.example/x y@z/w',
  ].map(jid),
)

/** XMPP URIs as `gone`/`redirect` carry them: never empty, no surrounding whitespace. */
export const redirect: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    'xmpp:romeo@afterwards.example.net',
    'xmpp:characters@conference.example.org',
    'xmpp:a@b?join;x=%26&y',
  ),
  fc.stringMatching(/^xmpp:[a-z0-9.@/?;=&%-]{1,20}$/),
)

/** Application conditions the codec keeps as `app`: not a defined condition nor `<text/>`. */
export const app: fc.Arbitrary<Xml.XmlElement> = element.filter(
  (el) => el.ns !== StanzaError.NS || (el.name !== 'text' && !StanzaError.isCondition(el.name)),
)

const nonEmptyText: fc.Arbitrary<string> = text.filter((s) => s !== '')

const lang: fc.Arbitrary<string> = fc.constantFrom('en', 'de-CH', 'zh-Hant-TW', '')

/** Well-formed stanza errors: absent fields are missing keys, each combination reachable. */
export const stanzaError: fc.Arbitrary<StanzaError.StanzaError> = fc
  .record(
    {
      type: errorType,
      // Weighted so `redirect` is reachable often enough to be exercised.
      condition: fc.oneof(condition, fc.constantFrom<StanzaError.Condition>('gone', 'redirect')),
      text: fc.option(
        fc.record({ text: nonEmptyText, lang: fc.option(lang, { nil: undefined }) }),
        { nil: undefined },
      ),
      by: fc.option(by, { nil: undefined }),
      redirect: fc.option(redirect, { nil: undefined }),
      app: fc.option(app, { nil: undefined }),
    },
    { noNullPrototype: true },
  )
  .map(
    (r): StanzaError.StanzaError => ({
      type: r.type,
      condition: r.condition,
      ...(r.text === undefined ? {} : { text: r.text.text }),
      ...(r.text?.lang === undefined ? {} : { lang: r.text.lang }),
      ...(r.by === undefined ? {} : { by: r.by }),
      ...(r.redirect === undefined || (r.condition !== 'gone' && r.condition !== 'redirect')
        ? {}
        : { redirect: r.redirect }),
      ...(r.app === undefined ? {} : { app: r.app }),
    }),
  )
