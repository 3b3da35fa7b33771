/**
 * Headers every response carries, whatever the route: the API answers JSON that no browser should
 * sniff into something else, frame, or hand to another origin, and nothing here needs a referrer.
 * CORS stays off — no Access-Control-* header is ever sent — so a web page on another origin
 * cannot call the API from a browser with a user's key; the web page facevault serves is same-origin.
 */
import type { FastifyInstance } from 'fastify';

const HEADERS = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
} as const;

export function installSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (_request, reply, payload) => {
    for (const [name, value] of Object.entries(HEADERS)) if (!reply.hasHeader(name)) reply.header(name, value);
    return payload;
  });
}
