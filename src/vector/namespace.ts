/**
 * The in-memory state of one namespace: a vector slab, the id ↔ slot maps, metadata, and the
 * approximate graph (while open). Knows nothing of durability: the index commits a batch to
 * storage first and only then applies it here.
 */
import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { AnnIndex } from './ann/ann-index.js';
import { GRAPH_IDLE_MS } from './ann/graph-policy.js';
import { VectorSlab } from './exact/slab.js';
import { searchExact, type ExactSearchResult } from './exact/scan.js';
import { ScanPool } from './exact/scan-pool.js';
import type { MetadataPredicate } from './filter.js';
import { ReadWriteGate } from './read-write-gate.js';
import type { HnswConfig, Metric, RecordMetadata } from './types.js';
import { sortUtf8 } from './utf8-order.js';
import { VersionLog } from './version-log.js';
import { at } from '../util/checked.js';

export interface NamespaceRecordBatch {
  ids: string[];
  seqs: Float64Array;
  vectors: Float32Array;
  metadata: (RecordMetadata | undefined)[];
}

export interface NamespaceOptions {
  /** Close the graph after this long without a query or write using it (default GRAPH_IDLE_MS). */
  graphIdleMs?: number;
}

export interface Hit {
  slot: number;
  score: number;
}

export interface SearchRequest {
  vector: Float32Array;
  topK: number;
  predicate?: MetadataPredicate;
  exact: boolean;
  /** Per-query search width; rounded up to a power of two (see searchWidth). */
  ef?: number;
  /** The index's search width now: configureIndex may have changed it since the graph was opened. */
  efSearch: number;
}

/** How many more candidates than asked the graph returns, before masking stale keys and filtering. */
const ANN_OVERFETCH = 2;
const ANN_MIN_CANDIDATES = 32;
/**
 * Tail share of the namespace from which an approximate query runs one exact scan instead of the
 * graph plus the tail. Measured with a forced tail on 100K and 300K face-like 128-d records (i8
 * graph, ef 64): the tail, gathered slot by slot, costs ~45 ns a record against ~19 ns for the
 * linear scan, so graph + tail overtakes the exact scan at a tail of 37-39 % (1.04-1.07× at 40 %,
 * 0.75-0.77× at 30 %) at both sizes.
 */
const TAIL_EXACT_SHARE = 0.375;

/**
 * The graph's search width for a per-query `ef`: at least the candidates wanted, rounded up to a
 * power of two, because each distinct width needs its own memory-mapped view of the graph.
 */
function searchWidth(ef: number, want: number): number {
  return 2 ** Math.ceil(Math.log2(Math.max(ef, want)));
}

/** A ranking done on this thread, or under way on the scan threads. */
type Ranking = Hit[] | Promise<Hit[]>;

export class NamespaceState {
  readonly slab: VectorSlab;
  /**
   * Held by every search; a write (commit and apply) goes through it, so it waits while scan
   * threads read the slab. Writes run at once when no search is in flight.
   */
  readonly gate = new ReadWriteGate();
  private readonly idToSlot = new Map<string, number>();
  private readonly slotIds: (string | undefined)[] = [];
  private readonly slotMetadata: (RecordMetadata | undefined)[] = [];
  /**
   * Each slot's current version and every version in sequence order: graph keys back to slots
   * (a key that is not current is a deleted or overwritten version), and the tail, the versions
   * written since the graph was last searchable through them.
   */
  private readonly versions = new VersionLog();
  private sortedIds: string[] | undefined;
  /** The slots of the batch being applied (kept, not allocated per batch). */
  private batchSlots = new Uint32Array(0);
  private ann: AnnIndex | undefined;
  private annOpening: Promise<AnnIndex> | undefined;
  /** Set while the graph is closed or dropped: a graph opened meanwhile would race the files being tidied or deleted. */
  private graphReleasing: Promise<void> | undefined;
  /** Closes the open graph once nothing has used it for graphIdleMs; refreshed by every use. */
  private graphIdleTimer: NodeJS.Timeout | undefined;
  private readonly graphIdleMs: number;
  /** Record versions in the log that no longer count (overwritten or deleted): what compaction would reclaim. */
  deadVersions = 0;

  private readonly annDir: string;

  constructor(
    readonly name: string,
    private readonly dimension: number,
    private readonly metric: Metric,
    indexAnnDir: string,
    options: NamespaceOptions = {},
  ) {
    this.graphIdleMs = options.graphIdleMs ?? GRAPH_IDLE_MS;
    this.slab = new VectorSlab(dimension, { norms: metric === 'cosine' });
    // A namespace name may hold any characters and be 512 bytes long: hash it into a safe directory name.
    this.annDir = join(indexAnnDir, createHash('sha256').update(name).digest('hex').slice(0, 32));
  }

  get recordCount(): number {
    return this.idToSlot.size;
  }

  hasGraph(): boolean {
    return this.ann !== undefined || this.annOpening !== undefined;
  }

  slotOf(id: string): number | undefined {
    return this.idToSlot.get(id);
  }

  idAt(slot: number): string {
    return at(this.slotIds, slot);
  }

  metadataAt(slot: number): RecordMetadata | undefined {
    return this.slotMetadata[slot];
  }

  /** Applies a batch that storage has already committed. */
  applyUpsert(batch: NamespaceRecordBatch): void {
    const { ids, seqs, vectors, metadata } = batch;
    if (this.batchSlots.length < ids.length) this.batchSlots = new Uint32Array(ids.length);
    const slots = this.batchSlots.subarray(0, ids.length);
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i] as string;
      let slot = this.idToSlot.get(id);
      if (slot === undefined) {
        slot = this.slab.allocate();
        this.idToSlot.set(id, slot);
        this.slotIds[slot] = id;
        this.sortedIds = undefined;
      } else {
        this.deadVersions++;
      }
      slots[i] = slot;
      this.versions.set(slot, at(seqs, i));
      this.slotMetadata[slot] = metadata[i];
    }
    // One copy for each run of consecutive new slots: a batch of new records is one block of rows.
    this.slab.writeMany(slots, vectors);
    if (this.ann) {
      this.ann.enqueue(seqs, vectors);
      this.graphIdleTimer?.refresh();
    }
  }

  /** Removes records that storage has already deleted; unknown ids are ignored. */
  applyDelete(ids: readonly string[]): void {
    for (const id of ids) {
      const slot = this.idToSlot.get(id);
      if (slot === undefined) continue;
      this.idToSlot.delete(id);
      this.versions.clear(slot);
      this.slotIds[slot] = undefined;
      this.slotMetadata[slot] = undefined;
      this.slab.release(slot);
      this.deadVersions++;
      this.sortedIds = undefined;
    }
  }

  /** Ids of live records matching the predicate (all of them without one). */
  idsMatching(predicate: MetadataPredicate | undefined): string[] {
    const ids: string[] = [];
    for (const [id, slot] of this.idToSlot) if (!predicate || predicate(this.slotMetadata[slot])) ids.push(id);
    return ids;
  }

  countMatching(predicate: MetadataPredicate | undefined): number {
    if (!predicate) return this.recordCount;
    let n = 0;
    for (const slot of this.idToSlot.values()) if (predicate(this.slotMetadata[slot])) n++;
    return n;
  }

  /** Ids in the order of their UTF-8 bytes (as every store lists them), cached between writes. */
  idsInOrder(): readonly string[] {
    this.sortedIds ??= sortUtf8([...this.idToSlot.keys()]);
    return this.sortedIds;
  }

  /** Whether version `seq` of record `id` is the one the namespace holds now (compaction keeps exactly those). */
  isCurrent(id: string, seq: number): boolean {
    const slot = this.idToSlot.get(id);
    return slot !== undefined && this.versions.seqAt(slot) === seq;
  }

  /**
   * Opens (or builds) the approximate graph and hands it every record it does not hold yet. The
   * graph stays open while queries or writes use it, and closes after graphIdleMs without.
   */
  async ensureGraph(hnsw: HnswConfig): Promise<AnnIndex> {
    while (this.graphReleasing) await this.graphReleasing;
    if (this.ann) return this.ann;
    this.annOpening ??= (async () => {
      const ann = await AnnIndex.open({ dir: this.annDir, dimension: this.dimension, metric: this.metric, hnsw });
      this.enqueueUnbuilt(ann);
      this.ann = ann;
      this.graphIdleTimer = setTimeout(() => this.closeIdleGraph(), this.graphIdleMs).unref();
      return ann;
    })();
    return this.annOpening;
  }

  /** A graph still building is in use: closing it would throw its queue away. */
  private closeIdleGraph(): void {
    if (this.ann?.building) {
      this.graphIdleTimer?.refresh();
      return;
    }
    // Nobody awaits this close: report its failure rather than leave a rejection unhandled.
    this.releaseGraph(async (ann) => ann?.close()).catch((err: unknown) => console.error(`[facevault ann] closing the idle graph of namespace "${this.name}" failed`, err));
  }

  private enqueueUnbuilt(ann: AnnIndex): void {
    const { seqs, slots } = this.versions.currentAfter(ann.searchableThrough);
    const dim = this.dimension;
    const chunk = 10_000;
    for (let start = 0; start < seqs.length; start += chunk) {
      const part = slots.slice(start, start + chunk);
      const vectors = new Float32Array(part.length * dim);
      part.forEach((slot, i) => vectors.set(this.slab.read(slot), i * dim));
      ann.enqueue(Float64Array.from(seqs.slice(start, start + chunk)), vectors);
    }
  }

  /**
   * The top-k hits for the request, handed to `project` before any write can change the
   * namespace (it turns slots into ids and metadata). Large exact scans run on the scan threads,
   * smaller ones on this thread.
   */
  async search<T>(request: SearchRequest, project: (hits: Hit[]) => T): Promise<T> {
    return this.gate.read(async () => project(await this.rankFor(request)));
  }

  private rankFor(request: SearchRequest): Ranking {
    if (this.recordCount === 0) return [];
    const topK = Math.min(request.topK, this.recordCount);
    const ann = this.ann;
    if (request.exact || !ann) return this.searchExactly(request.vector, topK, request.predicate);
    this.graphIdleTimer?.refresh();
    if (this.tailDominates(ann.searchableThrough)) return this.searchExactly(request.vector, topK, request.predicate);
    return this.searchApproximately(ann, request, topK);
  }

  private searchExactly(vector: Float32Array, topK: number, predicate: MetadataPredicate | undefined): Ranking {
    const candidates = predicate ? this.slotsMatching(predicate) : undefined;
    if (candidates && candidates.length === 0) return [];
    return this.rank(vector, topK, candidates);
  }

  /**
   * True when the unbuilt tail is so large a share of the namespace (e.g. right after a bulk
   * upsert, while the graph is still building) that one exact scan of everything is faster than
   * the graph plus an exact scan of the tail; its results are exact, which is never worse.
   */
  private tailDominates(searchableThrough: number): boolean {
    return this.versions.countAfter(searchableThrough) >= TAIL_EXACT_SHARE * this.recordCount;
  }

  /**
   * The graph answers for the records it holds; the tail written since its last snapshot is
   * scanned exactly, so an acknowledged write is visible at once. Graph keys that are no longer
   * current (deleted or overwritten) are masked. Candidates are re-scored exactly from the slab,
   * which also breaks ties by id. A filter is applied to the graph's candidates; when too few
   * pass, the graph is asked for more, and past a point an exact scan of the matches is cheaper.
   */
  private searchApproximately(ann: AnnIndex, request: SearchRequest, topK: number): Ranking {
    const { vector, predicate, ef } = request;
    const tail = this.versions.currentAfter(ann.searchableThrough, predicate && ((slot) => predicate(this.slotMetadata[slot]))).slots;
    let want = Math.max(topK * ANN_OVERFETCH, ANN_MIN_CANDIDATES);
    for (;;) {
      const width = ef === undefined ? request.efSearch : searchWidth(ef, want);
      const { keys } = ann.search(vector, Math.min(want, Math.max(ann.size, 1)), width);
      // No dedup needed: a graph key maps to a slot whose current seq is in the graph, a tail
      // slot's current seq is not, and a slot has one current seq.
      const candidates = new Uint32Array(tail.length + keys.length);
      candidates.set(tail);
      let count = tail.length;
      for (const key of keys) {
        const slot = this.versions.slotOf(key);
        if (slot !== undefined && (!predicate || predicate(this.slotMetadata[slot]))) candidates[count++] = slot;
      }
      const enough = count >= topK;
      const graphExhausted = keys.length < want;
      if (enough || graphExhausted) {
        if (count === 0) return [];
        return this.rank(vector, topK, candidates.subarray(0, count));
      }
      // Too many graph hits were masked or filtered out: a selective filter. Past 8× the
      // request, the exact scan of the filtered records is the cheaper and surer answer.
      if (want >= topK * 8 * ANN_OVERFETCH) return this.searchExactly(vector, topK, predicate);
      want *= 4;
    }
  }

  private slotsMatching(predicate: MetadataPredicate): Uint32Array {
    const slots: number[] = [];
    for (const slot of this.idToSlot.values()) if (predicate(this.slotMetadata[slot])) slots.push(slot);
    return Uint32Array.from(slots);
  }

  /** Scores every live slot (or the candidates): on the scan threads when that is many rows, else here. */
  private rank(vector: Float32Array, topK: number, candidates: Uint32Array | undefined): Ranking {
    const options = { candidates, tieBreak: this.compareSlotIds };
    if (!ScanPool.worthIt(this.slab, candidates?.length ?? this.slab.highWater)) return hitsOf(searchExact(this.slab, vector, topK, this.metric, options));
    return ScanPool.shared().search(this.slab, vector, topK, this.metric, options).then(hitsOf);
  }

  private readonly compareSlotIds = (a: number, b: number): number => {
    const idA = at(this.slotIds, a);
    const idB = at(this.slotIds, b);
    return idA < idB ? -1 : idA > idB ? 1 : 0;
  };

  /** Waits until the graph holds every record written so far (tests, benchmarks). */
  async flushGraph(): Promise<void> {
    await this.ann?.flush();
  }

  /** Closes the graph and detaches the slab from the scan threads. */
  async close(): Promise<void> {
    this.detachScans();
    await this.releaseGraph(async (ann) => ann?.close());
  }

  /** The namespace is going away: the scan threads let go of its memory. */
  detachScans(): void {
    ScanPool.shared().release(this.slab);
  }

  /**
   * Closes the graph and deletes its files, also those of a graph built by an earlier process and
   * not opened by this one: they hold every vector the graph ever took, deleted ones included.
   * The next ensureGraph() builds a new graph from the live records.
   */
  async drop(): Promise<void> {
    await this.releaseGraph(async (ann) => {
      await ann?.drop();
      await rm(this.annDir, { recursive: true, force: true });
    });
  }

  /**
   * Takes the graph (open or opening) out of use and hands it to `finish`; ensureGraph() waits
   * until that is done. Queries meanwhile scan exactly.
   */
  private async releaseGraph(finish: (ann: AnnIndex | undefined) => Promise<void>): Promise<void> {
    // An earlier release's failure went to its own caller.
    while (this.graphReleasing) await this.graphReleasing.catch(() => undefined);
    const releasing = (async () => {
      const ann = this.ann ?? (await this.annOpening?.catch(() => undefined));
      clearTimeout(this.graphIdleTimer);
      this.graphIdleTimer = undefined;
      this.ann = undefined;
      this.annOpening = undefined;
      await finish(ann);
    })();
    this.graphReleasing = releasing;
    try {
      await releasing;
    } finally {
      if (this.graphReleasing === releasing) this.graphReleasing = undefined;
    }
  }
}

function hitsOf({ slots, scores }: ExactSearchResult): Hit[] {
  return Array.from(slots, (slot, i): Hit => ({ slot, score: at(scores, i) }));
}
