/**
 * The README's tour, runnable: `npx tsx examples/tour.ts`. Type-checked with the specs, so the
 * README's snippet cannot drift from the API without this file failing first.
 */
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { DecodeError, Iq, Jid, Message, Presence, Stanza, Xml } from '../src/index.js'

const xml =
  "<message from='Romeo@Example.net/orchard' type='chat'><body>Art thou there?</body></message>"

const answer = pipe(
  Message.decode(xml),
  E.map(Message.reply({ body: 'I am.' })),
  E.map((m) => Message.encode(m)),
  E.mapLeft(DecodeError.format),
)
console.log(answer)

const away = pipe(Presence.make(), Presence.setShow('away'), Presence.setStatus('lunch'))
console.log(Presence.getType(away))

const ping = pipe(
  Jid.parse('Example.NET'),
  E.map((to) => Iq.get(Xml.element('ping', 'urn:xmpp:ping'), { to })),
)
console.log(
  pipe(
    ping,
    E.map((iq) => Iq.unhandled(iq)),
  ),
)

console.log(
  pipe(
    Stanza.decode('<presence><priority>abc</priority></presence>'),
    E.mapLeft(DecodeError.format),
  ),
)
