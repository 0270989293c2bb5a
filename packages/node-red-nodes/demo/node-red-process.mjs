// Starts a real Node-RED (the `node-red` CLI, any version) with its own user dir and settings, with
// @chainstream/node-red linked into it from the workspace, and talks to its admin API. Used by the demo
// and by the end-to-end tests (Node-RED 4 on Node 20, Node-RED 5 on Node 24).
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** This package's directory (what gets linked into the user dir). */
export const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..')

/** A free TCP port on 127.0.0.1 (Node-RED prints its configured port, so 0 cannot be used). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

/**
 * The header every admin response of a Node-RED started here carries, with the instance's secret token:
 * what tells our own child apart from any other program answering on the same port.
 */
export const INSTANCE_HEADER = 'x-chainstream-instance'
const INSTANCE_FILE = '.chainstream-instance'

/**
 * Whether nothing listens on `port` of 127.0.0.1 (the address Node-RED is started on). A Node-RED
 * listening on every address (its default) holds 127.0.0.1 too, so this catches it.
 */
export function isPortFree(port) {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', (error) => (error.code === 'EADDRINUSE' ? resolve(false) : reject(error)))
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
  })
}

/**
 * A fresh user dir: settings (no tours, no palette installs, no outside catalogue or update checks, a
 * per-run credential secret) and `node_modules/@chainstream/node-red` linked to this package, so
 * Node-RED loads it the way it loads any installed node package.
 */
export function prepareUserDir({ userDir, packageDir = PACKAGE_DIR, settings = {} } = {}) {
  const dir = userDir ?? mkdtempSync(join(tmpdir(), 'chainstream-node-red-'))
  mkdirSync(join(dir, 'node_modules', '@chainstream'), { recursive: true })
  symlinkSync(packageDir, join(dir, 'node_modules', '@chainstream', 'node-red'), 'dir')
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: 'chainstream-node-red-user-dir', private: true, dependencies: { '@chainstream/node-red': 'file:' + packageDir } }, null, 2)}\n`,
  )
  const base = {
    uiHost: '127.0.0.1',
    flowFile: 'flows.json',
    credentialSecret: randomBytes(16).toString('hex'),
    logging: { console: { level: 'info', metrics: false, audit: false } },
    editorTheme: { tours: false, projects: { enabled: false }, palette: { catalogues: [] } },
    externalModules: { autoInstall: false, palette: { allowInstall: false, allowUpload: false } },
    telemetry: { enabled: false },
    diagnostics: { enabled: false },
  }
  // The instance token: every admin response carries it (the one function in the settings), and
  // startNodeRed() only talks to a Node-RED that answers with it.
  const token = randomBytes(16).toString('hex')
  writeFileSync(join(dir, INSTANCE_FILE), token)
  writeFileSync(
    join(dir, 'settings.js'),
    `module.exports = ${JSON.stringify({ ...base, ...settings }, null, 2)}\n` +
      `module.exports.httpAdminMiddleware = function (req, res, next) {\n` +
      `  res.setHeader(${JSON.stringify(INSTANCE_HEADER)}, ${JSON.stringify(token)})\n` +
      `  next()\n` +
      `}\n`,
  )
  return dir
}

/** The instance token of a user dir made by prepareUserDir (undefined for any other). */
function instanceToken(userDir) {
  const file = join(userDir, INSTANCE_FILE)
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined
}

/**
 * Starts Node-RED and resolves once *its own* admin API answers: a response without the user dir's
 * instance token comes from another program on the same port, and fails the start (this child is
 * stopped) before anything could be deployed to the wrong Node-RED.
 *
 * @param {object} options
 * @param {string} options.redJs path to node-red's red.js
 * @param {string} [options.node] the Node binary (Node 24 for Node-RED 5) — default: this one
 * @param {string} options.userDir from prepareUserDir
 * @param {number} options.port
 * @param {Record<string,string>} [options.env] extra environment (simulator URLs, …)
 * @param {(line: string) => void} [options.onLine] every line Node-RED prints
 * @param {number} [options.timeoutMs]
 */
export async function startNodeRed({
  redJs,
  node = process.execPath,
  userDir,
  port,
  env = {},
  onLine,
  timeoutMs = 60_000,
}) {
  const child = spawn(
    node,
    [redJs, '--userDir', userDir, '--settings', join(userDir, 'settings.js'), '--port', String(port)],
    {
      env: { ...process.env, ...env, NODE_RED_ENABLE_PROJECTS: 'false' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  const output = []
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
  let pending = ''
  const onData = (chunk) => {
    pending += chunk.toString('utf8')
    const lines = pending.split('\n')
    pending = lines.pop() ?? ''
    for (const line of lines) {
      output.push(line)
      if (output.length > 2_000) output.shift()
      onLine?.(line)
    }
  }
  child.stdout.on('data', onData)
  child.stderr.on('data', onData)
  const url = `http://127.0.0.1:${port}`
  const token = instanceToken(userDir)
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
    await exited
    clearTimeout(timer)
  }
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (child.exitCode !== null) {
      if (output.some((line) => /EADDRINUSE|port in use/i.test(line))) {
        throw new Error(`port ${port} is in use by another program; Node-RED could not start there`)
      }
      throw new Error(
        `Node-RED exited (${child.exitCode}) before it started:\n${output.slice(-30).join('\n')}`,
      )
    }
    let response
    try {
      response = await fetch(`${url}/settings`)
    } catch {
      // Not listening yet.
    }
    if (response) {
      await response.arrayBuffer().catch(() => {})
      if (token === undefined || response.headers.get(INSTANCE_HEADER) === token) {
        if (response.ok) break
      } else {
        // Someone else answers on this port (our child may still be starting, and will fail to bind).
        await stop()
        throw new Error(
          `port ${port} is answered by another program, not by the Node-RED started here; nothing was deployed`,
        )
      }
    }
    if (Date.now() > deadline) {
      await stop()
      throw new Error(`Node-RED did not start within ${timeoutMs} ms:\n${output.slice(-30).join('\n')}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  return { url, port, child, output, exited, stop, token }
}

/** Throws unless `response` comes from the Node-RED whose instance token is `token`. */
function checkInstance(response, url, token) {
  if (token !== undefined && response.headers.get(INSTANCE_HEADER) !== token) {
    throw new Error(
      `${url} is not the Node-RED started here (its instance token differs); refusing to use it`,
    )
  }
}

/** `GET` an admin API path as JSON; with `token`, only from the Node-RED holding it. */
export async function adminGet(url, path, token) {
  const response = await fetch(`${url}${path}`, { headers: { accept: 'application/json' } })
  checkInstance(response, url, token)
  if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`)
  return response.json()
}

/**
 * Deploys flows through the admin API (`POST /flows`, API v2); nodes may carry `credentials`. With
 * `token`, the Node-RED at `url` is checked to be the one holding it first: flows are never deployed to
 * a Node-RED this process did not start.
 */
export async function deployFlows(url, flows, type = 'full', token) {
  if (token !== undefined) await adminGet(url, '/settings', token)
  const response = await fetch(`${url}/flows`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'Node-RED-API-Version': 'v2',
      'Node-RED-Deployment-Type': type,
    },
    body: JSON.stringify({ flows }),
  })
  if (!response.ok) throw new Error(`POST /flows: ${response.status} ${await response.text()}`)
  return response.json()
}

/** Removes a user dir made by prepareUserDir. */
export function removeUserDir(dir) {
  rmSync(dir, { recursive: true, force: true })
}
