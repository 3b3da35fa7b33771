/**
 * Request and response shapes of Pinecone's REST API, version 2026-04, as the official
 * TypeScript client (`@pinecone-database/pinecone` 8.x) sends and parses them: snake_case on the
 * control plane, camelCase on the data plane (its generated models under
 * `dist/pinecone-generated-ts-fetch/db_control` and `db_data`). The data plane is the same in
 * API 2026-07 (client 9.x), whose control plane is in `pinecone-schemas-2026-07.ts`.
 *
 * Requests are strict (an unknown field is a 400 naming it). Deep content — vector values'
 * finiteness, metadata types and size, filter operators, id bytes — is checked by the engine,
 * whose messages point at the exact element.
 */
import { z } from 'zod';
import { ENGINES, LIMITS, METRICS } from '../vector/types.js';

// ── shared ────────────────────────────────────────────────────────────────────────────────────

export const ErrorResponse = z
  .object({
    error: z.object({
      code: z.string().describe('A stable facevault error code (FV_ERR_*), see docs/errors.md'),
      message: z.string().describe('What is wrong, naming the field and the allowed values'),
      details: z.record(z.string(), z.unknown()).optional(),
    }),
    status: z.number().int(),
  })
  .describe("Pinecone's error shape");
export type ErrorResponse = z.infer<typeof ErrorResponse>;

export const Engine = z.enum(ENGINES).describe('facevault extension. exact: a full scan, always correct; approximate: an HNSW graph, much faster at scale with recall slightly below 1');
const Namespace = z.string().describe("Namespace; '' and '__default__' both name the default namespace");
const Metadata = z
  .record(z.string(), z.unknown())
  .describe('Flat object of strings, finite numbers, booleans or lists of strings; no null; at most 40 KB as JSON');
const Filter = z
  .record(z.string(), z.unknown())
  .describe("Pinecone's metadata filter: $eq $ne $gt $gte $lt $lte $in $nin $exists $and $or; top-level fields are ANDed");
const Values = z.array(z.number()).describe('Dense vector of the index dimension');
const Sparse = z.unknown().describe('Not supported: facevault indexes are dense; a request carrying it is refused with 400');
const DedicatedReadTuning = z.unknown().describe("Not supported: tuning of Pinecone's dedicated read nodes; a request carrying it is refused with 400 FV_ERR_UNSUPPORTED (choose the engine with exact instead)");
const Usage = z.object({ readUnits: z.number().int() });
const Pagination = z.object({ next: z.string().describe('Token of the next page') });

// ── control plane ─────────────────────────────────────────────────────────────────────────────

export const IndexNameParams = z.strictObject({
  indexName: z.string().describe('1-45 lowercase letters, digits or hyphens'),
});

export const Tags = z
  .record(z.string(), z.string())
  .describe('Key-value tags, kept and reported exactly as given (at most 20; configuring a key to "" removes it). A tag `engine` (exact | approximate) also sets the default engine, for clients that drop unknown fields');
export const DeletionProtection = z.enum(['enabled', 'disabled']);
const Spec = z
  .looseObject({
    serverless: z.looseObject({ cloud: z.string(), region: z.string() }).optional(),
    pod: z.looseObject({ environment: z.string(), pod_type: z.string() }).optional(),
    byoc: z.looseObject({ environment: z.string() }).optional(),
  })
  .describe('Accepted and reported back as given (with the read capacity Pinecone reports: OnDemand unless asked otherwise); a facevault index runs in this process whatever the spec says');

export const CreateIndexRequest = z.strictObject({
  name: z.string().describe('1-45 lowercase letters, digits or hyphens'),
  dimension: z.number().int().min(1).max(LIMITS.maxDimension).optional().describe('Required: facevault indexes are dense'),
  metric: z.enum(METRICS).optional().describe('Default cosine'),
  deletion_protection: DeletionProtection.optional(),
  tags: Tags.optional(),
  spec: Spec,
  vector_type: z.enum(['dense', 'sparse']).optional().describe('Only dense is supported'),
  engine: Engine.optional().describe('facevault extension: default engine of queries that do not choose (default exact); also settable as tags.engine'),
});
export type CreateIndexRequest = z.infer<typeof CreateIndexRequest>;

export const ConfigureIndexRequest = z.strictObject({
  deletion_protection: DeletionProtection.optional(),
  tags: Tags.optional().describe('Merged into the current tags; a key set to "" is removed; tags.engine changes the default engine'),
  spec: z
    .record(z.string(), z.record(z.string(), z.unknown()))
    .optional()
    .describe('Changes of single settings, e.g. { pod: { replicas: 2 } }: recorded and reported back'),
  embed: z.unknown().optional().describe('Not supported: integrated embedding'),
  engine: Engine.optional(),
});
export type ConfigureIndexRequest = z.infer<typeof ConfigureIndexRequest>;

export const IndexModel = z.object({
  name: z.string(),
  dimension: z.number().int(),
  metric: z.enum(METRICS),
  host: z.string().describe("URL of this index's data plane (the client prefixes https:// to a host without scheme, so it is spelled out)"),
  deletion_protection: DeletionProtection,
  tags: z.record(z.string(), z.string()).optional().describe('Absent when the index has no tags'),
  spec: Spec,
  status: z.object({ ready: z.boolean(), state: z.string() }),
  vector_type: z.literal('dense'),
  engine: Engine,
});
export type IndexModel = z.infer<typeof IndexModel>;

export const IndexList = z.object({ indexes: z.array(IndexModel) });
export type IndexList = z.infer<typeof IndexList>;

// ── data plane ────────────────────────────────────────────────────────────────────────────────

export const UpsertRequest = z.strictObject({
  vectors: z
    .array(z.strictObject({ id: z.string(), values: Values, sparseValues: Sparse.optional(), metadata: Metadata.optional() }))
    .min(1)
    .max(LIMITS.maxUpsertRecords)
    .describe(`At most ${LIMITS.maxUpsertRecords} records per request`),
  namespace: Namespace.optional(),
});
export type UpsertRequest = z.infer<typeof UpsertRequest>;
export const UpsertResponse = z.object({ upsertedCount: z.number().int() });
export type UpsertResponse = z.infer<typeof UpsertResponse>;

export const QueryRequest = z.strictObject({
  namespace: Namespace.optional(),
  topK: z.number().int().min(1).max(LIMITS.maxTopK),
  filter: Filter.optional(),
  includeValues: z.boolean().optional(),
  includeMetadata: z.boolean().optional(),
  vector: Values.optional().describe('Query vector; give this or id'),
  id: z.string().optional().describe('Query by the vector of a stored record; give this or vector'),
  sparseVector: Sparse.optional(),
  scanFactor: DedicatedReadTuning.optional(),
  maxCandidates: DedicatedReadTuning.optional(),
  exact: z
    .boolean()
    .optional()
    .describe("facevault extension: true scans every record, false searches the graph; absent, the X-Facevault-Exact header or the index's default engine decides"),
});
export type QueryRequest = z.infer<typeof QueryRequest>;

export const QueryHeaders = z.looseObject({
  'x-facevault-exact': z
    .enum(['true', 'false'])
    .optional()
    .describe('facevault extension: exact or approximate search for clients that drop unknown body fields (official client: pc.index({ name, additionalHeaders }))'),
});

const ScoredVector = z.object({
  id: z.string(),
  score: z.number().describe('cosine and dotproduct: higher is closer; euclidean: the distance, lower is closer'),
  values: z.array(z.number()).optional(),
  metadata: Metadata.optional(),
});
export const QueryResponse = z.object({ matches: z.array(ScoredVector), namespace: z.string(), usage: Usage });
export type QueryResponse = z.infer<typeof QueryResponse>;

export const FetchQuery = z.strictObject({
  ids: z.array(z.string()).min(1).max(LIMITS.maxIdsPerRequest).describe(`Record ids, repeated: ids=a&ids=b (at most ${LIMITS.maxIdsPerRequest})`),
  namespace: Namespace.optional(),
});
export type FetchQuery = z.infer<typeof FetchQuery>;
const StoredVector = z.object({ id: z.string(), values: z.array(z.number()), metadata: Metadata.optional() });
export const FetchResponse = z.object({
  vectors: z.record(z.string(), StoredVector).describe('Found records by id; unknown ids are left out'),
  namespace: z.string(),
  usage: Usage,
});

export const UpdateRequest = z.strictObject({
  id: z.string().optional().describe('The record to update; give this or filter'),
  values: Values.optional(),
  sparseValues: Sparse.optional(),
  setMetadata: Metadata.optional().describe('Merged into the stored metadata'),
  namespace: Namespace.optional(),
  filter: Filter.optional().describe('Merge setMetadata into every matching record; give this or id'),
  dryRun: z.boolean().optional().describe('true: count the records the update would change (matchedRecords) and change nothing'),
});
export type UpdateRequest = z.infer<typeof UpdateRequest>;
export const FetchByMetadataRequest = z.strictObject({
  filter: Filter,
  namespace: Namespace.optional(),
  limit: z.number().int().min(1).max(LIMITS.maxIdsPerRequest).optional().describe(`Records per page, default 100, at most ${LIMITS.maxIdsPerRequest}`),
  paginationToken: z.string().optional(),
});
export type FetchByMetadataRequest = z.infer<typeof FetchByMetadataRequest>;
export const FetchByMetadataResponse = FetchResponse.extend({ pagination: Pagination.optional() });

export const UpdateResponse = z.object({ matchedRecords: z.number().int() });
export type UpdateResponse = z.infer<typeof UpdateResponse>;

export const DeleteRequest = z.strictObject({
  ids: z.array(z.string()).min(1).max(LIMITS.maxIdsPerRequest).optional(),
  deleteAll: z.boolean().optional().describe('Delete every record of the namespace'),
  namespace: Namespace.optional(),
  filter: Filter.optional(),
});
export type DeleteRequest = z.infer<typeof DeleteRequest>;
export const EmptyResponse = z.object({});
export type EmptyResponse = z.infer<typeof EmptyResponse>;

export const StatsRequest = z.strictObject({ filter: Filter.optional().describe('Count only the matching records') });
export type StatsRequest = z.infer<typeof StatsRequest>;
export const StatsResponse = z.object({
  namespaces: z.record(z.string(), z.object({ vectorCount: z.number().int() })),
  dimension: z.number().int(),
  indexFullness: z.number().describe('Always 0: an embedded index has no fixed capacity'),
  totalVectorCount: z.number().int(),
  metric: z.enum(METRICS),
  vectorType: z.literal('dense'),
});
export type StatsResponse = z.infer<typeof StatsResponse>;

export const ListQuery = z.strictObject({
  prefix: z.string().optional(),
  limit: z.number().int().min(1).max(LIMITS.maxListLimit).optional().describe(`Page size, default and maximum ${LIMITS.maxListLimit}`),
  paginationToken: z.string().optional(),
  namespace: Namespace.optional(),
});
export type ListQuery = z.infer<typeof ListQuery>;
export const ListResponse = z.object({
  vectors: z.array(z.object({ id: z.string() })),
  pagination: Pagination.optional(),
  namespace: z.string(),
  usage: Usage,
});

export const NamespacesQuery = z.strictObject({
  prefix: z.string().optional(),
  limit: z.number().int().min(1).max(LIMITS.maxListLimit).optional(),
  paginationToken: z.string().optional(),
});
export type NamespacesQuery = z.infer<typeof NamespacesQuery>;
export const NamespaceParams = z.strictObject({ indexName: z.string(), namespace: z.string().min(1) });
export const NamespaceDescription = z.object({ name: z.string(), record_count: z.number().int() });
export type NamespaceDescription = z.infer<typeof NamespaceDescription>;
export const ListNamespacesResponse = z.object({
  namespaces: z.array(NamespaceDescription),
  pagination: Pagination.optional(),
  total_count: z.number().int().describe('Namespaces matching the prefix'),
});
export type ListNamespacesResponse = z.infer<typeof ListNamespacesResponse>;
