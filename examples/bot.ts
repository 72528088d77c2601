// 30 lines of code, not counting blank lines and comments (spec/integration/bot.spec.ts checks).
/**
 * A bot in stanzakit, with no hand-written XML and no casts: it answers XEP-0199 pings,
 * disco#info (a client/bot identity and the features of the extensions it uses) and XEP-0092
 * version, and acknowledges roster pushes; fetches its roster; echoes chat messages (`/whoami`
 * gets the sender's full JID); approves subscription requests and subscribes back; joins a room
 * without history and answers when a live groupchat message mentions its nick.
 *
 *   npm run server:start && set -a && . .it/env && set +a
 *   NODE_EXTRA_CA_CERTS=$XMPP_CA npx tsx examples/bot.ts      # STARTTLS, trusting the test cert
 *
 * Env: XMPP_SERVICE (xmpp://localhost), XMPP_DOMAIN (localhost), XMPP_USERS (its first
 * user:password; alice). The room is bots@conference.$XMPP_DOMAIN. `start(session, { room, nick })`
 * is the bot itself (spec/integration/bot.spec.ts runs it); it stops when the session closes.
 */
import { connection, ext, Iq, Jid, Message, Presence, rx } from '../src/index.js'

const extensions = [ext.Ping, ext.Version, ext.MucJoin]
const info = ext.discoInfoFor({ identities: [{ category: 'client', type: 'bot' }], extensions })
const version = rx.handle(ext.Version, 'get', () => ({ name: 'stanzakit-bot', version: '1.0' }))
const rosterPush = rx.handle(ext.Roster, 'set', () => null) // acknowledged (RFC 6121 §2.1.6)

export const start = (session: rx.StanzaStream, o: { room: string; nick: string }) => {
  const self = Jid.unsafeParse(`${o.room}/${o.nick}`)
  const say = (m: Message.Message, body = '') => session.send(Message.reply({ body })(m))
  rx.serve(session, [ext.pong, version, rosterPush, rx.handle(ext.DiscoInfo, 'get', info)])
  // Fetching the roster makes us an interested resource (RFC 6121 §2.1.6): pushes reach us.
  const roster = rx.query(session)(ext.Roster, Iq.get(ext.Roster.encode({ items: [] })))
  roster.subscribe({ next: (r) => console.log(r.items.length, 'contacts'), error: console.error })
  session.incoming.subscribe((s) => {
    const ok = s.kind === 'presence' && s.type === 'subscribe' ? Presence.reply()(s) : undefined
    if (ok) session.send(ok) // subscribe → subscribed, then we subscribe to them too:
    if (ok) session.send(Presence.setType('subscribe')(ok))
    if (s.kind !== 'message' || !s.body) return
    if (s.type === 'chat') say(s, s.body === '/whoami' ? s.from : s.body)
    const live = s.type === 'groupchat' && s.from !== self && !ext.Delay.has(s)
    if (live && s.body.includes(o.nick)) say(s, `at your service (${s.from})`)
  })
  session.send(Presence.make())
  session.send(ext.MucJoin.set({ history: { maxstanzas: 0 } })(Presence.make({ to: self })))
}

const { XMPP_SERVICE: service = 'xmpp://localhost', XMPP_DOMAIN: domain = 'localhost' } =
  process.env
const [username = 'alice', password = 'alicepass'] = process.env.XMPP_USERS?.split(/[:,]/) ?? []
if (process.argv[1]?.endsWith('bot.ts'))
  connection
    .connect({ service, domain, username, password })
    .then((session) => start(session, { room: `bots@conference.${domain}`, nick: 'bot' }))
