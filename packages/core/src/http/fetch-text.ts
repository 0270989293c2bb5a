import type { FetchLike } from '../sse/sse-transport-types.js'

/** One HTTP request whose body is read whole as text. */
export interface HttpTextRequest {
  method: 'GET' | 'POST'
  headers: Record<string, string>
  body?: string
  signal: AbortSignal
}

/** The answer to an {@link HttpTextRequest}. */
export interface HttpTextResponse {
  status: number
  text: string
  header(name: string): string | undefined
}

/** Sends `init` with a `fetch` (the platform's or a caller's) and reads the body as text. */
export async function fetchText(
  fetchFn: FetchLike,
  url: string,
  init: HttpTextRequest,
): Promise<HttpTextResponse> {
  const response = await fetchFn(url, {
    method: init.method,
    headers: init.headers,
    signal: init.signal,
    ...(init.body !== undefined ? { body: init.body } : {}),
  })
  const text = await response.text()
  return { status: response.status, text, header: (name) => response.headers.get(name) ?? undefined }
}
