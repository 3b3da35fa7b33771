/**
 * Control-plane shapes of Pinecone's REST API 2026-07, as the official TypeScript client 9.x
 * sends and parses them (its generated models under
 * `dist/pinecone-generated-ts-fetch/db_control/models`): an index is a `schema` of fields and a
 * `deployment`, where 2026-04 had `dimension`, `metric` and `spec`. An index of the vectors API —
 * the only kind facevault serves — has the reserved dense field `_values`; it also reports the
 * reserved sparse field `_sparse_values`, as Pinecone does for every dense vectors-API index.
 * The data plane is the same in both versions (`pinecone-schemas.ts`).
 */
import { z } from 'zod';
import { LIMITS, METRICS } from '../vector/types.js';
import { DeletionProtection, Engine, Tags } from './pinecone-schemas.js';

/** The reserved field names of a vectors-API index. */
export const DENSE_FIELD = '_values';
export const SPARSE_FIELD = '_sparse_values';

const DenseVectorField = z.strictObject({
  type: z.literal('dense_vector'),
  dimension: z.number().int().min(1).max(LIMITS.maxDimension),
  metric: z.enum(METRICS),
  description: z.string().nullable().optional().describe('Not kept: reserved fields take no description'),
});
const SparseVectorField = z.looseObject({ type: z.literal('sparse_vector') });
const DocumentField = z.looseObject({ type: z.string() }).describe('Not supported: fields of the documents API (string, semantic_text, ...)');

const ReadCapacity = z
  .looseObject({ mode: z.enum(['OnDemand', 'Dedicated']) })
  .describe('Accepted and reported back as given, with a Ready status; facevault has no read nodes to provision');

export const CreateIndexRequest = z.strictObject({
  name: z.string().describe('1-45 lowercase letters, digits or hyphens; required (facevault does not make names up)'),
  deployment: z
    .looseObject({
      deployment_type: z.enum(['managed', 'byoc']),
      cloud: z.string().optional().describe('managed: required'),
      region: z.string().optional().describe('managed: required'),
      environment: z.string().optional().describe('byoc: required'),
    })
    .optional()
    .describe('Accepted and reported back as given; a facevault index runs in this process whatever it says'),
  schema: z.strictObject({
    fields: z
      .object({ [DENSE_FIELD]: DenseVectorField.optional(), [SPARSE_FIELD]: SparseVectorField.optional() })
      .catchall(DocumentField)
      .describe(`A vectors-API index: { ${DENSE_FIELD}: { type: 'dense_vector', dimension, metric } }`),
  }),
  read_capacity: ReadCapacity.optional(),
  tags: Tags.optional(),
  deletion_protection: DeletionProtection.optional(),
  cmek_id: z.string().optional().describe('Not supported: customer-managed encryption keys'),
  engine: Engine.optional().describe('facevault extension: default engine of queries that do not choose (default exact); also settable as tags.engine'),
});
export type CreateIndexRequest = z.infer<typeof CreateIndexRequest>;

export const ConfigureIndexRequest = z.strictObject({
  deployment: z
    .strictObject({ replicas: z.number().int().min(1).optional(), pod_type: z.string().optional() })
    .optional()
    .describe('Pod indexes: replicas and pod type, recorded and reported back'),
  schema: z.unknown().optional().describe('Not supported: semantic text fields of the documents API'),
  read_capacity: ReadCapacity.optional(),
  tags: Tags.optional().describe('Merged into the current tags; a key set to "" is removed; tags.engine changes the default engine'),
  deletion_protection: DeletionProtection.optional(),
  engine: Engine.optional(),
});
export type ConfigureIndexRequest = z.infer<typeof ConfigureIndexRequest>;

const Deployment = z.looseObject({
  deployment_type: z.enum(['managed', 'pod', 'byoc']),
  cloud: z.string().optional(),
  region: z.string().optional(),
  environment: z.string().optional(),
  pod_type: z.string().optional(),
  replicas: z.number().int().optional(),
  shards: z.number().int().optional(),
});

export const IndexModel = z.object({
  name: z.string(),
  host: z.string().describe("URL of this index's data plane (the client prefixes https:// to a host without scheme, so it is spelled out)"),
  status: z.object({ ready: z.boolean(), state: z.string() }),
  deployment: Deployment,
  read_capacity: z.looseObject({ mode: z.string(), status: z.looseObject({ state: z.string() }) }).optional().describe('Managed and BYOC indexes'),
  schema: z.object({
    fields: z.record(z.string(), z.looseObject({})).describe(`${DENSE_FIELD} (dimension, metric), ${SPARSE_FIELD}, and any metadata fields the index was created as filterable`),
  }),
  tags: z.record(z.string(), z.string()).nullable().describe('null when the index has no tags'),
  deletion_protection: DeletionProtection,
  engine: Engine,
});
export type IndexModel = z.infer<typeof IndexModel>;

export const IndexList = z.object({ indexes: z.array(IndexModel) });
export type IndexList = z.infer<typeof IndexList>;
