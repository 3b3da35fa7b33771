/**
 * Pinecone's data plane (API 2026-04, camelCase JSON except the namespace routes' snake_case
 * fields) for one index, mounted at `/indexes/:indexName` — the path of the `host` that the
 * control plane reports for the index. Every route speaks to the server's {@link StoreIndex}
 * only, so the same routes serve every store; scores, orders and counts are the store's, untouched.
 *
 * Pinecone names the default namespace `__default__` (the official client sends it when no
 * namespace is chosen); stores name it ''. Both spellings reach the store's default namespace,
 * and responses spell it `__default__`.
 */
import type { IncomingMessage } from 'node:http';
import type { FastifyBodyParser, FastifyPluginAsync, FastifyRequest } from 'fastify';
import { fvError } from '../errors.js';
import type { MetadataFilter, RecordInput, RecordMetadata, StoreIndex } from '../stores/vector-store.js';
import { LIMITS, READ_UNITS } from '../vector/types.js';
import { checkTopKWithData } from '../vector/validate.js';
import { routeSchema } from './json-schema.js';
import {
  DeleteRequest,
  EmptyResponse,
  FetchByMetadataRequest,
  FetchByMetadataResponse,
  FetchQuery,
  FetchResponse,
  IndexNameParams,
  ListNamespacesResponse,
  ListQuery,
  ListResponse,
  NamespaceDescription,
  NamespaceParams,
  NamespacesQuery,
  QueryHeaders,
  QueryRequest,
  QueryResponse,
  StatsRequest,
  StatsResponse,
  UpdateRequest,
  UpdateResponse,
  UpsertRequest,
  UpsertResponse,
} from './pinecone-schemas.js';
import { BodyBuffers, parseUpsertBody, receiveBody } from './upsert-body.js';
import { upsertBodyLimit, upsertTooLarge } from './upsert-limit.js';
import { fetchJson, queryJson, serializeWith, type FetchPayload, type QueryPayload } from './vector-responses.js';

/** Mount point of an index's data plane on this server. */
export const DATA_PLANE_PREFIX = '/indexes/:indexName';

/** Path of the data plane of a named index (the path part of its `host`). */
export function dataPlanePath(indexName: string): string {
  return `/indexes/${encodeURIComponent(indexName)}`;
}

const WIRE_DEFAULT_NAMESPACE = '__default__';
const TAGS = ['data plane'] as const;

type IndexParams = { indexName: string };

export const pineconeData: FastifyPluginAsync = async (app) => {
  const { store } = app;
  const index = (request: FastifyRequest<{ Params: IndexParams }>): Promise<StoreIndex> => store.openIndex(request.params.indexName);

  await app.register(async (upsert) => {
    // The index, opened in preParsing to check the body's size, is reused by the handler.
    const opened = new WeakMap<FastifyRequest, StoreIndex>();
    const defaultJson = app.getDefaultJsonParser('error', 'error');
    upsert.removeContentTypeParser('application/json');
    // Bodies are received into kept buffers (see BodyBuffers) rather than fastify's per-request one.
    const bodyBuffers = new BodyBuffers();
    upsert.addContentTypeParser('application/json', (request: FastifyRequest, payload: IncomingMessage) =>
      receiveBody(payload, Number(request.headers['content-length']), request.routeOptions.bodyLimit, bodyBuffers, (body) =>
        parseUpsertBody(body, (text) => parsedBy(defaultJson, text)),
      ),
    );
    upsert.addHook('preParsing', async (request: FastifyRequest<{ Params: IndexParams }>, _reply, payload) => {
      const target = await index(request);
      const bytes = Number(request.headers['content-length']);
      if (bytes > upsertBodyLimit(target.spec.dimension)) throw upsertTooLarge(bytes, target.spec);
      opened.set(request, target);
      return payload;
    });

    upsert.post<{ Params: IndexParams; Body: UpsertRequest }>(
      '/vectors/upsert',
      {
        schema: routeSchema({
          summary: 'Insert or overwrite up to 1,000 records, all or nothing, durably',
          description: `At most ${LIMITS.maxUpsertRecords} records, and a body no larger than they can need at the index's dimension with full-precision values and ${LIMITS.maxMetadataBytes / 1024} KB of metadata each.`,
          operationId: 'upsert_vectors',
          tags: TAGS,
          params: IndexNameParams,
          body: UpsertRequest,
          response: { 200: UpsertResponse },
        }),
      },
      async (request): Promise<UpsertResponse> => {
        const { vectors, namespace } = request.body;
        const target = opened.get(request) ?? (await index(request));
        // Metadata values arrive typed `unknown` (and sparseValues is not in RecordInput): the store
        // checks each record and names the bad field.
        const upsertedCount = await target.upsert(vectors as RecordInput[], defined({ namespace: storeNamespace(namespace) }));
        return { upsertedCount };
      },
    );
  });

  app.post<{ Params: IndexParams; Body: QueryRequest }>(
    '/query',
    {
      schema: routeSchema({
        summary: 'Top-k nearest records to a vector or to a stored record, exact or approximate',
        description:
          "`exact` (body) or `X-Facevault-Exact` (header) chooses a full scan (true: k-NN, always correct) or the HNSW graph (false: faster at scale, recall slightly below 1); absent, the index's default engine decides.",
        operationId: 'query_vectors',
        tags: TAGS,
        params: IndexNameParams,
        headers: QueryHeaders,
        body: QueryRequest,
        response: { 200: QueryResponse },
      }),
      serializerCompiler: serializeWith(queryJson),
    },
    async (request): Promise<QueryPayload> => {
      const body = request.body;
      for (const field of ['scanFactor', 'maxCandidates'] as const) {
        if (body[field] !== undefined) {
          throw fvError('FV_ERR_UNSUPPORTED', `${field}: tunes Pinecone's dedicated read nodes, which facevault does not have; leave it out, and choose the engine with exact (or the X-Facevault-Exact header)`, { path: field });
        }
      }
      const header = request.headers['x-facevault-exact'];
      const exact = body.exact ?? (header === undefined ? undefined : header === 'true');
      if (body.sparseVector !== undefined) throw fvError('FV_ERR_UNSUPPORTED', 'sparseVector: sparse vectors are not supported; facevault indexes are dense', { path: 'sparseVector' });
      checkTopKWithData(body.topK, body.includeValues, body.includeMetadata);
      const namespace = storeNamespace(body.namespace);
      const matches = await (await index(request)).query(
        defined({ vector: body.vector, id: body.id, topK: body.topK, filter: body.filter, includeValues: body.includeValues, includeMetadata: body.includeMetadata, namespace, exact }),
      );
      return { matches, namespace: wireNamespace(namespace ?? ''), usage: READ_UNITS.query };
    },
  );

  app.get<{ Params: IndexParams; Querystring: FetchQuery }>(
    '/vectors/fetch',
    {
      schema: routeSchema({
        summary: 'Records by id (at most 1,000); unknown ids are left out',
        operationId: 'fetch_vectors',
        tags: TAGS,
        params: IndexNameParams,
        querystring: FetchQuery,
        response: { 200: FetchResponse },
      }),
      serializerCompiler: serializeWith(fetchJson),
    },
    async (request): Promise<FetchPayload> => {
      const { ids } = request.query;
      const namespace = storeNamespace(request.query.namespace);
      const records = await (await index(request)).fetch(ids, defined({ namespace }));
      return { records: [...records.values()], namespace: wireNamespace(namespace ?? ''), usage: READ_UNITS.fetch(records.size) };
    },
  );

  app.post<{ Params: IndexParams; Body: FetchByMetadataRequest }>(
    '/vectors/fetch_by_metadata',
    {
      schema: routeSchema({
        summary: 'Records whose metadata matches a filter, a page at a time, in id order',
        operationId: 'fetch_vectors_by_metadata',
        tags: TAGS,
        params: IndexNameParams,
        body: FetchByMetadataRequest,
        response: { 200: FetchByMetadataResponse },
      }),
      serializerCompiler: serializeWith(fetchJson),
    },
    async (request): Promise<FetchPayload> => {
      const { filter, limit, paginationToken } = request.body;
      const namespace = storeNamespace(request.body.namespace);
      const page = await (await index(request)).list(defined({ filter, namespace, limit: limit ?? 100, paginationToken, includeValues: true, includeMetadata: true }));
      return {
        records: page.records.map(({ id, values, metadata }) => ({ id, values: values ?? new Float32Array(0), ...(metadata ? { metadata } : {}) })),
        namespace: wireNamespace(namespace ?? ''),
        usage: READ_UNITS.fetch(page.records.length),
        ...(page.next !== undefined && { next: page.next }),
      };
    },
  );

  app.post<{ Params: IndexParams; Body: UpdateRequest }>(
    '/vectors/update',
    {
      schema: routeSchema({
        summary: 'Replace the values and/or merge metadata of a record, or merge metadata into every record matching a filter',
        operationId: 'update_vector',
        tags: TAGS,
        params: IndexNameParams,
        body: UpdateRequest,
        response: { 200: UpdateResponse },
      }),
    },
    async (request): Promise<UpdateResponse> => {
      const body = request.body;
      if (body.sparseValues !== undefined) throw fvError('FV_ERR_UNSUPPORTED', 'sparseValues: sparse vectors are not supported; facevault indexes are dense', { path: 'sparseValues' });
      if ((body.id === undefined) === (body.filter === undefined)) throw fvError('FV_ERR_INVALID_ARGUMENT', 'body: give exactly one of id and filter', { path: 'id' });
      const selector = body.id !== undefined ? { id: body.id } : { filter: body.filter as MetadataFilter };
      const change = defined({ values: body.values, metadata: body.setMetadata as RecordMetadata | undefined });
      const matchedRecords = await (await index(request)).update(selector, change, defined({ namespace: storeNamespace(body.namespace), dryRun: body.dryRun }));
      return { matchedRecords };
    },
  );

  app.post<{ Params: IndexParams; Body: DeleteRequest }>(
    '/vectors/delete',
    {
      schema: routeSchema({
        summary: 'Delete records by ids (at most 1,000), by metadata filter, or all records of a namespace',
        operationId: 'delete_vectors',
        tags: TAGS,
        params: IndexNameParams,
        body: DeleteRequest,
        response: { 200: EmptyResponse },
      }),
    },
    async (request): Promise<EmptyResponse> => {
      const { ids, deleteAll, filter } = request.body;
      const namespace = storeNamespace(request.body.namespace);
      const given = [ids !== undefined, deleteAll === true, filter !== undefined].filter(Boolean).length;
      if (given !== 1) {
        throw fvError('FV_ERR_INVALID_ARGUMENT', `body: give exactly one of ids, filter and deleteAll: true, got ${given === 0 ? 'none' : 'several'}`);
      }
      const selector = deleteAll ? { all: true as const } : filter !== undefined ? { filter } : { ids: ids as string[] };
      await (await index(request)).delete(selector, defined({ namespace }));
      return {};
    },
  );

  app.post<{ Params: IndexParams; Body: StatsRequest }>(
    '/describe_index_stats',
    {
      schema: routeSchema({
        summary: 'Record counts per namespace, dimension and fullness',
        operationId: 'describe_index_stats',
        tags: TAGS,
        params: IndexNameParams,
        body: StatsRequest,
        response: { 200: StatsResponse },
      }),
    },
    async (request): Promise<StatsResponse> => {
      const target = await index(request);
      const filter = request.body?.filter;
      const stats = await target.stats(filter === undefined ? {} : { filter });
      const namespaces: StatsResponse['namespaces'] = {};
      for (const [name, recordCount] of Object.entries(stats.namespaces)) namespaces[wireNamespace(name)] = { vectorCount: recordCount };
      return { namespaces, dimension: stats.dimension, indexFullness: stats.indexFullness, totalVectorCount: stats.totalRecordCount, metric: target.spec.metric, vectorType: 'dense' };
    },
  );

  app.get<{ Params: IndexParams; Querystring: ListQuery }>(
    '/vectors/list',
    {
      schema: routeSchema({
        summary: 'Record ids in lexicographic order, by prefix, a page at a time',
        operationId: 'list_vectors',
        tags: TAGS,
        params: IndexNameParams,
        querystring: ListQuery,
        response: { 200: ListResponse },
      }),
    },
    async (request) => {
      const namespace = storeNamespace(request.query.namespace);
      const page = await (await index(request)).list(defined({ ...request.query, namespace }));
      return {
        vectors: page.records.map(({ id }) => ({ id })),
        ...(page.next !== undefined ? { pagination: { next: page.next } } : {}),
        namespace: wireNamespace(namespace ?? ''),
        usage: READ_UNITS.list,
      };
    },
  );

  app.get<{ Params: IndexParams; Querystring: NamespacesQuery }>(
    '/namespaces',
    {
      schema: routeSchema({
        summary: 'Namespaces holding records, by name, a page at a time',
        description: `The default namespace is listed as ${WIRE_DEFAULT_NAMESPACE}.`,
        operationId: 'list_namespaces',
        tags: TAGS,
        params: IndexNameParams,
        querystring: NamespacesQuery,
        response: { 200: ListNamespacesResponse },
      }),
    },
    async (request): Promise<ListNamespacesResponse> => {
      const namespaces = await (await index(request)).namespaces();
      const described = namespaces.map(({ name, recordCount }) => ({ name: wireNamespace(name), record_count: recordCount }));
      return pageOfNamespaces(described.sort((a, b) => (a.name < b.name ? -1 : 1)), request.query);
    },
  );

  app.get<{ Params: IndexParams & { namespace: string } }>(
    '/namespaces/:namespace',
    {
      schema: routeSchema({
        summary: 'A namespace and its record count',
        operationId: 'describe_namespace',
        tags: TAGS,
        params: NamespaceParams,
        response: { 200: NamespaceDescription },
      }),
    },
    async (request): Promise<NamespaceDescription> => {
      const name = storeNamespace(request.params.namespace);
      const { namespaces } = await (await index(request)).stats();
      const recordCount = Object.hasOwn(namespaces, name) ? namespaces[name] : undefined;
      if (recordCount === undefined) throw fvError('FV_ERR_NAMESPACE_NOT_FOUND', `No namespace "${request.params.namespace}" in index "${request.params.indexName}"`, { namespace: request.params.namespace });
      return { name: wireNamespace(name), record_count: recordCount };
    },
  );

  app.delete<{ Params: IndexParams & { namespace: string } }>(
    '/namespaces/:namespace',
    {
      schema: routeSchema({
        summary: 'Delete a namespace and every record in it',
        operationId: 'delete_namespace',
        tags: TAGS,
        params: NamespaceParams,
        response: { 200: EmptyResponse },
      }),
    },
    async (request): Promise<EmptyResponse> => {
      await (await index(request)).deleteNamespace(storeNamespace(request.params.namespace));
      return {};
    },
  );
};

/** A namespace as stores name it; undefined (not given) stays undefined: the store's default. */
function storeNamespace<T extends string | undefined>(wire: T): T {
  return (wire === WIRE_DEFAULT_NAMESPACE ? '' : wire) as T;
}

function wireNamespace(name: string): string {
  return name === '' ? WIRE_DEFAULT_NAMESPACE : name;
}

/**
 * What fastify's default JSON parser makes of a body, for the bodies the upsert parser hands
 * back: its guard against `__proto__` and `constructor` keys, and its errors. It answers through
 * its callback before returning.
 */
function parsedBy(parser: FastifyBodyParser<string>, text: string): unknown {
  let outcome: { err: Error | null; value: unknown } | undefined;
  void parser(undefined as never, text, (err, value) => {
    outcome = { err, value };
  });
  if (outcome?.err) throw outcome.err;
  return outcome?.value;
}

/** Stores refuse option keys they do not know even when their value is undefined. */
function defined<T extends object>(options: T): T {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as T;
}

/**
 * Prefix filter and pagination over the sorted wire names; the token is the last name of the
 * previous page. Not the store's own paging: it pages store names, where the default namespace
 * is '' (first, and matched by no prefix) rather than __default__.
 */
function pageOfNamespaces(sorted: NamespaceDescription[], query: NamespacesQuery): ListNamespacesResponse {
  const matching = query.prefix ? sorted.filter(({ name }) => name.startsWith(query.prefix as string)) : sorted;
  let start = 0;
  if (query.paginationToken !== undefined) {
    const after = Buffer.from(query.paginationToken, 'base64url').toString('utf8');
    if (after.length === 0) throw fvError('FV_ERR_PAGINATION_TOKEN', 'paginationToken: is not a token this server returned', { path: 'paginationToken' });
    start = matching.findIndex(({ name }) => name > after);
    if (start < 0) start = matching.length;
  }
  const limit = query.limit ?? 100;
  const namespaces = matching.slice(start, start + limit);
  const last = namespaces.at(-1);
  const more = start + limit < matching.length && last !== undefined;
  return { namespaces, ...(more ? { pagination: { next: Buffer.from(last.name, 'utf8').toString('base64url') } } : {}), total_count: matching.length };
}
