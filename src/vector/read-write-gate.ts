/**
 * Keeps a namespace's memory unchanged while scan threads read it: reads (scans that await the
 * threads) run together; a write runs once none is in flight, and reads that arrive while a
 * write waits queue behind it, so a stream of queries cannot starve writes.
 *
 * Writes are synchronous functions (a commit to storage and its apply in memory): with no read
 * in flight one runs at once, in the caller's turn, exactly as without a gate.
 */
export class ReadWriteGate {
  private readsInFlight = 0;
  private readonly waitingWrites: (() => void)[] = [];
  private readonly waitingReads: (() => void)[] = [];

  /** Runs `read` while no write can run; it starts after any write already waiting. */
  async read<T>(read: () => Promise<T>): Promise<T> {
    if (this.waitingWrites.length > 0) await new Promise<void>((resolve) => this.waitingReads.push(resolve));
    this.readsInFlight++;
    try {
      return await read();
    } finally {
      if (--this.readsInFlight === 0) this.drain();
    }
  }

  /** Runs `write` at once when no read is in flight, else when the last one ends. */
  write<T>(write: () => T): T | Promise<T> {
    if (this.readsInFlight === 0 && this.waitingWrites.length === 0) return write();
    return new Promise<T>((resolve, reject) => {
      this.waitingWrites.push(() => {
        try {
          resolve(write());
        } catch (err) {
          reject(err);
        }
      });
    });
  }

  /** Runs every waiting write, in order, then lets the waiting reads in. */
  private drain(): void {
    for (let write = this.waitingWrites.shift(); write; write = this.waitingWrites.shift()) write();
    for (let read = this.waitingReads.shift(); read; read = this.waitingReads.shift()) read();
  }
}
