/**
 * The web page's server side without a browser: a checkout whose page is not built answers `/`
 * in words and keeps serving the API; a built page is served from memory, revalidated by ETag.
 */
import Fastify from 'fastify';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { webPage } from '../../src/server/web-page.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const dirs: { cleanup: () => void }[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => dir.cleanup()));

async function serve(root: string) {
  const app = Fastify({ logger: false });
  await app.register(webPage, { root });
  await app.ready();
  return app;
}

describe('web page plugin', () => {
  it('says at / that the page is not built, and how to build it, when its files are missing', async () => {
    const tmp = makeTempDir('facevault-web-');
    dirs.push(tmp);
    const app = await serve(tmp.dir);
    const page = await app.inject({ url: '/' });
    expect(page.statusCode).toBe(503);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('The web page is not built');
    expect(page.body).toContain('npm run build');
    expect((await app.inject({ url: '/assets/app.js' })).statusCode).toBe(404);
    await app.close();
  });

  it('serves the built files with their types, a no-cache ETag and the security headers', async () => {
    const tmp = makeTempDir('facevault-web-');
    dirs.push(tmp);
    mkdirSync(join(tmp.dir, 'assets'));
    writeFileSync(join(tmp.dir, 'index.html'), '<!doctype html><title>t</title>');
    writeFileSync(join(tmp.dir, 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(join(tmp.dir, 'assets', 'app.css'), 'body{}');
    writeFileSync(join(tmp.dir, 'assets', 'favicon.svg'), '<svg/>');
    const app = await serve(tmp.dir);
    const types = { '/': 'text/html', '/assets/app.js': 'text/javascript', '/assets/app.css': 'text/css', '/assets/favicon.svg': 'image/svg+xml' };
    for (const [url, type] of Object.entries(types)) {
      const reply = await app.inject({ url });
      expect(reply.statusCode, url).toBe(200);
      expect(reply.headers['content-type']).toContain(type);
      expect(reply.headers['cache-control']).toBe('no-cache');
      expect(reply.headers['x-content-type-options']).toBe('nosniff');
      expect(reply.headers['content-security-policy']).toMatch(/script-src 'self'.*connect-src 'self'.*frame-ancestors 'none'/);
      expect((await app.inject({ url, headers: { 'if-none-match': reply.headers.etag as string } })).statusCode).toBe(304);
    }
    expect((await app.inject({ url: '/', method: 'HEAD' })).statusCode).toBe(200);
    await app.close();
  });
});
