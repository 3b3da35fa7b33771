/**
 * Pinecone's control plane (API 2026-04, snake_case JSON): create, list, describe, configure and
 * delete indexes. An index's `host` is the URL of its data plane on this server
 * (`<origin>/indexes/<name>`), spelled out with its scheme because the official client prefixes
 * `https://` to a bare host.
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { fvError } from '../errors.js';
import type { IndexChanges, IndexInfo } from '../stores/vector-store.js';
import { ENGINES, type Engine } from '../vector/types.js';
import { routeSchema } from './json-schema.js';
import { dataPlanePath } from './pinecone-data.js';
import {
  ConfigureIndexRequest,
  CreateIndexRequest,
  IndexList,
  IndexModel,
  IndexNameParams,
} from './pinecone-schemas.js';

export interface PineconeControlOptions {
  /** Origin clients reach this server at; default: the origin of each request. */
  publicUrl?: string;
}

const TAGS = ['control plane'] as const;

type PineconeSpec = Record<string, unknown>;

/** What an index created without a spec (by the library, the CLI or the face routes) reports. */
const LOCAL_SPEC: PineconeSpec = Object.freeze({
  serverless: { cloud: 'aws', region: 'local', read_capacity: { mode: 'OnDemand', status: { state: 'Ready' } } },
});

export const pineconeControl: FastifyPluginAsync<PineconeControlOptions> = async (app, options) => {
  const { store } = app;

  const model = (request: FastifyRequest, index: IndexInfo): IndexModel => ({
    name: index.name,
    dimension: index.dimension,
    metric: index.metric,
    host: `${options.publicUrl ?? `${request.protocol}://${request.host}`}${dataPlanePath(index.name)}`,
    deletion_protection: index.deletionProtection,
    tags: { ...index.tags },
    spec: index.deployment ?? LOCAL_SPEC,
    status: { ready: true, state: 'Ready' },
    vector_type: 'dense',
    engine: index.engine,
  });

  app.post<{ Body: CreateIndexRequest }>(
    '/indexes',
    {
      schema: routeSchema({
        summary: 'Create an index',
        operationId: 'create_index',
        tags: TAGS,
        body: CreateIndexRequest,
        response: { 201: IndexModel },
      }),
    },
    async (request, reply) => {
      const body = request.body;
      if (body.vector_type === 'sparse') throw fvError('FV_ERR_UNSUPPORTED', 'vector_type: "sparse" is not supported; facevault indexes are dense', { path: 'vector_type' });
      if (body.dimension === undefined) throw fvError('FV_ERR_INDEX_CONFIG', 'dimension: is required; facevault indexes are dense', { path: 'dimension' });
      const engine = engineSetting(body.engine, body.tags);
      const { created, index } = await store.createIndex({
        name: body.name,
        dimension: body.dimension,
        metric: body.metric ?? 'cosine',
        engine: engine ?? 'exact',
        ...(body.deletion_protection ? { deletionProtection: body.deletion_protection } : {}),
        tags: body.tags ?? {},
        deployment: body.spec,
      });
      if (!created) throw fvError('FV_ERR_INDEX_EXISTS', `Index "${body.name}" already exists`, { name: body.name });
      return reply.code(201).send(model(request, index));
    },
  );

  app.get(
    '/indexes',
    { schema: routeSchema({ summary: 'List indexes', operationId: 'list_indexes', tags: TAGS, response: { 200: IndexList } }) },
    async (request): Promise<IndexList> => {
      return { indexes: (await store.listIndexes()).map((index) => model(request, index)) };
    },
  );

  app.get<{ Params: { indexName: string } }>(
    '/indexes/:indexName',
    {
      schema: routeSchema({ summary: 'Describe an index', operationId: 'describe_index', tags: TAGS, params: IndexNameParams, response: { 200: IndexModel } }),
    },
    async (request): Promise<IndexModel> => model(request, await store.describeIndex(request.params.indexName)),
  );

  app.patch<{ Params: { indexName: string }; Body: ConfigureIndexRequest }>(
    '/indexes/:indexName',
    {
      schema: routeSchema({
        summary: "Configure an index: deletion protection, tags, default engine, spec",
        operationId: 'configure_index',
        tags: TAGS,
        params: IndexNameParams,
        body: ConfigureIndexRequest,
        response: { 202: IndexModel },
      }),
    },
    async (request, reply) => {
      const { indexName } = request.params;
      const body = request.body;
      if (body.embed !== undefined) throw fvError('FV_ERR_UNSUPPORTED', 'embed: integrated embedding is not supported; upsert vectors instead', { path: 'embed' });
      const engine = engineSetting(body.engine, body.tags);
      const current = body.spec === undefined ? undefined : await store.describeIndex(indexName);
      const changes: IndexChanges = {
        ...(body.deletion_protection ? { deletionProtection: body.deletion_protection } : {}),
        ...(engine ? { engine } : {}),
        ...(body.tags && Object.keys(body.tags).length > 0 ? { tags: body.tags } : {}),
        ...(current && body.spec ? { deployment: mergeSpec(current.deployment ?? LOCAL_SPEC, body.spec) } : {}),
      };
      if (Object.keys(changes).length === 0) {
        throw fvError('FV_ERR_INVALID_ARGUMENT', 'body: nothing to configure; give deletion_protection, tags, engine or spec');
      }
      return reply.code(202).send(model(request, await store.configureIndex(indexName, changes)));
    },
  );

  app.delete<{ Params: { indexName: string } }>(
    '/indexes/:indexName',
    {
      schema: routeSchema({ summary: 'Delete an index and every record in it', operationId: 'delete_index', tags: TAGS, params: IndexNameParams, response: { 202: null } }),
    },
    async (request, reply) => {
      await store.deleteIndex(request.params.indexName);
      return reply.code(202).send();
    },
  );
};

/**
 * The engine may come as facevault's `engine` field or as `tags.engine`, because the official
 * client drops fields its models do not know. The tags themselves are kept exactly as given.
 * @throws FV_ERR_INDEX_CONFIG for an unknown engine or two that disagree.
 */
function engineSetting(engine: Engine | undefined, tags: Record<string, string> | undefined): Engine | undefined {
  const tagged = tags?.engine;
  if (tagged === undefined || tagged === '') return engine;
  if (!(ENGINES as readonly string[]).includes(tagged)) {
    throw fvError('FV_ERR_INDEX_CONFIG', `tags.engine: got "${tagged}"; allowed: ${ENGINES.join(', ')}`, { path: 'tags.engine' });
  }
  if (engine !== undefined && engine !== tagged) {
    throw fvError('FV_ERR_INDEX_CONFIG', `engine: "${engine}" contradicts tags.engine "${tagged}"; give one`, { path: 'engine' });
  }
  return tagged as Engine;
}

/** A configure request's spec changes single settings (pod replicas, read capacity) of the stored spec. */
function mergeSpec(current: PineconeSpec, change: PineconeSpec): PineconeSpec {
  const merged: PineconeSpec = { ...current };
  for (const [kind, settings] of Object.entries(change)) {
    const before = current[kind];
    merged[kind] = isObject(before) && isObject(settings) ? { ...before, ...settings } : settings;
  }
  return merged;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
