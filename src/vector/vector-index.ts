/**
 * The handle users hold on an index, shaped like the official Pinecone client's `Index` (v8):
 * the same method names and options objects, so its users already know them.
 */
import { fvError } from '../errors.js';
import { compileFilter } from './filter.js';
import type { IndexEngine } from './index-engine.js';
import type { NamespaceState } from './namespace.js';
import type {
  CompactResponse,
  FetchResponse,
  IndexStats,
  ListNamespacesOptions,
  ListNamespacesResponse,
  ListOptions,
  ListResponse,
  NamespaceDescription,
  QueryOptions,
  QueryResponse,
  RecordMetadata,
  ScoredRecord,
  StoredRecord,
  UpdateOptions,
  UpsertOptions,
} from './types.js';
import { DEFAULT_NAMESPACE, READ_UNITS } from './types.js';
import { compareUtf8 } from './utf8-order.js';
import { validateIds, validateListNamespacesOptions, validateListOptions, validateNamespace, validateQuery, validateUpdate, validateUpsertBatch, validateId, validateMetadata, type ValidatedPage } from './validate.js';
import { at } from '../util/checked.js';
import { keyedByUser } from '../util/keyed-by-user.js';

/**
 * The buffers upsert batches are validated into, reused from one batch to the next: a fresh
 * 512 KB Float32Array per batch of 1,000 × 128-d cost more than validating it (zeroed memory, and
 * on this machine's VM ~12 µs of page faults per 4 KiB first touched; measured 0.3-1.2 ms a batch
 * against ~0.02 ms to reuse one). A buffer is taken for the whole of an `upsert` and given back
 * when it settles: storage copies the batch into its row, the namespace into its slab, and the
 * graph builder takes a copy, so nothing holds the buffer afterwards. Concurrent upserts each take
 * their own; at most `KEPT` buffers are kept.
 */
class BatchBuffers {
  private static readonly KEPT = 4;
  /** Floats per kept buffer: a batch of 1,000 × 1,024-d (4 MiB); larger batches get a buffer of their own. */
  private static readonly FLOATS = 1_000 * 1_024;
  private readonly free: Float32Array[] = [];

  take(): Float32Array {
    return this.free.pop() ?? new Float32Array(BatchBuffers.FLOATS);
  }

  give(buffer: Float32Array): void {
    if (this.free.length < BatchBuffers.KEPT) this.free.push(buffer);
  }
}

const batchBuffers = new BatchBuffers();

/** Resolves the engine of a named index at each call, so a handle to a deleted index fails cleanly. */
export type EngineLookup = (name: string) => IndexEngine;

export class VectorIndex<M extends RecordMetadata = RecordMetadata> {
  constructor(
    readonly name: string,
    private readonly lookup: EngineLookup,
    private readonly boundNamespace: string = DEFAULT_NAMESPACE,
  ) {}

  /** The same surface bound to another namespace. */
  namespace(namespace: string): VectorIndex<M> {
    return new VectorIndex<M>(this.name, this.lookup, validateNamespace(namespace));
  }

  private engine(): IndexEngine {
    return this.lookup(this.name);
  }

  private ns(namespace: unknown): string {
    return namespace === undefined ? this.boundNamespace : validateNamespace(namespace);
  }

  /**
   * Inserts or overwrites up to 1,000 records, all or nothing, durably before it resolves.
   * @throws FV_ERR_BATCH_TOO_LARGE, FV_ERR_VECTOR_DIMENSION, FV_ERR_VECTOR_VALUE, FV_ERR_RECORD_ID, FV_ERR_DUPLICATE_ID, FV_ERR_METADATA
   * @example await index.upsert({ records: [{ id: 'a', values: [0.1, 0.2] }] }) // → { upsertedCount: 1 }
   */
  async upsert(options: UpsertOptions<M>): Promise<{ upsertedCount: number }> {
    const engine = this.engine();
    const namespace = this.ns(options?.namespace);
    const buffer = batchBuffers.take();
    try {
      const batch = validateUpsertBatch(options?.records, engine.config.dimension, engine.config.metric, buffer);
      const upsertedCount = await engine.upsert(namespace, batch.ids, batch.vectors, batch.metadata, batch.metadataJson);
      return { upsertedCount };
    } finally {
      batchBuffers.give(buffer);
    }
  }

  /**
   * Top-k nearest records to a vector or to a stored record's vector. `exact: true` scans every
   * record (k-NN, always correct); `exact: false` searches the HNSW graph (ANN: much faster at
   * scale, recall slightly below 1); absent, the index's default engine decides.
   * A query by the id of a record that is not stored matches nothing.
   * @throws FV_ERR_TOP_K, FV_ERR_FILTER, FV_ERR_VECTOR_DIMENSION
   */
  async query(options: QueryOptions): Promise<QueryResponse<M>> {
    const engine = this.engine();
    const q = validateQuery(options, engine.config.dimension, engine.config.metric);
    const namespace = this.ns(options?.namespace);
    const exact = q.exact ?? engine.config.engine === 'exact';
    const existing = engine.existing(namespace);
    let vector = q.vector;
    if (q.id !== undefined) {
      const slot = existing?.slotOf(q.id);
      // As Pinecone: a query by an id that is not stored matches nothing (it is not an error).
      if (!existing || slot === undefined) return { matches: [], namespace, usage: READ_UNITS.query };
      vector = existing.slab.read(slot);
    }
    if (!exact) await engine.ensureGraph(namespace);
    const request = { vector: vector as Float32Array, topK: q.topK, predicate: q.filter, exact, ef: q.ef };
    const matches = await engine.search(namespace, request, (ns, hits) =>
      hits.map(({ slot, score }) => toScored<M>(ns, slot, score, q.includeValues, q.includeMetadata)),
    );
    return { matches: matches ?? [], namespace, usage: READ_UNITS.query };
  }

  /** Records by id; unknown ids are left out of `records`, as Pinecone does. */
  async fetch(options: { ids: string[]; namespace?: string }): Promise<FetchResponse<M>> {
    const engine = this.engine();
    const ids = validateIds(options?.ids, 'ids');
    const namespace = this.ns(options?.namespace);
    const ns = engine.existing(namespace);
    const records = keyedByUser<StoredRecord<M>>();
    if (ns) {
      for (const id of ids) {
        const slot = ns.slotOf(id);
        if (slot !== undefined) records[id] = toStored<M>(ns, slot);
      }
    }
    return { records, namespace, usage: READ_UNITS.fetch(Object.keys(records).length) };
  }

  /**
   * Replaces the values and/or merges metadata of one record, durably. With `filter` instead of
   * `id`, merges `metadata` into every matching record.
   * @example await index.update({ id: 'a', values: [0.3, 0.4], metadata: { subject: 'ada' } }) // → { matchedRecords: 1 }
   * @throws FV_ERR_RECORD_NOT_FOUND when the id is unknown; FV_ERR_INVALID_ARGUMENT for both or neither of id and filter, or values with a filter
   */
  async update(options: UpdateOptions<M>): Promise<{ matchedRecords: number }> {
    const engine = this.engine();
    const u = validateUpdate(options, engine.config.dimension, engine.config.metric);
    const namespace = this.ns(options?.namespace);
    const ns = engine.existing(namespace);
    const ids = u.id !== undefined ? [u.id] : ns ? ns.idsMatching(u.filter) : [];
    if (u.id !== undefined && (!ns || ns.slotOf(u.id) === undefined)) {
      throw fvError('FV_ERR_RECORD_NOT_FOUND', `No record with id "${u.id}" in namespace "${namespace}" to update`, { id: u.id, namespace });
    }
    if (!ns || ids.length === 0) return { matchedRecords: 0 };
    const dim = engine.config.dimension;
    // An update is an upsert of the whole new version: one write path, one durability story.
    for (let start = 0; start < ids.length; start += 1_000) {
      const chunk = ids.slice(start, start + 1_000);
      const vectors = new Float32Array(chunk.length * dim);
      const metadata: (RecordMetadata | undefined)[] = [];
      const metadataJson: (string | undefined)[] = [];
      chunk.forEach((id, i) => {
        const slot = ns.slotOf(id) as number;
        vectors.set(u.values ?? ns.slab.read(slot), i * dim);
        // The merge can outgrow the 40 KB limit that each part met alone: check the result.
        const merged = u.metadata ? validateMetadata(mergeMetadata(ns.metadataAt(slot), u.metadata.metadata), `metadata of record "${id}" after the update`) : undefined;
        const current = ns.metadataAt(slot);
        metadata.push(merged ? merged.metadata : current);
        metadataJson.push(merged ? merged.json : current === undefined ? undefined : JSON.stringify(current));
      });
      await engine.upsert(namespace, chunk, vectors, metadata, metadataJson);
    }
    return { matchedRecords: ids.length };
  }

  async deleteOne(options: { id: string; namespace?: string } | string): Promise<void> {
    const opts = typeof options === 'string' ? { id: options } : options;
    const id = validateId(opts?.id, 'id');
    await this.engine().deleteIds(this.ns(opts.namespace), [id]);
  }

  /** Deletes by ids, or every record matching a metadata filter. */
  async deleteMany(options: { ids?: string[]; filter?: Record<string, unknown>; namespace?: string } | string[]): Promise<void> {
    const opts = Array.isArray(options) ? { ids: options } : options;
    const engine = this.engine();
    const namespace = this.ns(opts?.namespace);
    if (opts?.ids !== undefined && opts.filter !== undefined) {
      throw fvError('FV_ERR_INVALID_ARGUMENT', 'deleteMany takes either ids or filter, not both', {});
    }
    if (opts?.filter !== undefined) {
      const predicate = compileFilter(opts.filter);
      const ids = engine.existing(namespace)?.idsMatching(predicate) ?? [];
      for (let start = 0; start < ids.length; start += 10_000) await engine.deleteIds(namespace, ids.slice(start, start + 10_000));
      return;
    }
    await engine.deleteIds(namespace, validateIds(opts?.ids, 'ids'));
  }

  /** Deletes every record of the namespace (the namespace itself goes with them). */
  async deleteAll(options: { namespace?: string } = {}): Promise<void> {
    await this.engine().deleteNamespace(this.ns(options?.namespace));
  }

  /**
   * Ids in lexicographic order, by prefix, a page at a time (100 by default); `pagination.next`
   * is the token of the next page, absent on the last one.
   * @example await index.listPaginated({ prefix: 'doc1#', limit: 2 }) // → { vectors: [{ id: 'doc1#a' }, { id: 'doc1#b' }], pagination: { next: '…' }, namespace: '', usage: { readUnits: 1 } }
   * @throws FV_ERR_INVALID_ARGUMENT for a bad option; FV_ERR_PAGINATION_TOKEN for a token not returned here
   */
  async listPaginated(options: ListOptions = {}): Promise<ListResponse> {
    const engine = this.engine();
    const page = validateListOptions(options);
    const namespace = this.ns(options?.namespace);
    const { items, next } = pageOf(engine.existing(namespace)?.idsInOrder() ?? [], page);
    return { vectors: items.map((id) => ({ id })), ...(next ? { pagination: { next } } : {}), namespace, usage: READ_UNITS.list };
  }

  async describeIndexStats(options: { filter?: Record<string, unknown> } = {}): Promise<IndexStats> {
    const engine = this.engine();
    const predicate = options?.filter === undefined ? undefined : compileFilter(options.filter);
    const namespaces = keyedByUser<{ recordCount: number }>();
    let totalRecordCount = 0;
    for (const name of engine.namespaceNames()) {
      const recordCount = (engine.existing(name) as NamespaceState).countMatching(predicate);
      if (predicate && recordCount === 0) continue;
      namespaces[name] = { recordCount };
      totalRecordCount += recordCount;
    }
    // An embedded index has no fixed capacity: fullness is always 0, as on Pinecone serverless.
    return { namespaces, dimension: engine.config.dimension, indexFullness: 0, totalRecordCount };
  }

  /**
   * The namespaces holding records, by name, as the Pinecone v8 client's `listNamespaces`.
   * Without `limit` every namespace (from the token on) is returned at once.
   * @example await index.listNamespaces({ limit: 1 }) // → { namespaces: [{ name: 'a', recordCount: 2 }], pagination: { next: '…' }, totalCount: 2 }
   * @throws FV_ERR_INVALID_ARGUMENT for a bad option; FV_ERR_PAGINATION_TOKEN for a token not returned here
   */
  async listNamespaces(options: ListNamespacesOptions = {}): Promise<ListNamespacesResponse> {
    const engine = this.engine();
    const page = validateListNamespacesOptions(options);
    const { items, next, matching } = pageOf(engine.namespaceNames().sort(), page);
    const namespaces = items.map((name) => ({ name, recordCount: (engine.existing(name) as NamespaceState).recordCount }));
    return { namespaces, ...(next ? { pagination: { next } } : {}), totalCount: matching };
  }

  /**
   * Physically removes what deletes and overwrites left behind in a namespace: its live records
   * are rewritten into fresh segments in one transaction (after a crash, the old log or the new,
   * never half), the freed pages are zeroed and the write-ahead log emptied, and the HNSW graph
   * files, which hold every vector the graph ever took, are deleted; the graph is rebuilt from the
   * live records in the background (approximate queries meanwhile scan exactly, as for any unbuilt
   * tail). Use it to erase personal data for good; routine deletes need no compaction (the engine
   * compacts a namespace by itself once dead versions outnumber live records). Not in Pinecone's
   * API, whose storage compacts itself: it is on the index handle like every namespace operation.
   * Cost: the live records written once (~0.5 s per 100K × 128-d) plus rebuilding the graph.
   * @example await index.namespace('gallery').compact() // → { namespace: 'gallery', recordCount: 2, reclaimedVersions: 1 }
   * @throws FV_ERR_INVALID_ARGUMENT for a bad namespace; FV_ERR_INDEX_NOT_FOUND, FV_ERR_CLOSED
   */
  async compact(options: { namespace?: string } = {}): Promise<CompactResponse> {
    const engine = this.engine();
    const namespace = this.ns(options?.namespace);
    return { namespace, ...(await engine.compact(namespace)) };
  }

  /** @throws FV_ERR_NAMESPACE_NOT_FOUND when the namespace holds no records */
  async describeNamespace(namespace: string): Promise<NamespaceDescription> {
    const name = validateNamespace(namespace);
    const ns = this.engine().existing(name);
    if (!ns) throw namespaceNotFound(this.name, name);
    return { name, recordCount: ns.recordCount };
  }

  /** @throws FV_ERR_NAMESPACE_NOT_FOUND when the namespace holds no records */
  async deleteNamespace(namespace: string): Promise<void> {
    const name = validateNamespace(namespace);
    const engine = this.engine();
    if (!engine.existing(name)) throw namespaceNotFound(this.name, name);
    await engine.deleteNamespace(name);
  }

  /** Resolves when the approximate graph holds every record written so far (benchmarks, tests). */
  async flush(): Promise<void> {
    await this.engine().flushGraphs();
  }
}

function namespaceNotFound(index: string, namespace: string): Error {
  return fvError('FV_ERR_NAMESPACE_NOT_FOUND', `Index "${index}" has no namespace "${namespace}"`, { index, namespace });
}

function toStored<M extends RecordMetadata>(ns: NamespaceState, slot: number): StoredRecord<M> {
  const metadata = ns.metadataAt(slot) as M | undefined;
  return { id: ns.idAt(slot), values: Array.from(ns.slab.read(slot)), ...(metadata ? { metadata } : {}) };
}

function toScored<M extends RecordMetadata>(ns: NamespaceState, slot: number, score: number, includeValues: boolean, includeMetadata: boolean): ScoredRecord<M> {
  const match: ScoredRecord<M> = { id: ns.idAt(slot), score };
  if (includeValues) match.values = Array.from(ns.slab.read(slot));
  const metadata = ns.metadataAt(slot) as M | undefined;
  if (includeMetadata && metadata) match.metadata = metadata;
  return match;
}

function mergeMetadata(current: RecordMetadata | undefined, patch: RecordMetadata): RecordMetadata {
  return { ...(current ?? {}), ...patch };
}

/** Pinecone bills a query by the records it scans: 1 read unit per 10 MB-ish; we report a plain count-based figure. */
/**
 * One page of a sorted list: the names after the token's (else from the prefix on) that start
 * with the prefix, at most `limit`; `next` when more follow; `matching` counts all with the prefix.
 */
function pageOf(sorted: readonly string[], page: ValidatedPage): { items: string[]; next?: string; matching: number } {
  const { prefix, limit = Infinity, paginationToken } = page;
  const firstMatching = lowerBound(sorted, prefix);
  let end = firstMatching;
  while (sorted[end]?.startsWith(prefix)) end++;
  let start = firstMatching;
  if (paginationToken !== undefined) {
    const after = decodeToken(paginationToken);
    start = Math.max(start, lowerBound(sorted, after));
    if (sorted[start] === after) start++;
  }
  const stop = Math.min(end, start + limit);
  const items = sorted.slice(start, stop) as string[];
  const last = items.at(-1);
  return { items, ...(stop < end && last !== undefined ? { next: encodeToken(last) } : {}), matching: end - firstMatching };
}

function lowerBound(sorted: readonly string[], key: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareUtf8(at(sorted, mid), key) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function encodeToken(lastId: string): string {
  return Buffer.from(JSON.stringify({ after: lastId }), 'utf8').toString('base64url');
}

function decodeToken(token: string): string {
  try {
    const decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { after?: unknown };
    if (typeof decoded.after === 'string') return decoded.after;
  } catch {
    // fall through to the coded error
  }
  throw fvError('FV_ERR_PAGINATION_TOKEN', 'paginationToken is not a token this server returned', { paginationToken: token });
}
