/**
 * Where a client connects for a domain: DNS SRV resolution for XMPP clients.
 *
 * RFC 6120 §3.2 has a client look up `_xmpp-client._tcp.<domain>` (STARTTLS) and XEP-0368 §3
 * adds `_xmpps-client._tcp.<domain>` (direct TLS); both answers are merged into one RRset and
 * ordered by priority and weight as RFC 2782 says, so an operator can prefer either transport.
 * When DNS gives nothing usable the client falls back to `<domain>:5222` (RFC 6120 §3.2.2).
 *
 * DNS is an untrusted input: a target that is not a plain host name, or a port outside
 * 1–65535, is dropped here rather than handed to a socket. A DNS failure is never an error:
 * a missing, slow or broken resolver means the fallback, not a failed connection attempt.
 * Internal.
 */
import { promises as dns } from 'node:dns'
import { isIP } from 'node:net'
import { checkTimeout, type Service } from './link.js'

// -------------------------------------------------------------------------------------
// ordering (RFC 2782)
// -------------------------------------------------------------------------------------

/** One SRV answer, tagged with the service it came from (XEP-0368 §3 merges two lookups). */
export interface SrvRecord {
  /** The target host; `.` (or `''`, as `node:dns` reports the root) is "no service". */
  readonly name: string
  readonly port: number
  readonly priority: number
  readonly weight: number
  readonly directTls: boolean
}

/** The root as a target: "the service is decidedly not available" (RFC 2782). */
const isRoot = (name: string): boolean => name === '.' || name === ''

/**
 * Orders one RRset as RFC 2782 does: priority ascending, then within a priority a weighted
 * random draw without replacement, so a record's chance to come first is proportional to its
 * weight. Zero-weight records are placed first in the running sums, which gives them a small
 * (non-zero) chance of being picked when others carry weight (RFC 2782, "Weight").
 *
 * `random` returns a number in [0, 1) like `Math.random`; it is injectable so tests are
 * deterministic. Root targets are dropped. Returns the input records, reordered, never copied.
 */
export const order = <R extends SrvRecord>(
  records: ReadonlyArray<R>,
  random: () => number = Math.random,
): ReadonlyArray<R> => {
  const byPriority = new Map<number, R[]>()
  for (const r of records) {
    if (isRoot(r.name)) continue
    const group = byPriority.get(r.priority)
    if (group === undefined) byPriority.set(r.priority, [r])
    else group.push(r)
  }
  const out: R[] = []
  for (const priority of [...byPriority.keys()].sort((a, b) => a - b)) {
    const group = byPriority.get(priority) ?? []
    // Zero weights first; a stable sort keeps the rest in answer order.
    const pending = [...group].sort(
      (a, b) => (weightOf(a) === 0 ? 0 : 1) - (weightOf(b) === 0 ? 0 : 1),
    )
    while (pending.length > 0) {
      const total = pending.reduce((sum, r) => sum + weightOf(r), 0)
      const draw = Math.floor(unit(random()) * (total + 1)) // an integer in [0, total]
      let running = 0
      let index = pending.length - 1
      for (let i = 0; i < pending.length; i++) {
        running += weightOf(pending[i] as R)
        if (running >= draw) {
          index = i
          break
        }
      }
      out.push(...pending.splice(index, 1))
    }
  }
  return out
}

/** A weight as RFC 2782 bounds it (0–65535); anything else counts as 0, never as negative. */
const weightOf = (r: SrvRecord): number =>
  Number.isInteger(r.weight) && r.weight > 0 ? Math.min(r.weight, 0xffff) : 0

/** An injected `random` that strays outside [0, 1) (or is NaN) must not break the draw. */
const unit = (x: number): number => (x >= 0 && x < 1 ? x : x >= 1 ? 1 - Number.EPSILON : 0)

// -------------------------------------------------------------------------------------
// sanity checks on DNS input
// -------------------------------------------------------------------------------------

const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?'
const HOSTNAME = new RegExp(`^(?=.{1,253}$)${LABEL}(?:\\.${LABEL})*$`)

/**
 * A host name we may hand to a socket: letter-digit-hyphen labels of at most 63 characters,
 * at most 253 in all, one trailing dot allowed and removed. `undefined` for anything else, so
 * escapes (`\032`), underscores, spaces or control bytes from a hostile server go no further.
 */
export const hostName = (name: string): string | undefined => {
  const h = name.endsWith('.') ? name.slice(0, -1) : name
  return HOSTNAME.test(h) ? h : undefined
}

const isPort = (n: unknown): n is number =>
  Number.isInteger(n) && (n as number) >= 1 && (n as number) <= 0xffff

const isU16 = (n: unknown): n is number =>
  Number.isInteger(n) && (n as number) >= 0 && (n as number) <= 0xffff

// -------------------------------------------------------------------------------------
// resolution
// -------------------------------------------------------------------------------------

/** What {@link resolve} needs of a resolver: `node:dns`'s `Resolver` fits, and so does a fake. */
export interface SrvResolver {
  resolveSrv(
    name: string,
  ): Promise<ReadonlyArray<{ name: string; port: number; priority: number; weight: number }>>
}

export interface ResolveOptions {
  /** Resolver addresses (`'127.0.0.1:5353'`, `'[::1]:53'`); the system's when absent. */
  readonly dns?: ReadonlyArray<string>
  /** A resolver to use instead of a `node:dns` one (then `dns` is ignored). */
  readonly resolver?: SrvResolver
  /** Milliseconds for both lookups together, > 0 (default 5000); then they count as empty. */
  readonly timeout?: number
  /** For the weighted draw of {@link order}; `Math.random` by default. */
  readonly random?: () => number
}

export const XMPP_CLIENT_PORT = 5222

/** RFC 6120 §3.2.2: no SRV answer means the domain itself, on the registered port. */
export const domainFallback = (domain: string): ReadonlyArray<Service> => [
  { host: domain, port: XMPP_CLIENT_PORT, directTls: false },
]

/** A lookup's outcome: usable answers, a root target ("no service"), or nothing at all. */
type Lookup =
  | { readonly _tag: 'Records'; readonly records: ReadonlyArray<SrvRecord> }
  | { readonly _tag: 'NotAvailable' }
  | { readonly _tag: 'None' }

const NONE: Lookup = { _tag: 'None' }

/**
 * One SRV lookup that never rejects and never outlives `ms`: NXDOMAIN, ENODATA, a refused or
 * silent resolver all become `None`. Our own timer bounds it because c-ares may retry past its
 * `timeout` option (it took about twice as long with `tries: 1` when measured).
 */
const lookup = (
  resolver: SrvResolver,
  name: string,
  directTls: boolean,
  ms: number,
): Promise<Lookup> =>
  new Promise<Lookup>((settle) => {
    const timer = Number.isFinite(ms) ? setTimeout(() => settle(NONE), ms) : undefined
    const done = (l: Lookup): void => {
      clearTimeout(timer)
      settle(l)
    }
    let pending: Promise<unknown>
    try {
      pending = resolver.resolveSrv(name)
    } catch {
      return done(NONE)
    }
    Promise.resolve(pending).then(
      (answers) => done(classify(answers, directTls)),
      () => done(NONE),
    )
  })

/** Validates raw answers; a lone root target is RFC 2782's "decidedly not available". */
const classify = (answers: unknown, directTls: boolean): Lookup => {
  if (!Array.isArray(answers) || answers.length === 0) return NONE
  const first: unknown = answers[0]
  if (answers.length === 1 && typeof first === 'object' && first !== null) {
    const name = (first as { readonly name?: unknown }).name
    if (typeof name === 'string' && isRoot(name)) return { _tag: 'NotAvailable' }
  }
  const records: SrvRecord[] = []
  for (const a of answers as ReadonlyArray<unknown>) {
    if (typeof a !== 'object' || a === null) continue
    const { name, port, priority, weight } = a as Record<string, unknown>
    const host = typeof name === 'string' ? hostName(name) : undefined
    if (host === undefined || !isPort(port) || !isU16(priority) || !isU16(weight)) continue
    records.push({ name: host, port, priority, weight, directTls })
  }
  return records.length === 0 ? NONE : { _tag: 'Records', records }
}

/** Pre-`Resolver` checks: the `node:dns` resolver for `options`, or a `RangeError`. */
const systemResolver = (options: ResolveOptions, ms: number): dns.Resolver => {
  // c-ares takes a 32-bit int; `Infinity` leaves it to c-ares (our timer is off too then).
  const timeout = Number.isFinite(ms) ? Math.min(Math.ceil(ms), 0x7fffffff) : -1
  const resolver = new dns.Resolver({ timeout, tries: 1 })
  if (options.dns !== undefined) {
    try {
      resolver.setServers([...options.dns])
    } catch (e) {
      throw new RangeError(
        `connection: dns must be resolver addresses (ip or ip:port), got ${JSON.stringify(options.dns)}`,
        { cause: e },
      )
    }
  }
  return resolver
}

/**
 * The services to try for `domain`, in order: the merged `_xmpps-client` (direct TLS) and
 * `_xmpp-client` (STARTTLS) answers (XEP-0368 §3), or `<domain>:5222` when neither lookup gives
 * a usable record (RFC 6120 §3.2.2; the domain without a trailing dot, or as given when it is
 * no DNS name). A lone `.` for `_xmpps-client` only rules out direct TLS. Empty only when the domain says, with a lone `.` target
 * for `_xmpp-client` and no direct-TLS records, that it offers no client service (RFC 2782).
 *
 * Never rejects for DNS trouble, and an IP literal or a domain that is no DNS name is not
 * looked up: it is its own fallback. Rejects with a `RangeError` only for bad options
 * (`timeout`, `dns`), which are programmer errors.
 */
export const resolve = async (
  domain: string,
  options: ResolveOptions = {},
): Promise<ReadonlyArray<Service>> => {
  const ms = Math.min(checkTimeout('timeout', options.timeout, 5000), 0x7fffffff)
  const name = hostName(domain)
  if (name === undefined || isIP(domain) !== 0) return domainFallback(domain)
  const resolver: SrvResolver = options.resolver ?? systemResolver(options, ms)
  try {
    const [xmpps, xmpp] = await Promise.all([
      lookup(resolver, `_xmpps-client._tcp.${name}`, true, ms),
      lookup(resolver, `_xmpp-client._tcp.${name}`, false, ms),
    ])
    const merged = [xmpps, xmpp].flatMap((l) => (l._tag === 'Records' ? l.records : []))
    if (merged.length === 0) return xmpp._tag === 'NotAvailable' ? [] : domainFallback(name)
    const seen = new Set<string>()
    const services: Service[] = []
    // A host:port offered twice (say, at two priorities) is worth one attempt, the first.
    for (const r of order(merged, options.random)) {
      const key = `${r.directTls ? 's' : ''}${r.name.toLowerCase()}:${r.port}`
      if (seen.has(key)) continue
      seen.add(key)
      services.push({ host: r.name, port: r.port, directTls: r.directTls })
    }
    return services
  } finally {
    // Queries still in flight after our timer fired: stop them, so no socket outlives us.
    if (resolver !== options.resolver && resolver instanceof dns.Resolver) resolver.cancel()
  }
}
