/**
 * One index: its configuration, its namespaces, and the write path that keeps them durable.
 *
 * Every write follows the same order — validated batch → committed to storage → applied in
 * memory → acknowledged — so a crash at any point leaves either the whole batch or none of it.
 * JavaScript runs one write at a time and storage commits synchronously, so no write can
 * interleave with another between commit and apply. Each commit-and-apply goes through its
 * namespace's gate: it waits while scan threads read the namespace's memory.
 */
import { join } from 'node:path';
import { fvError } from '../errors.js';
import { deservesGraph } from './ann/graph-policy.js';
import { NamespaceState, type Hit, type SearchRequest } from './namespace.js';
import type { LogEntry, SegmentBatch, Storage } from './storage/sqlite-log.js';
import { at } from '../util/checked.js';
import type { IndexConfig, RecordMetadata } from './types.js';

/** Compaction runs when a namespace's log holds more dead versions than live records, and at least this many. */
const COMPACTION_MIN_DEAD = 10_000;
const COMPACTION_SEGMENT_RECORDS = 1_000;
/**
 * Records of old segments one compaction step reads and rewrites (one transaction). Measured at
 * 100K × 128 (bench/compaction.ts): steps of 1,000 block the event loop ~7 ms at the median, the
 * longest blocks (~80-100 ms, a write-ahead-log checkpoint landing in a step) are 0.14× of what
 * the whole rewrite as one transaction blocks; steps of 4,000 gave longer blocks, no faster overall.
 */
const COMPACTION_STEP_RECORDS = 1_000;

export class IndexEngine {
  private readonly namespaces = new Map<string, NamespaceState>();
  /** Compactions under way, by namespace. */
  private readonly compactions = new Map<NamespaceState, Promise<unknown>>();
  private lastSeq: number;
  private closing = false;

  private constructor(
    public config: IndexConfig,
    private readonly storage: Storage,
    private readonly annDir: string,
  ) {
    this.lastSeq = storage.lastSeq(config.name);
  }

  /**
   * Rebuilds the index's memory from its log. Opens no graph and starts no thread: a graph opens
   * when a query or a write first needs it, so a reopen costs the log replay whatever the number
   * of namespaces.
   */
  static async open(config: IndexConfig, storage: Storage, dataDir: string): Promise<IndexEngine> {
    const engine = new IndexEngine(config, storage, join(dataDir, 'ann', config.name));
    storage.replay(config.name, (entry) => {
      if (entry.kind === 'deleteNamespace') {
        engine.namespaces.delete(entry.namespace);
      } else if (entry.kind === 'upsert') {
        const { ids, seqs, vectors, metadataJson } = entry.batch;
        engine.namespaceFor(entry.namespace).applyUpsert({ ids, seqs, vectors, metadata: metadataJson.map(parseMetadata) });
      } else {
        engine.namespaces.get(entry.namespace)?.applyDelete(entry.ids);
      }
    });
    return engine;
  }

  get name(): string {
    return this.config.name;
  }

  namespaceNames(): string[] {
    return [...this.namespaces.keys()].filter((name) => (this.namespaces.get(name) as NamespaceState).recordCount > 0);
  }

  /** The namespace if it holds records; writes create namespaces, reads never do. */
  existing(namespace: string): NamespaceState | undefined {
    const ns = this.namespaces.get(namespace);
    return ns && ns.recordCount > 0 ? ns : undefined;
  }

  private namespaceFor(namespace: string): NamespaceState {
    let ns = this.namespaces.get(namespace);
    if (!ns) {
      ns = new NamespaceState(namespace, this.config.dimension, this.config.metric, this.annDir);
      this.namespaces.set(namespace, ns);
    }
    return ns;
  }

  async upsert(namespace: string, ids: string[], vectors: Float32Array, metadata: (RecordMetadata | undefined)[], metadataJson: (string | undefined)[]): Promise<number> {
    const ns = this.namespaceFor(namespace);
    // Opened before the commit, so that a graph that cannot open fails the write rather than follow it.
    if (this.config.engine === 'approximate' && deservesGraph(ns.recordCount + ids.length)) await ns.ensureGraph(this.config.hnsw);
    return ns.gate.write(() => {
      // Looked up again: a namespace deletion that waited in the gate ahead of this write has run.
      const target = this.namespaceFor(namespace);
      const seqs = new Float64Array(ids.length);
      for (let i = 0; i < ids.length; i++) seqs[i] = this.lastSeq + 1 + i;
      this.storage.appendUpsert(this.name, namespace, { ids, seqs, vectors, metadataJson });
      this.lastSeq += ids.length;
      target.applyUpsert({ ids, seqs, vectors, metadata });
      this.maybeCompact(target);
      return ids.length;
    });
  }

  /** Deletes the given ids that exist; returns how many did. */
  async deleteIds(namespace: string, ids: readonly string[]): Promise<number> {
    const ns = this.existing(namespace);
    if (!ns) return 0;
    return ns.gate.write(() => {
      // Looked up again: a namespace deletion that waited in the gate ahead of this write has run.
      const target = this.existing(namespace);
      const present = target ? ids.filter((id) => target.slotOf(id) !== undefined) : [];
      if (!target || present.length === 0) return 0;
      this.storage.appendDelete(this.name, namespace, present);
      target.applyDelete(present);
      this.maybeCompact(target);
      return present.length;
    });
  }

  async deleteNamespace(namespace: string): Promise<void> {
    const ns = this.namespaces.get(namespace);
    const remove = (): void => {
      this.storage.deleteNamespace(this.name, namespace);
      if (this.namespaces.get(namespace) === ns) this.namespaces.delete(namespace);
    };
    await (ns ? ns.gate.write(remove) : remove());
    ns?.detachScans();
    await ns?.drop();
  }

  /**
   * The top-k hits of a search, handed to `project` (slots to records) before any write can
   * change the namespace; undefined when the namespace holds no records.
   */
  async search<T>(
    namespace: string,
    request: Omit<SearchRequest, 'efSearch'>,
    project: (ns: NamespaceState, hits: Hit[]) => T,
  ): Promise<T | undefined> {
    const ns = this.existing(namespace);
    if (!ns) return undefined;
    return ns.search({ ...request, efSearch: this.config.hnsw.efSearch }, (hits) => project(ns, hits));
  }

  /**
   * Opens (and builds) the graph of every namespace large enough for one (an exact-default index
   * builds lazily, on a namespace's first approximate query). Smaller namespaces are scanned exactly.
   */
  async ensureGraphs(): Promise<void> {
    const large = [...this.namespaces.values()].filter((ns) => deservesGraph(ns.recordCount));
    await Promise.all(large.map((ns) => ns.ensureGraph(this.config.hnsw)));
  }

  async ensureGraph(namespace: string): Promise<void> {
    const ns = this.existing(namespace);
    if (ns && deservesGraph(ns.recordCount)) await ns.ensureGraph(this.config.hnsw);
  }

  /** Resolves when every graph the index searches by default holds every record written so far. */
  async flushGraphs(): Promise<void> {
    if (this.config.engine === 'approximate') await this.ensureGraphs();
    await Promise.all([...this.namespaces.values()].map((ns) => ns.flushGraph()));
  }

  /**
   * Rewrites the namespace's log as its live records and deletes its graph files, which hold
   * every vector the graph ever took; then empties the write-ahead log, so that nothing of the
   * removed versions is left in the files. The graph is deleted first, so a crash in between
   * leaves nothing erased in a graph; it is rebuilt from the live records under their same keys
   * (sequence numbers) in the background when the namespace had one or the index searches
   * approximately by default, and the namespace is still large enough for one.
   * @returns the live records kept and the dead versions (overwritten or deleted) removed.
   */
  async compact(namespace: string): Promise<{ recordCount: number; reclaimedVersions: number }> {
    const ns = this.namespaces.get(namespace);
    if (!ns) return { recordCount: 0, reclaimedVersions: 0 };
    const rebuild = ns.hasGraph() || this.config.engine === 'approximate';
    await ns.drop();
    // An automatic compaction under way covers only what the log held when it began.
    await this.compactions.get(ns)?.catch(() => undefined);
    const reclaimedVersions = await this.compactInSteps(ns);
    this.storage.eraseRemoved();
    if (rebuild && this.namespaces.get(namespace) === ns && deservesGraph(ns.recordCount)) await ns.ensureGraph(this.config.hnsw);
    return { recordCount: this.existing(namespace)?.recordCount ?? 0, reclaimedVersions };
  }

  /** Starts compacting a namespace whose log holds more dead versions than live records (and at least COMPACTION_MIN_DEAD). */
  private maybeCompact(ns: NamespaceState): void {
    if (ns.deadVersions < COMPACTION_MIN_DEAD || ns.deadVersions < ns.recordCount || this.compactions.has(ns)) return;
    // Nobody awaits an automatic compaction: a failure (a full disk) is reported, and the log stays as it was after its last step.
    this.compactInSteps(ns)
      .then(() => this.rebuildGraph(ns))
      .catch((err: unknown) => console.error(`[facevault] compacting namespace "${ns.name}" of index "${this.name}" failed`, err));
  }

  /**
   * The graph keeps every version it ever took (overwritten and deleted ones are only masked), so
   * under overwrites it grows with the writes, not the data: a steady load of overwriting upserts
   * on 20K records grew the server's memory 1.31× in 5 minutes. After an automatic compaction,
   * when dead versions were as many as live records, the graph is dropped and rebuilt from the
   * live records in the background; approximate queries meanwhile scan exactly.
   */
  private async rebuildGraph(ns: NamespaceState): Promise<void> {
    if (this.closing || this.namespaces.get(ns.name) !== ns || !ns.hasGraph()) return;
    await ns.drop();
    if (deservesGraph(ns.recordCount) && this.namespaces.get(ns.name) === ns && !this.closing) await ns.ensureGraph(this.config.hnsw);
  }

  /** Runs a compaction of the namespace, registered so that no other starts meanwhile. */
  private compactInSteps(ns: NamespaceState): Promise<number> {
    const running = this.stepThroughLog(ns).finally(() => {
      if (this.compactions.get(ns) === running) this.compactions.delete(ns);
    });
    this.compactions.set(ns, running);
    return running;
  }

  /**
   * Rewrites the namespace's log, as it stands now, a step at a time: each step takes the oldest
   * segments holding about COMPACTION_STEP_RECORDS records, and in one transaction removes them
   * and appends the versions among them that are still current (their stored bytes, seqs kept).
   * Between steps the event loop turns, so a compaction of a million records never holds it
   * for more than one step (~10 ms); a crash between steps leaves a log that replays to the same
   * records. Writes meanwhile append after the rows the compaction covers. Memory is only read.
   * @returns the dead versions removed.
   */
  private async stepThroughLog(ns: NamespaceState): Promise<number> {
    const through = this.storage.lastRow(this.name, ns.name);
    let after = 0;
    let reclaimed = 0;
    // Stops when the engine closes, or the namespace is deleted (and perhaps written again: then it is not this one).
    // Each step starts on a later turn of the event loop, the first too: the write that started an automatic compaction returns first.
    for (;;) {
      await new Promise((resolve) => setImmediate(resolve));
      if (this.closing || this.namespaces.get(ns.name) !== ns) break;
      const segments = this.storage.readSegments(this.name, ns.name, after, through, COMPACTION_STEP_RECORDS);
      const last = segments.at(-1);
      if (last === undefined) break;
      const { live, dead } = currentVersions(ns, segments, this.config.dimension);
      this.storage.rewriteSegments(this.name, ns.name, segments.map((segment) => segment.row), live);
      ns.deadVersions -= dead;
      reclaimed += dead;
      after = last.row;
    }
    return reclaimed;
  }

  /** Compactions stop after their current step (the log is whole after every step). */
  private async stopCompactions(): Promise<void> {
    this.closing = true;
    await Promise.all([...this.compactions.values()].map((running) => running.catch(() => undefined)));
  }

  async close(): Promise<void> {
    await this.stopCompactions();
    await Promise.all([...this.namespaces.values()].map((ns) => ns.close()));
  }

  async drop(): Promise<void> {
    await this.stopCompactions();
    await Promise.all([...this.namespaces.values()].map((ns) => ns.drop()));
    for (const ns of this.namespaces.values()) ns.detachScans();
    this.namespaces.clear();
  }
}

function parseMetadata(json: string | undefined): RecordMetadata | undefined {
  return json === undefined ? undefined : (JSON.parse(json) as RecordMetadata);
}

/**
 * The versions in these segments that are still current in memory, as new segments of up to
 * COMPACTION_SEGMENT_RECORDS (their stored vectors and metadata text, seqs kept), and how many
 * upserted versions the segments hold that are not.
 */
function currentVersions(ns: NamespaceState, segments: readonly LogEntry[], dimension: number): { live: SegmentBatch[]; dead: number } {
  const live: SegmentBatch[] = [];
  let batch: SegmentBatch | undefined;
  let dead = 0;
  for (const segment of segments) {
    if (segment.kind !== 'upsert') continue;
    const { ids, seqs, vectors, metadataJson } = segment.batch;
    for (let i = 0; i < ids.length; i++) {
      const id = at(ids, i);
      const seq = at(seqs, i);
      if (!ns.isCurrent(id, seq)) {
        dead++;
        continue;
      }
      if (batch === undefined || batch.ids.length === COMPACTION_SEGMENT_RECORDS) {
        batch = { ids: [], seqs: new Float64Array(COMPACTION_SEGMENT_RECORDS), vectors: new Float32Array(COMPACTION_SEGMENT_RECORDS * dimension), metadataJson: [] };
        live.push(batch);
      }
      const n = batch.ids.length;
      batch.seqs[n] = seq;
      batch.vectors.set(vectors.subarray(i * dimension, (i + 1) * dimension), n * dimension);
      batch.ids.push(id);
      batch.metadataJson.push(metadataJson[i]);
    }
  }
  for (const b of live) {
    b.seqs = b.seqs.subarray(0, b.ids.length);
    b.vectors = b.vectors.subarray(0, b.ids.length * dimension);
  }
  return { live, dead };
}

export function recordNotFound(id: string, namespace: string): Error {
  return fvError('FV_ERR_RECORD_NOT_FOUND', `No record with id "${id}" in namespace "${namespace}"`, { id, namespace });
}
