// Starts a real Node-RED (the `node-red` CLI, any version) with its own user dir and settings, with
// @chainstream/node-red linked into it from the workspace, and talks to its admin API. Used by the demo
// and by the end-to-end tests (Node-RED 4 on Node 20, Node-RED 5 on Node 24).
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
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
  writeFileSync(
    join(dir, 'settings.js'),
    `module.exports = ${JSON.stringify({ ...base, ...settings }, null, 2)}\n`,
  )
  return dir
}

/**
 * Starts Node-RED and resolves once its admin API answers.
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
      throw new Error(
        `Node-RED exited (${child.exitCode}) before it started:\n${output.slice(-30).join('\n')}`,
      )
    }
    try {
      const response = await fetch(`${url}/settings`)
      if (response.ok) break
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await stop()
      throw new Error(`Node-RED did not start within ${timeoutMs} ms:\n${output.slice(-30).join('\n')}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  return { url, port, child, output, exited, stop }
}

/** `GET` an admin API path as JSON. */
export async function adminGet(url, path) {
  const response = await fetch(`${url}${path}`, { headers: { accept: 'application/json' } })
  if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`)
  return response.json()
}

/** Deploys flows through the admin API (`POST /flows`, API v2); nodes may carry `credentials`. */
export async function deployFlows(url, flows, type = 'full') {
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
