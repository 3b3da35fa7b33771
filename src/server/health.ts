/**
 * `GET /healthz`: a liveness probe for load balancers and orchestrators, served without an API
 * key. While the server shuts down, fastify answers it (like every route) with 503.
 */
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { routeSchema } from './json-schema.js';

const Health = z.object({ status: z.literal('ok') });

export const health: FastifyPluginAsync = async (app) => {
  app.get(
    '/healthz',
    {
      config: { public: true },
      schema: routeSchema({ summary: 'Liveness probe (no API key needed)', operationId: 'healthz', tags: ['operations'], response: { 200: Health } }),
    },
    async (): Promise<z.infer<typeof Health>> => ({ status: 'ok' }),
  );
};
