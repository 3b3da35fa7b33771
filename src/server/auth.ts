/**
 * API-key authentication on every route except those marked `config: { public: true }`
 * (`/healthz`). The key travels in Pinecone's `Api-Key` header, or as `Authorization: Bearer
 * <key>` for tools such as Prometheus that cannot set arbitrary headers.
 *
 * Keys are compared as SHA-256 digests with `crypto.timingSafeEqual`, against every configured
 * key without stopping at a match, so the time taken says nothing about which bytes were right.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ServerConfig } from '../config.js';
import { fvError } from '../errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** true: served without an API key. */
    public?: boolean;
  }
}

/**
 * Adds the check as an `onRequest` hook of the root. With `auth: false` it adds nothing (see
 * checkServing: only when asked for, and on loopback).
 * @throws FV_ERR_INVALID_ARGUMENT at once when auth is on and no key is configured (the server
 *   would otherwise be open); FV_ERR_UNAUTHORIZED (401) from the hook when a key is missing or wrong.
 */
export function installAuth(app: FastifyInstance, { auth, apiKeys }: Pick<ServerConfig, 'auth' | 'apiKeys'>): void {
  if (!auth) return;
  if (apiKeys.length === 0) throw fvError('FV_ERR_INVALID_ARGUMENT', 'configuration server.apiKeys: auth is on but no API key is configured', { path: 'server.apiKeys' });
  const digests = apiKeys.map(digest);
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config.public === true) return;
    const presented = presentedKey(request);
    if (presented === undefined) {
      throw fvError('FV_ERR_UNAUTHORIZED', 'Missing API key: send it in the Api-Key header');
    }
    const candidate = digest(presented);
    let matched = false;
    for (const known of digests) matched = timingSafeEqual(candidate, known) || matched;
    if (!matched) throw fvError('FV_ERR_UNAUTHORIZED', 'Wrong API key');
  });
}

function presentedKey(request: FastifyRequest): string | undefined {
  const header = request.headers['api-key'];
  if (typeof header === 'string' && header.length > 0) return header;
  const authorization = request.headers.authorization;
  if (authorization?.startsWith('Bearer ')) return authorization.slice('Bearer '.length);
  return undefined;
}

function digest(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}
