#!/usr/bin/env node
/**
 * The `stanzakit` executable (package `bin`): runs {@link main} on the process's arguments and
 * standard streams and sets the exit status. Kept apart from `cli.ts` so that importing the CLI
 * (tests, other tools) runs nothing, without `import.meta`, which the CommonJS build lacks.
 */
import { main, nodeIo } from './cli.js'

// `stanzakit validate … | head`: a closed pipe is the reader's choice, not a failure to report.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0)
  throw e
})

main(process.argv.slice(2), nodeIo).then(
  (code) => {
    process.exitCode = code
  },
  (e: unknown) => {
    process.stderr.write(`stanzakit: internal error: ${e instanceof Error ? e.name : 'unknown'}\n`)
    process.exitCode = 2
  },
)
