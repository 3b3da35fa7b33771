/**
 * The one interface the recognition service speaks to any vector store (design.md §4): the
 * embedded database (the default), and later PostgreSQL + pgvector and Pinecone. It uses
 * Pinecone's data model — indexes of a fixed dimension and metric, holding namespaces of
 * records `{ id, values, metadata }`, filtered with Pinecone's metadata filter language —
 * because every backend can express it. Nothing here names a file, a table or a graph.
 */
import type { Metric, MetadataFilter, RecordMetadata } from '../vector/types.js';

export type { Metric, MetadataFilter, RecordMetadata } from '../vector/types.js';

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

export interface StoreRecord<M extends RecordMetadata = RecordMetadata> {
  readonly id: string;
  readonly values: Float32Array;
  readonly metadata?: M;
}

export interface StoreMatch<M extends RecordMetadata = RecordMetadata> {
  readonly id: string;
  /** As the metric defines it (see {@link IndexSpec.metric}). */
  readonly score: number;
  readonly metadata?: M;
}

export interface NamespaceOption {
  /** Default '' (Pinecone's default namespace). */
  readonly namespace?: string;
}

export interface StoreQuery extends NamespaceOption {
  readonly vector: Float32Array | readonly number[];
  /** 1 to 10,000. */
  readonly topK: number;
  readonly filter?: MetadataFilter;
  readonly includeMetadata?: boolean;
  /**
   * true: every record is compared (k-NN, always correct); false: the store's approximate index
   * (ANN: far faster at scale, recall slightly below 1); absent: the store's default. A store
   * without the choice answers the only way it can.
   */
  readonly exact?: boolean;
}

/** Which records an update or delete applies to. */
export type RecordSelector = { readonly ids: readonly string[] } | { readonly filter: MetadataFilter };

export interface DeleteOptions extends NamespaceOption {
  /**
   * Also make sure that no copy of the deleted records stays recoverable in the store's own
   * files (an erase, e.g. of a person's biometric data): the call returns once the store has
   * rewritten whatever still held them. Costs far more than a plain delete — on the embedded
   * store, a compaction of the namespace (its live records rewritten once, its approximate graph
   * rebuilt in the background) — so use it for erasure, not for routine deletes.
   */
  readonly purge?: boolean;
}

export interface ListOptions extends NamespaceOption {
  readonly prefix?: string;
  /** 1 to {@link MAX_LIST_PAGE} (default). */
  readonly limit?: number;
  /** The `next` of the previous page. */
  readonly paginationToken?: string;
  readonly includeMetadata?: boolean;
}

export interface ListPage<M extends RecordMetadata = RecordMetadata> {
  /** In lexicographic order of id. */
  readonly records: readonly { readonly id: string; readonly metadata?: M }[];
  /** Present when more records follow. */
  readonly next?: string;
}

export interface IndexStatistics {
  readonly dimension: number;
  /** Records per non-empty namespace. */
  readonly namespaces: Readonly<Record<string, number>>;
  readonly totalRecordCount: number;
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
   * @throws FV_ERR_BATCH_TOO_LARGE, FV_ERR_VECTOR_DIMENSION, FV_ERR_VECTOR_VALUE, FV_ERR_RECORD_ID, FV_ERR_DUPLICATE_ID, FV_ERR_METADATA
   */
  upsert(records: readonly StoreRecord<M>[], options?: NamespaceOption): Promise<void>;
  /** Nearest records first. @throws FV_ERR_TOP_K, FV_ERR_FILTER, FV_ERR_VECTOR_DIMENSION */
  query(query: StoreQuery): Promise<StoreMatch<M>[]>;
  /** The records of these ids that exist (up to {@link MAX_BATCH} ids). @throws FV_ERR_BATCH_TOO_LARGE, FV_ERR_RECORD_ID */
  fetch(ids: readonly string[], options?: NamespaceOption): Promise<Map<string, StoreRecord<M>>>;
  /**
   * Merges `metadata` into the selected records (and, for a single id, may replace `values`).
   * @returns how many records matched.
   * @throws FV_ERR_RECORD_NOT_FOUND for a single unknown id; FV_ERR_FILTER, FV_ERR_METADATA
   */
  update(selector: { readonly id: string } | { readonly filter: MetadataFilter }, change: { readonly values?: Float32Array; readonly metadata?: Partial<M> }, options?: NamespaceOption): Promise<number>;
  /** Deletes the selected records; unknown ids are ignored. @throws FV_ERR_FILTER, FV_ERR_RECORD_ID */
  delete(selector: RecordSelector, options?: DeleteOptions): Promise<void>;
  /** Ids (and metadata on request) by prefix, a page at a time. @throws FV_ERR_PAGINATION_TOKEN, FV_ERR_INVALID_ARGUMENT */
  list(options?: ListOptions): Promise<ListPage<M>>;
  /** Record counts; with a filter, of the matching records only. @throws FV_ERR_FILTER */
  stats(options?: { readonly filter?: MetadataFilter }): Promise<IndexStatistics>;
  /** The namespaces that hold records, by name. */
  namespaces(): Promise<{ readonly name: string; readonly recordCount: number }[]>;
}

/** A vector store: a set of indexes. */
export interface VectorStore {
  /** The backend's name in the store registry, e.g. 'embedded'. */
  readonly kind: string;
  /**
   * The index of this name, created when missing.
   * @throws FV_ERR_INDEX_CONFIG when it exists with another dimension or metric; FV_ERR_INDEX_NAME
   */
  ensureIndex<M extends RecordMetadata = RecordMetadata>(spec: IndexSpec): Promise<StoreIndex<M>>;
  /** An existing index. @throws FV_ERR_INDEX_NOT_FOUND */
  openIndex<M extends RecordMetadata = RecordMetadata>(name: string): Promise<StoreIndex<M>>;
  listIndexes(): Promise<IndexSpec[]>;
  /** @throws FV_ERR_INDEX_NOT_FOUND */
  deleteIndex(name: string): Promise<void>;
  /** Releases the store (files, connections). Idempotent; later calls throw FV_ERR_CLOSED. */
  close(): Promise<void>;
}
