import { InvalidArgumentError } from 'commander'

const DURATION_RE = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }

/**
 * A `--timeout` / `--duration` value in milliseconds: a number of seconds (`90`, `1.5`) or a number with
 * a unit (`500ms`, `30s`, `2m`, `1h`). `0` means no limit.
 *
 * @throws {InvalidArgumentError} saying what a valid duration looks like (the CLI exits 64).
 */
export function parseDuration(value: string): number {
  const match = DURATION_RE.exec(value.trim())
  if (!match) {
    throw new InvalidArgumentError(
      `"${value}" is not a duration: use seconds (90) or a number with ms, s, m or h (500ms, 30s, 2m).`,
    )
  }
  return Math.round(Number(match[1]) * (UNIT_MS[match[2] ?? 's'] ?? 1_000))
}

/** A positive whole number (`--limit`). @throws {InvalidArgumentError} otherwise. */
export function parseCount(value: string): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1) {
    throw new InvalidArgumentError(`"${value}" is not a positive whole number.`)
  }
  return Number(value)
}

/** A simulator seed: a whole number, 0 or more. @throws {InvalidArgumentError} otherwise. */
export function parseSeed(value: string): number {
  if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError(`"${value}" is not a whole number.`)
  return Number(value)
}
