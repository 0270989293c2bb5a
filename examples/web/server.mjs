// The web example's server: the TON and Venum simulators (no key, no internet), and the page on its own
// origin — index.html, style.css and app.js, bundled for the browser by esbuild from the packages as an
// app would import them (their `browser` export conditions pick the global fetch and WebSocket).
import { readFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import { fileURLToPath } from 'node:url'
import { createTonSimulator, createVenumSimulator } from '@chainstream/testkit'
import { build } from 'esbuild'

const here = (name) => fileURLToPath(new URL(name, import.meta.url))
// The simulators accept any TON key; the page sends it as `?api_key=`, as browsers must.
const TON_KEY = 'web-demo-key'

/**
 * Starts everything and resolves with the page's URL and the simulators.
 * @param {{ port?: number, host?: string, plugins?: import('esbuild').Plugin[], autoTrack?: number }} options
 *   `plugins` lets a test bundle the packages from their sources.
 */
export async function startWebExample(options = {}) {
  const host = options.host ?? '127.0.0.1'
  const ton = await createTonSimulator({
    host,
    // A reloaded page opens new connections before the old ones are gone: no limit and no lingering.
    keys: { [TON_KEY]: { maxConnections: -1 } },
    lingerMs: 0,
    wsLingerMs: 0,
    keepaliveMs: 10_000,
  })
  // One trace every two seconds, each stage one to three ticks apart: slow enough to watch, and about one
  // in ten invalidated after pending or confirmed.
  ton.start({ ratePerSecond: 0.5 })
  // Any signature the simulator has not seen plays a successful lifecycle, finalized after about 6 s.
  const venum = await createVenumSimulator({ host, timeScale: 30, heartbeatIntervalMs: 10_000 })

  const bundle = await build({
    entryPoints: [here('./src/app.ts')],
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    minify: true,
    sourcemap: 'inline',
    logLevel: 'silent',
    plugins: options.plugins ?? [],
  })
  const files = {
    '/': { type: 'text/html; charset=utf-8', body: await readFile(here('./index.html')) },
    '/style.css': { type: 'text/css; charset=utf-8', body: await readFile(here('./style.css')) },
    '/app.js': { type: 'text/javascript; charset=utf-8', body: bundle.outputFiles[0].contents },
    '/config.json': {
      type: 'application/json',
      body: JSON.stringify({
        ton: ton.toncenter.baseUrl,
        tonKey: TON_KEY,
        venum: venum.url,
        venumKey: venum.apiKey,
        wallets: ton.addresses,
        autoTrack: options.autoTrack ?? 3,
      }),
    },
  }
  const server = createServer((request, response) => {
    const file = files[new URL(request.url ?? '/', 'http://page.invalid').pathname]
    if (!file) return void response.writeHead(404).end('not found')
    response.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-store' }).end(file.body)
  })
  await new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, resolve)
  })
  const { port } = server.address()
  return {
    url: `http://${host}:${port}`,
    ton,
    venum,
    close: async () => {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
      await ton.stop()
      await ton.close()
      await venum.close()
    },
  }
}
