/**
 * The memory-bandwidth peer of the scan benchmarks: `threads` threads each read a disjoint share
 * of a shared WebAssembly memory with 128-bit loads and nothing else (four independent add
 * chains, as the scan kernel has), so the figure is what the machine's memory system delivers
 * to that many cores, measured in the same run as the scans it is compared with.
 */
import { startWorker } from '../../src/util/worker.js';
import type { KernelMemory } from '../../src/vector/exact/kernel-loader.js';
import type { Worker } from 'node:worker_threads';

export class ReadBandwidth {
  private readonly workers: Worker[];

  constructor(readonly threads: number) {
    this.workers = Array.from({ length: threads }, () => startWorker(new URL('./read-bandwidth-worker.js', import.meta.url)));
  }

  /** Milliseconds for the threads to read bytes [start, end) of `memory` once, split evenly. */
  async readOnce(memory: KernelMemory, start: number, end: number): Promise<number> {
    const share = Math.ceil((end - start) / this.threads / 64) * 64;
    const began = performance.now();
    await Promise.all(
      this.workers.map(
        (worker, i) =>
          new Promise<void>((resolve) => {
            worker.once('message', () => resolve());
            const from = start + i * share;
            worker.postMessage({ memory, start: from, end: Math.min(end, from + share) });
          }),
      ),
    );
    return performance.now() - began;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }
}
