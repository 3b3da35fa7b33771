/**
 * The default {@link VectorStore}: the embedded vector database of `src/vector` in a local data
 * directory (one process owns the directory at a time).
 */
import { fvError } from '../errors.js';
import { openDatabase, type Database, type DatabaseOptions } from '../vector/database.js';
import type { Engine, RecordMetadata, UpdateOptions } from '../vector/types.js';
import type { VectorIndex } from '../vector/vector-index.js';
import type {
  DeleteOptions,
  IndexSpec,
  IndexStatistics,
  ListOptions,
  ListPage,
  MetadataFilter,
  NamespaceOption,
  RecordSelector,
  StoreIndex,
  StoreMatch,
  StoreQuery,
  StoreRecord,
  VectorStore,
} from './vector-store.js';

export interface EmbeddedStoreOptions extends DatabaseOptions {
  /**
   * How queries that do not say `exact` search the indexes this store creates. 'approximate'
   * (default) builds an HNSW graph in a background thread as records arrive; 'exact' builds it
   * only when a query first asks for approximate search.
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

  /** @internal use openEmbeddedStore() */
  constructor(
    /** The underlying database, for callers that need what only it offers (e.g. waiting for graphs in benchmarks). */
    readonly database: Database,
    private readonly defaultEngine: Engine,
  ) {}

  get dir(): string {
    return this.database.dir;
  }

  async ensureIndex<M extends RecordMetadata = RecordMetadata>(spec: IndexSpec): Promise<StoreIndex<M>> {
    const description = await this.database.createIndex({ name: spec.name, dimension: spec.dimension, metric: spec.metric, engine: this.defaultEngine, suppressConflicts: true });
    if (description.dimension !== spec.dimension || description.metric !== spec.metric) {
      throw fvError(
        'FV_ERR_INDEX_CONFIG',
        `index "${spec.name}" exists with dimension ${description.dimension} and metric ${description.metric}; asked for dimension ${spec.dimension} and metric ${spec.metric}`,
        { name: spec.name, dimension: description.dimension, metric: description.metric, wantedDimension: spec.dimension, wantedMetric: spec.metric },
      );
    }
    return this.openIndex<M>(spec.name);
  }

  async openIndex<M extends RecordMetadata = RecordMetadata>(name: string): Promise<StoreIndex<M>> {
    const { dimension, metric } = await this.database.describeIndex(name);
    return new EmbeddedIndex<M>({ name, dimension, metric }, this.database.index<M>(name));
  }

  async listIndexes(): Promise<IndexSpec[]> {
    return (await this.database.listIndexes()).indexes.map(({ name, dimension, metric }) => ({ name, dimension, metric }));
  }

  async deleteIndex(name: string): Promise<void> {
    await this.database.deleteIndex(name);
  }

  async close(): Promise<void> {
    await this.database.close();
  }
}

class EmbeddedIndex<M extends RecordMetadata> implements StoreIndex<M> {
  constructor(
    readonly spec: IndexSpec,
    private readonly index: VectorIndex<M>,
  ) {}

  async upsert(records: readonly StoreRecord<M>[], options: NamespaceOption = {}): Promise<void> {
    await this.index.upsert({ namespace: options.namespace, records: records as StoreRecord<M>[] });
  }

  async query(query: StoreQuery): Promise<StoreMatch<M>[]> {
    const { matches } = await this.index.query({
      namespace: query.namespace,
      vector: query.vector as number[] | Float32Array,
      topK: query.topK,
      filter: query.filter,
      includeMetadata: query.includeMetadata ?? false,
      exact: query.exact,
    });
    return matches.map(({ id, score, metadata }) => (metadata ? { id, score, metadata } : { id, score }));
  }

  async fetch(ids: readonly string[], options: NamespaceOption = {}): Promise<Map<string, StoreRecord<M>>> {
    const { records } = await this.index.fetch({ ids: [...ids], namespace: options.namespace });
    const found = new Map<string, StoreRecord<M>>();
    for (const id of ids) {
      const record = records[id];
      if (record) found.set(id, { id, values: Float32Array.from(record.values), ...(record.metadata ? { metadata: record.metadata } : {}) });
    }
    return found;
  }

  async update(selector: { readonly id: string } | { readonly filter: MetadataFilter }, change: { readonly values?: Float32Array; readonly metadata?: Partial<M> }, options: NamespaceOption = {}): Promise<number> {
    const { matchedRecords } = await this.index.update({ ...selector, ...change, namespace: options.namespace } as UpdateOptions<M>);
    return matchedRecords;
  }

  /** A purge compacts the namespace after the delete: its log and graph files are rewritten without the deleted records. */
  async delete(selector: RecordSelector, options: DeleteOptions = {}): Promise<void> {
    const namespace = options.namespace;
    await this.index.deleteMany('ids' in selector ? { ids: [...selector.ids], namespace } : { filter: selector.filter, namespace });
    if (options.purge) await this.index.compact({ namespace });
  }

  async list(options: ListOptions = {}): Promise<ListPage<M>> {
    const namespace = options.namespace;
    const page = await this.index.listPaginated({ namespace, prefix: options.prefix, limit: options.limit, paginationToken: options.paginationToken });
    const ids = page.vectors.map((v) => v.id);
    const next = page.pagination?.next;
    if (!options.includeMetadata || ids.length === 0) return { records: ids.map((id) => ({ id })), ...(next ? { next } : {}) };
    // VectorIndex lists ids only; metadata comes from a fetch (which also copies the values, unused here).
    const { records } = await this.index.fetch({ ids, namespace });
    return { records: ids.map((id) => ({ id, ...(records[id]?.metadata ? { metadata: records[id]?.metadata } : {}) })), ...(next ? { next } : {}) };
  }

  async stats(options: { readonly filter?: MetadataFilter } = {}): Promise<IndexStatistics> {
    const stats = await this.index.describeIndexStats(options.filter === undefined ? {} : { filter: options.filter });
    const namespaces: Record<string, number> = {};
    for (const [name, { recordCount }] of Object.entries(stats.namespaces)) namespaces[name] = recordCount;
    return { dimension: stats.dimension, namespaces, totalRecordCount: stats.totalRecordCount };
  }

  async namespaces(): Promise<{ name: string; recordCount: number }[]> {
    return (await this.index.listNamespaces()).namespaces;
  }
}
