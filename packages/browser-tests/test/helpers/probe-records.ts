import type { Page } from 'playwright-core'
import type { ProbeCommand, ProbeRecord } from '../fixtures/probe.js'

/** The records the page (or its worker) has sent so far. */
export function readRecords(page: Page): Promise<ProbeRecord[]> {
  return page.evaluate(() => (window as unknown as { probe: { records: ProbeRecord[] } }).probe.records)
}

/** Sends a command to the probe (the page forwards it to its worker in worker mode). */
export function sendCommand(page: Page, command: ProbeCommand): Promise<void> {
  return page.evaluate(
    (c) => (window as unknown as { probe: { command(c: ProbeCommand): void } }).probe.command(c),
    command,
  )
}

/**
 * Polls the records until `predicate` holds; on a timeout, fails with what was recorded so the report
 * says what the browser saw.
 */
export async function waitForRecords(
  page: Page,
  what: string,
  predicate: (records: ProbeRecord[]) => boolean,
  timeoutMs = 15_000,
): Promise<ProbeRecord[]> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const records = await readRecords(page)
    if (predicate(records)) return records
    if (Date.now() > deadline) {
      throw new Error(
        `timed out waiting for ${what}; the browser recorded:\n${JSON.stringify(records, null, 1)}`,
      )
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
