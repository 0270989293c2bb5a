import type { ServerResponse } from 'node:http'
import { formatSseEvent } from '../sse-format.js'

/**
 * The few writes a simulated Venum stream makes, straight on the response. (The scripted connection of
 * `createSseServer` adds a listener per request to the socket, which piles up on kept-alive sockets that
 * carry request after request, as a Venum client's do.)
 */
export class SseWriter {
  constructor(private readonly res: ServerResponse) {}

  get isClosed(): boolean {
    return this.res.destroyed || this.res.writableEnded
  }

  /** Sends 200 with `text/event-stream` and flushes the headers. */
  open(): void {
    if (this.isClosed) return
    this.res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
    this.res.flushHeaders()
  }

  event(event: string, data: unknown): void {
    if (!this.isClosed) this.res.write(formatSseEvent({ event, data }))
  }

  /** Ends the response cleanly (the stream closing itself). */
  end(): void {
    if (!this.isClosed) this.res.end()
  }

  /** Destroys the socket abruptly, after what was written so far has reached it. */
  drop(): void {
    if (this.res.destroyed) return
    this.res.write('', () => this.res.socket?.destroy())
  }

  /** Destroys the socket at once. */
  destroy(): void {
    this.res.socket?.destroy()
  }
}
