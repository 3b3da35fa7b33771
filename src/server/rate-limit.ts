/**
 * Requests per minute per API key (`server.rateLimitPerMinute`, FACEVAULT_RATE_LIMIT_PER_MINUTE;
 * 0, the default, turns it off): past it a key gets 429 FV_ERR_RATE_LIMITED with Retry-After
 * until its window frees up, so one client cannot take the whole server. Counted after the key
 * is checked, so only keys the server knows have a bucket; a bucket is named by the key's
 * SHA-256, so no key is kept in memory. Without auth (loopback only) the client's address names it.
 * Public routes (/healthz) are not counted. One server's count: behind several servers, limit at
 * the proxy in front of them.
 */
import rateLimit from '@fastify/rate-limit';
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { fvError } from '../errors.js';

export async function installRateLimit(app: FastifyInstance, perMinute: number): Promise<void> {
  if (perMinute === 0) return;
  await app.register(rateLimit, {
    global: true,
    max: perMinute,
    timeWindow: 60_000,
    // After the key check (an onRequest hook added before): before the body is read.
    hook: 'onRequest',
    allowList: (request) => request.routeOptions.config.public === true,
    keyGenerator: bucketOf,
    errorResponseBuilder: (_request, context) =>
      fvError('FV_ERR_RATE_LIMITED', `Rate limit reached: ${context.max} requests a minute for this API key; retry in ${Math.ceil(context.ttl / 1000)} s`, {
        limitPerMinute: context.max,
        retryAfterSeconds: Math.ceil(context.ttl / 1000),
      }),
  });
}

function bucketOf(request: FastifyRequest): string {
  const header = request.headers['api-key'];
  const key = typeof header === 'string' && header.length > 0 ? header : request.headers.authorization;
  return key ? createHash('sha256').update(key, 'utf8').digest('base64url') : `address:${request.ip}`;
}
