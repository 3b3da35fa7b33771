/**
 * The in-memory state of one namespace: a vector slab, the id ↔ slot maps, metadata, and the
 * approximate graph (when built). Knows nothing of durability: the index commits a batch to
 * storage first and only then applies it here.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { AnnIndex } from './ann/ann-index.js';
import { VectorSlab } from './exact/slab.js';
import { searchExact } from './exact/scan.js';
import type { MetadataPredicate } from './filter.js';
import type { HnswConfig, Metric, RecordMetadata } from './types.js';

export interface NamespaceRecordBatch {
  ids: string[];
  seqs: Float64Array;
  vectors: Float32Array;
  metadata: (RecordMetadata | undefined)[];
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
  ef?: number;
}

/** How many more candidates than asked the graph returns, before masking stale keys and filtering. */
const ANN_OVERFETCH = 2;
const ANN_MIN_CANDIDATES = 32;

/**
 * The graph's search width for a per-query `ef`: at least the candidates wanted, rounded up to a
 * power of two, because each distinct width needs its own memory-mapped view of the graph.
 */
function searchWidth(ef: number, want: number): number {
  return 2 ** Math.ceil(Math.log2(Math.max(ef, want)));
}

export class NamespaceState {
  readonly slab: VectorSlab;
  private readonly idToSlot = new Map<string, number>();
  private readonly slotIds: (string | undefined)[] = [];
  private readonly slotSeqs: number[] = [];
  private readonly slotMetadata: (RecordMetadata | undefined)[] = [];
  /** Current sequence number → slot; a graph key absent here is a deleted or overwritten version. */
  private readonly seqToSlot = new Map<number, number>();
  /** Sequence numbers written since the graph was last searchable through them, ascending. */
  private pendingSeqs: number[] = [];
  private sortedIds: string[] | undefined;
  private ann: AnnIndex | undefined;
  private annOpening: Promise<AnnIndex> | undefined;
  /** Record versions in the log that no longer count (overwritten or deleted): what compaction would reclaim. */
  deadVersions = 0;

  private readonly annDir: string;

  constructor(
    readonly name: string,
    private readonly dimension: number,
    private readonly metric: Metric,
    indexAnnDir: string,
  ) {
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
    return this.slotIds[slot] as string;
  }

  metadataAt(slot: number): RecordMetadata | undefined {
    return this.slotMetadata[slot];
  }

  seqAt(slot: number): number {
    return this.slotSeqs[slot] as number;
  }

  /** Applies a batch that storage has already committed. */
  applyUpsert(batch: NamespaceRecordBatch): void {
    const { ids, seqs, vectors, metadata } = batch;
    const dim = this.dimension;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i] as string;
      let slot = this.idToSlot.get(id);
      if (slot === undefined) {
        slot = this.slab.allocate();
        this.idToSlot.set(id, slot);
        this.slotIds[slot] = id;
        this.sortedIds = undefined;
      } else {
        this.seqToSlot.delete(this.slotSeqs[slot] as number);
        this.deadVersions++;
      }
      const seq = seqs[i] as number;
      this.slab.write(slot, vectors.subarray(i * dim, (i + 1) * dim));
      this.slotSeqs[slot] = seq;
      this.slotMetadata[slot] = metadata[i];
      this.seqToSlot.set(seq, slot);
    }
    // Without a graph there is no tail to track: ensureGraph() derives it from seqToSlot.
    if (this.ann) {
      for (let i = 0; i < seqs.length; i++) this.pendingSeqs.push(seqs[i] as number);
      this.ann.enqueue(seqs, vectors);
    }
  }

  /** Removes records that storage has already deleted; unknown ids are ignored. */
  applyDelete(ids: readonly string[]): void {
    for (const id of ids) {
      const slot = this.idToSlot.get(id);
      if (slot === undefined) continue;
      this.idToSlot.delete(id);
      this.seqToSlot.delete(this.slotSeqs[slot] as number);
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

  /** Ids in lexicographic (UTF-16 code unit) order, cached between writes. */
  idsInOrder(): readonly string[] {
    this.sortedIds ??= [...this.idToSlot.keys()].sort();
    return this.sortedIds;
  }

  /** Live records in slot order, for compaction. */
  *liveRecords(): Generator<{ id: string; seq: number; values: Float32Array; metadata: RecordMetadata | undefined }> {
    for (const [id, slot] of this.idToSlot) {
      yield { id, seq: this.slotSeqs[slot] as number, values: this.slab.read(slot), metadata: this.slotMetadata[slot] };
    }
  }

  /** Opens (or builds) the approximate graph and hands it every record it does not hold yet. */
  async ensureGraph(hnsw: HnswConfig): Promise<AnnIndex> {
    if (this.ann) return this.ann;
    this.annOpening ??= (async () => {
      const ann = await AnnIndex.open({ dir: this.annDir, dimension: this.dimension, metric: this.metric, hnsw });
      this.enqueueUnbuilt(ann);
      this.ann = ann;
      return ann;
    })();
    return this.annOpening;
  }

  private enqueueUnbuilt(ann: AnnIndex): void {
    const through = ann.searchableThrough;
    const seqs = [...this.seqToSlot.keys()].filter((seq) => seq > through).sort((a, b) => a - b);
    this.pendingSeqs = seqs.slice();
    const dim = this.dimension;
    const chunk = 10_000;
    for (let start = 0; start < seqs.length; start += chunk) {
      const part = seqs.slice(start, start + chunk);
      const vectors = new Float32Array(part.length * dim);
      part.forEach((seq, i) => vectors.set(this.slab.read(this.seqToSlot.get(seq) as number), i * dim));
      ann.enqueue(Float64Array.from(part), vectors);
    }
  }

  search(request: SearchRequest): Hit[] {
    if (this.recordCount === 0) return [];
    const topK = Math.min(request.topK, this.recordCount);
    if (request.exact || !this.ann) return this.searchExactly(request.vector, topK, request.predicate);
    return this.searchApproximately(this.ann, request.vector, topK, request.predicate, request.ef);
  }

  private searchExactly(vector: Float32Array, topK: number, predicate: MetadataPredicate | undefined): Hit[] {
    const candidates = predicate ? this.slotsMatching(predicate) : undefined;
    if (candidates && candidates.length === 0) return [];
    return this.rank(vector, topK, candidates);
  }

  /**
   * The graph answers for the records it holds; the tail written since its last snapshot is
   * scanned exactly, so an acknowledged write is visible at once. Graph keys that are no longer
   * current (deleted or overwritten) are masked. Candidates are re-scored exactly from the slab,
   * which also breaks ties by id. A filter is applied to the graph's candidates; when too few
   * pass, the graph is asked for more, and past a point an exact scan of the matches is cheaper.
   */
  private searchApproximately(ann: AnnIndex, vector: Float32Array, topK: number, predicate: MetadataPredicate | undefined, ef: number | undefined): Hit[] {
    const tail = this.tailSlots(ann.searchableThrough, predicate);
    let want = Math.max(topK * ANN_OVERFETCH, ANN_MIN_CANDIDATES);
    for (;;) {
      const { keys } = ann.search(vector, Math.min(want, Math.max(ann.size, 1)), ef === undefined ? undefined : searchWidth(ef, want));
      const candidates = new Set<number>(tail);
      for (const key of keys) {
        const slot = this.seqToSlot.get(key);
        if (slot !== undefined && (!predicate || predicate(this.slotMetadata[slot]))) candidates.add(slot);
      }
      const enough = candidates.size >= topK;
      const graphExhausted = keys.length < want;
      if (enough || graphExhausted) {
        if (candidates.size === 0) return [];
        return this.rank(vector, topK, Uint32Array.from(candidates));
      }
      // Too many graph hits were masked or filtered out: a selective filter. Past 8× the
      // request, the exact scan of the filtered records is the cheaper and surer answer.
      if (want >= topK * 8 * ANN_OVERFETCH) return this.searchExactly(vector, topK, predicate);
      want *= 4;
    }
  }

  private tailSlots(searchableThrough: number, predicate: MetadataPredicate | undefined): number[] {
    let start = 0;
    while (start < this.pendingSeqs.length && (this.pendingSeqs[start] as number) <= searchableThrough) start++;
    if (start > 0) this.pendingSeqs = this.pendingSeqs.slice(start);
    const slots: number[] = [];
    for (const seq of this.pendingSeqs) {
      const slot = this.seqToSlot.get(seq);
      if (slot !== undefined && (!predicate || predicate(this.slotMetadata[slot]))) slots.push(slot);
    }
    return slots;
  }

  private slotsMatching(predicate: MetadataPredicate): Uint32Array {
    const slots: number[] = [];
    for (const slot of this.idToSlot.values()) if (predicate(this.slotMetadata[slot])) slots.push(slot);
    return Uint32Array.from(slots);
  }

  private rank(vector: Float32Array, topK: number, candidates: Uint32Array | undefined): Hit[] {
    const { slots, scores } = searchExact(this.slab, vector, topK, this.metric, { candidates, tieBreak: this.compareSlotIds });
    const hits: Hit[] = new Array(slots.length);
    for (let i = 0; i < slots.length; i++) hits[i] = { slot: slots[i] as number, score: scores[i] as number };
    return hits;
  }

  private readonly compareSlotIds = (a: number, b: number): number => {
    const idA = this.slotIds[a] as string;
    const idB = this.slotIds[b] as string;
    return idA < idB ? -1 : idA > idB ? 1 : 0;
  };

  /** Waits until the graph holds every record written so far (tests, benchmarks). */
  async flushGraph(): Promise<void> {
    await this.ann?.flush();
  }

  async close(): Promise<void> {
    const ann = this.ann ?? (await this.annOpening?.catch(() => undefined));
    this.ann = undefined;
    this.annOpening = undefined;
    await ann?.close();
  }

  /** Drops the graph files too: the namespace is gone. */
  async drop(): Promise<void> {
    const ann = this.ann ?? (await this.annOpening?.catch(() => undefined));
    this.ann = undefined;
    this.annOpening = undefined;
    await ann?.drop();
  }
}
