/**
 * One graph being built inside the builder thread: the writable graph, its queue of vectors, and
 * the snapshots that make built vectors searchable. The thread steps many of these in turn.
 *
 * Any error stops this graph's building for good (reported once as `failed`); the main thread
 * keeps searching its last snapshot, and the other graphs of the thread carry on.
 */
import { join } from 'node:path';
import type { BuilderStart, FromBuilder } from './builder-protocol.js';
import { SNAPSHOT_POLICY, snapshotDue } from './snapshot-policy.js';
import { writeSnapshot } from './snapshot-store.js';
import { HnswGraph } from './usearch.js';
import { at } from '../../util/checked.js';

/** Vectors per insert call: ~0.5 s of work on two cores at 100K, which bounds how late a message is seen. */
const CHUNK_VECTORS = 1_024;

type WithoutJob<M> = M extends unknown ? Omit<M, 'job'> : never;
/** A message of this graph, before the thread stamps it with the job number. */
export type BuilderReport = WithoutJob<FromBuilder>;

interface QueuedBatch {
  keys: BigUint64Array;
  vectors: Float32Array;
}

export class GraphBuilder {
  private graph: HnswGraph | undefined;
  private readonly queue: QueuedBatch[] = [];
  /** Vectors of queue[0] already inserted. */
  private headOffset = 0;
  private queuedVectors = 0;
  private builtThrough: number;
  private savedThrough: number;
  private savedCount = 0;
  private generation: number;
  private flushThrough = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private failed = false;
  /** Set by detach(): a step the thread still has queued must not touch the released graph (a native throw there aborts the process). */
  private detached = false;

  constructor(
    private readonly start: BuilderStart,
    private readonly threads: number,
    private readonly report: (message: BuilderReport) => void,
  ) {
    this.builtThrough = this.savedThrough = start.maxKey;
    this.generation = start.generation;
    this.guard(() => {
      const { dir, graphFile, config } = start;
      this.graph = graphFile === undefined ? HnswGraph.create(config) : HnswGraph.load(join(dir, graphFile), config);
      this.savedCount = this.graph.size;
    });
  }

  enqueue(keys: BigUint64Array, vectors: Float32Array): void {
    if (this.failed || this.detached) return;
    this.queue.push({ keys, vectors });
    this.queuedVectors += keys.length;
  }

  flush(through: number): void {
    this.flushThrough = Math.max(this.flushThrough, through);
  }

  /** True while a step would do something: vectors to insert, or a flush to answer. */
  get runnable(): boolean {
    return !this.failed && !this.detached && (this.queuedVectors > 0 || this.flushDue);
  }

  /** Inserts one chunk and saves a snapshot when one is due. */
  step(): void {
    this.guard(() => {
      if (this.queuedVectors > 0) {
        this.insertChunk();
        this.armIdleSnapshot();
      }
      if (this.flushDue || snapshotDue(this.unsavedCount, this.graphOrThrow.size)) this.snapshot();
    });
  }

  /** Saves what is built but not the queue (the main thread enqueues keys above searchableThrough again), then frees the graph. */
  detach(): void {
    clearTimeout(this.idleTimer);
    this.guard(() => {
      if (this.unsavedCount > 0) this.snapshot();
    });
    this.detached = true;
    this.queue.length = 0;
    this.queuedVectors = 0;
    this.graph?.release();
    this.graph = undefined;
  }

  private get flushDue(): boolean {
    return this.flushThrough > this.savedThrough && this.builtThrough >= this.flushThrough;
  }

  private insertChunk(): void {
    const dimension = this.start.config.dimension;
    const n = Math.min(CHUNK_VECTORS, this.queuedVectors);
    const keys = new BigUint64Array(n);
    const vectors = new Float32Array(n * dimension);
    for (let filled = 0; filled < n; ) {
      // Non-empty: the queue holds queuedVectors ≥ n - filled > 0 vectors.
      const head = at(this.queue, 0);
      const take = Math.min(n - filled, head.keys.length - this.headOffset);
      keys.set(head.keys.subarray(this.headOffset, this.headOffset + take), filled);
      vectors.set(head.vectors.subarray(this.headOffset * dimension, (this.headOffset + take) * dimension), filled * dimension);
      filled += take;
      this.headOffset += take;
      if (this.headOffset === head.keys.length) {
        this.queue.shift();
        this.headOffset = 0;
      }
    }
    this.graphOrThrow.add(keys, vectors, this.threads);
    this.queuedVectors -= n;
    this.builtThrough = Number(keys[n - 1]);
  }

  /** Writes stop or pause: make what is built searchable within a second. */
  private armIdleSnapshot(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      this.guard(() => {
        if (this.queuedVectors === 0 && this.unsavedCount > 0) this.snapshot();
      });
    }, SNAPSHOT_POLICY.idleMs);
  }

  private snapshot(): void {
    const graph = this.graphOrThrow;
    const facts = { generation: this.generation + 1, maxKey: this.builtThrough, count: graph.size, config: this.start.config };
    const manifest = writeSnapshot(this.start.dir, facts, (path) => graph.save(path));
    this.generation = facts.generation;
    this.savedThrough = facts.maxKey;
    this.savedCount = facts.count;
    this.report({ type: 'snapshot', graphFile: manifest.graphFile, generation: facts.generation, searchableThrough: facts.maxKey, count: facts.count });
  }

  private get unsavedCount(): number {
    return this.graphOrThrow.size - this.savedCount;
  }

  private get graphOrThrow(): HnswGraph {
    if (this.graph === undefined) throw new Error('the HNSW graph was never created');
    return this.graph;
  }

  /** Runs `work`; the first error stops building and is reported once. */
  private guard(work: () => void): void {
    if (this.failed || this.detached) return;
    try {
      work();
    } catch (err) {
      this.failed = true;
      clearTimeout(this.idleTimer);
      this.queue.length = 0;
      this.queuedVectors = 0;
      this.graph?.release();
      this.graph = undefined;
      const code = (err as NodeJS.ErrnoException | undefined)?.code;
      this.report({ type: 'failed', message: err instanceof Error ? err.message : String(err), ...(typeof code === 'string' ? { code } : {}) });
    }
  }
}
