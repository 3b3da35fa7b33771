/**
 * No log line holds an API key: a real server logging at trace level (everything fastify and
 * facevault would write) is driven with the official client and raw requests through every kind of
 * outcome — success, 4xx, 401 with a wrong key, 404, 413, a refused path, a 5xx — with keys in
 * both the Api-Key and the Authorization header, and its pino output is searched for them.
 */
import { Writable } from 'node:stream';
import { Pinecone } from '@pinecone-database/pinecone';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { buildApp } from '../../src/server/app.js';
import { createLogger } from '../../src/server/logger.js';
import type { VectorStore } from '../../src/stores/vector-store.js';
import { SERVERLESS, startHarness } from './harness.js';

const KEY = 'sk-live-4f9c2b7e81d0a6';
const OTHER_KEY = 'sk-live-second-77e3a1';
const WRONG_KEY = 'sk-guess-0b5d9e';

describe('logging', () => {
  it('never writes an API key, whatever the request and its outcome', async () => {
    // A limit of 1 MiB, so that the padded upsert below is refused with 413.
    const h = await startHarness({ logLevel: 'trace', apiKeys: [KEY, OTHER_KEY], maxBodyBytes: 1024 * 1024 });
    try {
      const { pc, server } = h;
      await pc.createIndex({ name: 'logged', dimension: 2, spec: SERVERLESS });
      const index = pc.index('logged');
      await index.upsert({ records: [{ id: 'a', values: [1, 2], metadata: { note: 'x' } }] });
      await index.query({ vector: [1, 2], topK: 1 });
      await index.fetch({ ids: ['a'] });
      await expect(index.query({ vector: [1], topK: 1 })).rejects.toThrow(/FV_ERR_VECTOR_DIMENSION/);
      await expect(pc.describeIndex('missing')).rejects.toThrow();
      await expect(new Pinecone({ apiKey: WRONG_KEY, controllerHostUrl: server.url, maxRetries: 0 }).listIndexes()).rejects.toThrow();
      const huge = Array.from({ length: 1000 }, (_, i) => ({ id: `h${i}`, values: [1, 2], metadata: { pad: 'p'.repeat(3000) } }));
      await expect(index.upsert({ records: huge })).rejects.toThrow(/FV_ERR_PAYLOAD_TOO_LARGE/);
      const headerSets: Record<string, string>[] = [{ authorization: `Bearer ${OTHER_KEY}` }, { authorization: `Bearer ${WRONG_KEY}` }, { 'api-key': KEY, 'x-api-key': KEY }];
      for (const headers of headerSets) {
        await fetch(`${server.url}/metrics`, { headers });
        await fetch(`${server.url}/indexes/logged/namespaces/${'n'.repeat(2000)}`, { headers });
        await fetch(`${server.url}/indexes/logged/query`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: '{"topK":' });
      }

      const text = h.logs();
      expect(text.split('\n').filter(Boolean).length).toBeGreaterThan(30);
      expect(text).toContain('"msg":"incoming request"');
      for (const key of [KEY, OTHER_KEY, WRONG_KEY]) expect(text).not.toContain(key);
    } finally {
      await h.stop();
    }
  });

  it('never writes an API key with a failure the server did not expect (logged at error with its stack)', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    const config = loadConfig({ env: {}, flags: { server: { apiKeys: [KEY] } } }).server;
    const failing = { kind: 'broken', listIndexes: () => Promise.reject(new TypeError('internals')) } as unknown as VectorStore;
    const app = await buildApp({ config, store: failing, logger: createLogger('trace', sink) });
    try {
      const response = await app.inject({ url: '/indexes', headers: { 'api-key': KEY, authorization: `Bearer ${KEY}` } });
      expect(response.statusCode).toBe(500);
    } finally {
      await app.close();
    }
    const text = lines.join('');
    expect(text).toContain('"level":50');
    expect(text).not.toContain(KEY);
  });
});
