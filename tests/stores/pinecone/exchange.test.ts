/** The client's fetch: what one store call adds to its requests, and the answer it records. */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exchangeFetch, withExchange, type Exchange } from '../../../src/stores/pinecone/exchange.js';

describe('exchangeFetch', () => {
  let server: Server;
  let url: string;
  const seen: { url: string; headers: IncomingMessage['headers']; body: string }[] = [];
  beforeAll(async () => {
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        seen.push({ url: request.url ?? '', headers: request.headers, body });
        if (request.url === '/slow') return; // never answers
        response.writeHead(request.url === '/missing' ? 404 : 200, { 'content-type': 'application/json' });
        response.end(JSON.stringify(request.url === '/missing' ? { error: { code: 'NOT_FOUND', message: 'no such index' } } : { matchedRecords: 3 }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const fetchApi = exchangeFetch(1_000);
  const post = (path: string) => fetchApi(`${url}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ filter: { a: 1 } }) });

  it('adds the call\'s headers and body fields, and records the answer it was asked to read', async () => {
    const exchange: Exchange = { headers: { 'X-Facevault-Exact': 'true' }, body: { dryRun: true }, readBody: true };
    await withExchange(exchange, () => post('/vectors/update'));
    const request = seen.at(-1);
    expect(request?.headers['x-facevault-exact']).toBe('true');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request?.body ?? '')).toEqual({ filter: { a: 1 }, dryRun: true });
    expect(exchange.response).toEqual({ status: 200, json: { matchedRecords: 3 } });
  });

  it('records every error answer, and leaves calls outside an exchange as they are', async () => {
    const exchange: Exchange = {};
    const response = await withExchange(exchange, () => post('/missing'));
    expect(await response.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'no such index' } });
    expect(exchange.response).toEqual({ status: 404, json: { error: { code: 'NOT_FOUND', message: 'no such index' } } });
    await post('/plain');
    expect(seen.at(-1)?.headers['x-facevault-exact']).toBeUndefined();
    expect(JSON.parse(seen.at(-1)?.body ?? '')).toEqual({ filter: { a: 1 } });
  });

  it('keeps concurrent calls apart', async () => {
    await Promise.all(['true', 'false'].map((exact) => withExchange({ headers: { 'X-Facevault-Exact': exact } }, () => post(`/query-${exact}`))));
    for (const exact of ['true', 'false']) expect(seen.find((s) => s.url === `/query-${exact}`)?.headers['x-facevault-exact']).toBe(exact);
  });

  it('aborts a request the server does not answer in time', async () => {
    await expect(post('/slow')).rejects.toMatchObject({ name: 'TimeoutError' });
  });
});
