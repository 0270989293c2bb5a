/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The callbacks passed to page.evaluate/waitForFunction run in the browser, hence the DOM types.
import { mkdirSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  createTonSimulator,
  createVenumSimulator,
  type TonSimulator,
  type VenumSimulator,
} from '@chainstream/testkit'
import { type Browser, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { demoFlows, FIREHOSE_DEBUG_NODES } from '../demo/demo-flows.mjs'
import {
  adminGet,
  deployFlows,
  freePort,
  PACKAGE_DIR,
  prepareUserDir,
  type RunningNodeRed,
  removeUserDir,
  startNodeRed,
} from '../demo/node-red-process.mjs'
import { ensureBuilt, RUNTIMES } from './node-red-runtimes.js'

const CHROMIUM = '/usr/bin/chromium'
const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
]

/** The fields each node's edit dialog must show (config nodes use the `node-config-input-` prefix). */
const DIALOG_FIELDS: Record<string, { config: boolean; fields: string[] }> = {
  'chainstream-toncenter': {
    config: true,
    fields: ['name', 'network', 'baseUrl', 'transport', 'apiKey', 'extraApiKeys', 'v3BaseUrl'],
  },
  'chainstream-tonapi': {
    config: true,
    fields: [
      'name',
      'network',
      'baseUrl',
      'transport',
      'apiKey',
      'extraApiKeys',
      'toncenterApiKey',
      'v3BaseUrl',
    ],
  },
  'chainstream-venum': { config: true, fields: ['name', 'baseUrl', 'apiKey', 'maxStreams'] },
  'ton-stream': {
    config: false,
    fields: [
      'name',
      'provider',
      'toncenter',
      'addresses',
      'traceHashes',
      'minFinality',
      'actionTypes',
      'includeAddressBook',
      'includeMetadata',
      'split',
    ],
  },
  'solana-tx-status': { config: false, fields: ['name', 'venum', 'target', 'timeout', 'failuresToCatch'] },
  'tx-lifecycle': {
    config: false,
    fields: ['name', 'tonProvider', 'toncenter', 'venum', 'chain', 'txId', 'target', 'timeout', 'settleOn'],
  },
}

/** One node of each type in the demo flows. */
const SAMPLE_IDS: Record<string, string> = {
  'chainstream-toncenter': 'cs-toncenter',
  'chainstream-tonapi': 'cs-tonapi',
  'chainstream-venum': 'cs-venum',
  'ton-stream': 'cs-ts-stream',
  'solana-tx-status': 'cs-sol-status',
  'tx-lifecycle': 'cs-life',
}

let ton: TonSimulator
let venum: VenumSimulator
let red: RunningNodeRed
let userDir: string
let browser: Browser
let page: Page
const pageErrors: string[] = []

beforeAll(async () => {
  ensureBuilt()
  const runtime = RUNTIMES[0]
  if (!runtime) throw new Error('no Node-RED runtime')
  ton = await createTonSimulator({
    keys: { 'demo-key': { maxConnections: 6 } },
    keepaliveMs: 1_000,
    lingerMs: 0,
    addresses: [
      'UQC9ITh6Qw3yXal6GLUyAxcxthNRnhhYLf8l1kDrcJThKVlV',
      'UQCTZNtKZfayEKsxtEgCJuX91zsSjS_uLNj9V4qt0E283Yqf',
      'UQAizU9zgBhRqeO8csWzm45NsJlWzW2bjNU7TwqaXW2PCHST',
      'UQATHZKfyZxr5wDS2Wa0F_5vDwiAb7G6TnMHZE5eWZ3S4H3E',
    ],
    startUtime: Math.floor(Date.now() / 1000),
  })
  ton.start({ seed: 7, ratePerSecond: 2 })
  venum = await createVenumSimulator({
    lifecycles: { success: 1 },
    timeScale: 10,
    heartbeatIntervalMs: 2_000,
  })
  userDir = prepareUserDir()
  red = await startNodeRed({
    redJs: runtime.redJs,
    userDir,
    port: await freePort(),
    env: {
      CHAINSTREAM_TONCENTER_URL: ton.toncenter.baseUrl,
      CHAINSTREAM_TONAPI_URL: ton.tonapi.baseUrl,
      CHAINSTREAM_TON_V3_URL: ton.toncenter.v3BaseUrl,
      CHAINSTREAM_VENUM_URL: venum.url,
    },
  })
  const flows = demoFlows({
    modes: { toncenter: 'simulator', tonapi: 'simulator', venum: 'simulator' },
    keys: { toncenter: 'demo-key', tonapi: 'demo-key', venum: venum.apiKey },
  })
  // The TonAPI key is left out: the test types it into the dialog.
  for (const node of flows) if (node.id === 'cs-tonapi') delete node.credentials
  await deployFlows(red.url, flows, 'full', red.token)
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS })
  page = await browser.newPage({ viewport: { width: 1680, height: 900 } })
  page.on('pageerror', (error) => pageErrors.push(String(error)))
  // The address the demo prints: the editor opens on the lifecycle tab.
  await page.goto(`${red.url}/#flow/cs-tab-lifecycle`)
  await page.waitForFunction(
    () => {
      const red = (globalThis as unknown as { RED?: { nodes?: { node(id: string): unknown } } }).RED
      return red?.nodes?.node('cs-life') !== undefined && red?.nodes?.node('cs-life') !== null
    },
    undefined,
    { timeout: 30_000 },
  )
}, 90_000)

afterAll(async () => {
  await browser?.close()
  await red?.stop()
  await Promise.all([ton?.stop(), venum?.close()])
  await ton?.close()
  if (userDir) removeUserDir(userDir)
}, 30_000)

describe('the editor in headless Chromium', () => {
  it('shows the nodes in the palette, under chainstream', async () => {
    for (const type of ['ton-stream', 'solana-tx-status', 'tx-lifecycle']) {
      await page.waitForSelector(`.red-ui-palette-node[data-palette-type="${type}"]`, { timeout: 10_000 })
    }
    const registered = await page.evaluate(() => {
      const red = (
        globalThis as unknown as {
          RED: { nodes: { getType(type: string): { category: string } | undefined } }
        }
      ).RED
      return [
        'chainstream-toncenter',
        'chainstream-tonapi',
        'chainstream-venum',
        'ton-stream',
        'solana-tx-status',
        'tx-lifecycle',
      ].map((type) => red.nodes.getType(type)?.category)
    })
    expect(registered).toEqual(['config', 'config', 'config', 'chainstream', 'chainstream', 'chainstream'])
    // Help text for every node is in the page.
    for (const type of Object.keys(DIALOG_FIELDS)) {
      expect(await page.locator(`script[data-help-name="${type}"]`).count()).toBe(1)
    }
  })

  it('opens every edit dialog with its fields, translated from the message catalog', async () => {
    for (const [type, { config, fields }] of Object.entries(DIALOG_FIELDS)) {
      const id = SAMPLE_IDS[type] as string
      await page.evaluate(
        ([nodeId, nodeType, isConfig]) => {
          const red = (
            globalThis as unknown as {
              RED: {
                nodes: { node(id: string): unknown }
                editor: {
                  edit(node: unknown): void
                  editConfig(name: string, type: string, id: string): void
                }
              }
            }
          ).RED
          if (isConfig) red.editor.editConfig('', nodeType as string, nodeId as string)
          else red.editor.edit(red.nodes.node(nodeId as string))
        },
        [id, type, config] as const,
      )
      const prefix = config ? 'node-config-input-' : 'node-input-'
      for (const field of fields) {
        await page.waitForSelector(`#${prefix}${field}`, { state: 'attached', timeout: 10_000 })
      }
      // Labels come from locales/en-US/<type>.json, not raw keys.
      const label = await page.locator(`label[for="${prefix}name"] span`).first().textContent()
      expect(label).toBe('Name')
      if (type === 'ton-stream') {
        const checked = await page.$$eval('.ton-stream-type:checked', (boxes) =>
          boxes.map((box) => (box as HTMLInputElement).value),
        )
        expect(checked).toEqual(['transactions', 'actions'])
      }
      await page.click(config ? '#node-config-dialog-cancel' : '#node-dialog-cancel')
      await page.waitForSelector(`#${prefix}name`, { state: 'detached', timeout: 10_000 })
    }
  })

  it('stores an API key typed into the dialog, and deploys', async () => {
    const before = await adminGet<Record<string, unknown>>(
      red.url,
      '/credentials/chainstream-tonapi/cs-tonapi',
    )
    expect(before.has_apiKey).not.toBe(true)
    await page.evaluate(() => {
      const red = (
        globalThis as unknown as {
          RED: { editor: { editConfig(name: string, type: string, id: string): void } }
        }
      ).RED
      red.editor.editConfig('', 'chainstream-tonapi', 'cs-tonapi')
    })
    await page.fill('#node-config-input-apiKey', 'demo-key')
    await page.click('#node-config-dialog-ok')
    await page.waitForSelector('#node-config-input-apiKey', { state: 'detached' })
    await page.click('#red-ui-header-button-deploy')
    await page.waitForFunction(
      async () => {
        const response = await fetch('credentials/chainstream-tonapi/cs-tonapi')
        return ((await response.json()) as { has_apiKey?: boolean }).has_apiKey === true
      },
      undefined,
      { timeout: 15_000, polling: 250 },
    )
    const after = await adminGet<Record<string, unknown>>(
      red.url,
      '/credentials/chainstream-tonapi/cs-tonapi',
    )
    expect(after).toMatchObject({ has_apiKey: true })
    // A password credential never goes back to the editor.
    expect(JSON.stringify(after)).not.toContain('demo-key')
    // The TonAPI stream now connects with that key.
    await expect
      .poll(
        () => ton.sessions.filter((session) => session.flavour === 'tonapi' && !session.isClosed).length,
        {
          timeout: 10_000,
        },
      )
      .toBe(1)
  })

  it('opens on the lifecycle tab, with the raw TON events kept out of the debug sidebar', async () => {
    const state = await page.evaluate((quiet) => {
      const red = (
        globalThis as unknown as {
          RED: { workspaces: { active(): string }; nodes: { node(id: string): { active?: boolean } } }
        }
      ).RED
      return {
        tab: red.workspaces.active(),
        quiet: quiet.map((id) => red.nodes.node(id).active),
        lifecycle: red.nodes.node('cs-life-debug').active,
      }
    }, FIREHOSE_DEBUG_NODES as string[])
    expect(state.tab).toBe('cs-tab-lifecycle')
    expect(state.quiet).toEqual(FIREHOSE_DEBUG_NODES.map(() => false))
    expect(state.lifecycle).toBe(true)
  })

  it('fits every example tab into a 1280-px-wide editor, palette and sidebar open', async () => {
    await page.setViewportSize({ width: 1280, height: 800 })
    try {
      for (const tab of ['cs-tab-ton-stream', 'cs-tab-solana', 'cs-tab-lifecycle']) {
        await page.evaluate((id) => {
          ;(globalThis as unknown as { RED: { workspaces: { show(id: string): void } } }).RED.workspaces.show(
            id,
          )
        }, tab)
        await page.waitForTimeout(300)
        // Rendered boxes (buttons and labels included) against the visible canvas.
        const fit = await page.evaluate(() => {
          const chart = document.getElementById('red-ui-workspace-chart')?.getBoundingClientRect()
          const nodes = [...document.querySelectorAll('.red-ui-flow-node-group')]
          const right = Math.max(...nodes.map((node) => node.getBoundingClientRect().right))
          const left = Math.min(...nodes.map((node) => node.getBoundingClientRect().left))
          return {
            nodes: nodes.length,
            right,
            left,
            chartLeft: chart?.left ?? 0,
            chartRight: chart?.right ?? 0,
          }
        })
        expect(fit.nodes, tab).toBeGreaterThan(5)
        expect(fit.left, tab).toBeGreaterThanOrEqual(fit.chartLeft)
        expect(fit.right, tab).toBeLessThanOrEqual(fit.chartRight)
      }
    } finally {
      await page.setViewportSize({ width: 1680, height: 900 })
    }
  })

  it('runs the demo flow without a page error, and saves a screenshot of it', async () => {
    // A clean picture: the lifecycle tab, no palette, and only its updates in the debug sidebar (the
    // demo starts with the raw TON events off; the invalidations and the Solana tab's tiers are
    // switched off here through the runtime's debug API).
    for (const id of ['cs-ts-debug-4', 'cs-sol-debug']) {
      const response = await fetch(`${red.url}/debug/${id}/disable`, { method: 'POST' })
      expect(response.ok).toBe(true)
    }
    await page.evaluate(() => {
      const red = (
        globalThis as unknown as {
          RED: {
            workspaces: { show(id: string): void }
            sidebar: { show(id: string): void }
            menu: { setSelected(id: string, on: boolean): void }
          }
        }
      ).RED
      red.workspaces.show('cs-tab-lifecycle')
      red.sidebar.show('debug')
      red.menu.setSelected('menu-item-palette', false)
    })
    await page.click('#red-ui-sidebar-debug-clear')
    await page.mouse.move(600, 700)
    // Both chains' updates in the sidebar, and the deploy notification gone.
    await page.waitForFunction(
      () => {
        const messages = [...document.querySelectorAll('.red-ui-debug-msg')]
        const text = messages.map((element) => element.textContent ?? '').join('\n')
        return text.includes('"ton ') && text.includes('"solana ') && messages.length >= 6
      },
      undefined,
      { timeout: 30_000 },
    )
    await page.waitForSelector('.red-ui-notification', { state: 'detached', timeout: 15_000 }).catch(() => {})
    await page.waitForTimeout(1_500)
    const target =
      process.env.CHAINSTREAM_UPDATE_SCREENSHOT === '1'
        ? join(PACKAGE_DIR, 'docs', 'demo-flow.png')
        : join(mkdtempSync(join(tmpdir(), 'chainstream-editor-')), 'demo-flow.png')
    mkdirSync(join(target, '..'), { recursive: true })
    await page.screenshot({ path: target })
    expect(pageErrors).toEqual([])
  }, 60_000)
})
