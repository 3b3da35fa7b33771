/** Graceful shutdown: a request in flight when the server closes is answered; the database is closed after it. */
import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { isFacevaultError } from '../../src/errors.js';
import { API_KEY, SERVERLESS, startHarness } from './harness.js';

describe('startServer().close()', () => {
  it('finishes the request in flight, refuses new connections, then closes the database', async () => {
    const h = await startHarness();
    await h.pc.createIndex({ name: 'drain', dimension: 2, spec: SERVERLESS });
    const body = JSON.stringify({ vectors: [{ id: 'late', values: [1, 2] }] });
    const { port } = new URL(h.server.url);

    const answered = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, method: 'POST', path: '/indexes/drain/vectors/upsert', headers: { 'api-key': API_KEY, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
        (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('error', reject);
      // Half the body now, the rest once the server has begun closing: the request is in flight throughout.
      req.write(body.slice(0, 10));
      setTimeout(() => {
        closed = h.server.close();
        setTimeout(() => req.end(body.slice(10)), 50);
      }, 50);
    });
    let closed: Promise<void> | undefined;

    expect(await answered).toEqual({ status: 200, text: '{"upsertedCount":1}' });
    await closed;
    await expect(fetch(`${h.server.url}/healthz`)).rejects.toThrow();
    try {
      await h.server.store.listIndexes();
      expect.unreachable('the store should be closed');
    } catch (err) {
      expect(isFacevaultError(err, 'FV_ERR_CLOSED')).toBe(true);
    }
    await h.stop();
  });
});
