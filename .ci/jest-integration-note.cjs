// Jest reporter (package.json "jest.reporters"): when the integration specs were skipped for want
// of a server, say so in one line per run, whatever the number of spec files.
// The specs skip themselves: describeIntegration in spec/integration/setup.ts.
const path = require('node:path')

const dir = `${path.sep}spec${path.sep}integration${path.sep}`

class IntegrationNote {
  onRunComplete(_contexts, results) {
    if ((process.env.XMPP_SERVICE ?? '') !== '') return
    if (!results.testResults.some((r) => r.testFilePath.includes(dir))) return
    process.stderr.write(
      'integration tests skipped: no XMPP_SERVICE (run npm run test:integration)\n',
    )
  }
}

module.exports = IntegrationNote
