/**
 * Validation of every external input of the vector database, once, at the boundary.
 *
 * Each function takes `unknown`, returns a normalised value the engine can trust without
 * checking again, and throws a coded error whose message starts with the path of the bad
 * field (`records[3].values[17]: ...`) and names the bad value or the limit.
 * Rules and limits are Pinecone's (docs.pinecone.io/reference/api/database-limits).
 */
import { fvError, type ErrorCode, type FacevaultError } from '../errors.js';
import { compileFilter, type MetadataPredicate } from './filter.js';
import { childPath, describeValue, isPlainObject, quote } from './input-shape.js';
import {
  DEFAULT_NAMESPACE,
  ENGINES,
  LIMITS,
  METRICS,
  type ConfigureIndexOptions,
  type Engine,
  type HnswConfig,
  type IndexConfig,
  type Metric,
  type RecordMetadata,
} from './types.js';

// ── limits Pinecone documents but types.ts does not hold ────────────────────────────────────────

/** Pinecone's rule for index names (IndexModel.name in the official client's OpenAPI models). */
const INDEX_NAME = new RegExp(`^[a-z0-9](?:[a-z0-9-]{0,${LIMITS.maxIndexNameLength - 2}}[a-z0-9])?$`);
const INDEX_NAME_RULE = `1-${LIMITS.maxIndexNameLength} characters: lowercase letters a-z, digits 0-9 and '-', starting and ending with a letter or digit`;
/** Pinecone's tag rules (CreateIndexRequest.tags in the official client's OpenAPI models). */
const TAG_KEY = /^[A-Za-z0-9_-]{1,80}$/;
const TAG_VALUE = /^[A-Za-z0-9;@_\-.+ ]{0,120}$/;
const QUANTIZATIONS = ['f32', 'f16', 'i8'] as const satisfies readonly HnswConfig['quantization'][];
const DELETION_PROTECTION = ['enabled', 'disabled'] as const satisfies readonly IndexConfig['deletionProtection'][];
/** usearch accepts any degree ≥ 2; beyond 128 memory grows with no recall left to gain. */
const HNSW_M = { min: 2, max: 128 } as const;
/** Candidate lists longer than the largest topK buy nothing. */
const HNSW_EF = { min: 1, max: LIMITS.maxTopK } as const;
/** HNSW defaults for every metric and store; the embedded engine passes its own per metric (src/vector/ann/graph-policy.ts). */
export const DEFAULT_HNSW: Readonly<HnswConfig> = Object.freeze({ m: 16, efConstruction: 128, efSearch: 64, quantization: 'f32' });
const DEFAULT_LIST_LIMIT = LIMITS.maxListLimit;
/** A UTF-16 code unit takes at most 3 UTF-8 bytes, so shorter strings need no byte count. */
const MAX_CHARS_WITHOUT_COUNTING = Math.floor(LIMITS.maxIdBytes / 3);
/** Unpaired surrogates become U+FFFD in UTF-8 storage, so the id read back would differ. */
const UNPAIRED_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

// ── index configuration ────────────────────────────────────────────────────────────────────

/**
 * Checks an index name against Pinecone's rule.
 * @example validateIndexName('faces-arcface') // → 'faces-arcface'
 * @throws FV_ERR_INDEX_NAME stating the rule.
 */
export function validateIndexName(name: unknown): string {
  if (typeof name === 'string' && INDEX_NAME.test(name)) return name;
  throw fvError('FV_ERR_INDEX_NAME', `name: ${describeValue(name)} is not a valid index name; use ${INDEX_NAME_RULE}`, { name });
}

/** A createIndex request with every default filled in. */
export type ValidatedCreateIndex = Omit<IndexConfig, 'createdAt'>;

/**
 * Validates `createIndex` options and fills Pinecone's defaults (metric cosine) and ours
 * (engine exact, deletion protection disabled, HNSW m 16, efConstruction 128, efSearch 64, f32,
 * or `hnswDefaults(metric)`: the embedded engine's are tuned for usearch). Given HNSW settings
 * replace the defaults one by one.
 * `suppressConflicts` is checked to be a boolean and left for the caller to read.
 * @throws FV_ERR_INDEX_NAME for the name; FV_ERR_INDEX_CONFIG for dimension, metric, engine,
 *   deletion protection, tags or HNSW settings, naming the allowed values; FV_ERR_INVALID_ARGUMENT
 *   for a non-object or an unknown option.
 */
export function validateCreateIndex(options: unknown, hnswDefaults: (metric: Metric) => HnswConfig = () => DEFAULT_HNSW): ValidatedCreateIndex {
  const o = objectOf(options, 'options', 'FV_ERR_INVALID_ARGUMENT', [
    'name', 'dimension', 'metric', 'engine', 'deletionProtection', 'tags', 'hnsw', 'deployment', 'suppressConflicts',
  ]);
  // Checked but not returned: it steers createIndex and is no part of the index's configuration.
  if (o.suppressConflicts !== undefined) booleanAt(o.suppressConflicts, 'suppressConflicts');
  const metric = o.metric === undefined ? 'cosine' : oneOf(o.metric, 'metric', METRICS, 'FV_ERR_INDEX_CONFIG');
  const hnsw = { ...hnswDefaults(metric), ...(o.hnsw === undefined ? {} : validateHnsw(o.hnsw, ['m', 'efConstruction', 'efSearch', 'quantization'])) };
  // usearch's i8 scales every vector to unit length before quantising: right for cosine, but
  // for euclidean and dot product on vectors of other lengths it reorders the candidates themselves.
  if (hnsw.quantization === 'i8' && metric !== 'cosine') {
    throw fail('FV_ERR_INDEX_CONFIG', 'hnsw.quantization', `i8 is only for the cosine metric (it normalises vectors); use f16 or f32 with ${metric}`, { metric });
  }
  return {
    name: validateIndexName(o.name),
    dimension: integerIn(o.dimension, 'dimension', 1, LIMITS.maxDimension, 'FV_ERR_INDEX_CONFIG'),
    metric,
    engine: o.engine === undefined ? 'exact' : validateEngine(o.engine),
    deletionProtection: o.deletionProtection === undefined ? 'disabled' : validateDeletionProtection(o.deletionProtection),
    tags: o.tags === undefined ? {} : validateTags(o.tags),
    hnsw,
    ...(o.deployment === undefined ? {} : { deployment: validateDeployment(o.deployment) }),
  };
}

/**
 * Validates `configureIndex` options; only the settings given are returned.
 * @throws FV_ERR_INVALID_ARGUMENT when no setting is given or one is unknown;
 *   FV_ERR_INDEX_CONFIG for a bad engine, deletion protection, tag or efSearch.
 */
export function validateConfigureIndex(options: unknown): ConfigureIndexOptions {
  const o = objectOf(options, 'options', 'FV_ERR_INVALID_ARGUMENT', ['deletionProtection', 'engine', 'tags', 'hnsw', 'deployment']);
  const result: ConfigureIndexOptions = {};
  if (o.deletionProtection !== undefined) result.deletionProtection = validateDeletionProtection(o.deletionProtection);
  if (o.engine !== undefined) result.engine = validateEngine(o.engine);
  if (o.tags !== undefined) result.tags = validateTags(o.tags);
  if (o.hnsw !== undefined) result.hnsw = validateHnsw(o.hnsw, ['efSearch']);
  if (o.deployment !== undefined) result.deployment = validateDeployment(o.deployment);
  if (Object.keys(result).length === 0) {
    throw fvError('FV_ERR_INVALID_ARGUMENT', 'options: nothing to configure; give deletionProtection, engine, tags, hnsw.efSearch or deployment');
  }
  return result;
}

function validateEngine(engine: unknown): Engine {
  return oneOf(engine, 'engine', ENGINES, 'FV_ERR_INDEX_CONFIG');
}

function validateDeletionProtection(value: unknown): IndexConfig['deletionProtection'] {
  return oneOf(value, 'deletionProtection', DELETION_PROTECTION, 'FV_ERR_INDEX_CONFIG');
}

function validateTags(tags: unknown): Record<string, string> {
  const t = objectOf(tags, 'tags', 'FV_ERR_INDEX_CONFIG');
  const count = Object.keys(t).length;
  if (count > LIMITS.maxTags) throw fail('FV_ERR_INDEX_CONFIG', 'tags', `${count} tags; at most ${LIMITS.maxTags} are allowed`);
  for (const [key, value] of Object.entries(t)) {
    const path = childPath('tags', key);
    if (!TAG_KEY.test(key)) throw fail('FV_ERR_INDEX_CONFIG', path, 'tag keys are 1-80 characters: letters, digits, _ and -');
    if (typeof value !== 'string' || !TAG_VALUE.test(value)) {
      throw fail('FV_ERR_INDEX_CONFIG', path, `got ${describeValue(value)}; tag values are strings of 0-120 characters: letters, digits, space and ; @ _ - . +`);
    }
  }
  return { ...(t as Record<string, string>) };
}

/** Any JSON object up to {@link LIMITS.maxDeploymentBytes}: a copy, so later changes by the caller do not reach the stored one. */
function validateDeployment(deployment: unknown): Record<string, unknown> {
  const d = objectOf(deployment, 'deployment', 'FV_ERR_INDEX_CONFIG');
  const json = JSON.stringify(d);
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes > LIMITS.maxDeploymentBytes) throw fail('FV_ERR_INDEX_CONFIG', 'deployment', `is ${bytes} bytes of JSON; at most ${LIMITS.maxDeploymentBytes} are allowed`);
  return JSON.parse(json) as Record<string, unknown>;
}

function validateHnsw(hnsw: unknown, allowed: readonly (keyof HnswConfig)[]): Partial<HnswConfig> {
  const h = objectOf(hnsw, 'hnsw', 'FV_ERR_INDEX_CONFIG', allowed);
  const result: Partial<HnswConfig> = {};
  if (h.m !== undefined) result.m = integerIn(h.m, 'hnsw.m', HNSW_M.min, HNSW_M.max, 'FV_ERR_INDEX_CONFIG');
  if (h.efConstruction !== undefined) {
    result.efConstruction = integerIn(h.efConstruction, 'hnsw.efConstruction', HNSW_EF.min, HNSW_EF.max, 'FV_ERR_INDEX_CONFIG');
  }
  if (h.efSearch !== undefined) result.efSearch = integerIn(h.efSearch, 'hnsw.efSearch', HNSW_EF.min, HNSW_EF.max, 'FV_ERR_INDEX_CONFIG');
  if (h.quantization !== undefined) result.quantization = oneOf(h.quantization, 'hnsw.quantization', QUANTIZATIONS, 'FV_ERR_INDEX_CONFIG');
  return result;
}

// ── records ───────────────────────────────────────────────────────────────────────────────

/**
 * Converts a vector to a fresh Float32Array of the index dimension.
 * @param where path named in errors, e.g. `vector`.
 * @example validateVector([3, 4], 2, 'euclidean', 'vector') // → Float32Array [3, 4]
 * @throws FV_ERR_VECTOR_DIMENSION naming the length found and expected;
 *   FV_ERR_VECTOR_VALUE for a non-array, the index of the first element that is not a number or
 *   not finite as a float32 (1e39 overflows), or an all-zero vector under cosine (no direction).
 */
export function validateVector(values: unknown, dimension: number, metric: Metric, where: string): Float32Array {
  const out = new Float32Array(dimension);
  const problem = copyVector(values, dimension, metric, out, 0);
  if (problem !== undefined) throw raise(where, problem);
  return out;
}

/**
 * Checks a record id: a non-empty string of at most 512 UTF-8 bytes, without unpaired UTF-16
 * surrogates (they would not survive storage as UTF-8).
 * @throws FV_ERR_RECORD_ID.
 */
export function validateId(id: unknown, where: string): string {
  const problem = idProblem(id);
  if (problem !== undefined) throw raise(where, problem);
  return id as string;
}

function idProblem(id: unknown): Problem | undefined {
  if (typeof id !== 'string' || id.length === 0) {
    return { code: 'FV_ERR_RECORD_ID', at: '', message: `expects a non-empty string, got ${describeValue(id)}` };
  }
  return textProblem(id, 'FV_ERR_RECORD_ID');
}

/** Metadata checked and serialised once; the JSON is what gets stored. */
export interface ValidatedMetadata {
  /** The caller's object, not a copy: `json` is the snapshot taken at validation time. */
  metadata: RecordMetadata;
  json: string;
}

/**
 * Checks record metadata: a flat plain object whose values are strings, finite numbers,
 * booleans or lists of strings, at most 40 KB as UTF-8 JSON. Returns undefined for undefined.
 * @throws FV_ERR_METADATA naming the key and the problem (null, nested object, number list, size).
 */
export function validateMetadata(metadata: unknown, where: string): ValidatedMetadata | undefined {
  if (metadata === undefined) return undefined;
  const json = metadataJson(metadata);
  if (typeof json !== 'string') throw raise(where, json);
  return { metadata: metadata as RecordMetadata, json };
}

/** The metadata's JSON, or what is wrong with it. */
function metadataJson(metadata: unknown): string | Problem {
  if (!isPlainObject(metadata)) {
    return { code: 'FV_ERR_METADATA', at: '', message: `expects an object of strings, numbers, booleans or lists of strings, got ${describeValue(metadata)}` };
  }
  for (const key in metadata) {
    const problem = metadataValueProblem(metadata[key]);
    if (problem !== undefined) return { ...problem, at: childPath('', key) + problem.at };
  }
  const json = JSON.stringify(metadata);
  const bytes = json.length * 3 <= LIMITS.maxMetadataBytes ? json.length : Buffer.byteLength(json, 'utf8');
  if (bytes <= LIMITS.maxMetadataBytes) return json;
  return { code: 'FV_ERR_METADATA', at: '', message: `is ${bytes} bytes as JSON, over the ${LIMITS.maxMetadataBytes}-byte limit`, details: { bytes } };
}

function metadataValueProblem(value: unknown): Problem | undefined {
  if (typeof value === 'string' || typeof value === 'boolean') return undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      if (typeof value[i] !== 'string') {
        return { code: 'FV_ERR_METADATA', at: `[${i}]`, message: `lists may hold only strings, got ${describeValue(value[i])}` };
      }
    }
    return undefined;
  }
  const hint = value === null ? '; remove the key instead' : '';
  return { code: 'FV_ERR_METADATA', at: '', message: `expects a string, finite number, boolean or list of strings, got ${describeValue(value)}${hint}` };
}

/** An upsert batch checked and laid out for the engine. */
export interface ValidatedBatch {
  ids: string[];
  /** n × dimension, row-major: record i is `vectors.subarray(i * dimension, (i + 1) * dimension)`. */
  vectors: Float32Array;
  metadata: (RecordMetadata | undefined)[];
  metadataJson: (string | undefined)[];
}

const RECORD_KEYS = ['id', 'values', 'metadata', 'sparseValues'] as const;

/**
 * Validates a whole upsert batch before anything is written, copying every vector into one
 * row-major Float32Array: `into` when it is given and long enough (a buffer the caller owns and
 * reuses across batches, so that a batch allocates no 512 KB array; the result's `vectors` is then
 * a view of it, valid until the caller reuses it), else a new one.
 * @example validateUpsertBatch([{ id: 'a', values: [1, 0] }], 2, 'cosine').vectors // → Float32Array [1, 0]
 * @throws FV_ERR_INVALID_ARGUMENT for a non-array, an empty batch, a non-object record, an unknown
 *   field or `sparseValues` (sparse vectors are not supported); FV_ERR_BATCH_TOO_LARGE above 1,000
 *   records; FV_ERR_RECORD_ID, FV_ERR_DUPLICATE_ID, FV_ERR_VECTOR_DIMENSION, FV_ERR_VECTOR_VALUE,
 *   FV_ERR_METADATA with the path `records[i]...`.
 */
export function validateUpsertBatch(records: unknown, dimension: number, metric: Metric, into?: Float32Array): ValidatedBatch {
  const items = batchOf(records, 'records', LIMITS.maxUpsertRecords, 'records');
  const size = items.length * dimension;
  const vectors = into !== undefined && into.length >= size ? into.subarray(0, size) : new Float32Array(size);
  const batch: ValidatedBatch = { ids: [], vectors, metadata: [], metadataJson: [] };
  const seen = new Set<string>();
  // Paths such as `records[3].values` are built only when throwing: this loop runs 200K+ times a
  // second, so it allocates nothing per record but the metadata's JSON and calls nothing that throws.
  for (let i = 0; i < items.length; i++) {
    const record = items[i];
    if (!isPlainObject(record)) throw fail('FV_ERR_INVALID_ARGUMENT', `records[${i}]`, `expects an object {id, values, metadata?}, got ${describeValue(record)}`);
    for (const key in record) {
      if (key !== 'id' && key !== 'values' && key !== 'metadata' && key !== 'sparseValues') throw unknownKeyError(`records[${i}]`, key, RECORD_KEYS, 'FV_ERR_INVALID_ARGUMENT');
    }
    if (record.sparseValues !== undefined) throw sparseError(`records[${i}].sparseValues`);
    const id = record.id;
    const idIssue = idProblem(id);
    if (idIssue !== undefined) throw raise(`records[${i}].id`, idIssue);
    const seenBefore = seen.size;
    seen.add(id as string);
    if (seen.size === seenBefore) {
      const previous = batch.ids.indexOf(id as string);
      throw fail('FV_ERR_DUPLICATE_ID', `records[${i}].id`, `${quote(id as string)} repeats records[${previous}].id; ids must be unique within a batch`, { id });
    }
    const vectorIssue = copyVector(record.values, dimension, metric, vectors, i * dimension);
    if (vectorIssue !== undefined) throw raise(`records[${i}].values`, vectorIssue, id as string);
    const metadata = record.metadata;
    let json: string | undefined;
    if (metadata !== undefined) {
      const result = metadataJson(metadata);
      if (typeof result !== 'string') throw raise(`records[${i}].metadata`, result, id as string);
      json = result;
    }
    batch.ids.push(id as string);
    batch.metadata.push(metadata as RecordMetadata | undefined);
    batch.metadataJson.push(json);
  }
  return batch;
}

/**
 * Validates a list of record ids for fetch or delete (duplicates are harmless and kept).
 * @throws FV_ERR_INVALID_ARGUMENT for a non-array or an empty one; FV_ERR_BATCH_TOO_LARGE above
 *   1,000 ids; FV_ERR_RECORD_ID for a bad id.
 */
export function validateIds(ids: unknown, where: string): string[] {
  return batchOf(ids, where, LIMITS.maxIdsPerRequest, 'ids').map((id, i) => validateId(id, `${where}[${i}]`));
}

// ── query, update, list ──────────────────────────────────────────────────────────────────────

/**
 * Checks topK.
 * @throws FV_ERR_TOP_K unless an integer from 1 to 10,000.
 */
export function validateTopK(topK: unknown): number {
  return integerIn(topK, 'topK', 1, LIMITS.maxTopK, 'FV_ERR_TOP_K');
}

/**
 * Checks topK against what the query returns, as Pinecone does: up to 10,000 matches of id and
 * score, but 1,000 when each carries its values or metadata (16 clients asking for 10,000 of
 * those held 2.4 GB).
 * @throws FV_ERR_TOP_K
 */
export function checkTopKWithData(topK: number, includeValues: boolean | undefined, includeMetadata: boolean | undefined): void {
  if (topK <= LIMITS.maxTopKWithData || !(includeValues || includeMetadata)) return;
  const asked = [includeValues && 'includeValues', includeMetadata && 'includeMetadata'].filter(Boolean).join(' and ');
  throw fail('FV_ERR_TOP_K', 'topK', `is ${topK}; with ${asked} it may be at most ${LIMITS.maxTopKWithData} (without them, ${LIMITS.maxTopK})`, {
    limit: LIMITS.maxTopKWithData,
  });
}

/**
 * Checks a namespace name; undefined is the default namespace ''.
 * @throws FV_ERR_INVALID_ARGUMENT for a non-string, over 512 UTF-8 bytes, or unpaired surrogates.
 */
export function validateNamespace(namespace: unknown): string {
  if (namespace === undefined) return DEFAULT_NAMESPACE;
  if (typeof namespace !== 'string') throw fail('FV_ERR_INVALID_ARGUMENT', 'namespace', `expects a string, got ${describeValue(namespace)}`);
  const problem = textProblem(namespace, 'FV_ERR_INVALID_ARGUMENT');
  if (problem !== undefined) throw raise('namespace', problem);
  return namespace;
}

/** Paging options shared by `listPaginated` (ids) and `listNamespaces`. */
export interface ValidatedPage {
  /** '' lists everything. */
  prefix: string;
  /** Absent: no limit (listNamespaces only). */
  limit?: number;
  paginationToken?: string;
}

export interface ValidatedListOptions extends ValidatedPage {
  limit: number;
  namespace: string;
}

/**
 * Validates `listPaginated` options: prefix string, limit 1-100 (default 100), paginationToken
 * (opaque here; its decoder checks its content), namespace.
 * @throws FV_ERR_INVALID_ARGUMENT for a bad option; FV_ERR_PAGINATION_TOKEN for a token that is
 *   not a non-empty string.
 */
export function validateListOptions(options: unknown): ValidatedListOptions {
  const o = options === undefined ? {} : objectOf(options, 'options', 'FV_ERR_INVALID_ARGUMENT', ['prefix', 'limit', 'paginationToken', 'namespace']);
  return { ...validatePage(o), limit: o.limit === undefined ? DEFAULT_LIST_LIMIT : listLimit(o.limit), namespace: validateNamespace(o.namespace) };
}

/**
 * Validates `listNamespaces` options: as `validateListOptions` without namespace, and no limit by default.
 * @throws FV_ERR_INVALID_ARGUMENT for a bad option; FV_ERR_PAGINATION_TOKEN for a token that is not a non-empty string.
 */
export function validateListNamespacesOptions(options: unknown): ValidatedPage {
  const o = options === undefined ? {} : objectOf(options, 'options', 'FV_ERR_INVALID_ARGUMENT', ['prefix', 'limit', 'paginationToken']);
  return { ...validatePage(o), ...(o.limit === undefined ? {} : { limit: listLimit(o.limit) }) };
}

function listLimit(limit: unknown): number {
  return integerIn(limit, 'limit', 1, LIMITS.maxListLimit, 'FV_ERR_INVALID_ARGUMENT');
}

function validatePage(o: Record<string, unknown>): ValidatedPage {
  let prefix = '';
  if (o.prefix !== undefined) {
    if (typeof o.prefix !== 'string') throw fail('FV_ERR_INVALID_ARGUMENT', 'prefix', `expects a string, got ${describeValue(o.prefix)}`);
    const problem = textProblem(o.prefix, 'FV_ERR_INVALID_ARGUMENT');
    if (problem !== undefined) throw raise('prefix', problem);
    prefix = o.prefix;
  }
  if (o.paginationToken === undefined) return { prefix };
  if (typeof o.paginationToken !== 'string' || o.paginationToken.length === 0) {
    throw fail('FV_ERR_PAGINATION_TOKEN', 'paginationToken', `expects the non-empty string a previous page returned, got ${describeValue(o.paginationToken)}`);
  }
  return { prefix, paginationToken: o.paginationToken };
}

/** A query with defaults filled in; exactly one of `vector` and `id` is set. */
export interface ValidatedQuery {
  vector?: Float32Array;
  id?: string;
  topK: number;
  /** Absent when the query has no filter or an empty one: every record matches. */
  filter?: MetadataPredicate;
  includeValues: boolean;
  includeMetadata: boolean;
  namespace: string;
  /** Absent: the index's default engine. */
  exact?: boolean;
  ef?: number;
}

const QUERY_KEYS = ['vector', 'id', 'topK', 'filter', 'includeValues', 'includeMetadata', 'namespace', 'exact', 'ef', 'sparseVector'] as const;

/**
 * Validates query options.
 * @throws FV_ERR_INVALID_ARGUMENT unless exactly one of vector and id is given, for an unknown
 *   option, `sparseVector`, or a non-boolean flag; FV_ERR_TOP_K; FV_ERR_FILTER; the vector's and
 *   id's codes as in validateVector and validateId; FV_ERR_INVALID_ARGUMENT for ef outside 1-10,000.
 */
export function validateQuery(options: unknown, dimension: number, metric: Metric): ValidatedQuery {
  const o = objectOf(options, 'options', 'FV_ERR_INVALID_ARGUMENT', QUERY_KEYS);
  if (o.sparseVector !== undefined) throw sparseError('sparseVector');
  if ((o.vector === undefined) === (o.id === undefined)) {
    throw fail('FV_ERR_INVALID_ARGUMENT', 'options', `give exactly one of vector and id, got ${o.vector === undefined ? 'neither' : 'both'}`);
  }
  const query: ValidatedQuery = {
    topK: validateTopK(o.topK),
    includeValues: o.includeValues === undefined ? false : booleanAt(o.includeValues, 'includeValues'),
    includeMetadata: o.includeMetadata === undefined ? false : booleanAt(o.includeMetadata, 'includeMetadata'),
    namespace: validateNamespace(o.namespace),
  };
  checkTopKWithData(query.topK, query.includeValues, query.includeMetadata);
  if (o.vector !== undefined) query.vector = validateVector(o.vector, dimension, metric, 'vector');
  if (o.id !== undefined) query.id = validateId(o.id, 'id');
  if (o.filter !== undefined && !(isPlainObject(o.filter) && Object.keys(o.filter).length === 0)) query.filter = compileFilter(o.filter);
  if (o.exact !== undefined) query.exact = booleanAt(o.exact, 'exact');
  if (o.ef !== undefined) query.ef = integerIn(o.ef, 'ef', HNSW_EF.min, HNSW_EF.max, 'FV_ERR_INVALID_ARGUMENT');
  return query;
}

/** An update with exactly one of `id` and `filter` set. */
export interface ValidatedUpdate {
  id?: string;
  /** Pinecone's update by metadata filter: merge `metadata` into every matching record. */
  filter?: MetadataPredicate;
  values?: Float32Array;
  /**
   * The metadata to merge. The 40 KB limit is checked here on the patch alone; the engine must
   * check each merged result again with validateMetadata.
   */
  metadata?: ValidatedMetadata;
  namespace: string;
}

/**
 * Validates update options: by `id`, new values and/or metadata merged in; by `filter`
 * (Pinecone's update by metadata), metadata merged into every matching record.
 * @throws FV_ERR_INVALID_ARGUMENT unless exactly one of id and filter is given, when nothing is
 *   to be updated, for values with a filter, an unknown option or `sparseValues`;
 *   FV_ERR_RECORD_ID, FV_ERR_FILTER, FV_ERR_VECTOR_DIMENSION, FV_ERR_VECTOR_VALUE, FV_ERR_METADATA.
 */
export function validateUpdate(options: unknown, dimension: number, metric: Metric): ValidatedUpdate {
  const o = objectOf(options, 'options', 'FV_ERR_INVALID_ARGUMENT', ['id', 'filter', 'values', 'metadata', 'namespace', 'sparseValues']);
  if (o.sparseValues !== undefined) throw sparseError('sparseValues');
  if ((o.id === undefined) === (o.filter === undefined)) {
    throw fail('FV_ERR_INVALID_ARGUMENT', 'options', `give exactly one of id and filter, got ${o.id === undefined ? 'neither' : 'both'}`);
  }
  if (o.values === undefined && o.metadata === undefined) {
    throw fail('FV_ERR_INVALID_ARGUMENT', 'options', 'nothing to update; give values, metadata or both');
  }
  if (o.filter !== undefined && o.values !== undefined) {
    throw fail('FV_ERR_INVALID_ARGUMENT', 'values', 'can be set by id only; an update by filter merges metadata');
  }
  const update: ValidatedUpdate = { namespace: validateNamespace(o.namespace) };
  if (o.id !== undefined) update.id = validateId(o.id, 'id');
  if (o.filter !== undefined) update.filter = compileFilter(o.filter);
  if (o.values !== undefined) update.values = validateVector(o.values, dimension, metric, 'values');
  if (o.metadata !== undefined) update.metadata = validateMetadata(o.metadata, 'metadata');
  return update;
}

// ── vectors: the hot path ──────────────────────────────────────────────────────────────────────

/**
 * Copies `values` into `out[offset .. offset + dimension)` and checks it. The loops neither
 * allocate nor throw; a problem is described only after a loop reports a bad index.
 */
function copyVector(values: unknown, dimension: number, metric: Metric, out: Float32Array, offset: number): Problem | undefined {
  let bad: number;
  if (Array.isArray(values)) {
    if (values.length !== dimension) return dimensionProblem(values.length, dimension);
    bad = copyFiniteNumbers(values, out, offset);
  } else if (isNumericTypedArray(values)) {
    if (values.length !== dimension) return dimensionProblem(values.length, dimension);
    out.set(values, offset);
    bad = firstNonFinite(out, offset, dimension);
  } else {
    return { code: 'FV_ERR_VECTOR_VALUE', at: '', message: `expects an array of numbers or a Float32Array, got ${describeValue(values)}` };
  }
  if (bad >= 0) {
    const original: unknown = values[bad];
    const message =
      typeof original === 'number' && Number.isFinite(original)
        ? `${original} overflows a 32-bit float`
        : `expects a finite number, got ${describeValue(original)}`;
    return { code: 'FV_ERR_VECTOR_VALUE', at: `[${bad}]`, message, details: { index: bad } };
  }
  if (metric === 'cosine' && isZero(out, offset, dimension)) {
    return { code: 'FV_ERR_VECTOR_VALUE', at: '', message: 'an all-zero vector has no direction, so its cosine is undefined' };
  }
  return undefined;
}

/** Index of the first element that is not a number or not finite as a float32, or -1. */
function copyFiniteNumbers(values: unknown[], out: Float32Array, offset: number): number {
  for (let j = 0; j < values.length; j++) {
    const x = values[j];
    if (typeof x !== 'number') return j;
    const f = Math.fround(x);
    if (f - f !== 0) return j; // NaN and ±Infinity, including finite doubles beyond float32's range
    out[offset + j] = f;
  }
  return -1;
}

function firstNonFinite(out: Float32Array, offset: number, dimension: number): number {
  for (let j = 0; j < dimension; j++) {
    const f = out[offset + j];
    if (f === undefined || f - f !== 0) return j;
  }
  return -1;
}

function isZero(out: Float32Array, offset: number, dimension: number): boolean {
  for (let j = 0; j < dimension; j++) if (out[offset + j] !== 0) return false;
  return true;
}

type NumericTypedArray = Exclude<NodeJS.TypedArray, BigInt64Array | BigUint64Array>;

function isNumericTypedArray(value: unknown): value is NumericTypedArray {
  return ArrayBuffer.isView(value) && !(value instanceof DataView) && !(value instanceof BigInt64Array) && !(value instanceof BigUint64Array);
}

function dimensionProblem(got: number, expected: number): Problem {
  return { code: 'FV_ERR_VECTOR_DIMENSION', at: '', message: `has ${got} values, the index dimension is ${expected}`, details: { got, expected } };
}

// ── shared helpers (also used by filter.ts) ─────────────────────────────────────────────────────

/** True for `{...}` literals and JSON objects; false for arrays, null, class instances, Maps, Dates. */
// ── small checks ───────────────────────────────────────────────────────────────────────────

/** A failed check that does not yet know where it happened: `at` is appended to the caller's path. */
interface Problem {
  code: ErrorCode;
  at: string;
  message: string;
  details?: Record<string, unknown>;
}

function raise(where: string, problem: Problem, recordId?: string): FacevaultError {
  const ofRecord = recordId === undefined ? '' : ` (record ${quote(recordId)})`;
  const id = recordId === undefined ? {} : { id: recordId };
  return fail(problem.code, where + problem.at, problem.message + ofRecord, { ...id, ...problem.details });
}

function fail(code: ErrorCode, path: string, problem: string, details: Record<string, unknown> = {}): FacevaultError {
  return fvError(code, `${path}: ${problem}`, { path, ...details });
}


/** A plain object whose keys are all in `allowed` (when given). */
function objectOf(value: unknown, path: string, code: ErrorCode, allowed?: readonly string[]): Record<string, unknown> {
  if (!isPlainObject(value)) throw fail(code, path, `expects an object, got ${describeValue(value)}`);
  const unknownKey = allowed === undefined ? undefined : firstUnknownKey(value, allowed);
  if (unknownKey !== undefined) throw unknownKeyError(path, unknownKey, allowed as readonly string[], code);
  return value;
}

function firstUnknownKey(value: Record<string, unknown>, allowed: readonly string[]): string | undefined {
  for (const key in value) if (!allowed.includes(key)) return key;
  return undefined;
}

function unknownKeyError(path: string, key: string, allowed: readonly string[], code: ErrorCode): FacevaultError {
  return fail(code, childPath(path, key), `unknown field; allowed: ${allowed.join(', ')}`);
}

function sparseError(path: string): FacevaultError {
  return fail('FV_ERR_INVALID_ARGUMENT', path, 'sparse vectors are not supported; give dense values only');
}

function batchOf(items: unknown, path: string, max: number, noun: string): unknown[] {
  if (!Array.isArray(items)) throw fail('FV_ERR_INVALID_ARGUMENT', path, `expects an array of ${noun}, got ${describeValue(items)}`);
  if (items.length === 0) throw fail('FV_ERR_INVALID_ARGUMENT', path, `expects at least one of ${noun}, got an empty array`);
  if (items.length > max) {
    throw fail('FV_ERR_BATCH_TOO_LARGE', path, `has ${items.length} ${noun}, the limit is ${max} per request; split it`, { count: items.length, max });
  }
  return items;
}

function integerIn(value: unknown, path: string, min: number, max: number, code: ErrorCode): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
  throw fail(code, path, `expects an integer from ${min} to ${max}, got ${describeValue(value)}`, { min, max });
}

function oneOf<T extends string>(value: unknown, path: string, allowed: readonly T[], code: ErrorCode): T {
  if ((allowed as readonly unknown[]).includes(value)) return value as T;
  throw fail(code, path, `got ${describeValue(value)}; allowed: ${allowed.join(', ')}`);
}

function booleanAt(value: unknown, path: string): boolean {
  if (typeof value === 'boolean') return value;
  throw fail('FV_ERR_INVALID_ARGUMENT', path, `expects true or false, got ${describeValue(value)}`);
}

/** Bounds UTF-8 size (ids, namespaces, prefixes) and refuses what UTF-8 storage cannot hold. */
function textProblem(text: string, code: ErrorCode): Problem | undefined {
  if (text.length > MAX_CHARS_WITHOUT_COUNTING) {
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > LIMITS.maxIdBytes) {
      return { code, at: '', message: `is ${bytes} UTF-8 bytes, over the ${LIMITS.maxIdBytes}-byte limit`, details: { bytes } };
    }
  }
  if (UNPAIRED_SURROGATE.test(text)) {
    return { code, at: '', message: `${quote(text)} holds an unpaired UTF-16 surrogate, which UTF-8 storage cannot keep` };
  }
  return undefined;
}
