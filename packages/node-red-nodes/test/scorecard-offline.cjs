// Runs the Flow Library scorecard (`node-red-dev validate`: its own checkpackage, checknodes and
// checkdeps modules) on this package without network access. The tool's three look-ups are answered
// from local data: the Flow Library catalogue (empty: no name clash can be checked offline), the
// registry's node-red versions (from the Node-RED 4 and 5 installed here), and the dependency-tree
// and outdated-dependency checks (nothing to report: our dependencies are workspace packages).
// Prints the scorecard and every log line as JSON, then exits.
const { createRequire } = require('node:module')
const path = require('node:path')

const packageDir = path.resolve(process.argv[2] ?? path.join(__dirname, '..'))
const requireHere = createRequire(path.join(packageDir, 'package.json'))
const devRoot = path.dirname(requireHere.resolve('node-red-dev/package.json'))
const requireDev = createRequire(path.join(devRoot, 'package.json'))

const nodeRed4 = requireHere('node-red/package.json')
const nodeRed5Path = path.join(
  packageDir,
  '.e2e-cache',
  'node-red-5',
  'node_modules',
  'node-red',
  'package.json',
)
let nodeRed5
try {
  nodeRed5 = require(nodeRed5Path)
} catch {
  nodeRed5 = undefined
}
const versions = { [nodeRed4.version]: { engines: nodeRed4.engines } }
const distTags = { 'latest-4': nodeRed4.version, latest: nodeRed4.version }
if (nodeRed5) {
  versions[nodeRed5.version] = { engines: nodeRed5.engines }
  distTags.latest = nodeRed5.version
  distTags['maintenance-4'] = nodeRed4.version
}

const stub = (request, exports) => {
  const resolved = requireDev.resolve(request)
  require.cache[resolved] = { id: resolved, filename: resolved, loaded: true, exports }
}
stub('axios', {
  get: async (url) => {
    if (url.includes('catalogue.nodered.org')) return { data: { modules: [] } }
    if (url.includes('registry.npmjs.org/node-red')) return { data: { 'dist-tags': distTags, versions } }
    throw new Error(`offline scorecard: unexpected request to ${url}`)
  },
})
stub('npm-remote-ls', { ls: (_name, _version, _flatten, callback) => callback([]), config: () => {} })
stub('npm-check', async () => ({ get: () => [] }))

const logs = []
const warnings = []
const errors = []
const cli = {
  log: (message) => logs.push(String(message)),
  warn: (message) => warnings.push(String(message)),
  error: (message) => errors.push(String(message instanceof Error ? message.stack : message)),
}
const checkpackage = requireDev('./src/libs/checkpackage.js')
const checknodes = requireDev('./src/libs/checknodes.js')
const checkdeps = requireDev('./src/libs/checkdeps.js')

;(async () => {
  const scorecard = {}
  await checkpackage(packageDir, cli, scorecard, false)
  await checknodes(packageDir, cli, scorecard, false)
  // checknodes finishes its example check after resolving: give it a moment.
  await new Promise((resolve) => setTimeout(resolve, 200))
  await checkdeps(packageDir, cli, scorecard, false)
  process.stdout.write(`${JSON.stringify({ scorecard, logs, warnings, errors })}\n`)
  process.exit(0)
})().catch((error) => {
  process.stdout.write(
    `${JSON.stringify({ scorecard: {}, logs, warnings, errors: [...errors, String(error)] })}\n`,
  )
  process.exit(0)
})
