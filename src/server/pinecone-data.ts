/**
 * Pinecone's data plane (API 2026-04, camelCase JSON except the namespace routes' snake_case
 * fields) for one index, mounted at `/indexes/:indexName` — the path of the `host` that the
 * control plane reports for the index. Scores, orders and counts are the engine's, untouched.
 *
 * Pinecone names the default namespace `__default__` (the official client sends it when no
 * namespace is chosen); the engine names it ''. Both spellings reach the engine's default
 * namespace, and responses spell it `__default__`.
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { fvError } from '../errors.js';
import type { MetadataFilter, RecordMetadata, UpdateOptions, VectorRecord } from '../vector/types.js';
import type { VectorIndex } from '../vector/vector-index.js';
import { routeSchema } from './json-schema.js';
import { fetchByMetadata } from './fetch-by-metadata.js';
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
  const { database } = app;
  const index = (request: FastifyRequest<{ Params: IndexParams }>): VectorIndex => database.index(request.params.indexName);

  app.post<{ Params: IndexParams; Body: UpsertRequest }>(
    '/vectors/upsert',
    {
      schema: routeSchema({
        summary: 'Insert or overwrite up to 1,000 records (2 MB), all or nothing, durably',
        operationId: 'upsert_vectors',
        tags: TAGS,
        params: IndexNameParams,
        body: UpsertRequest,
        response: { 200: UpsertResponse },
      }),
    },
    async (request): Promise<UpsertResponse> => {
      const { vectors, namespace } = request.body;
      // Metadata values arrive typed `unknown` (and sparseValues is not in VectorRecord): the engine
      // checks each record and names the bad field.
      return index(request).upsert({ records: vectors as VectorRecord<RecordMetadata>[], namespace: engineNamespace(namespace) });
    },
  );

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
    },
    async (request): Promise<QueryResponse> => {
      const body = request.body;
      for (const field of ['scanFactor', 'maxCandidates'] as const) {
        if (body[field] !== undefined) {
          throw fvError('FV_ERR_UNSUPPORTED', `${field}: tunes Pinecone's dedicated read nodes, which facevault does not have; leave it out, and choose the engine with exact (or the X-Facevault-Exact header)`, { path: field });
        }
      }
      const header = request.headers['x-facevault-exact'];
      const exact = body.exact ?? (header === undefined ? undefined : header === 'true');
      const result = await index(request).query(
        defined({
          vector: body.vector,
          id: body.id,
          topK: body.topK,
          filter: body.filter,
          includeValues: body.includeValues,
          includeMetadata: body.includeMetadata,
          namespace: engineNamespace(body.namespace),
          exact,
          sparseVector: body.sparseVector, // refused by the engine
        }),
      );
      return { matches: result.matches, namespace: wireNamespace(result.namespace), usage: result.usage };
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
    },
    async (request) => {
      const { ids, namespace } = request.query;
      const result = await index(request).fetch(defined({ ids, namespace: engineNamespace(namespace) }));
      return { vectors: result.records, namespace: wireNamespace(result.namespace), usage: result.usage };
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
    },
    async (request) => {
      const { filter, namespace, limit, paginationToken } = request.body;
      const engineName = engineNamespace(namespace);
      const page = await fetchByMetadata(index(request), defined({ filter, namespace: engineName, limit: limit ?? 100, paginationToken }));
      return {
        vectors: page.records,
        namespace: wireNamespace(engineName ?? ''),
        usage: { readUnits: Math.max(1, Math.ceil(Object.keys(page.records).length / 10)) },
        ...(page.next !== undefined && { pagination: { next: page.next } }),
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
      if (body.dryRun === true) return { matchedRecords: await countUpdated(index(request), body) };
      const options = defined({
        id: body.id,
        sparseValues: body.sparseValues, // refused by the engine
        filter: body.filter,
        values: body.values,
        metadata: body.setMetadata as RecordMetadata | undefined,
        namespace: engineNamespace(body.namespace),
      });
      // The body may hold both id and filter, or neither, which UpdateOptions rules out by type: the
      // engine checks that exactly one is given and names the problem.
      return index(request).update(options as UpdateOptions);
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
      const namespace = engineNamespace(request.body.namespace);
      const given = [ids !== undefined, deleteAll === true, filter !== undefined].filter(Boolean).length;
      if (given !== 1) {
        throw fvError('FV_ERR_INVALID_ARGUMENT', `body: give exactly one of ids, filter and deleteAll: true, got ${given === 0 ? 'none' : 'several'}`);
      }
      const target = index(request);
      if (deleteAll) await target.deleteAll(defined({ namespace }));
      else if (filter !== undefined) await target.deleteMany(defined({ filter, namespace }));
      else await target.deleteMany(defined({ ids, namespace }));
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
      const target = index(request);
      const filter = request.body?.filter;
      const stats = await target.describeIndexStats(filter === undefined ? {} : { filter });
      const { metric } = await database.describeIndex(request.params.indexName);
      const namespaces: StatsResponse['namespaces'] = {};
      for (const [name, { recordCount }] of Object.entries(stats.namespaces)) namespaces[wireNamespace(name)] = { vectorCount: recordCount };
      return { namespaces, dimension: stats.dimension, indexFullness: stats.indexFullness, totalVectorCount: stats.totalRecordCount, metric, vectorType: 'dense' };
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
      const result = await index(request).listPaginated(defined({ ...request.query, namespace: engineNamespace(request.query.namespace) }));
      return { ...result, namespace: wireNamespace(result.namespace) };
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
      const { namespaces } = await index(request).listNamespaces();
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
      const { name, recordCount } = await index(request).describeNamespace(engineNamespace(request.params.namespace));
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
      await index(request).deleteNamespace(engineNamespace(request.params.namespace));
      return {};
    },
  );
};

/**
 * What an update would change, for `dryRun`: the record when it exists, or the records matching
 * the filter. The engine's update checks the rest (exactly one of id and filter) when it runs.
 * @throws FV_ERR_INVALID_ARGUMENT when neither or both of id and filter are given; FV_ERR_FILTER.
 */
async function countUpdated(target: VectorIndex, { id, filter, namespace: wire }: UpdateRequest): Promise<number> {
  const namespace = engineNamespace(wire);
  if ((id === undefined) === (filter === undefined)) throw fvError('FV_ERR_INVALID_ARGUMENT', 'body: give exactly one of id and filter', { path: 'id' });
  if (id !== undefined) return Object.keys((await target.fetch(defined({ ids: [id], namespace }))).records).length;
  const stats = await target.describeIndexStats({ filter: filter as MetadataFilter });
  return stats.namespaces[namespace ?? '']?.recordCount ?? 0;
}

/** A namespace as the engine names it; undefined (not given) stays undefined: the engine's default. */
function engineNamespace<T extends string | undefined>(wire: T): T {
  return (wire === WIRE_DEFAULT_NAMESPACE ? '' : wire) as T;
}

function wireNamespace(name: string): string {
  return name === '' ? WIRE_DEFAULT_NAMESPACE : name;
}

/** The engine refuses option keys it does not know even when their value is undefined. */
function defined<T extends object>(options: T): T {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as T;
}

/**
 * Prefix filter and pagination over the sorted wire names; the token is the last name of the
 * previous page. Not the engine's own paging: it pages engine names, where the default namespace
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
