/** A real facevault server on 127.0.0.1 and a random port, over a fresh temp directory, with the official client pointed at it. */
import { Writable } from 'node:stream';
import { Pinecone } from '@pinecone-database/pinecone';
import { loadConfig, type LogLevel } from '../../src/config.js';
import { createLogger } from '../../src/server/logger.js';
import { startServer, type RunningServer } from '../../src/server/start.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { at } from '../helpers/checked.js';

export const API_KEY = 'test-key-7f3a9c1e';

export interface Harness {
  server: RunningServer;
  /** The official client, with retries off so a 5xx surfaces at once. */
  pc: Pinecone;
  /** Every log line the server wrote, as text. */
  logs: () => string;
  stop: () => Promise<void>;
}

export async function startHarness({ logLevel = 'info', ...overrides }: { maxBodyBytes?: number; maxBodyBytesInFlight?: number; requestTimeoutMs?: number; rateLimitPerMinute?: number; keepFaceCrops?: boolean; logLevel?: LogLevel; apiKeys?: string[]; imagesDir?: string; urlHosts?: string[] } = {}): Promise<Harness> {
  const tmp = makeTempDir('facevault-server-');
  const config = loadConfig({
    env: {},
    flags: { dataDir: tmp.dir, logLevel, server: { host: '127.0.0.1', port: 0, apiKeys: [API_KEY], ...overrides } },
  });
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  const server = await startServer(config, createLogger(logLevel, sink));
  const pc = new Pinecone({ apiKey: at(config.server.apiKeys, 0), controllerHostUrl: server.url, maxRetries: 0 });
  return {
    server,
    pc,
    logs: () => lines.join(''),
    stop: async () => {
      await server.close();
      tmp.cleanup();
    },
  };
}

export const SERVERLESS = { serverless: { cloud: 'aws', region: 'us-east-1' } } as const;
