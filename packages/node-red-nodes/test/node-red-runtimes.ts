import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { PACKAGE_DIR } from '../demo/node-red-process.mjs'

const requireHere = createRequire(__filename)

/** Where scripts/install-e2e-deps.sh puts Node 24 and Node-RED 5. */
export const E2E_CACHE = join(PACKAGE_DIR, '.e2e-cache')

/** A Node-RED to run the package in. */
export interface NodeRedRuntime {
  readonly label: string
  /** The Node binary. */
  readonly node: string
  readonly redJs: string
  readonly expectedMajor: number
}

/** Node-RED 4.1 on this Node (20), and Node-RED 5 on Node 24 from the e2e cache. */
export const RUNTIMES: readonly NodeRedRuntime[] = [
  {
    label: 'Node-RED 4.1 on Node 20',
    node: process.execPath,
    redJs: requireHere.resolve('node-red/red.js'),
    expectedMajor: 4,
  },
  {
    label: 'Node-RED 5 on Node 24',
    node: join(E2E_CACHE, 'node24', 'node_modules', '.bin', 'node'),
    redJs: join(E2E_CACHE, 'node-red-5', 'node_modules', 'node-red', 'red.js'),
    expectedMajor: 5,
  },
]

/** Fails with what to run when a runtime is missing (the tests never skip: CI installs them). */
export function assertInstalled(runtime: NodeRedRuntime): void {
  for (const path of [runtime.node, runtime.redJs]) {
    if (!existsSync(path)) {
      throw new Error(`${runtime.label}: ${path} is missing — run scripts/install-e2e-deps.sh (CI does)`)
    }
  }
}

/**
 * Makes sure Node-RED loads current code: builds this package when its dist is missing or older than
 * its sources. Test files run in parallel, so one builds while the others wait on a lock directory
 * (tsup cleans dist first: nobody may load it meanwhile). The provider packages it requires must be
 * built already (`pnpm build`).
 */
export function ensureBuilt(): void {
  const lock = join(PACKAGE_DIR, 'dist.build-lock')
  const deadline = Date.now() + 120_000
  for (;;) {
    try {
      mkdirSync(lock)
      break
    } catch {
      if (Date.now() > deadline) throw new Error(`${lock} is held for too long: remove it if no build runs`)
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100)
    }
  }
  try {
    if (isStale()) execFileSync('pnpm', ['run', 'build'], { cwd: PACKAGE_DIR, stdio: 'ignore' })
  } finally {
    rmSync(lock, { recursive: true, force: true })
  }
  for (const dependency of ['core', 'provider-toncenter', 'provider-tonapi', 'provider-venum-solana']) {
    if (!existsSync(join(PACKAGE_DIR, '..', dependency, 'dist', 'index.cjs'))) {
      throw new Error(`@chainstream/${dependency} is not built: run pnpm build first`)
    }
  }
}

function isStale(): boolean {
  const built = join(PACKAGE_DIR, 'dist', 'tx-lifecycle.js')
  if (!existsSync(built)) return true
  const newest = readdirSync(join(PACKAGE_DIR, 'src'), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && !entry.name.endsWith('.test.ts'))
    .map((entry) => statSync(join(entry.parentPath, entry.name)).mtimeMs)
    .reduce((a, b) => Math.max(a, b), 0)
  return statSync(built).mtimeMs < newest
}
