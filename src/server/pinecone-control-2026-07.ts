/**
 * The control plane of API 2026-07 (official client 9.x): an index is a `schema` of fields —
 * for a vectors-API index, the reserved dense field `_values` with its dimension and metric —
 * and a `deployment`, with `read_capacity` beside it. Stored in 2026-04's spec shape
 * (`pinecone-deployment.ts`), so an index created by either client describes itself to both.
 */
import { configureChanges, createSettings, tagsOrNone, unsupported, type ControlDialect } from './pinecone-control-dialect.js';
import { deploymentOf, patchedSpec, specOfDeployment } from './pinecone-deployment.js';
import { ConfigureIndexRequest, CreateIndexRequest, DENSE_FIELD, IndexList, IndexModel, SPARSE_FIELD } from './pinecone-schemas-2026-07.js';
import { fvError } from '../errors.js';

export const CONTROL_2026_07: ControlDialect<CreateIndexRequest, ConfigureIndexRequest> = {
  version: '2026-07',
  schemas: { create: CreateIndexRequest, configure: ConfigureIndexRequest, model: IndexModel, list: IndexList },

  settings(body) {
    if (body.cmek_id !== undefined) unsupported('cmek_id', 'customer-managed encryption keys are not supported; encrypt the data directory at rest instead');
    const { [DENSE_FIELD]: dense, [SPARSE_FIELD]: _sparse, ...documentFields } = body.schema.fields;
    const documentField = Object.keys(documentFields)[0];
    if (documentField !== undefined) {
      unsupported(`schema.fields.${documentField}`, `fields of the documents API are not supported; facevault indexes are vectors-API indexes: schema { fields: { ${DENSE_FIELD}: { type: 'dense_vector', dimension, metric } } }`);
    }
    if (dense === undefined) {
      if (body.schema.fields[SPARSE_FIELD] !== undefined) unsupported(`schema.fields.${SPARSE_FIELD}`, 'sparse indexes are not supported; facevault indexes are dense');
      throw fvError('FV_ERR_INDEX_CONFIG', `schema.fields.${DENSE_FIELD}: is required; facevault indexes are dense`, { path: `schema.fields.${DENSE_FIELD}` });
    }
    return createSettings(body, { dimension: dense.dimension, metric: dense.metric, deployment: specOfDeployment(body.deployment, body.read_capacity) });
  },

  async changes(body, current) {
    if (body.schema !== undefined) unsupported('schema', 'semantic text fields of the documents API are not supported');
    const { deployment, read_capacity: readCapacity } = body;
    const patch = deployment === undefined && readCapacity === undefined ? undefined : patchedSpec(await current(), { ...(deployment ? { deployment } : {}), ...(readCapacity ? { read_capacity: readCapacity } : {}) });
    return configureChanges(body, patch, 'deployment or read_capacity');
  },

  model(index, host): IndexModel {
    const { deployment, read_capacity: readCapacity, metadataFields } = deploymentOf(index);
    return {
      name: index.name,
      host,
      status: { ready: true, state: 'Ready' },
      deployment: deployment as IndexModel['deployment'],
      ...(readCapacity ? { read_capacity: readCapacity as IndexModel['read_capacity'] } : {}),
      schema: {
        fields: {
          ...metadataFields,
          [DENSE_FIELD]: { type: 'dense_vector', dimension: index.dimension, metric: index.metric },
          [SPARSE_FIELD]: { type: 'sparse_vector' },
        },
      },
      tags: tagsOrNone(index) ?? null,
      deletion_protection: index.deletionProtection,
      engine: index.engine,
    };
  },
};
