/**
 * The control plane of API 2026-04 (official client 8.x): an index is `dimension`, `metric`,
 * `vector_type` and a deployment `spec`, stored as given.
 */
import { configureChanges, createSettings, tagsOrNone, unsupported, type ControlDialect } from './pinecone-control-dialect.js';
import { configuredSpec, reportedSpec } from './pinecone-deployment.js';
import { ConfigureIndexRequest, CreateIndexRequest, IndexList, IndexModel } from './pinecone-schemas.js';
import { fvError } from '../errors.js';

export const CONTROL_2026_04: ControlDialect<CreateIndexRequest, ConfigureIndexRequest> = {
  version: '2026-04',
  schemas: { create: CreateIndexRequest, configure: ConfigureIndexRequest, model: IndexModel, list: IndexList },

  settings(body) {
    if (body.vector_type === 'sparse') unsupported('vector_type', '"sparse" is not supported; facevault indexes are dense');
    if (body.dimension === undefined) throw fvError('FV_ERR_INDEX_CONFIG', 'dimension: is required; facevault indexes are dense', { path: 'dimension' });
    for (const [kind, settings] of Object.entries(body.spec)) {
      const collection = (settings as { source_collection?: unknown } | undefined)?.source_collection;
      // Pinecone answers this way for a collection that does not exist, and facevault has none.
      if (collection !== undefined) unsupported(`spec.${kind}.source_collection`, `Resource ${String(collection)} not found: facevault has no collections; create the index empty and upsert its records`);
    }
    return createSettings(body, { dimension: body.dimension, metric: body.metric ?? 'cosine', deployment: body.spec });
  },

  async changes(body, current) {
    if (body.embed !== undefined) unsupported('embed', 'integrated embedding is not supported; upsert vectors instead');
    return configureChanges(body, body.spec && configuredSpec(await current(), body.spec), 'spec');
  },

  model(index, host): IndexModel {
    const tags = tagsOrNone(index);
    return {
      name: index.name,
      dimension: index.dimension,
      metric: index.metric,
      host,
      deletion_protection: index.deletionProtection,
      ...(tags ? { tags } : {}),
      spec: reportedSpec(index),
      status: { ready: true, state: 'Ready' },
      vector_type: 'dense',
      engine: index.engine,
    };
  },
};
