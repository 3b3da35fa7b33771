/**
 * Issue 12's server edges: malformed multipart bodies are the client's 400, not a 500; requests
 * Node's own HTTP parser refuses are answered in Pinecone's error shape; a 503 says when to retry;
 * requests arriving while the server closes are refused in Pinecone's shape; an index's host is
 * never built from the request's Host header.
 */
import { connect as connectSocket, type AddressInfo } from 'node:net';
import { request } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fvError, type ErrorCode } from '../../src/errors.js';
import { loadConfig } from '../../src/config.js';
import { buildApp } from '../../src/server/app.js';
import { createLogger } from '../../src/server/logger.js';
import { openEmbeddedStore } from '../../src/stores/embedded-store.js';
import type { VectorStore } from '../../src/stores/vector-store.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { API_KEY, SERVERLESS, startHarness, type Harness } from './harness.js';
import { at } from '../helpers/checked.js';

const config = loadConfig({ env: {}, flags: { server: { apiKeys: [API_KEY] } } }).server;
const auth = { 'api-key': API_KEY };

describe('malformed multipart bodies', () => {
  let app: FastifyInstance;
  let store: VectorStore;
  let tmp: ReturnType<typeof makeTempDir>;
  beforeAll(async () => {
    tmp = makeTempDir('facevault-edges-');
    store = await openEmbeddedStore(tmp.dir);
    app = await buildApp({ config, store, logger: createLogger('silent') });
  });
  afterAll(async () => {
    await app.close();
    await store.close();
    tmp.cleanup();
  });

  it.each([
    ['a form that ends inside a file', 'multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="img"; filename="a.jpg"\r\nContent-Type: image/jpeg\r\n\r\nabc', /Unexpected end of multipart data/],
    ['a part cut off in its headers', 'multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="img"; filename="a.jpg"\r\n', /multipart data/],
    ['a form without a boundary', 'multipart/form-data', '--x\r\n', /Boundary not found/],
  ])('%s → 400 FV_ERR_INVALID_ARGUMENT, not 500', async (_case, contentType, payload, message) => {
    const response = await app.inject({ method: 'POST', url: '/represent', headers: { ...auth, 'content-type': contentType }, payload });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'FV_ERR_INVALID_ARGUMENT', error: expect.stringMatching(/^body: is not a valid multipart form: /), status: 400 });
    expect(response.json().error).toMatch(message);
  });
});

describe('503 says when to retry', () => {
  it.each([
    ['FV_ERR_OVERLOADED', '1'],
    ['FV_ERR_STORE_UNAVAILABLE', '5'],
    ['FV_ERR_CLOSED', '5'],
  ] as const)('%s carries Retry-After: %s', async (code: ErrorCode, seconds) => {
    const failing = { kind: 'failing', listIndexes: () => Promise.reject(fvError(code, 'unavailable for now')) } as unknown as VectorStore;
    const app = await buildApp({ config, store: failing, logger: createLogger('silent') });
    const response = await app.inject({ url: '/indexes', headers: auth });
    await app.close();
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe(seconds);
    expect(response.json()).toMatchObject({ error: { code }, status: 503 });
  });

  it('a request that arrives while the server closes gets FV_ERR_CLOSED in Pinecone\'s shape', async () => {
    let release = () => undefined as void;
    let calls = 0;
    const slowFirst = { kind: 'slow', listIndexes: () => (++calls === 1 ? new Promise((resolve) => (release = () => resolve([]))) : Promise.resolve([])) } as unknown as VectorStore;
    const app = await buildApp({ config, store: slowFirst, logger: createLogger('silent') });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as AddressInfo;
    const pause = () => new Promise((resolve) => setTimeout(resolve, 50));
    // One request keeps the server busy; another connection has sent half its headers when close begins.
    const busy = connectSocket(port, '127.0.0.1', () => busy.write(`GET /indexes HTTP/1.1\r\nHost: x\r\nApi-Key: ${API_KEY}\r\n\r\n`));
    const late = connectSocket(port, '127.0.0.1', () => late.write(`GET /indexes HTTP/1.1\r\nHost: x\r\nApi-Key: ${API_KEY}\r\n`));
    let answer = '';
    late.on('data', (chunk: Buffer) => (answer += chunk.toString('utf8')));
    await pause();
    const closed = app.close();
    await pause();
    late.write('\r\n');
    await pause();
    release();
    await closed;
    busy.destroy();
    late.destroy();
    expect(answer).toMatch(/^HTTP\/1\.1 503 /);
    expect(answer).toMatch(/\r\nretry-after: 5\r\n/i);
    expect(JSON.parse(at(answer.split('\r\n\r\n'), 1))).toMatchObject({ error: { code: 'FV_ERR_CLOSED', message: expect.stringContaining('shutting down') }, status: 503 });
  });
});

describe('on a real socket', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h.stop());

  /** Writes raw bytes and reads the whole answer (the server closes the connection after it). */
  function raw(text: string): Promise<string> {
    const { port } = new URL(h.server.url);
    return new Promise((resolve, reject) => {
      const socket = connectSocket(Number(port), '127.0.0.1', () => socket.write(text));
      let answer = '';
      socket.on('data', (chunk: Buffer) => (answer += chunk.toString('utf8')));
      socket.on('close', () => resolve(answer));
      socket.on('error', reject);
    });
  }

  function parsed(answer: string): { status: number; body: unknown } {
    const [head, body] = answer.split('\r\n\r\n') as [string, string];
    return { status: Number(head.split(' ')[1]), body: JSON.parse(body) };
  }

  it.each([
    ['headers over the limit', `GET /indexes HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(2_000_000)}\r\n\r\n`, 413, 'FV_ERR_PAYLOAD_TOO_LARGE', /headers: the request line and headers are over the size limit/],
    ['broken chunked encoding', `POST /indexes HTTP/1.1\r\nHost: x\r\nApi-Key: ${API_KEY}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`, 400, 'FV_ERR_INVALID_ARGUMENT', /request: is not valid HTTP\/1\.1 \(HPE_INVALID_CHUNK_SIZE/],
    ['a NUL in a header', `GET /indexes HTTP/1.1\r\nHost: x\r\nX-Bad: a\u0000b\r\n\r\n`, 400, 'FV_ERR_INVALID_ARGUMENT', /request: is not valid HTTP\/1\.1 \(HPE_/],
  ])('%s → Pinecone\'s error shape', async (_case, text, status, code, message) => {
    const answer = parsed(await raw(text));
    expect(answer.status).toBe(status);
    expect(answer.body).toMatchObject({ error: { code, message: expect.stringMatching(message) }, status });
  });

  it('builds index hosts from the address the server listens on, whatever Host the request names', async () => {
    const { port } = new URL(h.server.url);
    const body = JSON.stringify({ name: 'hosted', dimension: 2, spec: SERVERLESS });
    const answer = await new Promise<string>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, method: 'POST', path: '/indexes', headers: { ...auth, host: 'attacker.example:443', 'content-type': 'application/json', 'x-forwarded-host': 'attacker.example' } },
        (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => resolve(text));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    expect(JSON.parse(answer)).toMatchObject({ name: 'hosted', host: `${h.server.url}/indexes/hosted` });
  });
});

describe('--public-url', () => {
  it('names the host of every index, whatever Host the request names', async () => {
    const tmp = makeTempDir('facevault-public-');
    const store = await openEmbeddedStore(tmp.dir);
    const app = await buildApp({ config: { ...config, publicUrl: 'https://vectors.example.com' }, store, logger: createLogger('silent') });
    const created = await app.inject({ method: 'POST', url: '/indexes', headers: { ...auth, host: 'attacker.example' }, payload: { name: 'public', dimension: 2, spec: SERVERLESS } });
    await app.close();
    await store.close();
    tmp.cleanup();
    expect(created.json()).toMatchObject({ host: 'https://vectors.example.com/indexes/public' });
  });
});
