/**
 * The benchmark corpus of docs/performance.md: seven stanza kinds as servers write them (default namespace
 * `jabber:client` on the stanza, single-quoted attributes, no whitespace between elements), and the
 * deterministic 10k mix. Every JID is valid and canonical (lowercase localparts and domains).
 *
 * Sizes (UTF-8 bytes) track docs/performance.md: (a) 429, (b) 536, (c) 345, (d) 181, (e) 26,725, (f) 424,
 * (g) 483, all matched exactly. The 10k mix uses the exact expected counts of each kind (so exactly
 * 10 rosters), 4,598,510 B; docs/performance.md's random draw came to 4,546,888 B. `bench/index.ts` prints both.
 */

export type KindKey = 'a' | 'b' | 'c' | 'd' | 'e' | 'f' | 'g'

export interface Kind {
  readonly key: KindKey
  readonly label: string
  readonly xml: string
}

// -------------------------------------------------------------------------------------
// deterministic randomness
// -------------------------------------------------------------------------------------

/** mulberry32: small, fast, good enough to shuffle a corpus; never Math.random. */
export const prng = (seed: number): (() => number) => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const hex = (rand: () => number, n: number): string => {
  let s = ''
  for (let i = 0; i < n; i++) s += ((rand() * 16) | 0).toString(16)
  return s
}

/** `n` hex digits whose last 8 encode `serial`, so ids of one generator never collide. */
const serialHex = (rand: () => number, n: number, serial: number): string =>
  hex(rand, n - 8) + (serial >>> 0).toString(16).padStart(8, '0')

/** UUID-shaped id (36 chars), unique per `serial`. */
const uuid = (rand: () => number, serial: number): string => {
  const h = serialHex(rand, 32, serial)
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20)}`
}

/** Short client iq id (12 chars, base-36 serial at the end), unique per `serial`. */
const shortId = (rand: () => number, serial: number): string =>
  hex(rand, 6) + serial.toString(36).padStart(6, '0')

// -------------------------------------------------------------------------------------
// the seven kinds
// -------------------------------------------------------------------------------------

interface Ids {
  readonly rand: () => number
  readonly serial: number
}

/** (a) chat message: entities, non-ASCII body, thread with parent, chat state, xml:lang. */
const chat = ({ rand, serial }: Ids): string =>
  `<message xmlns='jabber:client' from='juliet@capulet.lit/balcony' to='romeo@montague.lit/orchard' type='chat' id='${uuid(rand, serial)}' xml:lang='en'>` +
  `<body>Wherefore art thou Romeo? Deny thy sire &amp; thy name &lt;3 «c&apos;est la vie» 🌹</body>` +
  `<thread parent='e0ffe42b28561960c6b12b944a092794b9683a38'>0e3141cd80894871a68e6fe6b1ec56fa</thread>` +
  `<active xmlns='http://jabber.org/protocol/chatstates'/></message>`

/** (b) groupchat message: delay, stanza-id, origin-id. */
const groupchat = ({ rand, serial }: Ids): string => {
  const id = uuid(rand, serial)
  return (
    `<message xmlns='jabber:client' from='coven@chat.shakespeare.lit/thirdwitch' to='hecate@shakespeare.lit/broom' type='groupchat' id='${id}' xml:lang='en'>` +
    `<body>Double, double toil &amp; trouble; fire burns.</body>` +
    `<delay xmlns='urn:xmpp:delay' from='coven@chat.shakespeare.lit' stamp='2024-03-14T09:26:53.589Z'/>` +
    `<stanza-id xmlns='urn:xmpp:sid:0' id='${uuid(rand, serial)}' by='coven@chat.shakespeare.lit'/>` +
    `<origin-id xmlns='urn:xmpp:sid:0' id='${id}'/></message>`
  )
}

/** (c) presence: show, status, priority, entity capabilities. */
const presence = ({ rand, serial }: Ids): string =>
  `<presence xmlns='jabber:client' from='romeo@montague.lit/orchard' to='juliet@capulet.lit' id='${uuid(rand, serial)}'>` +
  `<show>away</show><status>Mantua &amp; back soon</status>` +
  `<priority>5</priority>` +
  `<c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='https://conversations.im' ver='QgayPKawpkPSDYmwT/WM94uAlu0='/>` +
  `</presence>`

/** (d) iq get disco#info. */
const discoGet = ({ rand, serial }: Ids): string =>
  `<iq xmlns='jabber:client' type='get' from='romeo@montague.lit/Conversations.Qx7aZ' to='shakespeare.lit' id='${shortId(rand, serial)}'>` +
  `<query xmlns='http://jabber.org/protocol/disco#info'/></iq>`

const FIRST = [
  'benvolio',
  'mercutio',
  'tybalt',
  'rosaline',
  'balthasar',
  'abram',
  'sampson',
  'gregory',
  'escalus',
  'paris',
  'laurence',
  'angelica',
  'peter',
  'potpan',
  'anthony',
  'helena',
  'hermia',
  'lysander',
  'demetrius',
  'titania',
  'oberon',
  'zoë',
  'chloé',
  'björn',
  'søren',
] as const
const LAST = ['montague', 'capulet', 'escalus', 'verona', 'mantua', 'athens', 'padua', 'messina']
const DOMAINS = [
  'montague.lit',
  'capulet.lit',
  'shakespeare.lit',
  'verona.example',
  'jabber.example.org',
  'im.example.net',
]
const GROUPS = [
  'Friends',
  'Family &amp; Kin',
  'Verona',
  'Coworkers',
  'Théâtre',
  'Mantua',
  'Montague house',
]

const capitalize = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1)

/** One realistic roster item; 131–140 bytes on average across the 200. */
const rosterItem = (i: number, rand: () => number): string => {
  const first = FIRST[i % FIRST.length] ?? 'nurse'
  const last = LAST[Math.floor(i / FIRST.length) % LAST.length] ?? 'verona'
  const domain = DOMAINS[(i * 7 + 3) % DOMAINS.length] ?? 'montague.lit'
  const local = `${first}.${last}`
  const name = `${capitalize(first)} ${capitalize(last)}`
  const r = rand()
  const sub =
    r < 0.66
      ? `subscription='both'`
      : r < 0.76
        ? `subscription='to'`
        : r < 0.82
          ? `subscription='from'`
          : `subscription='none' ask='subscribe'`
  const g1 = GROUPS[i % GROUPS.length] ?? 'Friends'
  const g2 = GROUPS[(i * 3 + 1) % GROUPS.length] ?? 'Verona'
  const groups =
    i % 3 !== 2 && g1 !== g2 ? `<group>${g1}</group><group>${g2}</group>` : `<group>${g1}</group>`
  return `<item jid='${local}@${domain}' name='${name}' ${sub}>${groups}</item>`
}

/** (e) iq result roster, 200 items. */
const roster = ({ rand, serial }: Ids): string => {
  const items = prng(0x5eed_0e)
  let body = ''
  for (let i = 0; i < 200; i++) body += rosterItem(i, items)
  return (
    `<iq xmlns='jabber:client' type='result' to='juliet@capulet.lit/balcony' id='${shortId(rand, serial)}'>` +
    `<query xmlns='jabber:iq:roster' ver='ver14-1707c3a1d8e4f02b9a6'>${body}</query></iq>`
  )
}

/** (f) iq error service-unavailable with text. */
const iqError = ({ rand, serial }: Ids): string =>
  `<iq xmlns='jabber:client' type='error' from='plays.shakespeare.lit' to='romeo@montague.lit/orchard' id='${shortId(rand, serial)}'>` +
  `<query xmlns='http://jabber.org/protocol/disco#items' node='http://jabber.org/protocol/commands'/>` +
  `<error type='cancel'>` +
  `<service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>` +
  `<text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas' xml:lang='en'>No ad-hoc commands &amp; no such node</text>` +
  `</error></iq>`

/** (g) MUC occupant presence: caps, muc#user item and three status codes. */
const mucPresence = ({ rand, serial }: Ids): string =>
  `<presence xmlns='jabber:client' from='coven@chat.shakespeare.lit/thirdwitch' to='hag66@shakespeare.lit/gajim.K3Q9Z' id='${uuid(rand, serial)}'>` +
  `<c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='http://gajim.org' ver='T7fOZrtBnV8sDA2fFTS59vBmS7E='/>` +
  `<x xmlns='http://jabber.org/protocol/muc#user'>` +
  `<item affiliation='member' role='participant' jid='hag66@shakespeare.lit/gajim.K3Q9Z'/>` +
  `<status code='100'/><status code='110'/><status code='170'/></x></presence>`

interface KindSpec {
  readonly key: KindKey
  readonly label: string
  readonly make: (ids: Ids) => string
  /** Share of the 10k mix, in stanzas. */
  readonly count: number
}

const SPECS: ReadonlyArray<KindSpec> = [
  { key: 'a', label: 'chat message', make: chat, count: 3000 },
  { key: 'b', label: 'groupchat', make: groupchat, count: 2500 },
  { key: 'c', label: 'presence', make: presence, count: 1800 },
  { key: 'd', label: 'iq get disco#info', make: discoGet, count: 600 },
  { key: 'e', label: 'iq result roster 200', make: roster, count: 10 },
  { key: 'f', label: 'iq error', make: iqError, count: 590 },
  { key: 'g', label: 'MUC presence', make: mucPresence, count: 1500 },
]

/** UTF-8 sizes docs/performance.md reports for its corpus, for comparison. */
export const PERF_MD_BYTES: Readonly<Record<KindKey | '10k', number>> = {
  a: 429,
  b: 536,
  c: 345,
  d: 181,
  e: 26_725,
  f: 424,
  g: 483,
  '10k': 4_546_888,
}

export const kinds: ReadonlyArray<Kind> = SPECS.map((s, i) => ({
  key: s.key,
  label: s.label,
  xml: s.make({ rand: prng(0xc0ffee + i), serial: 1 }),
}))

// -------------------------------------------------------------------------------------
// the 10k mix
// -------------------------------------------------------------------------------------

export const MIX_SIZE = 10_000

let mixCache: ReadonlyArray<string> | undefined

/**
 * 10,000 stanzas with unique ids in the proportions of docs/performance.md (chat 30 %, groupchat 25 %, presence
 * 18 %, MUC presence 15 %, iq get 6 %, iq error 5.9 %, roster 0.1 %): exact counts, order shuffled
 * by a seeded Fisher–Yates. Same array on every call.
 */
export const mix = (): ReadonlyArray<string> => {
  if (mixCache !== undefined) return mixCache
  const rand = prng(0x10_000)
  const order: Array<KindSpec> = []
  for (const s of SPECS) for (let i = 0; i < s.count; i++) order.push(s)
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1))
    const t = order[i]
    const u = order[j]
    if (t !== undefined && u !== undefined) {
      order[i] = u
      order[j] = t
    }
  }
  // serial = position + 2: unique across the mix (uuid/shortId embed it) and distinct from the
  // stand-alone kinds, which use serial 1.
  mixCache = order.map((s, i) => s.make({ rand, serial: i + 2 }))
  return mixCache
}

export const utf8Bytes = (s: string): number => Buffer.byteLength(s, 'utf8')
