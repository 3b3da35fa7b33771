/**
 * The one interface every layer above `src/stores/` speaks to a vector store (design.md §4): the
 * embedded database (the default), PostgreSQL + pgvector, and Pinecone. The recognition
 * service, the Pinecone REST routes and the face routes use nothing else, so the same server runs
 * stateless over a shared store.
 *
 * It uses Pinecone's data model — indexes of a fixed dimension and metric, holding namespaces of
 * records `{ id, values, metadata }`, filtered with Pinecone's metadata filter language — because
 * every backend can express it. Nothing here names a file, a table or a graph.
 *
 * Every store validates its input with the same rules (`src/vector/validate.ts`,
 * `src/vector/filter.ts`), so the same bad input gets the same typed error on every store.
 *
 * What must hold across several servers on one store is the store's job, never process memory:
 * index creation is idempotent under concurrency ({@link VectorStore.createIndex} reports who won),
 * a conditional write ({@link UpsertOptions.ifAbsent}) stores a record once however many servers
 * write it, and an update or delete by filter is one operation of the store.
 */
import { fvError } from '../errors.js';
import type { Engine, Metric, MetadataFilter, RecordMetadata } from '../vector/types.js';

export type { Engine, Metric, MetadataFilter, RecordMetadata } from '../vector/types.js';

/** At most this many records per upsert and ids per fetch or delete (Pinecone's limits, which every store keeps). */
export const MAX_BATCH = 1_000;
/** At most this many ids per page of {@link StoreIndex.list}. */
export const MAX_LIST_PAGE = 100;

/** What an index is: fixed at creation. */
export interface IndexSpec {
  /** 1-45 lowercase letters, digits or hyphens. */
  readonly name: string;
  readonly dimension: number;
  /** cosine and dotproduct: a match's `score` is a similarity (higher is closer); euclidean: a distance (lower is closer). */
  readonly metric: Metric;
}

/** The approximate (HNSW) index's parameters. A store applies those it has; others keep their defaults. */
export interface HnswParameters {
  /** Graph degree (pgvector `m`, usearch connectivity). */
  readonly m: number;
  /** Candidate list while building (pgvector `ef_construction`). */
  readonly efConstruction: number;
  /** Candidate list while searching, the default of {@link StoreQuery.ef}. */
  readonly efSearch: number;
}

/** What a caller may set when creating an index, beyond its {@link IndexSpec}. */
export interface IndexSettings extends IndexSpec {
  /** How queries that do not say `exact` search. Default 'approximate'. */
  readonly engine?: Engine;
  readonly hnsw?: Partial<HnswParameters>;
  readonly deletionProtection?: 'enabled' | 'disabled';
  /** Pinecone's tags: up to 20 keys, as given. */
  readonly tags?: Readonly<Record<string, string>>;
  /**
   * Where a Pinecone client asked the index to live (its `spec`, or the 2026-07 API's
   * `deployment`): kept as given and reported back, since no store here has regions or pods.
   */
  readonly deployment?: Readonly<Record<string, unknown>>;
}

/** An index as a store describes it. */
export interface IndexInfo extends IndexSpec {
  readonly engine: Engine;
  readonly hnsw: HnswParameters;
  readonly deletionProtection: 'enabled' | 'disabled';
  readonly tags: Readonly<Record<string, string>>;
  /** As given at creation; absent when none was. */
  readonly deployment?: Readonly<Record<string, unknown>>;
  /** ISO 8601; tells an index from an older one of the same name. */
  readonly createdAt: string;
}

/** What {@link VectorStore.configureIndex} may change; absent fields stay as they are. */
export interface IndexChanges {
  readonly deletionProtection?: 'enabled' | 'disabled';
  readonly engine?: Engine;
  /** Merged into the tags; a key set to '' is removed (as Pinecone does). */
  readonly tags?: Readonly<Record<string, string>>;
  readonly efSearch?: number;
  /** Replaces the stored deployment. */
  readonly deployment?: Readonly<Record<string, unknown>>;
}

export interface StoreRecord<M extends RecordMetadata = RecordMetadata> {
  readonly id: string;
  readonly values: Float32Array;
  readonly metadata?: M;
}

/** A record as written: values as a client sends them, validated by the store. */
export interface RecordInput<M extends RecordMetadata = RecordMetadata> {
  readonly id: string;
  readonly values: Float32Array | readonly number[];
  readonly metadata?: M;
}

export interface StoreMatch<M extends RecordMetadata = RecordMetadata> {
  readonly id: string;
  /** As the metric defines it (see {@link IndexSpec.metric}). */
  readonly score: number;
  /** With {@link StoreQuery.includeValues}. */
  readonly values?: Float32Array;
  /** With {@link StoreQuery.includeMetadata}, when the record has metadata. */
  readonly metadata?: M;
}

export interface NamespaceOption {
  /** Default '' (Pinecone's default namespace). */
  readonly namespace?: string;
}

export interface UpsertOptions extends NamespaceOption {
  /**
   * Write only the records whose id is not stored yet, atomically in the store, so that two
   * servers writing the same record store it once and the first write's metadata stays.
   */
  readonly ifAbsent?: boolean;
}

export interface StoreQuery extends NamespaceOption {
  /** Exactly one of `vector` and `id` (a stored record's values; an unknown id matches nothing). */
  readonly vector?: Float32Array | readonly number[];
  readonly id?: string;
  /** 1 to 10,000. */
  readonly topK: number;
  /**
   * With the approximate engine, a store returns topK matches whenever at least topK records
   * match (it widens its search rather than filter a short candidate list).
   */
  readonly filter?: MetadataFilter;
  readonly includeValues?: boolean;
  readonly includeMetadata?: boolean;
  /**
   * true: every record is compared (k-NN, always correct); false: the store's approximate index
   * (ANN: far faster at scale, recall slightly below 1); absent: the index's default engine.
   */
  readonly exact?: boolean;
  /** Search width of this approximate query (default: the index's efSearch). */
  readonly ef?: number;
}

/** Which records an update applies to. */
export type UpdateSelector = { readonly id: string } | { readonly filter: MetadataFilter };

/** Which records a delete applies to. */
export type RecordSelector = { readonly ids: readonly string[] } | { readonly filter: MetadataFilter } | { readonly all: true };

export interface DeleteOptions extends NamespaceOption {
  /**
   * Also make sure that no copy of the deleted records stays recoverable in the store's own
   * files (an erase, e.g. of a person's biometric data): the call returns once the store has
   * rewritten whatever still held them. Costs far more than a plain delete (the embedded store
   * compacts the namespace; PostgreSQL rewrites the table), so use it for erasure only.
   */
  readonly purge?: boolean;
}

export interface ListOptions extends NamespaceOption {
  readonly prefix?: string;
  /** Only records whose metadata matches (Pinecone's fetch by metadata). */
  readonly filter?: MetadataFilter;
  /** 1 to {@link MAX_LIST_PAGE} (default). */
  readonly limit?: number;
  /** The `next` of the previous page. */
  readonly paginationToken?: string;
  readonly includeMetadata?: boolean;
  readonly includeValues?: boolean;
}

export interface ListedRecord<M extends RecordMetadata = RecordMetadata> {
  readonly id: string;
  readonly values?: Float32Array;
  readonly metadata?: M;
}

export interface ListPage<M extends RecordMetadata = RecordMetadata> {
  /** In lexicographic order of id (UTF-8 bytes). */
  readonly records: readonly ListedRecord<M>[];
  /** Present when more records follow. */
  readonly next?: string;
}

export interface IndexStatistics {
  readonly dimension: number;
  /** Records per non-empty namespace. */
  readonly namespaces: Readonly<Record<string, number>>;
  readonly totalRecordCount: number;
  /** 0 to 1: how full the store's capacity is, where it has one (0 where it does not). */
  readonly indexFullness: number;
}

export interface NamespaceInfo {
  readonly name: string;
  readonly recordCount: number;
}

/**
 * One index of a store. Every write is all or nothing and durable when its promise resolves.
 * @example
 * const faces = await store.ensureIndex({ name: 'faces-demo', dimension: 2, metric: 'cosine' });
 * await faces.upsert([{ id: 'a', values: Float32Array.of(1, 0), metadata: { subject: 'ada' } }]);
 * (await faces.query({ vector: [1, 0.1], topK: 1 }))[0].id // → 'a'
 */
export interface StoreIndex<M extends RecordMetadata = RecordMetadata> {
  readonly spec: IndexSpec;
  /**
   * Inserts or replaces up to {@link MAX_BATCH} records.
   * @returns how many records were written (fewer than given only with `ifAbsent`).
   * @throws FV_ERR_BATCH_TOO_LARGE, FV_ERR_VECTOR_DIMENSION, FV_ERR_VECTOR_VALUE, FV_ERR_RECORD_ID, FV_ERR_DUPLICATE_ID, FV_ERR_METADATA
   */
  upsert(records: readonly RecordInput<M>[], options?: UpsertOptions): Promise<number>;
  /** Nearest records first. @throws FV_ERR_TOP_K, FV_ERR_FILTER, FV_ERR_VECTOR_DIMENSION, FV_ERR_INVALID_ARGUMENT */
  query(query: StoreQuery): Promise<StoreMatch<M>[]>;
  /** The records of these ids that exist (up to {@link MAX_BATCH} ids). @throws FV_ERR_BATCH_TOO_LARGE, FV_ERR_RECORD_ID */
  fetch(ids: readonly string[], options?: NamespaceOption): Promise<Map<string, StoreRecord<M>>>;
  /**
   * Merges `metadata` into the selected records (and, for a single id, may replace `values`), in
   * one operation of the store. With `dryRun`, only counts.
   * @returns how many records matched.
   * @throws FV_ERR_RECORD_NOT_FOUND for a single unknown id; FV_ERR_FILTER, FV_ERR_METADATA, FV_ERR_VECTOR_DIMENSION
   */
  update(selector: UpdateSelector, change: { readonly values?: Float32Array | readonly number[]; readonly metadata?: Partial<M> }, options?: NamespaceOption & { readonly dryRun?: boolean }): Promise<number>;
  /** Deletes the selected records; unknown ids are ignored. @throws FV_ERR_FILTER, FV_ERR_RECORD_ID */
  delete(selector: RecordSelector, options?: DeleteOptions): Promise<void>;
  /** Ids (with metadata and values on request) by prefix and filter, a page at a time. @throws FV_ERR_PAGINATION_TOKEN, FV_ERR_FILTER, FV_ERR_INVALID_ARGUMENT */
  list(options?: ListOptions): Promise<ListPage<M>>;
  /** Record counts; with a filter, of the matching records only. @throws FV_ERR_FILTER */
  stats(options?: { readonly filter?: MetadataFilter }): Promise<IndexStatistics>;
  /** The namespaces that hold records, by name. */
  namespaces(): Promise<NamespaceInfo[]>;
  /** Deletes every record of a namespace. @throws FV_ERR_NAMESPACE_NOT_FOUND when it holds none */
  deleteNamespace(namespace: string): Promise<void>;
}

/** A vector store: a set of indexes. */
export interface VectorStore {
  /** Which backend serves the store: 'embedded', 'postgres' or 'pinecone' (openStore picks it from the URL's scheme). */
  readonly kind: string;
  /**
   * Creates an index, or finds the one of that name. Safe to race: when several callers (or
   * servers) create the same name at once, exactly one gets `created: true` and none fails.
   * @returns the index as stored, and whether this call created it.
   * @throws FV_ERR_INDEX_NAME, FV_ERR_INDEX_CONFIG (bad settings)
   */
  createIndex(settings: IndexSettings): Promise<{ readonly created: boolean; readonly index: IndexInfo }>;
  /**
   * The index of this name, created when missing.
   * @throws FV_ERR_INDEX_CONFIG when it exists with another dimension or metric; FV_ERR_INDEX_NAME
   */
  ensureIndex<M extends RecordMetadata = RecordMetadata>(spec: IndexSpec): Promise<StoreIndex<M>>;
  /** A handle on an existing index. @throws FV_ERR_INDEX_NOT_FOUND */
  openIndex<M extends RecordMetadata = RecordMetadata>(name: string): Promise<StoreIndex<M>>;
  /** @throws FV_ERR_INDEX_NOT_FOUND */
  describeIndex(name: string): Promise<IndexInfo>;
  /** @throws FV_ERR_INDEX_NOT_FOUND, FV_ERR_INDEX_CONFIG, FV_ERR_INVALID_ARGUMENT */
  configureIndex(name: string, changes: IndexChanges): Promise<IndexInfo>;
  /** By name. */
  listIndexes(): Promise<IndexInfo[]>;
  /** @throws FV_ERR_INDEX_NOT_FOUND, FV_ERR_DELETION_PROTECTED */
  deleteIndex(name: string): Promise<void>;
  /** Releases the store (files, connections). Idempotent; later calls throw FV_ERR_CLOSED. */
  close(): Promise<void>;
}

/**
 * {@link VectorStore.ensureIndex} from createIndex and openIndex, for every store.
 * @throws FV_ERR_INDEX_CONFIG when the index exists with another dimension or metric
 */
export async function ensureIndexOf<M extends RecordMetadata>(store: VectorStore, spec: IndexSpec): Promise<StoreIndex<M>> {
  const { index } = await store.createIndex(spec);
  if (index.dimension !== spec.dimension || index.metric !== spec.metric) {
    throw fvError(
      'FV_ERR_INDEX_CONFIG',
      `index "${spec.name}" exists with dimension ${index.dimension} and metric ${index.metric}; asked for dimension ${spec.dimension} and metric ${spec.metric}`,
      { name: spec.name, dimension: index.dimension, metric: index.metric, wantedDimension: spec.dimension, wantedMetric: spec.metric },
    );
  }
  return store.openIndex<M>(spec.name);
}
