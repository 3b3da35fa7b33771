/**
 * The process's scan threads: exact scans of large namespaces run here, split into one share of
 * the rows per thread, so the main thread only merges a few top-k lists and stays free to serve
 * other requests (issue 12: a 1M × 512 scan held the event loop for 71-96 ms).
 *
 * The threads read the slab's shared memory in place: nothing is copied but the query and the
 * results. A slab is attached to every thread on its first parallel scan and detached when its
 * namespace releases it (or it is collected). The threads start with the first attached slab and
 * end with the last detached one. The caller keeps the slab unchanged until the scan settles
 * (the namespace's gate holds writes meanwhile).
 */
import type { Worker } from 'node:worker_threads';
import { fvError } from '../../errors.js';
import { startWorker } from '../../util/worker.js';
import type { Metric } from '../types.js';
import { scoresOf, type ExactSearchOptions, type ExactSearchResult } from './scan.js';
import type { FromScanThread, ScanPart, ToScanThread } from './scan-protocol.js';
import { SCAN_BLOCK_ROWS, SCAN_THREADS } from './slab-layout.js';
import type { VectorSlab } from './slab.js';
import { TopKSelector } from './top-k.js';

/**
 * Bytes of rows a scan must cover before it goes to the scan threads; below, one thread scans it
 * faster than a round trip to the threads costs. Measured on 2 cores (bench/parallel-scan.ts,
 * 128-d): the threads take 1.54× the in-thread time at 4 MB, 1.22× at 8 MB, 1.00× at 16 MB,
 * 0.90× at 51 MB, 0.60× at 2 GB; an in-thread scan of 16 MB holds the event loop ~0.4 ms.
 * FACEVAULT_PARALLEL_SCAN_MIN_BYTES overrides it ("Infinity": every scan on the calling thread).
 */
export const PARALLEL_SCAN_MIN_BYTES = parallelScanMinBytes(process.env.FACEVAULT_PARALLEL_SCAN_MIN_BYTES);

function parallelScanMinBytes(setting: string | undefined): number {
  const asked = setting === undefined || setting === '' ? Number.NaN : Number(setting);
  return asked >= 0 ? asked : 16 * 1024 * 1024;
}

/**
 * While the main thread is busy (BUSY_UTILIZATION), scans from this many bytes of rows go to the
 * threads too: a scan there costs the main thread a message and a merge (~0.03 ms) instead of the
 * scan itself (0.15 ms at 4 MB), and a busy main thread is what every other request waits on.
 * Under the steady-state mixed load, in-thread scans of a 10 MB namespace took 15 % of the main
 * thread (bench/load.ts --overwrite, profiled).
 */
const BUSY_PARALLEL_MIN_BYTES = Number.isFinite(PARALLEL_SCAN_MIN_BYTES) ? Math.min(2 * 1024 * 1024, PARALLEL_SCAN_MIN_BYTES) : Infinity;
/** Share of the last BUSY_WINDOW_MS the event loop spent running code, from which it counts as busy. */
const BUSY_UTILIZATION = 0.5;
const BUSY_WINDOW_MS = 200;

/**
 * Scans waiting or running at most; past it, a search fails with FV_ERR_OVERLOADED (503 and
 * Retry-After on the server) instead of queueing without bound.
 */
export const MAX_QUEUED_SCANS = 256;

interface PendingPart {
  settle(result: { slots: Uint32Array; keys: Float64Array } | Error): void;
}

export class ScanPool {
  private static instance: ScanPool | undefined;
  private workers: Worker[] = [];
  private readonly slabIds = new WeakMap<VectorSlab, number>();
  private readonly attached = new Map<number, VectorSlab['memory']>();
  private readonly parts = new Map<number, PendingPart>();
  private readonly released = new FinalizationRegistry<number>((id) => this.detachId(id));
  private nextSlab = 1;
  private nextJob = 1;
  private queuedScans = 0;
  // Merges run synchronously once every part is in: one selector serves them all.
  private readonly merger = new TopKSelector();

  /** The scan pool of this process. */
  static shared(): ScanPool {
    ScanPool.instance ??= new ScanPool();
    return ScanPool.instance;
  }

  /** Scan threads running now: SCAN_THREADS while any slab is attached, else 0. */
  get threadCount(): number {
    return this.workers.length;
  }

  /**
   * Whether a scan of `rows` rows of this slab is worth sending to the threads: from
   * PARALLEL_SCAN_MIN_BYTES always (it is faster there), from BUSY_PARALLEL_MIN_BYTES while the
   * main thread is busy (it frees the main thread).
   */
  static worthIt(slab: VectorSlab, rows: number): boolean {
    const bytes = rows * slab.layout.rowBytes;
    return bytes >= PARALLEL_SCAN_MIN_BYTES || (bytes >= BUSY_PARALLEL_MIN_BYTES && mainThreadBusy());
  }

  /**
   * `searchExact`'s answer, computed by the scan threads: the same slots, scores and order.
   * @throws FV_ERR_OVERLOADED when MAX_QUEUED_SCANS scans are already waiting; FV_ERR_INTERNAL when a thread fails.
   */
  async search(slab: VectorSlab, query: Float32Array, k: number, metric: Metric, options: ExactSearchOptions = {}): Promise<ExactSearchResult> {
    const { candidates, tieBreak } = options;
    const total = candidates ? candidates.length : slab.highWater;
    if (k < 1 || total === 0 || slab.liveCount === 0) return { slots: new Uint32Array(0), scores: new Float32Array(0) };
    if (this.queuedScans >= MAX_QUEUED_SCANS) {
      throw fvError('FV_ERR_OVERLOADED', `${this.queuedScans} exact scans are queued for the scan threads; retry shortly`, { queuedScans: this.queuedScans });
    }
    if (candidates) slab.checkCandidates(candidates);
    const { kind, queryScale } = slab.prepare(query, metric);
    const slabId = this.attach(slab);
    const share = Math.ceil(total / this.workers.length / SCAN_BLOCK_ROWS) * SCAN_BLOCK_ROWS;
    const answers: Promise<{ slots: Uint32Array; keys: Float64Array }>[] = [];
    this.holdProcess(+1);
    try {
      for (let thread = 0, first = 0; first < total; thread++, first += share) {
        const count = Math.min(share, total - first);
        answers.push(
          this.sendPart(thread, {
            type: 'scan', job: 0, slab: slabId, layout: slab.layout, region: slab.threadRegion(thread), dimension: slab.dimension,
            kind, queryScale, query: query.slice(0, slab.dimension), k,
            // A thread takes its own slice of the candidates (a copy), numbered from 0.
            ...(candidates ? { first: 0, count, candidates: candidates.slice(first, first + count) } : { first, count }),
          }),
        );
      }
      const parts = await Promise.all(answers);
      this.merger.reset(k, tieBreak);
      for (const { slots, keys } of parts) for (let i = 0; i < slots.length; i++) this.merger.offer(keys[i] as number, slots[i] as number);
      const best = this.merger.drain();
      return { slots: best.slots, scores: scoresOf(best.keys, metric) };
    } finally {
      this.holdProcess(-1);
    }
  }

  /** Detaches the slab from the threads (its namespace is gone or closed); the last detach ends them. */
  release(slab: VectorSlab): void {
    const id = this.slabIds.get(slab);
    if (id === undefined) return;
    this.slabIds.delete(slab);
    this.released.unregister(slab);
    this.detachId(id);
  }

  private attach(slab: VectorSlab): number {
    if (this.workers.length === 0) this.spawn();
    let id = this.slabIds.get(slab);
    if (id === undefined) {
      id = this.nextSlab++;
      this.slabIds.set(slab, id);
      this.attached.set(id, slab.memory);
      this.released.register(slab, id, slab);
      this.broadcast({ type: 'attach', slab: id, memory: slab.memory });
    }
    return id;
  }

  private detachId(id: number): void {
    if (!this.attached.delete(id)) return;
    this.broadcast({ type: 'detach', slab: id });
    if (this.attached.size === 0 && this.parts.size === 0) this.retire();
  }

  private sendPart(thread: number, part: ScanPart): Promise<{ slots: Uint32Array; keys: Float64Array }> {
    const worker = this.workers[thread];
    if (worker === undefined) return Promise.reject(fvError('FV_ERR_INTERNAL', `scan thread ${thread} is not running`, { thread }));
    const job = this.nextJob++;
    return new Promise((resolve, reject) => {
      this.parts.set(job, { settle: (result) => (result instanceof Error ? reject(result) : resolve(result)) });
      worker.postMessage({ ...part, job } satisfies ToScanThread);
    });
  }

  private receive(message: FromScanThread): void {
    const part = this.parts.get(message.job);
    if (part === undefined) return;
    this.parts.delete(message.job);
    part.settle(message.type === 'result' ? message : fvError('FV_ERR_INTERNAL', `a scan thread failed: ${message.message}`, { job: message.job }));
  }

  private broadcast(message: ToScanThread): void {
    for (const worker of this.workers) worker.postMessage(message);
  }

  private spawn(): void {
    this.workers = Array.from({ length: SCAN_THREADS }, () => {
      const worker = startWorker(new URL('./scan-worker.js', import.meta.url));
      worker.unref();
      worker.on('message', (message: FromScanThread) => this.receive(message));
      worker.on('error', (err) => this.lose(worker, `crashed: ${err.message}`));
      worker.on('exit', (code) => this.lose(worker, `exited with code ${code}`));
      return worker;
    });
    // A thread started after slabs were attached (after a crash) learns them all.
    for (const [slab, memory] of this.attached) this.broadcast({ type: 'attach', slab, memory });
  }

  /** Keeps the process alive while scans are queued (the threads are unreferenced otherwise). */
  private holdProcess(delta: 1 | -1): void {
    const before = this.queuedScans;
    this.queuedScans += delta;
    if (before === 0 && this.queuedScans === 1) for (const worker of this.workers) worker.ref();
    if (before === 1 && this.queuedScans === 0) {
      for (const worker of this.workers) worker.unref();
      if (this.attached.size === 0) this.retire();
    }
  }

  private retire(): void {
    const workers = this.workers;
    this.workers = [];
    for (const worker of workers) void worker.terminate();
  }

  /** A thread died: every part in flight fails, the other threads end too, and the next scan starts fresh ones. */
  private lose(worker: Worker, reason: string): void {
    if (!this.workers.includes(worker)) return; // retired on purpose
    this.retire();
    const parts = [...this.parts.values()];
    this.parts.clear();
    for (const part of parts) part.settle(fvError('FV_ERR_INTERNAL', `a scan thread ${reason}`, { reason }));
  }
}

let utilizationMark = performance.eventLoopUtilization();
let busy = false;

/** Whether the event loop ran code most of the last window (sampled at most once a window). */
function mainThreadBusy(): boolean {
  const now = performance.eventLoopUtilization();
  const window = performance.eventLoopUtilization(now, utilizationMark);
  if (window.idle + window.active >= BUSY_WINDOW_MS) {
    busy = window.utilization >= BUSY_UTILIZATION;
    utilizationMark = now;
  }
  return busy;
}
