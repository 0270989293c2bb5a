/** A list typed into an editor field: separated by commas, spaces or new lines; blanks dropped. */
export function listField(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap((item) => listField(item))
  if (typeof value !== 'string') return []
  return value
    .split(/[\s,]+/)
    .map((part) => part.trim())
    .filter((part) => part !== '')
}

/** A number of seconds from an editor field (strings included), or `fallback`. */
export function secondsField(value: unknown, fallback: number): number {
  const number =
    typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN
  return Number.isFinite(number) && number >= 0 ? number : fallback
}
