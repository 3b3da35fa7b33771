/**
 * The process's one HNSW builder thread, shared by every graph of every index of every database
 * the process opens.
 *
 * Why one thread, and not one per graph: a thread per namespace cost ~17 MB each and was never
 * released (issue 12: 200 namespaces of one record held 211 threads and 3.4 GB; ~1,500 exhausted
 * 24 GB). Why not more than one: usearch already spreads each insert over every core
 * (`threads = availableParallelism()`), so a second builder thread would only make two builds
 * contend for the same cores. The thread starts when a graph first needs building and ends when
 * the last graph detaches, so an idle database holds no builder thread at all.
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../../util/worker.js';
import type { BuilderStart, BuilderThreadData, FromBuilder, ToBuilder } from './builder-protocol.js';

/** A graph attached to the builder thread, from `attach` until its `detach` resolves. */
export interface BuildJob {
  /** Hands vectors over (both buffers are transferred): keys ascending, above every key sent before. */
  enqueue(keys: BigUint64Array<ArrayBuffer>, vectors: Float32Array<ArrayBuffer>): void;
  /** Asks for a snapshot as soon as every key <= through is built. */
  flush(through: number): void;
  /**
   * Saves what is built (not the queue) and frees the graph's memory in the thread; resolves when
   * that is done, or at once when the thread is gone. Idempotent. Keeps the process alive meanwhile.
   */
  detach(): Promise<void>;
}

type Report = Exclude<FromBuilder, { type: 'detached' }>;

class Job implements BuildJob {
  private detaching: Promise<void> | undefined;
  private finishDetach: (() => void) | undefined;
  private gone = false;

  constructor(
    readonly id: number,
    private readonly builder: SharedBuilder,
    private readonly send: (message: ToBuilder, transfer?: ArrayBuffer[]) => void,
    readonly onReport: (report: Report) => void,
  ) {}

  enqueue(keys: BigUint64Array<ArrayBuffer>, vectors: Float32Array<ArrayBuffer>): void {
    if (!this.gone) this.send({ type: 'enqueue', job: this.id, keys, vectors }, [keys.buffer, vectors.buffer]);
  }

  flush(through: number): void {
    if (!this.gone) this.send({ type: 'flush', job: this.id, through });
  }

  detach(): Promise<void> {
    if (this.gone) return Promise.resolve();
    this.detaching ??= new Promise<void>((resolve) => {
      const release = this.builder.hold();
      this.finishDetach = () => {
        release();
        resolve();
      };
      this.send({ type: 'detach', job: this.id });
    });
    return this.detaching;
  }

  /** The thread has detached the job, or died. */
  end(): void {
    this.gone = true;
    this.finishDetach?.();
  }
}

export class SharedBuilder {
  private static instance: SharedBuilder | undefined;
  private worker: Worker | undefined;
  private readonly jobs = new Map<number, Job>();
  private nextJob = 1;
  /** Callers waiting on the thread (a flush, a detach): while any does, the thread keeps the process alive. */
  private holds = 0;

  /** The builder of this process. */
  static shared(): SharedBuilder {
    SharedBuilder.instance ??= new SharedBuilder();
    return SharedBuilder.instance;
  }

  /** Builder threads running now: 1 while any graph is attached, else 0. */
  get threadCount(): number {
    return this.worker === undefined ? 0 : 1;
  }

  /** Graphs attached now (a graph is attached while it has vectors to build, and a little after). */
  get attachedGraphs(): number {
    return this.jobs.size;
  }

  /**
   * Attaches a graph: the thread loads its current snapshot (or starts an empty graph) and builds
   * what is enqueued. Reports come to `onReport` until `detach` resolves; when the thread dies, every
   * attached job gets one `failed` report and its detach resolves.
   */
  attach(start: BuilderStart, onReport: (report: Report) => void): BuildJob {
    const worker = (this.worker ??= this.spawn());
    const job = new Job(this.nextJob++, this, (message, transfer) => worker.postMessage(message, transfer ?? []), onReport);
    this.jobs.set(job.id, job);
    worker.postMessage({ type: 'attach', job: job.id, start } satisfies ToBuilder);
    return job;
  }

  /** Keeps the process alive until the returned function is called (once). */
  hold(): () => void {
    if (this.holds++ === 0) this.worker?.ref();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.holds === 0) this.worker?.unref();
    };
  }

  private spawn(): Worker {
    const worker = startWorker(new URL('./ann-builder-worker.js', import.meta.url), { workerData: { threads: availableParallelism() } satisfies BuilderThreadData });
    if (this.holds === 0) worker.unref();
    worker.on('message', (message: FromBuilder) => this.receive(message));
    worker.on('error', (err) => this.lose(worker, `crashed: ${err.message}`));
    worker.on('exit', (code) => this.lose(worker, `exited with code ${code}`));
    return worker;
  }

  private receive(message: FromBuilder): void {
    const job = this.jobs.get(message.job);
    if (job === undefined) return;
    if (message.type !== 'detached') {
      job.onReport(message);
      return;
    }
    this.jobs.delete(job.id);
    if (this.jobs.size === 0) this.retire();
    job.end();
  }

  /** No graph is attached: end the thread (its memory goes with it); the next attach starts another. */
  private retire(): void {
    const worker = this.worker;
    this.worker = undefined;
    void worker?.terminate();
  }

  private lose(worker: Worker, reason: string): void {
    if (worker !== this.worker) return; // retired on purpose
    this.worker = undefined;
    const jobs = [...this.jobs.values()];
    this.jobs.clear();
    for (const job of jobs) {
      job.onReport({ type: 'failed', job: job.id, message: `the builder thread ${reason}` });
      job.end();
    }
  }
}
