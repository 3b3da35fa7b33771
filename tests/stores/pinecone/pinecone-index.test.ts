/**
 * What the store sends, seen by a stub server that answers like Pinecone or like facevault: a
 * query's `exact` reaches a facevault server as X-Facevault-Exact, and never reaches Pinecone.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPineconeStore } from '../../../src/stores/pinecone/pinecone-store.js';

interface Seen {
  url: string;
  exact: string | undefined;
}

/** Index `x` (2-d, cosine); with `engine`, its model carries facevault's engine field. */
async function stubServer(engine: string | undefined): Promise<{ server: Server; url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      seen.push({ url: request.url ?? '', exact: request.headers['x-facevault-exact'] as string | undefined });
      const host = `http://${request.headers.host}/indexes/x`;
      const model = {
        name: 'x', dimension: 2, metric: 'cosine', host, deletion_protection: 'disabled', tags: {},
        spec: { serverless: { cloud: 'aws', region: 'us-east-1' } }, status: { ready: true, state: 'Ready' }, vector_type: 'dense',
        ...(engine === undefined ? {} : { engine }),
      };
      const bodies: Record<string, unknown> = { '/indexes': { indexes: [model] }, '/indexes/x': model };
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(bodies[request.url ?? ''] ?? { matches: [], namespace: '' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `pinecone://127.0.0.1:${(server.address() as { port: number }).port}`, seen };
}

describe.each([
  ['a facevault server', 'exact', ['true', 'false', undefined], 'exact'],
  ['Pinecone', undefined, [undefined, undefined, undefined], 'approximate'],
])("a query's exact choice on %s", (_name, engine, headers, reported) => {
  let stub: Awaited<ReturnType<typeof stubServer>>;
  beforeAll(async () => {
    stub = await stubServer(engine);
  });
  afterAll(() => {
    stub.server.closeAllConnections();
    stub.server.close();
  });

  it(`is sent as ${JSON.stringify(headers)}, and the index reports engine ${reported}`, async () => {
    const store = await openPineconeStore(stub.url, { apiKey: 'key' });
    expect((await store.describeIndex('x')).engine).toBe(reported);
    const index = await store.openIndex('x');
    for (const exact of [true, false, undefined]) await index.query({ vector: [1, 0], topK: 1, exact });
    expect(stub.seen.filter((s) => s.url === '/indexes/x/query').map((s) => s.exact)).toEqual(headers);
  });
});
