import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/** A loopback HTTP server answering each path with fixed content: the page's own origin. */
export interface StaticServer {
  readonly url: string
  close(): Promise<void>
}

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  png: 'image/png',
}

/** Serves `files` (path → content) on 127.0.0.1; the type comes from the extension (`/` is HTML). */
export async function serveStatic(files: Record<string, string | Uint8Array>): Promise<StaticServer> {
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://page.invalid').pathname
    const body = files[path]
    if (body === undefined) {
      response.writeHead(404).end('not found')
      return
    }
    const extension = path === '/' ? 'html' : (path.split('.').pop() ?? '')
    response.writeHead(200, { 'content-type': TYPES[extension] ?? 'application/octet-stream' }).end(body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
