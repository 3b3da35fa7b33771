/**
 * Pinecone's control plane (API 2026-04, snake_case JSON): create, list, describe, configure and
 * delete indexes. An index's `host` is the URL of its data plane on this server
 * (`<origin>/indexes/<name>`), spelled out with its scheme because the official client prefixes
 * `https://` to a bare host.
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { fvError } from '../errors.js';
import { ENGINES, type ConfigureIndexOptions, type Engine, type IndexDescription } from '../vector/types.js';
import type { PineconeSpec } from './index-specs.js';
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

export const pineconeControl: FastifyPluginAsync<PineconeControlOptions> = async (app, options) => {
  const { database, indexSpecs } = app;

  const model = (request: FastifyRequest, description: IndexDescription): IndexModel => ({
    name: description.name,
    dimension: description.dimension,
    metric: description.metric,
    host: `${options.publicUrl ?? `${request.protocol}://${request.host}`}${dataPlanePath(description.name)}`,
    deletion_protection: description.deletionProtection,
    tags: { ...description.tags, engine: description.engine },
    spec: indexSpecs.specOf(description.name, description.createdAt),
    status: { ready: description.status.ready, state: description.status.state },
    vector_type: 'dense',
    engine: description.engine,
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
      const { engine, tags } = engineSetting(body.engine, body.tags);
      const description = await database.createIndex({
        name: body.name,
        dimension: body.dimension,
        metric: body.metric,
        engine,
        deletionProtection: body.deletion_protection,
        tags: tags ?? {},
      });
      indexSpecs.set(description.name, description.createdAt, body.spec);
      return reply.code(201).send(model(request, description));
    },
  );

  app.get(
    '/indexes',
    { schema: routeSchema({ summary: 'List indexes', operationId: 'list_indexes', tags: TAGS, response: { 200: IndexList } }) },
    async (request): Promise<IndexList> => {
      const { indexes } = await database.listIndexes();
      return { indexes: indexes.map((description) => model(request, description)) };
    },
  );

  app.get<{ Params: { indexName: string } }>(
    '/indexes/:indexName',
    {
      schema: routeSchema({ summary: 'Describe an index', operationId: 'describe_index', tags: TAGS, params: IndexNameParams, response: { 200: IndexModel } }),
    },
    async (request): Promise<IndexModel> => model(request, await database.describeIndex(request.params.indexName)),
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
      const { engine, tags } = engineSetting(body.engine, body.tags);
      const changes: ConfigureIndexOptions = {
        ...(body.deletion_protection ? { deletionProtection: body.deletion_protection } : {}),
        ...(engine ? { engine } : {}),
        ...(tags && Object.keys(tags).length > 0 ? { tags } : {}),
      };
      if (Object.keys(changes).length === 0 && body.spec === undefined) {
        throw fvError('FV_ERR_INVALID_ARGUMENT', 'body: nothing to configure; give deletion_protection, tags, engine or spec');
      }
      const description = Object.keys(changes).length > 0 ? await database.configureIndex(indexName, changes) : await database.describeIndex(indexName);
      if (body.spec !== undefined) {
        indexSpecs.set(indexName, description.createdAt, mergeSpec(indexSpecs.specOf(indexName, description.createdAt), body.spec));
      }
      return reply.code(202).send(model(request, description));
    },
  );

  app.delete<{ Params: { indexName: string } }>(
    '/indexes/:indexName',
    {
      schema: routeSchema({ summary: 'Delete an index and every record in it', operationId: 'delete_index', tags: TAGS, params: IndexNameParams, response: { 202: null } }),
    },
    async (request, reply) => {
      await database.deleteIndex(request.params.indexName);
      indexSpecs.delete(request.params.indexName);
      return reply.code(202).send();
    },
  );
};

/**
 * The engine may come as facevault's `engine` field or as `tags.engine`, because the official
 * client drops fields its models do not know; the tag is taken out of the stored tags.
 * @throws FV_ERR_INDEX_CONFIG for an unknown engine or two that disagree.
 */
function engineSetting(engine: Engine | undefined, tags: Record<string, string> | undefined): { engine?: Engine; tags?: Record<string, string> } {
  if (tags === undefined || !('engine' in tags)) return { engine, tags };
  const { engine: tagged, ...rest } = tags;
  if (!(ENGINES as readonly string[]).includes(tagged as string)) {
    throw fvError('FV_ERR_INDEX_CONFIG', `tags.engine: got "${tagged}"; allowed: ${ENGINES.join(', ')}`, { path: 'tags.engine' });
  }
  if (engine !== undefined && engine !== tagged) {
    throw fvError('FV_ERR_INDEX_CONFIG', `engine: "${engine}" contradicts tags.engine "${tagged}"; give one`, { path: 'engine' });
  }
  return { engine: tagged as Engine, tags: rest };
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
