/**
 * Public types of the embedded vector database. Shapes follow the official Pinecone
 * TypeScript client (v8) so that its users already know them.
 */

export const METRICS = ['euclidean', 'cosine', 'dotproduct'] as const;
/** cosine and dotproduct: higher score is closer; euclidean: the (non-squared) distance, lower is closer. */
export type Metric = (typeof METRICS)[number];

export const ENGINES = ['exact', 'approximate'] as const;
/**
 * exact: a full scan, always correct (k-NN); approximate: HNSW graph plus an exact scan of the
 * not-yet-indexed tail (ANN), or one exact scan when that tail is over 37.5 % of the namespace
 * (e.g. during a bulk load), where the scan is the faster of the two.
 */
export type Engine = (typeof ENGINES)[number];

export type RecordMetadataValue = string | boolean | number | string[];
export type RecordMetadata = Record<string, RecordMetadataValue>;

/** A record as written or read. `values` is required on upsert. */
export interface VectorRecord<M extends RecordMetadata = RecordMetadata> {
  id: string;
  values: number[] | Float32Array;
  metadata?: M;
}

/** A record as returned from fetch and query; values are plain arrays like the Pinecone client. */
export interface StoredRecord<M extends RecordMetadata = RecordMetadata> {
  id: string;
  values: number[];
  metadata?: M;
}

export interface ScoredRecord<M extends RecordMetadata = RecordMetadata> {
  id: string;
  score: number;
  values?: number[];
  metadata?: M;
}

/** Pinecone's metadata filter language; validated by `compileFilter`. */
export type MetadataFilter = Record<string, unknown>;

export interface IndexConfig {
  name: string;
  dimension: number;
  metric: Metric;
  /** Default engine of queries that do not say `exact`. */
  engine: Engine;
  deletionProtection: 'enabled' | 'disabled';
  tags: Record<string, string>;
  /** HNSW parameters used when the approximate engine builds its graph. */
  hnsw: HnswConfig;
  /**
   * Where a Pinecone client asked the index to live (its `spec` or `deployment`), kept as given
   * and reported back: the engine has no regions or pods. Absent when none was given.
   */
  deployment?: Record<string, unknown>;
  createdAt: string;
}

export interface HnswConfig {
  /** Graph degree (usearch `connectivity`). Higher: better recall, more memory, slower build. Embedded engine default: 24 for cosine, 16 otherwise. */
  m: number;
  /** Candidate list size while building (usearch `expansion_add`). */
  efConstruction: number;
  /** Candidate list size while searching (usearch `expansion_search`): the recall/latency trade-off. Embedded engine default: 44 for cosine, 64 otherwise. */
  efSearch: number;
  /** Storage of graph vectors: f32 exact, f16/i8 half or a quarter of the memory. Candidates are re-scored from the exact vectors, so i8 keeps the recall of f32 on face embeddings (bench/ann-faces.ts). Embedded engine default: i8 for cosine, f32 otherwise (i8 is cosine-only). */
  quantization: 'f32' | 'f16' | 'i8';
}

export interface CreateIndexOptions {
  name: string;
  dimension: number;
  metric?: Metric;
  engine?: Engine;
  deletionProtection?: 'enabled' | 'disabled';
  tags?: Record<string, string>;
  hnsw?: Partial<HnswConfig>;
  deployment?: Record<string, unknown>;
  /** Resolve quietly when an index of this name exists (like the Pinecone client's option). */
  suppressConflicts?: boolean;
}

export interface ConfigureIndexOptions {
  deletionProtection?: 'enabled' | 'disabled';
  engine?: Engine;
  /** Merged into the tags; a key set to '' is removed, as Pinecone does. */
  tags?: Record<string, string>;
  hnsw?: Partial<Pick<HnswConfig, 'efSearch'>>;
  /** Replaces the stored deployment. */
  deployment?: Record<string, unknown>;
}

export interface IndexDescription extends IndexConfig {
  status: { ready: boolean; state: 'Ready' };
}

export interface UpsertOptions<M extends RecordMetadata = RecordMetadata> {
  records: VectorRecord<M>[];
  namespace?: string;
}

export interface QueryOptions {
  /** Query by vector, or by the id of a stored record (exactly one of the two). */
  vector?: number[] | Float32Array;
  id?: string;
  topK: number;
  filter?: MetadataFilter;
  includeValues?: boolean;
  includeMetadata?: boolean;
  namespace?: string;
  /** true: exact scan; false: approximate; absent: the index's default engine. */
  exact?: boolean;
  /** Override of the index's efSearch for this query (approximate only). */
  ef?: number;
}

/**
 * Read units as Pinecone documents them where it gives a rule: a fetch costs 1 per 10 records it
 * returns (unknown and repeated ids cost nothing), at least 1; a list page costs 1. Pinecone
 * prices a query by the size of the namespace searched and publishes no exact rule, so a query
 * reports 1, the smallest unit, rather than an invented figure. facevault meters nothing itself:
 * the field is there for clients that read it.
 */
export const READ_UNITS = Object.freeze({
  fetch: (recordsReturned: number): Usage => ({ readUnits: Math.max(1, Math.ceil(recordsReturned / 10)) }),
  list: Object.freeze({ readUnits: 1 }) as Usage,
  query: Object.freeze({ readUnits: 1 }) as Usage,
});

export interface Usage {
  readonly readUnits: number;
}

export interface QueryResponse<M extends RecordMetadata = RecordMetadata> {
  matches: ScoredRecord<M>[];
  namespace: string;
  usage: Usage;
}

export interface FetchResponse<M extends RecordMetadata = RecordMetadata> {
  records: Record<string, StoredRecord<M>>;
  namespace: string;
  usage: Usage;
}

/**
 * Pinecone v8's `update`: one record by `id` (new values and/or metadata), or every record
 * matching `filter` (metadata only).
 */
export type UpdateOptions<M extends RecordMetadata = RecordMetadata> = {
  values?: number[] | Float32Array;
  /** Merged into the stored metadata (Pinecone's `setMetadata`). */
  metadata?: Partial<M>;
  namespace?: string;
} & ({ id: string; filter?: undefined } | { filter: MetadataFilter; id?: undefined; values?: undefined });

export interface ListOptions {
  prefix?: string;
  limit?: number;
  paginationToken?: string;
  namespace?: string;
}

export interface ListResponse {
  vectors: { id: string }[];
  pagination?: { next: string };
  namespace: string;
  usage: Usage;
}

export interface IndexStats {
  namespaces: Record<string, { recordCount: number }>;
  dimension: number;
  indexFullness: number;
  totalRecordCount: number;
}

export interface NamespaceDescription {
  name: string;
  recordCount: number;
}

/** As the Pinecone v8 client's `listNamespaces` options. */
export interface ListNamespacesOptions {
  prefix?: string;
  /** 1-100; absent: every namespace from the token on (the HTTP API applies Pinecone's page of 100). */
  limit?: number;
  paginationToken?: string;
}

export interface ListNamespacesResponse {
  namespaces: NamespaceDescription[];
  /** Present when more namespaces follow. */
  pagination?: { next: string };
  /** Namespaces matching the prefix, on every page. */
  totalCount: number;
}

export interface CompactResponse {
  namespace: string;
  /** Live records kept. */
  recordCount: number;
  /** Record versions removed from the files: deleted records and overwritten values. */
  reclaimedVersions: number;
}

/** Limits as Pinecone's. */
export const LIMITS = {
  maxDimension: 20_000,
  maxUpsertRecords: 1_000,
  maxIdsPerRequest: 1_000,
  maxIdBytes: 512,
  maxMetadataBytes: 40 * 1024,
  maxTopK: 10_000,
  /** topK when a query returns values or metadata: what each match carries makes large answers huge. */
  maxTopKWithData: 1_000,
  maxListLimit: 100,
  maxIndexNameLength: 45,
  maxTags: 20,
  /** An index's deployment (Pinecone spec) as JSON; it rides on every index description. */
  maxDeploymentBytes: 8 * 1024,
} as const;

export const DEFAULT_NAMESPACE = '';
