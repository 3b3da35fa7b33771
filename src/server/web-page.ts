/**
 * The web page at `/` (web/, built into dist/web by `npm run build`): an HTML shell, one script,
 * one stylesheet and an icon, read once at start and served from memory without an API key.
 * The page holds no data: it asks for the key and sends it with every API call, which the auth
 * hook checks as for any other client.
 *
 * Served with a Content-Security-Policy that lets the page load its own files only and talk to
 * this server only: the key lives in the tab's sessionStorage, so no injected script or
 * third-party resource may run beside it. Nothing is fetched from a CDN.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';

export interface WebPageOptions {
  /** The built page's folder (index.html, assets/); default: dist/web of this package. */
  readonly root?: string;
}

/** The built page's files, by URL path. */
const FILES = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/assets/app.js': { file: 'assets/app.js', type: 'text/javascript; charset=utf-8' },
  '/assets/app.css': { file: 'assets/app.css', type: 'text/css; charset=utf-8' },
  '/assets/favicon.svg': { file: 'assets/favicon.svg', type: 'image/svg+xml' },
} as const;

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
} as const;

/**
 * Where the built page is: dist/web beside dist/server when running the built package; from the
 * sources (tests, tsx), the repository's dist/web, built by `npm run build` or `node web/build.mjs`.
 */
export function defaultWebRoot(): string | undefined {
  const candidates = [fileURLToPath(new URL('../web/', import.meta.url)), fileURLToPath(new URL('../../dist/web/', import.meta.url))];
  return candidates.find((dir) => existsSync(join(dir, 'index.html')));
}

interface Asset {
  readonly body: Buffer;
  readonly type: string;
  readonly etag: string;
}

export const webPage: FastifyPluginAsync<WebPageOptions> = async (app, options) => {
  const root = options.root ?? defaultWebRoot();
  const assets = root === undefined ? undefined : await loadAssets(root);
  if (!assets) {
    app.log.warn({ root: root ?? 'dist/web' }, 'the web page is not built: `/` explains how to build it (npm run build); the API is served as usual');
  }

  for (const [path, { type }] of Object.entries(FILES)) {
    app.get(path, { config: { public: true } }, async (request: FastifyRequest, reply: FastifyReply) => {
      reply.headers(SECURITY_HEADERS);
      const asset = assets?.get(path);
      if (!asset) {
        if (path !== '/') return reply.status(404).type('text/plain; charset=utf-8').send('Not found: the web page is not built.');
        return reply.status(503).type('text/html; charset=utf-8').send(NOT_BUILT);
      }
      // Revalidated every time (no-cache), so a new build is picked up at once; an unchanged file costs a 304.
      reply.header('cache-control', 'no-cache').header('etag', asset.etag);
      if (request.headers['if-none-match'] === asset.etag) return reply.status(304).send();
      return reply.type(type).send(asset.body);
    });
  }
};

async function loadAssets(root: string): Promise<Map<string, Asset> | undefined> {
  const assets = new Map<string, Asset>();
  for (const [path, { file, type }] of Object.entries(FILES)) {
    let body: Buffer;
    try {
      body = await readFile(join(root, file));
    } catch {
      return undefined;
    }
    assets.set(path, { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` });
  }
  return assets;
}

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>facevault: web page not built</title></head>
<body><h1>The web page is not built</h1>
<p>This facevault was started from a checkout whose web page has not been built. Run <code>npm run build</code>
(it bundles <code>web/</code> into <code>dist/web</code>) and restart the server.</p>
<p>The HTTP API is served as usual: <a href="/openapi.json">/openapi.json</a> describes it.</p></body></html>
`;
