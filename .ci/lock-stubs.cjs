// Adds lockfile entries for optional platform packages (other OSes and CPUs) that `npm install`
// leaves out of the lock on this machine, so `npm ci` accepts the lock elsewhere. Each entry gets
// the package's `os`, `cpu` and `libc` from the registry's metadata: without them `npm ci`
// installs every platform's binary (Biome's alone are 833 MB for nine platforms).
// Run after any `npm install`: node .ci/lock-stubs.cjs
const { execFileSync } = require('node:child_process')
const fs = require('node:fs')

const lock = JSON.parse(fs.readFileSync('package-lock.json', 'utf8'))
const pk = lock.packages

const platformOf = (name, version) => {
  const out = execFileSync('npm', ['view', `${name}@${version}`, 'os', 'cpu', 'libc', '--json'], {
    encoding: 'utf8',
  })
  const meta = out.trim() === '' ? {} : JSON.parse(out)
  const r = {}
  for (const key of ['os', 'cpu', 'libc']) if (Array.isArray(meta[key])) r[key] = meta[key]
  return r
}

let added = 0
let completed = 0
for (const [path, meta] of Object.entries(pk)) {
  for (const [name, range] of Object.entries(meta.optionalDependencies || {})) {
    const base = path === '' ? '' : `${path}/`
    const nested = `${base}node_modules/${name}`
    const top = `node_modules/${name}`
    if (pk[nested] || pk[top]) continue
    pk[top] = { version: range.replace(/^[\^~=]/, ''), dev: meta.dev === true, optional: true }
    added++
  }
}
for (const [path, meta] of Object.entries(pk)) {
  if (!meta.optional || meta.os || meta.cpu || path === '') continue
  const name = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length)
  const platform = platformOf(name, meta.version)
  if (Object.keys(platform).length === 0) continue
  pk[path] = { ...meta, ...platform }
  if (meta.dev !== true) delete pk[path].dev
  completed++
}
fs.writeFileSync('package-lock.json', `${JSON.stringify(lock, null, 2)}\n`)
console.log(`added ${added}, platform fields filled in ${completed}`)
