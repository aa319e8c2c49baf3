import type http from 'node:http';

/** Browser tabs of one user; more open streams than this is a leak or an attack, not a use. */
export const MAX_EVENT_STREAMS = 16;
/**
 * Bytes queued for one stream before it is dropped. A tab in the background or a stalled SSH tunnel stops
 * reading while batch events keep coming; queued without a bound they would fill the server's memory.
 * A dropped EventSource reconnects by itself and the UI re-reads the run's state.
 */
export const MAX_QUEUED_BYTES = 4 * 1024 * 1024;

/** The open server-sent-event streams: capped in number, each dropped when its reader falls behind. */
export class EventStreams {
  private readonly streams = new Set<http.ServerResponse>();

  constructor(private readonly limits = { maxStreams: MAX_EVENT_STREAMS, maxQueuedBytes: MAX_QUEUED_BYTES }) {}

  /** Opens `response` as an event stream, or answers 503 when too many are open. */
  open(request: http.IncomingMessage, response: http.ServerResponse): void {
    if (this.streams.size >= this.limits.maxStreams) {
      response.writeHead(503, { 'Content-Type': 'application/json; charset=utf-8', 'Retry-After': '5' }).end(
        JSON.stringify({
          ok: false,
          error: {
            code: 'busy',
            message: `${this.streams.size} event streams are open already (at most ${this.limits.maxStreams}); close other tabs of this app.`,
          },
        }),
      );
      return;
    }
    response.writeHead(200, {
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-cache',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    response.write(': connected\n\n');
    this.streams.add(response);
    request.on('close', () => this.streams.delete(response));
  }

  /** Writes `text` to every stream; a stream whose queue is over the limit is ended instead. */
  broadcast(text: string): void {
    for (const stream of this.streams) {
      if (stream.writableLength + text.length > this.limits.maxQueuedBytes) {
        this.streams.delete(stream);
        stream.destroy();
      } else {
        stream.write(text);
      }
    }
  }

  get size(): number {
    return this.streams.size;
  }
}
