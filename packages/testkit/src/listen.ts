import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/** Starts `server` on an ephemeral port of `host` and returns its base URL (`http://127.0.0.1:PORT`). */
export function listen(server: Server, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, host, () => {
      server.off('error', reject)
      const { port } = server.address() as AddressInfo
      // IPv6 literals need brackets inside a URL.
      const hostPart = host.includes(':') ? `[${host}]` : host
      resolve(`http://${hostPart}:${port}`)
    })
  })
}
