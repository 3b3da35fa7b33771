/**
 * Routes the official Pinecone client (8.x and 9.x) can call that facevault does not serve. Each answers
 * 400 FV_ERR_UNSUPPORTED naming the feature and what to do instead — not 404, which the client
 * reports as "not found" (as if the index were missing), and not a 5xx, which it would retry.
 */
import type { FastifyPluginAsync, HTTPMethods } from 'fastify';
import { fvError } from '../errors.js';

interface Unsupported {
  readonly routes: readonly (readonly [HTTPMethods, string])[];
  readonly feature: string;
  readonly instead: string;
}

const INTEGRATED_EMBEDDING = 'create an index with a dimension and upsert vectors you embed (the face routes embed images)';

const UNSUPPORTED: readonly Unsupported[] = [
  { feature: 'integrated embedding (createIndexForModel)', instead: INTEGRATED_EMBEDDING, routes: [['POST', '/indexes/create-for-model']] },
  {
    feature: 'integrated embedding (upsertRecords, searchRecords)',
    instead: 'upsert vectors with /vectors/upsert and search with /query',
    routes: [
      ['POST', '/indexes/:indexName/records/namespaces/:namespace/upsert'],
      ['POST', '/indexes/:indexName/records/namespaces/:namespace/search'],
    ],
  },
  {
    feature: 'the documents API (upsertDocuments, searchDocuments, ...)',
    instead: 'create an index with schema { fields: { _values: { type: "dense_vector", dimension, metric } } } and use the vectors API (/vectors/upsert, /query)',
    routes: (['upsert', 'search', 'fetch', 'list', 'update', 'delete'] as const).map((operation) => ['POST', `/indexes/:indexName/namespaces/:namespace/documents/${operation}`] as const),
  },
  // Not GET /models (the list of hosted models): a path the face API may want for its own models.
  { feature: 'hosted inference (embed, rerank)', instead: INTEGRATED_EMBEDDING, routes: [['POST', '/embed'], ['POST', '/rerank']] },
  {
    feature: 'bulk import from object storage',
    instead: 'upsert in requests of 1,000 records (100,000 records take seconds)',
    routes: [
      ['POST', '/indexes/:indexName/bulk/imports'],
      ['GET', '/indexes/:indexName/bulk/imports'],
      ['GET', '/indexes/:indexName/bulk/imports/:id'],
      ['DELETE', '/indexes/:indexName/bulk/imports/:id'],
    ],
  },
  {
    feature: 'creating an empty namespace (createNamespace) and namespace metadata schemas',
    instead: 'a namespace is created by the first upsert into it, and every metadata field is filterable',
    routes: [['POST', '/indexes/:indexName/namespaces']],
  },
  {
    feature: 'collections',
    instead: 'an index lives in the data directory: copy the directory while the server is stopped to keep a snapshot',
    routes: [
      ['POST', '/collections'],
      ['GET', '/collections'],
      ['GET', '/collections/:collectionName'],
      ['DELETE', '/collections/:collectionName'],
    ],
  },
  {
    feature: 'backups, backup schedules and restore jobs',
    instead: 'copy the data directory while the server is stopped; start a server on the copy to restore',
    routes: [
      ['POST', '/indexes/:indexName/backups'],
      ['GET', '/indexes/:indexName/backups'],
      ['GET', '/backups'],
      ['GET', '/backups/:backupId'],
      ['DELETE', '/backups/:backupId'],
      ['POST', '/backups/:backupId/create-index'],
      ['GET', '/restore-jobs'],
      ['GET', '/restore-jobs/:jobId'],
      ['POST', '/indexes/:indexName/backup-schedules'],
      ['GET', '/indexes/:indexName/backup-schedules'],
      ['GET', '/backup-schedules/:scheduleId'],
      ['PATCH', '/backup-schedules/:scheduleId'],
      ['DELETE', '/backup-schedules/:scheduleId'],
      ['GET', '/backup-schedules/:scheduleId/history'],
    ],
  },
];

export const pineconeUnsupported: FastifyPluginAsync = async (app) => {
  for (const { routes, feature, instead } of UNSUPPORTED) {
    const message = `not supported by facevault: ${feature}; ${instead}`;
    for (const [method, url] of routes) {
      app.route({
        method,
        url,
        schema: {
          summary: `Not supported: ${feature}`,
          description: `Answers 400 FV_ERR_UNSUPPORTED: ${message}.`,
          tags: ['not supported'],
          operationId: `unsupported_${method.toLowerCase()}${url.replace(/[^A-Za-z]+/g, '_')}`,
          response: {},
        },
        handler: async () => {
          throw fvError('FV_ERR_UNSUPPORTED', message, { feature });
        },
      });
    }
  }
};
