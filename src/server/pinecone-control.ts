/**
 * Pinecone's control plane: create, list, describe, configure and delete indexes, in the shapes
 * of the API version each request names (2026-04 for client 8.x, 2026-07 for 9.x; see
 * `pinecone-api-version.ts`). An index's `host` is the URL of its data plane on this server
 * (`<origin>/indexes/<name>`), spelled out with its scheme because the official client prefixes
 * `https://` to a bare host.
 */
import type { AddressInfo } from 'node:net';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { fvError } from '../errors.js';
import { routeSchema } from './json-schema.js';
import { API_VERSION_CONSTRAINT, installApiVersionConstraint } from './pinecone-api-version.js';
import { CONTROL_2026_04 } from './pinecone-control-2026-04.js';
import { CONTROL_2026_07 } from './pinecone-control-2026-07.js';
import type { ControlDialect } from './pinecone-control-dialect.js';
import { dataPlanePath } from './pinecone-data.js';
import { IndexNameParams } from './pinecone-schemas.js';

export interface PineconeControlOptions {
  /** Origin clients reach this server at (behind a proxy); default: the address the server listens on. */
  publicUrl?: string;
}

const TAGS = ['control plane'] as const;

/** A create or configure body holds a name, tags (at most 20) and a spec (at most 8 KiB): far below this. */
const CONTROL_BODY_LIMIT = 64 * 1024;

export const pineconeControl: FastifyPluginAsync<PineconeControlOptions> = async (app, options) => {
  installApiVersionConstraint(app);
  const originOf = dataPlaneOrigin(app, options.publicUrl);
  // /openapi.json keeps the last route registered for a path and method: 2026-04's, the version it documents.
  for (const dialect of [CONTROL_2026_07, CONTROL_2026_04] as const) registerRoutes(app, dialect as ControlDialect<unknown, unknown>, originOf);

  app.delete<{ Params: { indexName: string } }>(
    '/indexes/:indexName',
    {
      schema: routeSchema({ summary: 'Delete an index and every record in it', operationId: 'delete_index', tags: TAGS, params: IndexNameParams, response: { 202: null } }),
    },
    async (request, reply) => {
      await app.store.deleteIndex(request.params.indexName);
      return reply.code(202).send();
    },
  );
};

function registerRoutes<Create, Configure>(app: FastifyInstance, dialect: ControlDialect<Create, Configure>, originOf: () => string): void {
  const { store } = app;
  const { version, schemas } = dialect;
  const isDefault = version === CONTROL_2026_04.version;
  const route = { bodyLimit: CONTROL_BODY_LIMIT, ...(isDefault ? {} : { constraints: { [API_VERSION_CONSTRAINT]: version } }) };
  const operation = (name: string) => (isDefault ? name : `${name}_${version.replace('-', '_')}`);
  const api = `API ${version}${isDefault ? ' (API 2026-07 shapes when X-Pinecone-Api-Version says 2026-07 or later)' : ''}`;
  const model = (index: Parameters<typeof dialect.model>[0]) => dialect.model(index, `${originOf()}${dataPlanePath(index.name)}`);

  app.post<{ Body: Create }>(
    '/indexes',
    {
      ...route,
      schema: routeSchema({ summary: `Create an index, ${api}`, operationId: operation('create_index'), tags: TAGS, body: schemas.create, response: { 201: schemas.model } }),
    },
    async (request, reply) => {
      const settings = dialect.settings(request.body as Create);
      const { created, index } = await store.createIndex(settings);
      if (!created) throw fvError('FV_ERR_INDEX_EXISTS', `Index "${settings.name}" already exists`, { name: settings.name });
      return reply.code(201).send(model(index));
    },
  );

  app.get(
    '/indexes',
    { ...route, schema: routeSchema({ summary: `List indexes, ${api}`, operationId: operation('list_indexes'), tags: TAGS, response: { 200: schemas.list } }) },
    async () => ({ indexes: (await store.listIndexes()).map(model) }),
  );

  app.get<{ Params: { indexName: string } }>(
    '/indexes/:indexName',
    { ...route, schema: routeSchema({ summary: `Describe an index, ${api}`, operationId: operation('describe_index'), tags: TAGS, params: IndexNameParams, response: { 200: schemas.model } }) },
    async (request) => model(await store.describeIndex(request.params.indexName)),
  );

  app.patch<{ Params: { indexName: string }; Body: Configure }>(
    '/indexes/:indexName',
    {
      ...route,
      schema: routeSchema({
        summary: `Configure an index: deletion protection, tags, default engine, deployment; ${api}`,
        operationId: operation('configure_index'),
        tags: TAGS,
        params: IndexNameParams,
        body: schemas.configure,
        response: { 202: schemas.model },
      }),
    },
    async (request, reply) => {
      const { indexName } = request.params;
      const changes = await dialect.changes(request.body as Configure, () => store.describeIndex(indexName));
      return reply.code(202).send(model(await store.configureIndex(indexName, changes)));
    },
  );
}

/**
 * The origin of the data plane URLs the control plane reports: the configured public URL, else
 * the address the server listens on — never the request's Host header, which a client chooses
 * (a forged one would point other clients' data at a host of its choosing).
 */
function dataPlaneOrigin(app: FastifyInstance, publicUrl: string | undefined): () => string {
  if (publicUrl !== undefined) return () => publicUrl;
  app.addHook('onListen', async () => {
    const address = app.server.address() as AddressInfo;
    if (isWildcard(address.address)) {
      app.log.warn({ address: address.address }, 'listening on every address without --public-url: index hosts name the loopback address; set --public-url (FACEVAULT_PUBLIC_URL) to the URL other machines reach this server at');
    }
  });
  return () => {
    const address = app.server.address();
    // Not listening (fastify.inject): there is no address a client could reach.
    if (address === null || typeof address === 'string') return 'http://localhost';
    const host = isWildcard(address.address) ? (address.family === 'IPv6' ? '::1' : '127.0.0.1') : address.address;
    return `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
  };
}

function isWildcard(address: string): boolean {
  return address === '0.0.0.0' || address === '::';
}
