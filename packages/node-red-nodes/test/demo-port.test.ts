import { execFile } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  adminGet,
  deployFlows,
  freePort,
  isPortFree,
  PACKAGE_DIR,
  prepareUserDir,
  type RunningNodeRed,
  removeUserDir,
  startNodeRed,
} from '../demo/node-red-process.mjs'
import { ensureBuilt, RUNTIMES } from './node-red-runtimes.js'

const run = promisify(execFile)

/** The user's own Node-RED, with a flow of their own, on the port the demo wants. */
const USER_FLOWS = [
  { id: 'user-tab', type: 'tab', label: 'my flow' },
  { id: 'user-inject', type: 'inject', z: 'user-tab', name: 'mine', x: 120, y: 80, wires: [] },
]

describe('the demo next to a Node-RED it did not start', () => {
  let mine: RunningNodeRed
  let userDir: string
  /** The demo's default port (1880) when this machine has it free, else one the test hands it as PORT. */
  let port: number
  let env: NodeJS.ProcessEnv
  let flowsBefore: unknown
  let fileBefore: string

  beforeAll(async () => {
    ensureBuilt()
    const runtime = RUNTIMES[0]
    if (!runtime) throw new Error('no Node-RED runtime')
    env = { ...process.env }
    for (const key of ['TONCENTER_API_KEY', 'TONAPI_API_KEY', 'VENUM_API_KEY', 'PORT']) delete env[key]
    port = 1880
    if (!(await isPortFree(port))) {
      // Something else holds 1880 here (another test run): the same situation on a port of our own,
      // made the demo's default through PORT.
      port = await freePort()
      env.PORT = String(port)
    }
    userDir = prepareUserDir()
    writeFileSync(join(userDir, 'flows.json'), `${JSON.stringify(USER_FLOWS)}\n`)
    mine = await startNodeRed({ redJs: runtime.redJs, userDir, port })
    flowsBefore = await adminGet(mine.url, '/flows')
    fileBefore = readFileSync(join(userDir, 'flows.json'), 'utf8')
  }, 90_000)

  afterAll(async () => {
    await mine?.stop()
    if (userDir) removeUserDir(userDir)
  })

  const expectUntouched = async () => {
    expect(await adminGet(mine.url, '/flows')).toEqual(flowsBefore)
    expect(readFileSync(join(userDir, 'flows.json'), 'utf8')).toBe(fileBefore)
    expect(mine.child.exitCode).toBeNull()
  }

  it('starts its own Node-RED on a free port, runs there, and leaves the other flows untouched', async () => {
    const { stdout } = await run(process.execPath, [join(PACKAGE_DIR, 'demo', 'start.mjs'), '--smoke'], {
      env,
      timeout: 100_000,
    })
    expect(stdout).toContain(`port ${port} is in use (another Node-RED?) — leaving it alone, using port `)
    const used = Number(/editor: http:\/\/127\.0\.0\.1:(\d+)\//.exec(stdout)?.[1])
    expect(used).toBeGreaterThan(0)
    expect(used).not.toBe(port)
    expect(stdout).toContain('smoke: TON and Solana lifecycles seen')
    await expectUntouched()
  }, 110_000)

  it('with --port on the taken port, stops before starting anything, naming the port', async () => {
    const failed = await run(
      process.execPath,
      [join(PACKAGE_DIR, 'demo', 'start.mjs'), '--smoke', '--port', String(port)],
      { env, timeout: 30_000 },
    ).then(
      () => undefined,
      (error: { code: number; stdout: string }) => error,
    )
    expect(failed?.code).toBe(1)
    const lines = failed?.stdout.trim().split('\n') ?? []
    expect(lines).toEqual([
      `chainstream demo: port ${port} is in use (another Node-RED?) — nothing was started or deployed; stop what listens there or pick another --port`,
    ])
    await expectUntouched()
  }, 40_000)

  it('never deploys to a Node-RED that does not answer with its own instance token', async () => {
    // The race the port check cannot close: the port is taken after the check. Our child cannot bind,
    // and the one answering is not ours — startNodeRed must refuse rather than take it for its own.
    const runtime = RUNTIMES[0]!
    const otherDir = prepareUserDir()
    try {
      const error = await startNodeRed({ redJs: runtime.redJs, userDir: otherDir, port }).then(
        (red) => red.stop().then(() => undefined),
        (e: unknown) => e,
      )
      expect(String(error)).toMatch(new RegExp(`port ${port} is (in use|answered by another program)`))
      // And a deploy given our token refuses a Node-RED holding another one.
      const refused = await deployFlows(mine.url, [], 'full', 'not-its-token').then(
        () => undefined,
        (e: unknown) => e,
      )
      expect(String(refused)).toContain('is not the Node-RED started here')
    } finally {
      removeUserDir(otherDir)
    }
    await expectUntouched()
  }, 90_000)
})
