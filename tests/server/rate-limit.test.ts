/** Requests a minute per API key (server.rateLimitPerMinute): the bucket of each key, 429 past it, public routes free. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY, startHarness, type Harness } from './harness.js';

const OTHER_KEY = 'second-key-for-rate-limit';
let h: Harness;

beforeAll(async () => {
  h = await startHarness({ rateLimitPerMinute: 3, apiKeys: [API_KEY, OTHER_KEY] });
});
afterAll(async () => h.stop());

const listIndexes = (key: string) => fetch(`${h.server.url}/indexes`, { headers: { 'api-key': key } });

describe('rate limit per API key', () => {
  it('answers 429 FV_ERR_RATE_LIMITED with Retry-After past the limit, per key, and never counts /healthz', async () => {
    for (let i = 0; i < 3; i++) expect((await listIndexes(API_KEY)).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await fetch(`${h.server.url}/healthz`)).status).toBe(200);
    const limited = await listIndexes(API_KEY);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    const body = (await limited.json()) as { error?: { code?: string; message?: string } };
    expect(body.error?.code).toBe('FV_ERR_RATE_LIMITED');
    expect(body.error?.message).toMatch(/3 requests a minute/);
    // Another key has a bucket of its own.
    expect((await listIndexes(OTHER_KEY)).status).toBe(200);
    // A wrong key is refused by the key check, not counted against anyone.
    expect((await listIndexes('wrong-key')).status).toBe(401);
    // No key appears in what the server logged.
    expect(h.logs()).not.toContain(API_KEY);
    expect(h.logs()).not.toContain(OTHER_KEY);
  });
});
