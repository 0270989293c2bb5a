import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { venumSignature } from '@chainstream/testkit'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startWebExample, type WebExample } from '../../../examples/web/server.mjs'
import { sourcesPlugin } from './helpers/bundle.js'
import { launchChromium } from './helpers/chromium.js'

const SCREENSHOT = fileURLToPath(new URL('../../../examples/web/screenshot.png', import.meta.url))

/** `pnpm web`'s page in Chromium: timelines that reach `finalized`, and the form that starts one. */
describe('the web example (live lifecycle page)', () => {
  let example: WebExample
  let browser: Browser
  let page: Page

  beforeAll(async () => {
    example = await startWebExample({ plugins: [sourcesPlugin([])] })
    browser = await launchChromium()
  }, 60_000)
  afterAll(async () => {
    await browser?.close()
    await example?.close()
  })

  it('draws live timelines to finalized and tracks what the form asks for', async () => {
    page = await browser.newPage({ viewport: { width: 1280, height: 860 } })
    const pageErrors: string[] = []
    page.on('pageerror', (error) => pageErrors.push(String(error)))
    await page.goto(example.url)

    // A TON trace tracked from the live stream reaches finalized, each tier with its time.
    const tonFinal = page.locator('.timeline[data-chain="ton"][data-terminal="finalized"]').first()
    await tonFinal.waitFor({ timeout: 45_000 })
    expect(await tonFinal.getAttribute('data-outcome')).toMatch(/success|failure/)
    const tonTiers = tonFinal.locator('.tier.reached')
    expect(await tonTiers.count()).toBeGreaterThanOrEqual(2)
    expect(await tonFinal.locator('.tier[data-tier="finalized"] time').textContent()).toMatch(/^\+\d+\.\d s$/)

    // The form: a Solana signature, tracked to finalized.
    const signature = venumSignature(4242, 7)
    await page.selectOption('#track-chain', 'solana')
    await page.fill('#track-id', signature)
    await page.click('button[type="submit"]')
    const solana = page.locator(`.timeline[data-id="${signature}"]`)
    await solana.waitFor({ timeout: 5_000 })
    await page
      .locator(`.timeline[data-id="${signature}"][data-terminal="finalized"]`)
      .waitFor({ timeout: 30_000 })
    expect(await solana.getAttribute('data-outcome')).toBe('success')
    for (const tier of ['confirmed', 'finalized']) {
      expect(await solana.locator(`.tier[data-tier="${tier}"]`).getAttribute('class')).toContain('reached')
    }

    // A bad id is refused with the tracker's own message, before anything is sent.
    await page.selectOption('#track-chain', 'ton')
    await page.fill('#track-id', 'not-a-trace')
    await page.click('button[type="submit"]')
    await expect.poll(() => page.locator('#form-error').textContent()).toMatch(/Invalid TON trace id/)

    // The README's picture (rewritten only when asked, so a test run leaves the tree as it was).
    const target =
      process.env.CHAINSTREAM_UPDATE_SCREENSHOT === '1'
        ? SCREENSHOT
        : join(mkdtempSync(join(tmpdir(), 'chainstream-web-')), 'screenshot.png')
    await page.fill('#track-id', '')
    await page.locator('#form-error').evaluate((output) => {
      ;(output as HTMLOutputElement).value = ''
    })
    await page.screenshot({ path: target })
    expect(pageErrors).toEqual([])
  }, 90_000)
})
