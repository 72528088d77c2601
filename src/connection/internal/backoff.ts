/**
 * When a client tries again, and whether it should: exponential backoff with full jitter, and the
 * failures that no retry can fix. Pure. Internal.
 *
 * Full jitter (a uniform draw in `[0, min(cap, base · 2^(attempt−1))]`) is the variant that
 * spreads a crowd of clients best after a server restart; the measurements are in "Exponential
 * Backoff And Jitter" (AWS Architecture Blog, M. Brooker, 2015).
 */

import { isIP } from 'node:net'
import * as NS from '../../internal/ns.js'
import type * as Xml from '../../Xml.js'
import type * as S from '../Session.js'
import { parseService, type Service } from './link.js'
import * as Srv from './srv.js'
import { child, textOf } from './stream.js'

/** Checked `reconnect` options. */
export interface Backoff {
  /** The cap of the first delay, ms. */
  readonly initialDelay: number
  /** The cap of any delay, ms. */
  readonly maxDelay: number
  /** Failed attempts in a row before giving up (`Infinity`: never). */
  readonly maxAttempts: number
}

/** 1 s, doubling up to a minute, forever. */
export const defaults: Backoff = Object.freeze({
  initialDelay: 1_000,
  maxDelay: 60_000,
  maxAttempts: Number.POSITIVE_INFINITY,
})

/** Options over {@link defaults}; a bad value is a programmer error (`RangeError`). */
export const backoff = (o: Partial<Backoff> = {}): Backoff => {
  const b = { ...defaults, ...o }
  if (
    typeof b.initialDelay !== 'number' ||
    !(b.initialDelay >= 0) ||
    !Number.isFinite(b.initialDelay)
  )
    throw new RangeError(
      `connection.client: reconnect.initialDelay must be ms ≥ 0, got ${String(b.initialDelay)}`,
    )
  if (
    typeof b.maxDelay !== 'number' ||
    !(b.maxDelay >= b.initialDelay) ||
    !Number.isFinite(b.maxDelay)
  )
    throw new RangeError(
      `connection.client: reconnect.maxDelay must be ms ≥ initialDelay, got ${String(b.maxDelay)}`,
    )
  if (
    b.maxAttempts !== Number.POSITIVE_INFINITY &&
    !(Number.isSafeInteger(b.maxAttempts) && b.maxAttempts >= 1)
  )
    throw new RangeError(
      `connection.client: reconnect.maxAttempts must be an integer ≥ 1, got ${String(b.maxAttempts)}`,
    )
  return Object.freeze(b)
}

/** The wait before retry number `attempt` (1-based): uniform in `[0, min(maxDelay, initialDelay · 2^(attempt−1))]`. */
export const delay = (b: Backoff, attempt: number, random: () => number = Math.random): number => {
  const n = Number.isNaN(attempt) ? 1 : Math.max(1, Math.floor(attempt))
  const ceiling = Math.min(b.maxDelay, b.initialDelay * 2 ** Math.min(n - 1, 52))
  const r = random()
  return Math.min(ceiling, Math.floor((r >= 0 && r < 1 ? r : 0) * (ceiling + 1)))
}

/**
 * Stream errors a retry cannot fix: another session took our resource (`conflict`, RFC 6120
 * §4.9.3.3; retrying would fight it forever) or the server refuses us (`not-authorized`).
 */
const final: ReadonlySet<string> = new Set(['conflict', 'not-authorized', 'host-unknown'])

/**
 * Whether a lost link (or a failed attempt) is worth another try. Authentication failures are
 * final (a wrong password does not get right by retrying, and retrying can lock the account),
 * except `temporary-auth-failure` (RFC 6120 §6.5.13); so is a bind refused, since the server
 * gave its answer. Sockets, timeouts, TLS handshakes and other stream errors are retried.
 */
export const retryable = (reason: S.CloseReason): boolean => {
  switch (reason._tag) {
    case 'Ended':
      return false
    case 'AuthFailure':
      return reason.condition === 'temporary-auth-failure'
    case 'BindFailure':
      return false
    case 'StreamError':
      return !final.has(reason.condition)
    default:
      return true
  }
}

/**
 * The host a `<see-other-host/>` stream error names (RFC 6120 §4.9.3.19): `host`, `host:port`
 * or `[v6]:port`, on port 5222 unless given, STARTTLS (the redirect says nothing of direct TLS).
 * `undefined` when the element is not one or names nothing usable.
 */
export const seeOtherHost = (el: Xml.XmlElement): Service | undefined => {
  const c = child(el, 'see-other-host', NS.STREAM_ERRORS)
  if (c === undefined) return undefined
  const text = textOf(c).trim()
  if (text === '' || text.length > 300 || /[\s/@?#]/.test(text)) return undefined
  let service: Service
  try {
    service = parseService(`xmpp://${text}`, { xmpp: 5222, xmpps: 5223 })
  } catch {
    return undefined
  }
  // The URL parser percent-encodes what DNS cannot carry: only plain names and IP literals pass.
  if (service.port < 1 || (isIP(service.host) === 0 && Srv.hostName(service.host) === undefined))
    return undefined
  return service
}
