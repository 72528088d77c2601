/**
 * Helpers of the integration specs (`spec/integration/*.spec.ts`): the server they run against,
 * read from the environment that `.ci/prosody.sh start` prints (and writes to `.it/env`).
 *
 * Without `XMPP_SERVICE` every `describeIntegration` block is skipped, and `npm test` prints one
 * line saying so (`.ci/jest-integration-note.cjs`). `npm run test:integration` starts the server
 * when needed and runs these specs in band.
 *
 * @example
 * import { config, describeIntegration } from './setup.js'
 *
 * describeIntegration('c2s', () => {
 *   it('logs in', async () => {
 *     const { host, port, domain } = config()
 *     const alice = config().user('alice')
 *     // …
 *   })
 * })
 */
import { readFileSync } from 'node:fs'
import { describe } from '@jest/globals'

/** A test account on the server (see USERS in `.ci/prosody.sh`). */
export interface Account {
  readonly username: string
  readonly password: string
  /** `username@domain` */
  readonly jid: string
}

/** Where an XMPP service listens, from an `xmpp://host:port` URL. */
export interface Endpoint {
  /** The URL as given, e.g. `xmpp://127.0.0.1:5222`. */
  readonly service: string
  readonly host: string
  readonly port: number
}

/** The server the integration specs run against. */
export interface IntegrationConfig {
  /** Client-to-server (plain TCP; STARTTLS offered, encryption and PLAIN not required). */
  readonly c2s: Endpoint
  /** The XMPP domain of the accounts (`localhost`). */
  readonly domain: string
  /** RFC 7395 WebSocket URL, when the server has one. */
  readonly websocket: string | undefined
  /** XEP-0114 component port. */
  readonly component: Endpoint & {
    /** The component's domain (`echo.localhost`). */
    readonly domain: string
    readonly secret: string
  }
  /** The MUC service (`conference.localhost`); the first join creates a room, unlocked. */
  readonly mucDomain: string
  /** Path of the server's self-signed certificate (SAN: localhost, *.localhost, 127.0.0.1, ::1). */
  readonly caFile: string
  /** That certificate as PEM, for Node's `tls` `ca` option. */
  readonly ca: string
  /** All test accounts, in the order of `XMPP_USERS`. */
  readonly users: ReadonlyArray<Account>
  /** The account named `username`; throws if the server has none. */
  readonly user: (username: string) => Account
}

/** Whether a server is configured (`XMPP_SERVICE` is set). */
export const isConfigured = (env: NodeJS.ProcessEnv = process.env): boolean =>
  (env.XMPP_SERVICE ?? '') !== ''

const required = (env: NodeJS.ProcessEnv, key: string): string => {
  const v = env[key]
  if (v === undefined || v === '') {
    throw new Error(`integration: ${key} is not set (source .it/env, see .ci/prosody.sh)`)
  }
  return v
}

/** `xmpp://host:port` (IPv6 hosts in brackets) → endpoint; default port 5222. */
export const parseService = (service: string): Endpoint => {
  const url = new URL(service)
  if (url.protocol !== 'xmpp:') throw new Error(`integration: not an xmpp:// URL: ${service}`)
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1')
  return { service, host, port: url.port === '' ? 5222 : Number(url.port) }
}

/** `alice:pw,bob:pw` → accounts of `domain`. */
export const parseUsers = (users: string, domain: string): ReadonlyArray<Account> =>
  users
    .split(',')
    .filter((s) => s !== '')
    .map((s) => {
      const i = s.indexOf(':')
      if (i <= 0) throw new Error(`integration: XMPP_USERS entry is not user:password: ${s}`)
      const username = s.slice(0, i)
      return { username, password: s.slice(i + 1), jid: `${username}@${domain}` }
    })

/** Reads the configuration from the environment; throws when a variable is missing. */
export const config = (env: NodeJS.ProcessEnv = process.env): IntegrationConfig => {
  const domain = required(env, 'XMPP_DOMAIN')
  const caFile = required(env, 'XMPP_CA')
  const users = parseUsers(required(env, 'XMPP_USERS'), domain)
  const websocket = env.XMPP_WEBSOCKET
  return {
    c2s: parseService(required(env, 'XMPP_SERVICE')),
    domain,
    websocket: websocket === '' ? undefined : websocket,
    component: {
      ...parseService(required(env, 'XMPP_COMPONENT_SERVICE')),
      domain: required(env, 'XMPP_COMPONENT_DOMAIN'),
      secret: required(env, 'XMPP_COMPONENT_SECRET'),
    },
    mucDomain: required(env, 'XMPP_MUC_DOMAIN'),
    caFile,
    ca: readFileSync(caFile, 'utf8'),
    users,
    user: (username) => {
      const a = users.find((u) => u.username === username)
      if (a === undefined) throw new Error(`integration: no test account ${username}`)
      return a
    },
  }
}

/**
 * `describe` when a server is configured, `describe.skip` otherwise (the skip is reported once
 * per run by the note reporter, not per file).
 */
export const describeIntegration = (name: string, fn: () => void): void => {
  if (isConfigured()) describe(name, fn)
  else describe.skip(name, fn)
}
