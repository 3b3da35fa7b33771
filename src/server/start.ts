/**
 * Running the server: open the store, listen, and shut down gracefully — stop accepting, let
 * in-flight requests finish, then close the store (the embedded one saves its approximate
 * graphs; every acknowledged write is already durable).
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { checkServing, storeUrlOf, type Config } from '../config.js';
import { openStore } from '../stores/open-store.js';
import type { VectorStore } from '../stores/vector-store.js';
import { buildApp } from './app.js';
import { createLogger } from './logger.js';

export interface RunningServer {
  app: FastifyInstance;
  store: VectorStore;
  /** e.g. `http://127.0.0.1:5080` — the port chosen when the configuration said 0. */
  url: string;
  /** Stops accepting, waits for in-flight requests, closes the store. Idempotent. */
  close(): Promise<void>;
}

/**
 * @param logger defaults to pino on stdout at the configured level.
 * @throws FV_ERR_INVALID_ARGUMENT from checkServing (no API keys without --no-auth; no keys on a
 *   non-loopback host); what openStore throws (FV_ERR_STORAGE_VERSION, FV_ERR_STORAGE_CORRUPT, …); the listen
 *   error (EADDRINUSE, EACCES) when the port cannot be bound.
 */
export async function startServer(config: Config, logger: Logger = createLogger(config.logLevel)): Promise<RunningServer> {
  checkServing(config.server);
  const store = await openStore(storeUrlOf(config), { synchronous: config.synchronous });
  let app: FastifyInstance;
  try {
    app = await buildApp({ config: config.server, store, logger });
    await app.listen({ host: config.server.host, port: config.server.port });
  } catch (err) {
    await store.close();
    throw err;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.server.port;
  const host = config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host;
  let closing: Promise<void> | undefined;
  return {
    app,
    store,
    url: `http://${host}:${port}`,
    close: () =>
      (closing ??= (async () => {
        await app.close();
        await store.close();
      })()),
  };
}

/**
 * Shuts the server down on SIGTERM or SIGINT. A second signal, or in-flight requests outlasting
 * `timeoutMs`, ends the process at once (exit code 1).
 */
export function closeOnSignals(server: RunningServer, logger: Logger, timeoutMs: number, signals: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT']): void {
  let received = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (received) {
      logger.warn({ signal }, 'second signal: exiting without waiting');
      process.exit(1);
    }
    received = true;
    logger.info({ signal }, 'shutting down: finishing in-flight requests, then closing the store');
    const timer = setTimeout(() => {
      logger.error({ timeoutMs }, 'shutdown timed out; exiting with requests still in flight');
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    server.close().then(
      () => {
        clearTimeout(timer);
        logger.info('shut down cleanly');
        // Everything is closed; a handle some dependency left open must not keep the process alive.
        setTimeout(() => process.exit(process.exitCode ?? 0), 1_000).unref();
      },
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exitCode = 1;
      },
    );
  };
  for (const signal of signals) process.on(signal, onSignal);
}
