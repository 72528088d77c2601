// Adds lockfile entries for optional platform packages (other OSes and CPUs) that this
// workplace's npm registry does not serve: without them `npm install` leaves them out of the lock
// and `npm ci` refuses the lock as out of sync. Run after any `npm install`: node .ci/lock-stubs.cjs
const fs = require('fs')
const lock = JSON.parse(fs.readFileSync('package-lock.json', 'utf8'))
const pk = lock.packages
let added = 0
for (const [path, meta] of Object.entries(pk)) {
  for (const [name, range] of Object.entries(meta.optionalDependencies || {})) {
    const base = path === '' ? '' : path + '/'
    const nested = `${base}node_modules/${name}`
    const top = `node_modules/${name}`
    if (pk[nested] || pk[top]) continue
    pk[top] = { version: range.replace(/^[\^~=]/, ''), optional: true }
    added++
  }
}
fs.writeFileSync('package-lock.json', JSON.stringify(lock, null, 2) + '\n')
console.log('added', added)
