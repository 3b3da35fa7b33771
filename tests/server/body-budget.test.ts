/**
 * The server-wide budget of request bodies in flight, security headers and the request timeout,
 * against a real server over raw sockets (a stalled upload is something no client library sends).
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY, SERVERLESS, startHarness, type Harness } from './harness.js';

const BUDGET = 1024 * 1024;
let h: Harness;

beforeAll(async () => {
  h = await startHarness({ maxBodyBytesInFlight: BUDGET, requestTimeoutMs: 1500 });
  await h.pc.createIndex({ name: 'budget', dimension: 2, metric: 'euclidean', spec: SERVERLESS });
});
afterAll(async () => h.stop());

/** Opens a socket and sends an upsert's headers declaring `length` bytes, and none of the body. */
async function stalledUpsert(length: number): Promise<Socket> {
  const { hostname, port } = new URL(h.server.url);
  const socket = connect(Number(port), hostname);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  socket.write(`POST /indexes/budget/vectors/upsert HTTP/1.1\r\nHost: ${hostname}:${port}\r\nApi-Key: ${API_KEY}\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`);
  return socket;
}

/** The status line and headers the server answers on a socket, once it answers. */
async function answerOn(socket: Socket): Promise<string> {
  let text = '';
  return new Promise((resolve) => {
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      if (text.includes('\r\n\r\n')) resolve(text);
    });
    socket.on('close', () => resolve(text));
  });
}

function upsert(bytes: number): Promise<Response> {
  const record = { id: 'x'.repeat(Math.max(1, bytes - 60)), values: [1, 2] };
  return fetch(`${h.server.url}/indexes/budget/vectors/upsert`, {
    method: 'POST',
    headers: { 'api-key': API_KEY, 'content-type': 'application/json' },
    body: JSON.stringify({ vectors: [record] }),
  });
}

describe('request bodies in flight', () => {
  it('turns a body away with 503 and Retry-After while others hold the budget, and takes it once they are done', async () => {
    const stalled = await stalledUpsert(BUDGET - 1000);
    // Let the server see the stalled request's headers before the next one arrives.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const refused = await upsert(10_000);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(await refused.json()).toMatchObject({ error: { code: 'FV_ERR_OVERLOADED' } });

    stalled.destroy();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const taken = await upsert(10_000);
    // The id is over 512 bytes: refused by validation, which means the body was read.
    expect(taken.status).toBe(400);
  });

  it('lets one request larger than the whole budget through when it is alone (the body limit bounds it)', async () => {
    const response = await fetch(`${h.server.url}/indexes/budget/vectors/upsert`, {
      method: 'POST',
      headers: { 'api-key': API_KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ vectors: [{ id: 'big', values: [1, 2], metadata: { pad: 'p'.repeat(30_000) } }], namespace: 'n'.repeat(10) }) + ' '.repeat(BUDGET * 2),
    });
    expect(response.status).toBe(200);
  });

  it('closes a request whose body does not arrive within the request timeout, and releases its share', async () => {
    const stalled = await stalledUpsert(1000);
    const answer = await answerOn(stalled);
    expect(answer).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    // Its share of the budget is back: a body as large as what is left of it gets in.
    expect((await upsert(BUDGET - 100_000)).status).toBe(400);
    expect((await upsert(100)).status).toBe(200);
  });
});

describe('security headers', () => {
  it('sends nosniff, no framing, no referrer and same-origin on every response, and no CORS header', async () => {
    const responses = [await fetch(`${h.server.url}/healthz`), await fetch(`${h.server.url}/indexes`, { headers: { 'api-key': API_KEY } }), await fetch(`${h.server.url}/indexes`)];
    for (const response of responses) {
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
      expect(response.headers.get('cross-origin-resource-policy')).toBe('same-origin');
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
    }
    expect(responses.map((r) => r.status)).toEqual([200, 200, 401]);
  });
});
