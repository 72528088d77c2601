import { describe, expect, it } from '@jest/globals'
import { type Io, main, nodeIo, usage } from '../src/cli.js'

interface Run {
  readonly code: number
  readonly out: string
  readonly err: string
}

const encoder = new TextEncoder()

/** Runs the CLI in-process: real files, captured output, `stdin` as given. */
const run = async (
  argv: ReadonlyArray<string>,
  options: { readonly stdin?: string | Uint8Array; readonly tty?: boolean } = {},
): Promise<Run> => {
  let out = ''
  let err = ''
  let stdinRead = false
  const io: Io = {
    ...nodeIo,
    readStdin: () => {
      stdinRead = true
      const s = options.stdin ?? ''
      return Promise.resolve(typeof s === 'string' ? encoder.encode(s) : s)
    },
    stdinIsTTY: () => options.tty ?? false,
    stdout: (text) => {
      out += text
    },
    stderr: (text) => {
      err += text
    },
  }
  const code = await main(argv, io)
  if (options.stdin === undefined) expect(stdinRead).toBe(false)
  return { code, out, err }
}

const lines = (s: string): ReadonlyArray<string> => s.split('\n').filter((l) => l !== '')

const STREAM = `<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>`

describe('cli', () => {
  describe('validate', () => {
    it('main: the example stream is all valid, one ok line per stanza, exit 0', async () => {
      const { code, out, err } = await run(['validate', 'examples/stream.xml'])
      const printed = lines(out)
      const summary = printed.at(-1) ?? ''
      const match = /^(\d+) stanzas, (\d+) valid, 0 invalid$/.exec(summary)
      expect(match).not.toBeNull()
      const n = Number(match?.[1])
      expect(n).toBeGreaterThanOrEqual(30)
      expect(Number(match?.[2])).toBe(n)
      const ok = printed.slice(0, -1)
      expect(ok).toHaveLength(n)
      for (const l of ok) expect(l).toMatch(/^ok (message|presence|iq) \S+$/)
      for (const kind of ['message', 'presence', 'iq'])
        expect(ok.some((l) => l.startsWith(`ok ${kind} `))).toBe(true)
      expect(err).toMatch(/^note: line 3: skipped <stream:features>, a stream-level element/m)
      expect(code).toBe(0)
    })

    it('main: invalid stanzas print error lines with path and condition, the summary, exit 1', async () => {
      const { code, out } = await run(['validate', 'examples/invalid.xml'])
      const printed = lines(out)
      expect(printed[0]).toBe('ok message ok_1')
      expect(printed[1]).toBe(
        'error 2 line 2: presence/priority: bad-request: expected an integer in -128..127, got "abc"',
      )
      expect(printed).toContain('error 3 line 3: iq@id: bad-request: missing id')
      expect(printed.some((l) => /^error 4 line 4: message@to: jid-malformed: /.test(l))).toBe(true)
      expect(printed.some((l) => /^error 8 line 8: offset 0: restricted-xml: /.test(l))).toBe(true)
      expect(printed.some((l) => /^error 9 line 9: .*not-well-formed: unclosed/.test(l))).toBe(true)
      expect(printed.at(-1)).toBe('9 stanzas, 1 valid, 8 invalid')
      expect(code).toBe(1)
    })

    it('main: several problems of one stanza share its line', async () => {
      const { code, out } = await run(['validate', '-'], {
        stdin: "<presence to='a@@b' type='x'><priority>999</priority></presence>",
      })
      const [first] = lines(out)
      expect(first).toMatch(/^error 1 line 1: presence@to: jid-malformed: .*; presence@type: .*; /)
      expect(lines(out)).toHaveLength(2)
      expect(code).toBe(1)
    })

    it('main: a stream header sets the content namespace and its prefixes reach the stanzas', async () => {
      const dump = `<stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' xmlns:ext='urn:example:ext'>
 <message from='a@example.com' to='b@example.net' id='m1'><ext:x/></message>
 <message xmlns='jabber:client' id='m2'/>
</stream:stream>`
      const { code, out } = await run(['validate', '-'], { stdin: dump })
      const printed = lines(out)
      expect(printed[0]).toBe('ok message m1')
      expect(printed[1]).toMatch(/^error 2 line 3: message: invalid-namespace: /)
      expect(printed[2]).toBe('2 stanzas, 1 valid, 1 invalid')
      expect(code).toBe(1)
    })

    it('main: --ns sets the content namespace of stanzas outside a header', async () => {
      const stanza = "<message xmlns='jabber:server' id='s1'/>"
      expect((await run(['validate', '-'], { stdin: stanza })).code).toBe(1)
      const { code, out } = await run(['validate', '--ns', 'jabber:server', '-'], { stdin: stanza })
      expect(lines(out)).toEqual(['ok message s1', '1 stanza, 1 valid, 0 invalid'])
      expect(code).toBe(0)
      expect((await run(['validate', '--ns=jabber:server'], { stdin: stanza })).code).toBe(0)
    })

    it('main: keepalives, stream-level elements and the stream close are not stanzas', async () => {
      const dump = `${STREAM} \n<stream:features/> <r xmlns='urn:xmpp:sm:3'/>\n \n<iq id='p' type='result'/>  </stream:stream>`
      const { code, out, err } = await run(['validate', '-'], { stdin: dump })
      expect(lines(out)).toEqual(['ok iq p', '1 stanza, 1 valid, 0 invalid'])
      expect(lines(err)).toHaveLength(2)
      expect(code).toBe(0)
    })

    it('main: the summary counts one stanza in the singular', async () => {
      const { out } = await run(['validate', '-'], { stdin: "<message id='a'/>" })
      expect(lines(out)).toEqual(['ok message a', '1 stanza, 1 valid, 0 invalid'])
      const two = await run(['validate', '-'], { stdin: "<message id='a'/><message id='b'/>" })
      expect(lines(two.out).at(-1)).toBe('2 stanzas, 2 valid, 0 invalid')
    })

    it('main: an empty dump is zero stanzas, exit 0', async () => {
      const { code, out } = await run(['validate', '-'], { stdin: `${STREAM}</stream:stream>` })
      expect(lines(out)).toEqual(['0 stanzas, 0 valid, 0 invalid'])
      expect(code).toBe(0)
    })
  })

  describe('--json', () => {
    it('main: one JSON line per stanza: records with kind, errors under error; summary on stderr', async () => {
      const { code, out, err } = await run(['validate', '--json', 'examples/invalid.xml'])
      const parsed = lines(out).map((l) => JSON.parse(l) as Record<string, unknown>)
      expect(parsed).toHaveLength(9)
      expect(parsed[0]).toMatchObject({
        kind: 'message',
        id: 'ok_1',
        body: 'This one is fine.',
        $line: 1,
      })
      expect(parsed[1]).toEqual({
        error: {
          n: 2,
          line: 2,
          offset: 95,
          problems: [
            {
              path: 'presence/priority',
              condition: 'bad-request',
              message: 'expected an integer in -128..127, got "abc"',
            },
          ],
        },
      })
      expect(parsed.slice(1).every((p) => 'error' in p && !('kind' in p))).toBe(true)
      expect(lines(err)).toEqual(['9 stanzas, 1 valid, 8 invalid'])
      expect(code).toBe(1)
    })

    it('main: every line of the example stream is a record with kind and its $line', async () => {
      const { code, out } = await run(['validate', 'examples/stream.xml', '--json'])
      const parsed = lines(out).map(
        (l) => JSON.parse(l) as { readonly kind?: unknown; readonly $line?: unknown },
      )
      expect(parsed.length).toBeGreaterThanOrEqual(30)
      for (const p of parsed) expect(['message', 'presence', 'iq']).toContain(p.kind)
      // The same lines as the text mode reports, increasing; the first stanza is on line 9.
      const at = parsed.map((p) => p.$line)
      expect(at[0]).toBe(9)
      expect(
        at.every((l, i) => typeof l === 'number' && (i === 0 || l > (at[i - 1] as number))),
      ).toBe(true)
      expect(code).toBe(0)
    })

    it('main: --json ok lines carry $line, error lines line', async () => {
      const { out } = await run(['validate', '--json', '-'], {
        stdin: "\n<message id='a'/>\n\n<iq id='b'/>\n<presence id='c'/>",
      })
      const parsed = lines(out).map((l) => JSON.parse(l) as Record<string, unknown>)
      expect(parsed[0]).toEqual({ kind: 'message', payload: [], id: 'a', $line: 2 })
      expect(parsed[1]).toMatchObject({ error: { n: 2, line: 4 } })
      expect(parsed[2]).toEqual({ kind: 'presence', payload: [], id: 'c', $line: 5 })
    })
    it('main: --json adds $extensions, the known extensions that decode, by name; invalid ones are left out', async () => {
      const stanza =
        "<message id='m1' type='chat'><body>hi</body>" +
        "<composing xmlns='http://jabber.org/protocol/chatstates'/>" +
        "<delay xmlns='urn:xmpp:delay' stamp='2002-09-10T23:08:25Z' from='Capulet.com'/>" +
        "<stanza-id xmlns='urn:xmpp:sid:0' id='x' by='@bad'/></message>" +
        "<presence id='p1'/>"
      const { code, out } = await run(['validate', '--json', '-'], { stdin: stanza })
      const [message, presence] = lines(out).map((l) => JSON.parse(l) as Record<string, unknown>)
      expect(message?.$extensions).toEqual({
        ChatState: ['composing'],
        Delay: [{ stamp: '2002-09-10T23:08:25Z', from: 'capulet.com' }],
      })
      expect(message?.payload).toHaveLength(3)
      expect(presence).not.toHaveProperty('$extensions')
      expect(code).toBe(0)
    })
  })

  describe('input', () => {
    it('main: - reads standard input, and so does a missing FILE when stdin is not a terminal', async () => {
      const stanza = "<iq id='x' type='get'><ping xmlns='urn:xmpp:ping'/></iq>"
      for (const argv of [['validate', '-'], ['validate']]) {
        const { code, out } = await run(argv, { stdin: stanza })
        expect(lines(out)).toEqual(['ok iq x', '1 stanza, 1 valid, 0 invalid'])
        expect(code).toBe(0)
      }
    })

    it('main: no FILE with a terminal on stdin is a usage error', async () => {
      const { code, out, err } = await run(['validate'], { tty: true })
      expect(code).toBe(2)
      expect(out).toBe('')
      expect(err).toMatch(/standard input is a terminal/)
    })

    it('main: a missing file exits 2 with a message on stderr', async () => {
      const { code, out, err } = await run(['validate', 'examples/no-such-file.xml'])
      expect(code).toBe(2)
      expect(out).toBe('')
      expect(err).toBe('stanzakit: cannot read examples/no-such-file.xml: ENOENT\n')
    })

    it('main: UTF-16 or UTF-32 input exits 2, before any output', async () => {
      for (const bytes of [
        new Uint8Array([0xff, 0xfe, 0x3c, 0x00]),
        new Uint8Array([0x3c, 0x00, 0x6d, 0x00]),
        new Uint8Array([0x00, 0x00, 0x00, 0x3c]),
      ]) {
        const { code, out, err } = await run(['validate', '-'], { stdin: bytes })
        expect(code).toBe(2)
        expect(out).toBe('')
        expect(err).toMatch(/^stanzakit: standard input: looks like UTF-16 or UTF-32/)
      }
    })

    it('main: invalid UTF-8 makes the stanza holding it invalid, with its line, not the whole input', async () => {
      const bad = new Uint8Array([
        ...encoder.encode("<message id='a'/>\n<message id='b'><body>"),
        0xff,
        0xfe,
        ...encoder.encode("</body></message>\n<message id='c'/>"),
      ])
      const { code, out } = await run(['validate', '-'], { stdin: bad })
      expect(lines(out)).toEqual([
        'ok message a',
        'error 2 line 2: offset 22: not-well-formed: invalid UTF-8 (RFC 6120 §11.6)',
        'ok message c',
        '3 stanzas, 2 valid, 1 invalid',
      ])
      expect(code).toBe(1)
    })

    it('main: a UTF-8 byte order mark is dropped', async () => {
      const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...encoder.encode("<message id='b'/>")])
      const { code, out } = await run(['validate', '-'], { stdin: bytes })
      expect(lines(out)).toEqual(['ok message b', '1 stanza, 1 valid, 0 invalid'])
      expect(code).toBe(0)
    })
  })

  describe('output safety', () => {
    it('main: ids and names are cut and escaped; nothing printed echoes unbounded input', async () => {
      const long = 'x'.repeat(100_000)
      const dump = `<message id='\u009b31m \u202egnp.exe'/><message id='${long}'/><${long}/>`
      const { out } = await run(['validate', '-'], { stdin: dump })
      const printed = lines(out)
      expect(printed[0]).toBe('ok message "\\u009b31m \\u202egnp.exe"')
      expect(printed[1]).toBe(`ok message "${'x'.repeat(64)}…"`)
      expect(printed[2]).toMatch(/^error 3 line 1: /)
      for (const l of printed) expect(l.length).toBeLessThan(600)
      expect(out).not.toMatch(/[\u009b\u202e]/)
    })
  })

  describe('usage', () => {
    it('main: --help prints the usage on stdout, exit 0', async () => {
      for (const argv of [['--help'], ['validate', '-h']]) {
        const { code, out, err } = await run(argv)
        expect(code).toBe(0)
        expect(out).toBe(usage)
        expect(err).toBe('')
      }
      expect(usage).toMatch(/^Usage: stanzakit validate \[FILE\|-\] \[--json\] \[--ns NS\]/)
    })

    it('main: usage errors exit 2 with a message on stderr and nothing on stdout', async () => {
      const cases: ReadonlyArray<readonly [ReadonlyArray<string>, RegExp]> = [
        [[], /no command/],
        [['check', 'x.xml'], /unknown command check/],
        [['validate', '--yaml'], /unknown option --yaml/],
        [['validate', '--ns'], /--ns needs a namespace/],
        [['validate', '--ns='], /--ns needs a namespace/],
        [['validate', 'a.xml', 'b.xml'], /more than one FILE/],
      ]
      for (const [argv, message] of cases) {
        const { code, out, err } = await run(argv)
        expect(code).toBe(2)
        expect(out).toBe('')
        expect(err).toMatch(message)
        expect(err).toMatch(/--help/)
      }
    })

    it('main: -- ends the options', async () => {
      const { code, err } = await run(['validate', '--', '--json'])
      expect(code).toBe(2)
      expect(err).toMatch(/cannot read --json: ENOENT/)
    })
  })
})
