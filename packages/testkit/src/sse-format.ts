/** One Server-Sent Event to write. */
export interface SseEventInit {
  /** The `event:` field; omitted when undefined. */
  event?: string
  /** The payload: a string is sent as is (each line becomes a `data:` line), anything else as JSON. */
  data: unknown
  /** The `id:` field. */
  id?: string
  /** The `retry:` field, in milliseconds. */
  retry?: number
}

/** Formats one event in the `text/event-stream` format, ending with the blank line that dispatches it. */
export function formatSseEvent(init: SseEventInit): string {
  let out = ''
  if (init.event !== undefined) out += `event: ${init.event}\n`
  if (init.id !== undefined) out += `id: ${init.id}\n`
  if (init.retry !== undefined) out += `retry: ${init.retry}\n`
  const text = typeof init.data === 'string' ? init.data : (JSON.stringify(init.data) ?? '')
  for (const line of text.split(/\r\n|\r|\n/)) out += `data: ${line}\n`
  return out + '\n'
}
