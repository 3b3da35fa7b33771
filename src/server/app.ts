/**
 * The HTTP server as a fastify instance: Pinecone's control and data planes and the face routes
 * over any {@link VectorStore} (embedded, PostgreSQL, Pinecone), with API keys, Pinecone-shaped errors, metrics, health, an OpenAPI document,
 * and the web page at `/` (web-page.ts).
 * Building it opens no port; `start.ts` listens and shuts down.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { ServerConfig } from '../config.js';
import type { VectorStore } from '../stores/vector-store.js';
import { LIMITS } from '../vector/types.js';
import { installAuth } from './auth.js';
import { installRateLimit } from './rate-limit.js';
import { installBodyBudget } from './body-budget.js';
import { clientErrorHandler } from './client-errors.js';
import { frameworkErrors, installErrorHandling } from './errors.js';
import { faceApi } from './face-api.js';
import { FaceService } from './face-service.js';
import { health } from './health.js';
import { coerceQuerystring } from './json-schema.js';
import { installMetrics } from './metrics.js';
import { installOpenApi } from './openapi.js';
import { pineconeControl } from './pinecone-control.js';
import { DATA_PLANE_PREFIX, pineconeData } from './pinecone-data.js';
import { pineconeUnsupported } from './pinecone-unsupported.js';
import { formatSchemaError } from './schema-errors.js';
import { installSecurityHeaders } from './security-headers.js';
import { webPage } from './web-page.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The store the routes serve; its owner opens and closes it. */
    store: VectorStore;
  }
}

/**
 * A fetch names up to 1,000 ids in its query string (`ids=a&ids=b...`), each up to 512 UTF-8 bytes
 * and three times that percent-encoded. Node's default limit of 16 KB for the request line and
 * headers refused a fetch of 1,000 ordinary ids (431) before fastify saw it.
 */
const MAX_HEADER_BYTES = LIMITS.maxIdsPerRequest * ('&ids='.length + 3 * LIMITS.maxIdBytes) + 16 * 1024;

/** A namespace in a path (`/namespaces/{namespace}`) is up to 512 UTF-8 bytes, three times that percent-encoded; fastify's default allows 100 characters. */
const MAX_PARAM_CHARS = 3 * LIMITS.maxIdBytes;

export interface AppOptions {
  config: ServerConfig;
  store: VectorStore;
  logger: FastifyBaseLogger;
}

/**
 * Builds the server, ready to `listen()` or to `inject()` requests into.
 * @example const app = await buildApp({ config: loadConfig().server, store: await openStore('./data'), logger });
 *   (await app.inject({ url: '/healthz' })).json() // → { status: 'ok' }
 */
export async function buildApp({ config, store, logger }: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: logger,
    bodyLimit: config.maxBodyBytes,
    http: { maxHeaderSize: MAX_HEADER_BYTES },
    routerOptions: { maxParamLength: MAX_PARAM_CHARS },
    frameworkErrors,
    clientErrorHandler,
    // No type coercion: it would turn a `null` inside a vector into 0 (a NaN serialised by
    // JSON.stringify arrives as null). Query strings are typed by coerceQuerystring instead.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false } },
    schemaErrorFormatter: formatSchemaError,
    // On close: drop idle keep-alive sockets and let in-flight requests finish; requests that still
    // arrive get FV_ERR_CLOSED (503, Retry-After) from installErrorHandling, in Pinecone's shape.
    return503OnClosing: false,
    forceCloseConnections: 'idle',
  });

  app.decorate('store', store);
  app.decorate('faces', new FaceService(store, config.keepFaceCrops));
  installOpenApi(app);
  installErrorHandling(app);
  installSecurityHeaders(app);
  installBodyBudget(app, { budgetBytes: config.maxBodyBytesInFlight, timeoutMs: config.requestTimeoutMs });
  installAuth(app, config);
  await installRateLimit(app, config.rateLimitPerMinute);
  installMetrics(app);
  app.addHook('preValidation', async (request) => coerceQuerystring(request));
  closeConnectionsWhenDraining(app);

  await app.register(health);
  await app.register(pineconeControl, config.publicUrl === undefined ? {} : { publicUrl: config.publicUrl });
  await app.register(pineconeData, { prefix: DATA_PLANE_PREFIX });
  await app.register(faceApi, { imagesDir: config.imagesDir, urlHosts: config.urlHosts });
  await app.register(pineconeUnsupported);
  await app.register(webPage);
  await app.ready();
  return app;
}

/**
 * fastify marks `Connection: close` only on requests that arrive after close() began; a response
 * to a request already in flight would leave its keep-alive socket open, and close() would wait
 * out the keep-alive timeout (5 s) for it. Marking those responses too lets the drain end as soon
 * as the last one is sent.
 */
function closeConnectionsWhenDraining(app: FastifyInstance): void {
  let draining = false;
  app.addHook('preClose', async () => {
    draining = true;
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    if (draining) reply.header('connection', 'close');
    return payload;
  });
}
