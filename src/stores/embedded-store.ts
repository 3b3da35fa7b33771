/**
 * The default {@link VectorStore}: the embedded vector database of `src/vector` in a local data
 * directory (one process owns the directory at a time).
 */
import { fvError } from '../errors.js';
import { openDatabase, type Database, type DatabaseOptions } from '../vector/database.js';
import type { Engine, RecordMetadata, UpdateOptions } from '../vector/types.js';
import type { VectorIndex } from '../vector/vector-index.js';
import { NamespaceLock } from './namespace-lock.js';
import { isStagingNamespace, recoverRewrites, rewriteNamespace } from './namespace-rewrite.js';
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
 * Opens (or creates) the embedded database in `dir` as a {@link VectorStore}, and finishes any
 * purge that a crash interrupted.
 * @example const store = await openEmbeddedStore('./facevault-data'); store.kind // → 'embedded'
 * @throws FV_ERR_STORAGE_LOCKED when another process holds the directory; FV_ERR_STORAGE_VERSION, FV_ERR_STORAGE_CORRUPT
 */
export async function openEmbeddedStore(dir: string, options: EmbeddedStoreOptions = {}): Promise<EmbeddedStore> {
  const database = await openDatabase(dir, { synchronous: options.synchronous });
  try {
    for (const { name } of (await database.listIndexes()).indexes) await recoverRewrites(database.index(name));
  } catch (err) {
    await database.close();
    throw err;
  }
  return new EmbeddedStore(database, options.defaultEngine ?? 'approximate');
}

export class EmbeddedStore implements VectorStore {
  readonly kind = 'embedded';
  private readonly locks = new NamespaceLock();

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
    return new EmbeddedIndex<M>({ name, dimension, metric }, this.database.index<M>(name), this.locks);
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
    private readonly locks: NamespaceLock,
  ) {}

  upsert(records: readonly StoreRecord<M>[], options: NamespaceOption = {}): Promise<void> {
    return this.shared(options, async (namespace) => {
      await this.index.upsert({ namespace, records: records as StoreRecord<M>[] });
    });
  }

  query(query: StoreQuery): Promise<StoreMatch<M>[]> {
    return this.shared(query, async (namespace) => {
      const { matches } = await this.index.query({
        namespace,
        vector: query.vector as number[] | Float32Array,
        topK: query.topK,
        filter: query.filter,
        includeMetadata: query.includeMetadata ?? false,
        exact: query.exact,
      });
      return matches.map(({ id, score, metadata }) => (metadata ? { id, score, metadata } : { id, score }));
    });
  }

  fetch(ids: readonly string[], options: NamespaceOption = {}): Promise<Map<string, StoreRecord<M>>> {
    return this.shared(options, async (namespace) => {
      const { records } = await this.index.fetch({ ids: [...ids], namespace });
      const found = new Map<string, StoreRecord<M>>();
      for (const id of ids) {
        const record = records[id];
        if (record) found.set(id, { id, values: Float32Array.from(record.values), ...(record.metadata ? { metadata: record.metadata } : {}) });
      }
      return found;
    });
  }

  update(selector: { readonly id: string } | { readonly filter: MetadataFilter }, change: { readonly values?: Float32Array; readonly metadata?: Partial<M> }, options: NamespaceOption = {}): Promise<number> {
    return this.shared(options, async (namespace) => {
      // VectorIndex.update types `id` as required even though it accepts `filter` instead: hence the cast.
      const { matchedRecords } = await this.index.update({ ...selector, ...change, namespace } as UpdateOptions<M>);
      return matchedRecords;
    });
  }

  async delete(selector: RecordSelector, options: DeleteOptions = {}): Promise<void> {
    const remove = (namespace: string) => this.index.deleteMany('ids' in selector ? { ids: [...selector.ids], namespace } : { filter: selector.filter, namespace });
    if (!options.purge) {
      await this.shared(options, remove);
      return;
    }
    const namespace = ownNamespace(options);
    await this.locks.exclusive(this.lockKey(namespace), async () => {
      await remove(namespace);
      await rewriteNamespace(this.index as VectorIndex, namespace, this.spec.dimension);
    });
  }

  list(options: ListOptions = {}): Promise<ListPage<M>> {
    return this.shared(options, async (namespace) => {
      const page = await this.index.listPaginated({ namespace, prefix: options.prefix, limit: options.limit, paginationToken: options.paginationToken });
      const ids = page.vectors.map((v) => v.id);
      const next = page.pagination?.next;
      if (!options.includeMetadata || ids.length === 0) return { records: ids.map((id) => ({ id })), ...(next ? { next } : {}) };
      // VectorIndex lists ids only; metadata comes from a fetch (which also copies the values, unused here).
      const { records } = await this.index.fetch({ ids, namespace });
      return { records: ids.map((id) => ({ id, ...(records[id]?.metadata ? { metadata: records[id]?.metadata } : {}) })), ...(next ? { next } : {}) };
    });
  }

  async stats(options: { readonly filter?: MetadataFilter } = {}): Promise<IndexStatistics> {
    const stats = await this.index.describeIndexStats(options.filter === undefined ? {} : { filter: options.filter });
    const namespaces: Record<string, number> = {};
    let totalRecordCount = 0;
    for (const [name, { recordCount }] of Object.entries(stats.namespaces)) {
      if (isStagingNamespace(name)) continue;
      namespaces[name] = recordCount;
      totalRecordCount += recordCount;
    }
    return { dimension: stats.dimension, namespaces, totalRecordCount };
  }

  async namespaces(): Promise<{ name: string; recordCount: number }[]> {
    return (await this.index.listNamespaces()).namespaces.filter((ns) => !isStagingNamespace(ns.name));
  }

  /** Runs an ordinary operation on its namespace, after any purge of that namespace has finished. */
  private shared<T>(options: NamespaceOption, operation: (namespace: string) => Promise<T>): Promise<T> {
    let namespace: string;
    try {
      namespace = ownNamespace(options);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.locks.shared(this.lockKey(namespace), () => operation(namespace));
  }

  private lockKey(namespace: string): string {
    return `${this.spec.name}\u0000${namespace}`;
  }
}

/** The namespace of an operation; the staging namespaces of purges are the store's own. @throws FV_ERR_INVALID_ARGUMENT */
function ownNamespace(options: NamespaceOption): string {
  const namespace = options.namespace ?? '';
  if (isStagingNamespace(namespace)) {
    throw fvError('FV_ERR_INVALID_ARGUMENT', `namespace ${JSON.stringify(namespace)} starts with a prefix reserved for the store's own use`, { field: 'namespace' });
  }
  return namespace;
}
