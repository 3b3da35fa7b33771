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
import type { SegmentBatch, Storage } from './storage/sqlite-log.js';
import type { IndexConfig, RecordMetadata } from './types.js';

/** Compaction runs when a namespace's log holds more dead versions than live records, and at least this many. */
const COMPACTION_MIN_DEAD = 10_000;
const COMPACTION_SEGMENT_RECORDS = 1_000;

export class IndexEngine {
  private readonly namespaces = new Map<string, NamespaceState>();
  private lastSeq: number;

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
   * Rewrites the namespace's log as its live records (one transaction: the old log or the new
   * survives a crash, never half of either) and deletes its graph files, which hold every vector
   * the graph ever took. The graph is deleted first, so a crash in between leaves nothing erased
   * in a graph; it is rebuilt from the live records under their same keys (sequence numbers) in
   * the background when the namespace had one or the index searches approximately by default,
   * and the namespace is still large enough for one.
   * @returns the live records kept and the dead versions (overwritten or deleted) removed.
   */
  async compact(namespace: string): Promise<{ recordCount: number; reclaimedVersions: number }> {
    const ns = this.namespaces.get(namespace);
    if (!ns) return { recordCount: 0, reclaimedVersions: 0 };
    const rebuild = ns.hasGraph() || this.config.engine === 'approximate';
    await ns.drop();
    // Writes may have landed while the graph files went; the rewrite below is synchronous and
    // takes the namespace as it is when the gate lets it run. A namespace deleted meanwhile has nothing left to compact.
    const reclaimedVersions = await ns.gate.write(() => {
      if (this.namespaces.get(namespace) !== ns) return undefined;
      const dead = ns.deadVersions;
      this.storage.compact(this.name, namespace, segmentsOf(ns, this.config.dimension));
      ns.deadVersions = 0;
      return dead;
    });
    if (reclaimedVersions === undefined) return { recordCount: 0, reclaimedVersions: 0 };
    if (rebuild && deservesGraph(ns.recordCount)) await ns.ensureGraph(this.config.hnsw);
    return { recordCount: ns.recordCount, reclaimedVersions };
  }

  private maybeCompact(ns: NamespaceState): void {
    if (ns.deadVersions < COMPACTION_MIN_DEAD || ns.deadVersions < ns.recordCount) return;
    this.storage.compact(this.name, ns.name, segmentsOf(ns, this.config.dimension));
    ns.deadVersions = 0;
  }

  async close(): Promise<void> {
    await Promise.all([...this.namespaces.values()].map((ns) => ns.close()));
  }

  async drop(): Promise<void> {
    await Promise.all([...this.namespaces.values()].map((ns) => ns.drop()));
    for (const ns of this.namespaces.values()) ns.detachScans();
    this.namespaces.clear();
  }
}

function parseMetadata(json: string | undefined): RecordMetadata | undefined {
  return json === undefined ? undefined : (JSON.parse(json) as RecordMetadata);
}

/** The namespace's live records in segments of COMPACTION_SEGMENT_RECORDS, keeping their sequence numbers. */
function* segmentsOf(ns: NamespaceState, dimension: number): Generator<SegmentBatch> {
  let ids: string[] = [];
  let seqs: number[] = [];
  let metadataJson: (string | undefined)[] = [];
  let vectors = new Float32Array(COMPACTION_SEGMENT_RECORDS * dimension);
  for (const record of ns.liveRecords()) {
    vectors.set(record.values, ids.length * dimension);
    ids.push(record.id);
    seqs.push(record.seq);
    metadataJson.push(record.metadata === undefined ? undefined : JSON.stringify(record.metadata));
    if (ids.length === COMPACTION_SEGMENT_RECORDS) {
      yield { ids, seqs: Float64Array.from(seqs), vectors, metadataJson };
      ids = [];
      seqs = [];
      metadataJson = [];
      vectors = new Float32Array(COMPACTION_SEGMENT_RECORDS * dimension);
    }
  }
  if (ids.length > 0) yield { ids, seqs: Float64Array.from(seqs), vectors: vectors.subarray(0, ids.length * dimension), metadataJson };
}

export function recordNotFound(id: string, namespace: string): Error {
  return fvError('FV_ERR_RECORD_NOT_FOUND', `No record with id "${id}" in namespace "${namespace}"`, { id, namespace });
}
