/**
 * A long id (hash, signature, raw address) cut for a human line: the head and the tail, which is what
 * people compare by eye. Machine output (`--json`) always carries the full value.
 */
export function shortId(value: string, head = 8, tail = 4): string {
  return value.length <= head + tail + 1 ? value : `${value.slice(0, head)}…${value.slice(-tail)}`
}

/** A wall-clock time of day with milliseconds (`14:03:07.412`), local time, for event lines. */
export function clock(at: number): string {
  const date = new Date(at)
  const pad = (n: number, width = 2) => String(n).padStart(width, '0')
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`
}

/** Milliseconds as seconds for people (`+1.23s`). */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)}s`
}
