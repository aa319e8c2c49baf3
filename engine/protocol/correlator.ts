import { fromResult, type EngineResult } from './errors';

/**
 * Matches answers to requests across a message channel (a child process, a utility process, a worker thread,
 * a GPU window): each request gets an id, the answer carrying that id settles its promise, and when the other
 * side goes away every open request is settled at once. The one correlator of the engine's channels, so that
 * none of them keeps its own map of ids.
 */
export class Correlator<T = unknown> {
  private next = 1;
  private readonly waiting = new Map<number, { resolve: (value: T) => void; reject: (error: Error) => void }>();

  /** Sends a request with `send(id)` (a new id, or `id` where the caller numbers it) and waits for its answer. */
  ask<R extends T = T>(send: (id: number) => void, id = this.next++): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (value: T) => void, reject });
      try {
        send(id);
      } catch (error) {
        this.waiting.delete(id);
        reject(error as Error);
      }
    });
  }

  /** Settles request `id` with `value`; an answer to no open request (late, or twice) is dropped. */
  answer(id: number, value: T): void {
    const open = this.waiting.get(id);
    this.waiting.delete(id);
    open?.resolve(value);
  }

  /** Fails request `id`. */
  fail(id: number, error: Error): void {
    const open = this.waiting.get(id);
    this.waiting.delete(id);
    open?.reject(error);
  }

  /** Settles every open request with `value` (a channel whose answers are data, errors included). */
  answerAll(value: T): void {
    const open = [...this.waiting.values()];
    this.waiting.clear();
    open.forEach(({ resolve }) => resolve(value));
  }

  /** Fails every open request (the other side has gone away). */
  failAll(error: Error): void {
    const open = [...this.waiting.values()];
    this.waiting.clear();
    open.forEach(({ reject }) => reject(error));
  }

  /** Forgets every open request without settling it (the channel is being closed on purpose). */
  forget(): void {
    this.waiting.clear();
  }

  /** Requests sent and not yet answered. */
  get openCount(): number {
    return this.waiting.size;
  }
}

/** Settles request `id` with an engine call's result: its value, or its error thrown again as an AppError. */
export function settleEngineResult(calls: Correlator, id: number, result: EngineResult<unknown>): void {
  try {
    calls.answer(id, fromResult(result));
  } catch (error) {
    calls.fail(id, error as Error);
  }
}
