/**
 * Where face jobs wait for a free runner (a worker thread, or the calling thread). Two rules:
 *
 * - Lanes, served round-robin: a lane groups the jobs of one caller request, so a 10,000-image
 *   batch does not hold back a single verify that arrives after it.
 * - A budget of bytes, not of jobs: waiting costs only the memory of the images held, so 10,000
 *   small images wait happily while a flood of large ones is refused with FV_ERR_OVERLOADED
 *   instead of exhausting the process's memory.
 */
import { fvError } from '../../errors.js';

/** A lane groups the jobs of one caller request; any object (or symbol) identifies it. */
export type Lane = object | symbol;

/** Default byte budget of the jobs waiting in one pipeline: 10,000 images of 50 KB. */
export const DEFAULT_MAX_QUEUED_BYTES = 512 * 1024 * 1024;

/** @throws FV_ERR_INVALID_ARGUMENT unless `maxBytes` is a positive number (Infinity turns the budget off). */
export function checkMaxQueuedBytes(maxBytes: number): void {
  if (!(maxBytes > 0)) throw fvError('FV_ERR_INVALID_ARGUMENT', `maxQueuedBytes must be a positive number, got ${maxBytes}`, { field: 'maxQueuedBytes', value: maxBytes });
}

interface Waiting<T> {
  readonly item: T;
  readonly bytes: number;
}

export class JobQueue<T> {
  private readonly lanes = new Map<Lane, Waiting<T>[]>();
  private readonly order: Lane[] = [];
  private bytes = 0;

  /** @throws FV_ERR_INVALID_ARGUMENT unless `maxBytes` is a positive number. */
  constructor(private readonly maxBytes: number = DEFAULT_MAX_QUEUED_BYTES) {
    checkMaxQueuedBytes(maxBytes);
  }

  /** Bytes of the jobs waiting now. */
  get queuedBytes(): number {
    return this.bytes;
  }

  /**
   * Queues `item` at the end of `lane`; `bytes` is the memory it holds while it waits.
   * @throws FV_ERR_OVERLOADED when it would take the waiting jobs over the byte budget.
   */
  push(lane: Lane, item: T, bytes: number): void {
    if (this.bytes + bytes > this.maxBytes) {
      throw fvError('FV_ERR_OVERLOADED', `The face pipeline has ${this.bytes} bytes of images waiting; ${bytes} more would pass its limit of ${this.maxBytes} (maxQueuedBytes). Retry when some have finished.`, {
        queuedBytes: this.bytes,
        bytes,
        maxQueuedBytes: this.maxBytes,
      });
    }
    this.bytes += bytes;
    const queue = this.lanes.get(lane);
    if (queue) queue.push({ item, bytes });
    else {
      this.lanes.set(lane, [{ item, bytes }]);
      this.order.push(lane);
    }
  }

  /** The next item, round-robin over lanes; undefined when none waits. */
  take(): T | undefined {
    const lane = this.order.shift();
    if (lane === undefined) return undefined;
    const queue = this.lanes.get(lane)!;
    const { item, bytes } = queue.shift()!;
    if (queue.length > 0) this.order.push(lane);
    else this.lanes.delete(lane);
    this.bytes -= bytes;
    return item;
  }

  /** Empties the queue and returns what waited, in no particular order. */
  drain(): T[] {
    const items = [...this.lanes.values()].flatMap((queue) => queue.map((waiting) => waiting.item));
    this.lanes.clear();
    this.order.length = 0;
    this.bytes = 0;
    return items;
  }
}
