import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, connect as tcpConnect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** Debian's nats-server (installed by scripts/install-e2e-deps.sh). */
export const NATS_SERVER = process.env.NATS_SERVER_BIN ?? '/usr/sbin/nats-server'

/** A real nats-server with JetStream on a free loopback port and a temporary store directory. */
export interface NatsServer {
  /** `127.0.0.1:PORT`. */
  readonly url: string
  readonly port: number
  /** Kills it (SIGKILL: no clean shutdown) and starts it again on the same port and store. */
  restart(): Promise<void>
  /** Stops it and removes the store. */
  close(): Promise<void>
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = tcpConnect(port, '127.0.0.1')
      socket.once('connect', () => {
        socket.destroy()
        resolve(true)
      })
      socket.once('error', () => resolve(false))
    })
    if (open) return
    if (Date.now() > until) throw new Error(`nats-server did not listen on ${port} within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** Starts `nats-server -js` on loopback; the test closes it. */
export async function startNatsServer(): Promise<NatsServer> {
  const port = await freePort()
  const store = await mkdtemp(join(tmpdir(), 'chainstream-nats-'))
  let child: ChildProcess | undefined
  const launch = async () => {
    child = spawn(NATS_SERVER, ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', store], {
      stdio: 'ignore',
    })
    await waitForPort(port, 10_000)
  }
  const stop = async (signal: NodeJS.Signals) => {
    const running = child
    child = undefined
    if (!running || running.exitCode !== null) return
    const exited = new Promise((resolve) => running.once('exit', resolve))
    running.kill(signal)
    await exited
  }
  await launch()
  return {
    url: `127.0.0.1:${port}`,
    port,
    async restart() {
      await stop('SIGKILL')
      await launch()
    },
    async close() {
      await stop('SIGTERM')
      await rm(store, { recursive: true, force: true })
    },
  }
}
