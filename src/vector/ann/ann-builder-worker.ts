/**
 * The HNSW builder thread: owns the one writable graph, inserts queued vectors in chunks, saves
 * snapshots by the snapshot policy and tells the main thread which file to view next.
 *
 * Inserting runs in short synchronous chunks with a turn of the event loop between them, so
 * `flush` and `close` messages are seen within one chunk. Any error stops building for good
 * (reported once as `failed`); the main thread keeps searching its last snapshot.
 */
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import type { BuilderStart, FromBuilder, ToBuilder } from './builder-protocol.js';
import { SNAPSHOT_POLICY, snapshotDue } from './snapshot-policy.js';
import { writeSnapshot } from './snapshot-store.js';
import { HnswGraph } from './usearch.js';

/** Vectors per insert call: ~0.5 s of work on two cores at 100K, which bounds how late a message is seen. */
const CHUNK_VECTORS = 1_024;

interface QueuedBatch {
  keys: BigUint64Array;
  vectors: Float32Array;
}

class Builder {
  private graph: HnswGraph | undefined;
  private readonly queue: QueuedBatch[] = [];
  /** Vectors of queue[0] already inserted. */
  private headOffset = 0;
  private queuedVectors = 0;
  private builtThrough: number;
  private savedThrough: number;
  private savedCount: number;
  private generation: number;
  private flushThrough = 0;
  private stepScheduled = false;
  private idleTimer: NodeJS.Timeout | undefined;
  private failed = false;
  /** Set by close(): a step already scheduled must not touch the released graph (a native throw there aborts the process). */
  private closed = false;

  constructor(private readonly port: MessagePort, private readonly start: BuilderStart) {
    this.builtThrough = this.savedThrough = start.maxKey;
    this.generation = start.generation;
    this.savedCount = 0;
    this.guard(() => {
      const { dir, graphFile, config } = start;
      this.graph = graphFile === undefined ? HnswGraph.create(config) : HnswGraph.load(join(dir, graphFile), config);
      this.savedCount = this.graph.size;
    });
    port.on('message', (message: ToBuilder) => this.receive(message));
  }

  private receive(message: ToBuilder): void {
    switch (message.type) {
      case 'enqueue':
        if (this.failed) return;
        this.queue.push(message);
        this.queuedVectors += message.keys.length;
        this.schedule();
        return;
      case 'flush':
        this.flushThrough = Math.max(this.flushThrough, message.through);
        this.schedule();
        return;
      case 'close':
        this.close();
        return;
    }
  }

  private schedule(): void {
    if (this.stepScheduled || this.failed || this.closed) return;
    this.stepScheduled = true;
    setImmediate(() => {
      this.stepScheduled = false;
      this.guard(() => this.step());
    });
  }

  private step(): void {
    if (this.queuedVectors > 0) {
      this.insertChunk();
      this.armIdleSnapshot();
    }
    const flushDue = this.flushThrough > this.savedThrough && this.builtThrough >= this.flushThrough;
    if (flushDue || snapshotDue(this.unsavedCount, this.graphOrThrow.size)) this.snapshot();
    if (this.queuedVectors > 0) this.schedule();
  }

  private insertChunk(): void {
    const dimension = this.start.config.dimension;
    const n = Math.min(CHUNK_VECTORS, this.queuedVectors);
    const keys = new BigUint64Array(n);
    const vectors = new Float32Array(n * dimension);
    for (let filled = 0; filled < n; ) {
      const head = this.queue[0];
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
    this.graphOrThrow.add(keys, vectors, this.start.threads);
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
    this.post({ type: 'snapshot', graphFile: manifest.graphFile, searchableThrough: facts.maxKey, count: facts.count });
  }

  /** Saves what is built but not the queue: the caller re-enqueues keys above searchableThrough after open. */
  private close(): void {
    clearTimeout(this.idleTimer);
    this.guard(() => {
      if (this.unsavedCount > 0) this.snapshot();
    });
    this.closed = true;
    this.queue.length = 0;
    this.queuedVectors = 0;
    this.graph?.release();
    this.graph = undefined;
    this.post({ type: 'closed' });
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
    if (this.failed || this.closed) return;
    try {
      work();
    } catch (err) {
      this.failed = true;
      clearTimeout(this.idleTimer);
      this.queue.length = 0;
      this.queuedVectors = 0;
      this.graph?.release();
      this.post({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
    }
  }

  private post(message: FromBuilder): void {
    this.port.postMessage(message);
  }
}

if (parentPort === null) throw new Error('ann-builder-worker must run in a worker thread');
new Builder(parentPort, workerData as BuilderStart);
