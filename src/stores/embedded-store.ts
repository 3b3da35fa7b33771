/**
 * The default {@link VectorStore}: the embedded vector database of `src/vector` in a local data
 * directory (one process owns the directory at a time).
 */
import { isFacevaultError } from '../errors.js';
import { openDatabase, type Database, type DatabaseOptions } from '../vector/database.js';
import type { Engine, IndexDescription, RecordMetadata, UpdateOptions, VectorRecord } from '../vector/types.js';
import type { VectorIndex } from '../vector/vector-index.js';
import { fetchByMetadata } from './embedded-filtered-list.js';
import {
  ensureIndexOf,
  type DeleteOptions,
  type IndexChanges,
  type IndexInfo,
  type IndexSettings,
  type IndexSpec,
  type IndexStatistics,
  type ListOptions,
  type ListPage,
  type NamespaceInfo,
  type NamespaceOption,
  type RecordInput,
  type RecordSelector,
  type StoreIndex,
  type StoreMatch,
  type StoreQuery,
  type StoreRecord,
  type UpdateSelector,
  type UpsertOptions,
  type VectorStore,
} from './vector-store.js';
import { keyedByUser } from '../util/keyed-by-user.js';

export interface EmbeddedStoreOptions extends DatabaseOptions {
  /**
   * How queries that do not say `exact` search the indexes created without an engine.
   * 'approximate' (default) builds an HNSW graph in a background thread as records arrive;
   * 'exact' builds it only when a query first asks for approximate search.
   */
  readonly defaultEngine?: Engine;
}

/**
 * Opens (or creates) the embedded database in `dir` as a {@link VectorStore}.
 * @example const store = await openEmbeddedStore('./facevault-data'); store.kind // → 'embedded'
 * @throws FV_ERR_STORAGE_LOCKED when another process holds the directory; FV_ERR_STORAGE_VERSION, FV_ERR_STORAGE_CORRUPT
 */
export async function openEmbeddedStore(dir: string, options: EmbeddedStoreOptions = {}): Promise<EmbeddedStore> {
  const database = await openDatabase(dir, { synchronous: options.synchronous });
  return new EmbeddedStore(database, options.defaultEngine ?? 'approximate');
}

export class EmbeddedStore implements VectorStore {
  readonly kind = 'embedded';
  /** Conditional upserts in flight, per index and namespace: see EmbeddedIndex.upsert. */
  private readonly conditionalWrites = new Map<string, Promise<unknown>>();

  /** @internal use openEmbeddedStore() */
  constructor(
    /** The underlying database, for callers that need what only it offers (e.g. waiting for graphs in benchmarks). */
    readonly database: Database,
    private readonly defaultEngine: Engine,
  ) {}

  get dir(): string {
    return this.database.dir;
  }

  async createIndex(settings: IndexSettings): Promise<{ created: boolean; index: IndexInfo }> {
    // A gallery ensures its index on every request: look first, so that the usual answer costs
    // no error (an exception with its stack trace took ~15 µs a request under load).
    if (this.database.hasIndex(settings.name)) return { created: false, index: infoOf(await this.database.describeIndex(settings.name)) };
    try {
      const description = await this.database.createIndex({ ...settings, engine: settings.engine ?? this.defaultEngine });
      return { created: true, index: infoOf(description) };
    } catch (err) {
      if (!isFacevaultError(err) || err.code !== 'FV_ERR_INDEX_EXISTS') throw err;
      return { created: false, index: infoOf(await this.database.describeIndex(settings.name)) };
    }
  }

  ensureIndex<M extends RecordMetadata = RecordMetadata>(spec: IndexSpec): Promise<StoreIndex<M>> {
    return ensureIndexOf<M>(this, spec);
  }

  async openIndex<M extends RecordMetadata = RecordMetadata>(name: string): Promise<StoreIndex<M>> {
    const { dimension, metric } = await this.database.describeIndex(name);
    return new EmbeddedIndex<M>({ name, dimension, metric }, this.database.index<M>(name), this.conditionalWrites);
  }

  async describeIndex(name: string): Promise<IndexInfo> {
    return infoOf(await this.database.describeIndex(name));
  }

  async configureIndex(name: string, changes: IndexChanges): Promise<IndexInfo> {
    const { efSearch, ...rest } = changes;
    return infoOf(await this.database.configureIndex(name, { ...rest, ...(efSearch === undefined ? {} : { hnsw: { efSearch } }) }));
  }

  async listIndexes(): Promise<IndexInfo[]> {
    return (await this.database.listIndexes()).indexes.map(infoOf);
  }

  async deleteIndex(name: string): Promise<void> {
    await this.database.deleteIndex(name);
  }

  async close(): Promise<void> {
    await this.database.close();
  }
}

function infoOf(description: IndexDescription): IndexInfo {
  const { name, dimension, metric, engine, deletionProtection, tags, createdAt, deployment } = description;
  const { m, efConstruction, efSearch } = description.hnsw;
  return { name, dimension, metric, engine, deletionProtection, tags, createdAt, hnsw: { m, efConstruction, efSearch }, ...(deployment ? { deployment } : {}) };
}

class EmbeddedIndex<M extends RecordMetadata> implements StoreIndex<M> {
  constructor(
    readonly spec: IndexSpec,
    private readonly index: VectorIndex<M>,
    private readonly conditionalWrites: Map<string, Promise<unknown>>,
  ) {}

  /**
   * With `ifAbsent`, the ids already stored are left out before the write. Conditional writes to
   * one namespace take turns (the look-up and the write are two awaits), so two of them racing
   * for an id store it once; one process owns the data directory, so that is enough here.
   */
  async upsert(records: readonly RecordInput<M>[], options: UpsertOptions = {}): Promise<number> {
    if (!options.ifAbsent) return (await this.index.upsert({ namespace: options.namespace, records: records as VectorRecord<M>[] })).upsertedCount;
    const key = `${this.spec.name}\u0000${options.namespace ?? ''}`;
    const previous = this.conditionalWrites.get(key) ?? Promise.resolve();
    const turn = previous.catch(() => undefined).then(async () => {
      const stored = await this.fetch(records.map((record) => record.id), options);
      const absent = (records as VectorRecord<M>[]).filter((record) => !stored.has(record.id));
      return absent.length === 0 ? 0 : (await this.index.upsert({ namespace: options.namespace, records: absent })).upsertedCount;
    });
    this.conditionalWrites.set(key, turn);
    try {
      return await turn;
    } finally {
      if (this.conditionalWrites.get(key) === turn) this.conditionalWrites.delete(key);
    }
  }

  async query(query: StoreQuery): Promise<StoreMatch<M>[]> {
    const { matches } = await this.index.query(
      defined({
        namespace: query.namespace,
        vector: query.vector as number[] | Float32Array | undefined,
        id: query.id,
        topK: query.topK,
        filter: query.filter,
        includeValues: query.includeValues,
        includeMetadata: query.includeMetadata ?? false,
        exact: query.exact,
        ef: query.ef,
      }),
    );
    return matches.map(({ id, score, values, metadata }) => ({ id, score, ...(values ? { values: Float32Array.from(values) } : {}), ...(metadata ? { metadata } : {}) }));
  }

  async fetch(ids: readonly string[], options: NamespaceOption = {}): Promise<Map<string, StoreRecord<M>>> {
    const { records } = await this.index.fetch(defined({ ids: [...ids], namespace: options.namespace }));
    const found = new Map<string, StoreRecord<M>>();
    for (const id of ids) {
      const record = records[id];
      if (record) found.set(id, { id, values: Float32Array.from(record.values), ...(record.metadata ? { metadata: record.metadata } : {}) });
    }
    return found;
  }

  async update(selector: UpdateSelector, change: { readonly values?: Float32Array | readonly number[]; readonly metadata?: Partial<M> }, options: NamespaceOption & { readonly dryRun?: boolean } = {}): Promise<number> {
    if (options.dryRun) return this.countSelected(selector, options.namespace);
    const { matchedRecords } = await this.index.update(defined({ ...selector, ...change, namespace: options.namespace }) as UpdateOptions<M>);
    return matchedRecords;
  }

  /** What an update would change: the record when it exists, or the records matching the filter. */
  private async countSelected(selector: UpdateSelector, namespace: string | undefined): Promise<number> {
    if ('id' in selector) return (await this.fetch([selector.id], defined({ namespace }))).size;
    const stats = await this.stats({ filter: selector.filter });
    return stats.namespaces[namespace ?? ''] ?? 0;
  }

  /** A purge compacts the namespace after the delete: its log and graph files are rewritten without the deleted records. */
  async delete(selector: RecordSelector, options: DeleteOptions = {}): Promise<void> {
    const namespace = options.namespace;
    if ('all' in selector) await this.index.deleteAll(defined({ namespace }));
    else if ('ids' in selector) await this.index.deleteMany(defined({ ids: [...selector.ids], namespace }));
    else await this.index.deleteMany(defined({ filter: selector.filter, namespace }));
    if (options.purge) await this.index.compact(defined({ namespace }));
  }

  async list(options: ListOptions = {}): Promise<ListPage<M>> {
    const namespace = options.namespace;
    if (options.filter !== undefined) {
      const page = await fetchByMetadata(this.index, defined({ filter: options.filter, namespace, limit: options.limit ?? 100, paginationToken: options.paginationToken, prefix: options.prefix }));
      const records = Object.values(page.records).map((record) => this.listed(record, options));
      return { records, ...(page.next !== undefined ? { next: page.next } : {}) };
    }
    const page = await this.index.listPaginated(defined({ namespace, prefix: options.prefix, limit: options.limit, paginationToken: options.paginationToken }));
    const ids = page.vectors.map((v) => v.id);
    const next = page.pagination?.next;
    const more = next ? { next } : {};
    if ((!options.includeMetadata && !options.includeValues) || ids.length === 0) return { records: ids.map((id) => ({ id })), ...more };
    // VectorIndex lists ids only; metadata and values come from a fetch.
    const { records } = await this.index.fetch(defined({ ids, namespace }));
    return { records: ids.map((id) => (records[id] ? this.listed(records[id], options) : { id })), ...more };
  }

  private listed(record: { id: string; values: number[]; metadata?: M }, options: ListOptions): { id: string; values?: Float32Array; metadata?: M } {
    return {
      id: record.id,
      ...(options.includeValues ? { values: Float32Array.from(record.values) } : {}),
      ...(options.includeMetadata && record.metadata ? { metadata: record.metadata } : {}),
    };
  }

  async stats(options: { readonly filter?: Record<string, unknown> } = {}): Promise<IndexStatistics> {
    const stats = await this.index.describeIndexStats(options.filter === undefined ? {} : { filter: options.filter });
    const namespaces = keyedByUser<number>();
    for (const [name, { recordCount }] of Object.entries(stats.namespaces)) namespaces[name] = recordCount;
    return { dimension: stats.dimension, namespaces, totalRecordCount: stats.totalRecordCount, indexFullness: stats.indexFullness };
  }

  async namespaces(): Promise<NamespaceInfo[]> {
    return (await this.index.listNamespaces()).namespaces;
  }

  async deleteNamespace(namespace: string): Promise<void> {
    await this.index.deleteNamespace(namespace);
  }
}

/** The engine refuses option keys it does not know even when their value is undefined. */
function defined<T extends object>(options: T): T {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as T;
}
