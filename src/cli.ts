/**
 * The `stanzakit validate` command: reads a raw stream dump (or stanzas one after another),
 * decodes every stanza with `Stanza.decode` and reports each one, then a summary.
 *
 * ```
 * stanzakit validate [FILE|-] [--json] [--ns NS]
 * ```
 *
 * - Text mode, on standard output: one line per stanza, `ok <kind> <id>` (id `-` when absent) or
 *   `error <n> line <line>: <path>: <condition>: <message>` (`n` counts stanzas from 1, `line`
 *   is where the stanza starts; several problems are joined with `; `), then the summary
 *   `N stanzas, N valid, N invalid` (`1 stanza` for one).
 * - `--json`: one JSON line per stanza on standard output: the decoded record plus `$extensions`,
 *   the known `stanzakit/ext` extensions found valid in its payload, by name (only when there are
 *   some), and `$line`, the line where the stanza starts; or
 *   `{"error":{"n":…,"line":…,"offset":…,"problems":[{"path","condition","message"}…]}}`.
 *   The summary goes to standard error, so standard output is JSON lines only.
 * - Stream-level elements (stream features and errors, TLS, SASL, stream management…) are not
 *   stanzas: they are skipped, not counted, with a note on standard error.
 * - Input is UTF-8 (RFC 6120 §11.6; a byte order mark is dropped). Ill-formed UTF-8 makes the
 *   stanza holding it invalid (`not-well-formed`), not the whole input.
 * - Exit status: 0 when every stanza is valid, 1 when any is invalid, 2 for a usage error or
 *   unreadable input (missing file, UTF-16 or UTF-32), with a message on standard error.
 *
 * Framing is the stream framer (`connection/framer.ts`) with the `'resync'` fault policy: a
 * broken stanza is reported with its line and reading goes on at the next one. Stream headers set
 * the content namespace (`--ns` is the one for stanzas outside a header, or under a header
 * declaring none) and their prefixes are re-declared on the stanzas that use them. Nothing
 * printed echoes unbounded input: decode errors are bounded by `DecodeError`, ids and names are
 * cut, and control, C1 and bidi characters are escaped so a hostile dump cannot drive the
 * terminal.
 *
 * This module only exports {@link main}; the executable is `bin.ts`.
 */
import { readFile } from 'node:fs/promises'
import * as E from 'fp-ts/lib/Either.js'
import { type Fault, type FrameEvent, framer } from './connection/framer.js'
import * as DecodeError from './DecodeError.js'
import * as ext from './ext/index.js'
import { escapeControls, shown } from './internal/chars.js'
import * as NS from './internal/ns.js'
import * as Stanza from './Stanza.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** What the CLI needs of the outside world; {@link nodeIo} for the real process. */
export interface Io {
  readonly readFile: (path: string) => Promise<Uint8Array>
  readonly readStdin: () => Promise<Uint8Array>
  /** Whether standard input is a terminal: then `validate` without FILE is a usage error. */
  readonly stdinIsTTY: () => boolean
  readonly stdout: (text: string) => void
  readonly stderr: (text: string) => void
}

/** Options of `validate`. */
export interface Options {
  /** Path, or `-` for standard input. */
  readonly file: string
  readonly json: boolean
  /** Content namespace of stanzas outside a stream header. */
  readonly ns: string
}

/** The counts of the summary line. */
export interface Summary {
  readonly stanzas: number
  readonly valid: number
  readonly invalid: number
}

type Args =
  | { readonly _tag: 'Help' }
  | { readonly _tag: 'Usage'; readonly message: string }
  | { readonly _tag: 'Validate'; readonly options: Options; readonly explicit: boolean }

// -------------------------------------------------------------------------------------
// constants
// -------------------------------------------------------------------------------------

/** @category constants */
export const usage = `Usage: stanzakit validate [FILE|-] [--json] [--ns NS]

Decodes every XMPP stanza in FILE (standard input for '-' or no FILE): a raw stream
dump (XML declaration, <stream:stream> header, whitespace keepalives, </stream:stream>)
or stanzas one after another. Prints one line per stanza:
  ok <kind> <id>
  error <n> line <line>: <path>: <condition>: <message>
then 'N stanzas, N valid, N invalid'. Stream-level elements (stream features and
errors, TLS, SASL, stream management) are skipped, with a note on standard error.

Options:
  --json      print each decoded stanza as a JSON line ({"error": …} when invalid);
              the summary goes to standard error
  --ns NS     content namespace of stanzas outside a stream header
              (default jabber:client; a header's xmlns takes precedence)
  -h, --help  show this help

Exit status: 0 all stanzas valid, 1 some invalid, 2 usage error or unreadable input.
`

const hint = "Try 'stanzakit --help'.\n"

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

const plural = (k: number, word: string): string => `${k} ${word}${k === 1 ? '' : 's'}`

const problemsLine = (e: DecodeError.DecodeError): string => {
  const lines = e.problems.slice(0, 3).map((p) => `${p.path}: ${p.condition}: ${p.message}`)
  const more = e.problems.length - lines.length
  return more > 0 ? `${lines.join('; ')} (+${plural(more, 'more problem')})` : lines.join('; ')
}

const parseArgs = (argv: ReadonlyArray<string>): Args => {
  let command: string | undefined
  let file: string | undefined
  let json = false
  let ns: string | undefined
  let positional = false
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? ''
    if (!positional && (arg === '-h' || arg === '--help')) return { _tag: 'Help' }
    if (!positional && arg === '--') {
      positional = true
      continue
    }
    if (!positional && arg === '--json') {
      json = true
      continue
    }
    if (!positional && (arg === '--ns' || arg.startsWith('--ns='))) {
      const value = arg === '--ns' ? argv[++i] : arg.slice(5)
      if (value === undefined || value === '')
        return { _tag: 'Usage', message: '--ns needs a namespace' }
      ns = value
      continue
    }
    if (!positional && arg.length > 1 && arg.startsWith('-'))
      return { _tag: 'Usage', message: `unknown option ${shown(arg, 40)}` }
    if (command === undefined) command = arg
    else if (file === undefined) file = arg
    else return { _tag: 'Usage', message: 'more than one FILE' }
  }
  if (command === undefined) return { _tag: 'Usage', message: 'no command' }
  if (command !== 'validate')
    return { _tag: 'Usage', message: `unknown command ${shown(command, 40)}` }
  return {
    _tag: 'Validate',
    options: { file: file ?? '-', json, ns: ns ?? NS.CLIENT },
    explicit: file !== undefined,
  }
}

/** A UTF-8 byte order mark: dropped, so that offsets count from the first character after it. */
const withoutBom = (bytes: Uint8Array): Uint8Array =>
  bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes

/** The root's qualified name, as written at the start of an element's text. */
const rootName = (xml: string): string => /^<([^\s/>]*)/.exec(xml)?.[1] ?? ''

/** How much input the framer reads at a time. */
const CHUNK = 65_536

const errorCode = (e: unknown): string =>
  typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string'
    ? e.code
    : 'unreadable'

// -------------------------------------------------------------------------------------
// extensions
// -------------------------------------------------------------------------------------

type AnyExtension = {
  readonly kinds: ReadonlyArray<Stanza.Kind>
  readonly getAll: (s: Stanza.Stanza) => ReadonlyArray<unknown>
}

const isExtension = (u: unknown): u is AnyExtension =>
  typeof u === 'object' &&
  u !== null &&
  Array.isArray((u as { kinds?: unknown }).kinds) &&
  typeof (u as { getAll?: unknown }).getAll === 'function'

// Every extension value `stanzakit/ext` exports, by export name: a plain list, not a registry.
const knownExtensions: ReadonlyArray<readonly [string, AnyExtension]> = Object.entries(
  ext as Record<string, unknown>,
).flatMap(([name, x]) => (isExtension(x) ? [[name, x] as const] : []))

/** The record, plus `$extensions` when any known extension decodes in its payload, and `$line`. */
const withExtensions = (s: Stanza.Stanza, line: number): object => {
  const found: Record<string, ReadonlyArray<unknown>> = {}
  let any = false
  for (const [name, x] of knownExtensions) {
    if (!x.kinds.includes(s.kind)) continue
    const all = x.getAll(s)
    if (all.length > 0) {
      found[name] = all
      any = true
    }
  }
  return any ? { ...s, $extensions: found, $line: line } : { ...s, $line: line }
}

// -------------------------------------------------------------------------------------
// validate
// -------------------------------------------------------------------------------------

/** Input the CLI cannot read at all: `validate` stops, `main` exits 2. */
export interface Unreadable {
  readonly _tag: 'Unreadable'
  readonly message: string
}

/**
 * Validates the stanzas of `input` (bytes, read chunk by chunk) and writes the report (see the
 * module comment). Returns the counts, which the caller turns into the exit status, or
 * `Unreadable` (before anything is written) when the input is not in UTF-8.
 *
 * @category validate
 */
export const validate = (
  input: Uint8Array,
  options: Omit<Options, 'file'>,
  out: (line: string) => void,
  err: (line: string) => void,
): Summary | Unreadable => {
  let valid = 0
  let invalid = 0
  let unreadable: Unreadable | undefined
  // The content namespace in scope: the header's, else the option's.
  let ns = options.ns
  const report = (
    decoded: E.Either<DecodeError.DecodeError, Stanza.Stanza>,
    where: { readonly line: number; readonly offset: number },
  ): void => {
    const n = valid + invalid + 1
    if (E.isRight(decoded)) {
      valid++
      const s = decoded.right
      out(
        options.json
          ? escapeControls(JSON.stringify(withExtensions(s, where.line)))
          : `ok ${s.kind} ${shown(s.id ?? '-')}`,
      )
      return
    }
    invalid++
    const e = decoded.left
    out(
      options.json
        ? escapeControls(
            JSON.stringify({
              error: { n, line: where.line, offset: where.offset, problems: e.problems },
            }),
          )
        : escapeControls(`error ${n} line ${where.line}: ${problemsLine(e)}`),
    )
  }
  const skip = (line: number, name: string, complete: boolean): void =>
    err(
      escapeControls(
        `note: line ${line}: skipped <${shown(name, 64)}>, a stream-level element, not a stanza${complete ? '' : ' (truncated)'}`,
      ),
    )
  const handle = (events: ReadonlyArray<FrameEvent | Fault>): void => {
    for (const e of events)
      switch (e._tag) {
        case 'StreamOpen':
          ns = e.ns
          break
        case 'StreamClose':
          ns = options.ns
          break
        case 'StreamError':
          // Only an encoding the framer cannot read stops a dump, before any other event.
          unreadable = { _tag: 'Unreadable', message: e.message }
          return
        case 'Element':
          if (NS.streamLevel.has(e.element.ns)) skip(e.line, rootName(e.xml), true)
          else report(Stanza.decode(e.xml, { ns }), e)
          break
        case 'Fault':
          // A stream header that does not parse: its scope still applies; not a stanza either.
          if (e.ns === NS.STREAM && /^(?:[^:]*:)?stream$/.test(e.name)) break
          if (NS.streamLevel.has(e.ns)) skip(e.line, e.name, e.complete)
          else report(E.left(DecodeError.fromXmlError(e.error)), e)
          break
      }
  }
  const f = framer({ onFault: 'resync', ns: options.ns })
  const bytes = withoutBom(input)
  for (let at = 0; at < bytes.length && unreadable === undefined; at += CHUNK)
    handle(f.push(bytes.subarray(at, at + CHUNK)))
  if (unreadable === undefined) handle(f.end())
  if (unreadable !== undefined) return unreadable
  const summary = { stanzas: valid + invalid, valid, invalid }
  const line = `${plural(summary.stanzas, 'stanza')}, ${valid} valid, ${invalid} invalid`
  if (options.json) err(line)
  else out(line)
  return summary
}

// -------------------------------------------------------------------------------------
// main
// -------------------------------------------------------------------------------------

/** The real process: `node:fs`, `process.stdin`, `process.stdout`, `process.stderr`. */
export const nodeIo: Io = {
  readFile: (path) => readFile(path),
  readStdin: async () => {
    const parts: Uint8Array[] = []
    for await (const part of process.stdin) parts.push(part as Uint8Array)
    return Buffer.concat(parts)
  },
  stdinIsTTY: () => process.stdin.isTTY === true,
  stdout: (text) => {
    process.stdout.write(text)
  },
  stderr: (text) => {
    process.stderr.write(text)
  },
}

/**
 * Runs the CLI on `argv` (the arguments after the program name) and returns the exit status.
 * Never throws on any input; output goes through `io`, buffered.
 */
export const main = async (argv: ReadonlyArray<string>, io: Io = nodeIo): Promise<number> => {
  const args = parseArgs(argv)
  if (args._tag === 'Help') {
    io.stdout(usage)
    return 0
  }
  if (args._tag === 'Usage') {
    io.stderr(`stanzakit: ${args.message}\n${hint}`)
    return 2
  }
  const { file, json, ns } = args.options
  if (file === '-' && !args.explicit && io.stdinIsTTY()) {
    io.stderr(`stanzakit: no FILE, and standard input is a terminal\n${hint}`)
    return 2
  }
  const name = file === '-' ? 'standard input' : shown(file, 200)
  let bytes: Uint8Array
  try {
    bytes = await (file === '-' ? io.readStdin() : io.readFile(file))
  } catch (e) {
    io.stderr(`stanzakit: cannot read ${name}: ${shown(errorCode(e), 40)}\n`)
    return 2
  }
  let buffer = ''
  const out = (line: string): void => {
    buffer += `${line}\n`
    if (buffer.length >= 65_536) {
      io.stdout(buffer)
      buffer = ''
    }
  }
  const err = (line: string): void => {
    if (buffer !== '') io.stdout(buffer)
    buffer = ''
    io.stderr(`${line}\n`)
  }
  const result = validate(bytes, { json, ns }, out, err)
  if (buffer !== '') io.stdout(buffer)
  if ('_tag' in result) {
    io.stderr(`stanzakit: ${name}: ${result.message}\n`)
    return 2
  }
  return result.invalid > 0 ? 1 : 0
}
