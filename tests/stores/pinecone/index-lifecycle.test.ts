/**
 * Pinecone readies an index some time after creating it and terminates one some time after
 * deleting it: createIndex and deleteIndex wait, within a bound. A stub server plays Pinecone.
 */
import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { openPineconeStore } from '../../../src/stores/pinecone/pinecone-store.js';

/** Index `x`, not ready for the first `unreadyLooks` describes; after a delete, still described for `terminatingLooks`. */
async function slowPinecone(unreadyLooks: number, terminatingLooks: number): Promise<{ server: Server; url: string; describes: () => number }> {
  let exists = false;
  let looks = 0;
  let terminating = -1;
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      const model = () => ({
        name: 'x', dimension: 2, metric: 'cosine', host: `http://${request.headers.host}/x`, deletion_protection: 'disabled', tags: {},
        spec: { serverless: { cloud: 'aws', region: 'us-east-1' } }, vector_type: 'dense',
        status: terminating >= 0 ? { ready: false, state: 'Terminating' } : { ready: looks > unreadyLooks, state: looks > unreadyLooks ? 'Ready' : 'Initializing' },
      });
      const send = (status: number, body: unknown) => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(body));
      };
      const notFound = () => send(404, { error: { code: 'NOT_FOUND', message: 'Index x not found.' }, status: 404 });
      if (request.url === '/indexes' && request.method === 'GET') return send(200, { indexes: [] });
      if (request.url === '/indexes' && request.method === 'POST') {
        exists = true;
        return send(201, model());
      }
      if (request.method === 'DELETE') {
        terminating = 0;
        response.writeHead(202);
        return response.end();
      }
      if (!exists) return notFound();
      looks++;
      if (terminating >= 0 && terminating++ >= terminatingLooks) {
        exists = false;
        return notFound();
      }
      return send(200, model());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `pinecone://127.0.0.1:${(server.address() as { port: number }).port}`, describes: () => looks };
}

describe('index lifecycle on a Pinecone that takes its time', () => {
  let stub: Awaited<ReturnType<typeof slowPinecone>> | undefined;
  afterEach(() => {
    stub?.server.closeAllConnections();
    stub?.server.close();
  });

  it('createIndex returns once the index is ready, deleteIndex once it is gone', async () => {
    stub = await slowPinecone(2, 2);
    const store = await openPineconeStore(stub.url, { apiKey: 'key' });
    const { created, index } = await store.createIndex({ name: 'x', dimension: 2, metric: 'cosine' });
    expect(created).toBe(true);
    expect(index).toMatchObject({ name: 'x', engine: 'approximate' });
    expect(stub.describes()).toBe(3);
    await store.deleteIndex('x');
    await expect(store.describeIndex('x')).rejects.toMatchObject({ code: 'FV_ERR_INDEX_NOT_FOUND' });
  });

  it('gives up after indexWaitMs with FV_ERR_STORE_UNAVAILABLE', async () => {
    stub = await slowPinecone(1_000, 0);
    const store = await openPineconeStore(stub.url, { apiKey: 'key', indexWaitMs: 600 });
    await expect(store.createIndex({ name: 'x', dimension: 2, metric: 'cosine' })).rejects.toMatchObject({ code: 'FV_ERR_STORE_UNAVAILABLE', message: expect.stringContaining('not ready') });
  });
});
