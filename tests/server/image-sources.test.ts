/**
 * Image paths and URLs (issue 11): off by default; paths only inside the images folder (no `..`,
 * no symbolic link out of it, the real path checked); URLs only from allow-listed hosts, the
 * resolved address checked (private ranges only when listed), no redirect to another host, size
 * and time limits. Against a web server on loopback made for each case, first on ImageSources
 * itself (small limits), then through a real facevault server as a DeepFace client reaches it.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageSources } from '../../src/server/image-sources.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { call, photo } from './face-photos.js';
import { startHarness, type Harness } from './harness.js';

let tmp: ReturnType<typeof makeTempDir>;
let images: string;
let web: Server;
let port: number;
let face: Buffer;
const at = (host: string, path: string) => `http://${host}:${port}${path}`;

beforeAll(async () => {
  face = await photo(4);
  tmp = makeTempDir('facevault-image-sources-');
  images = join(tmp.dir, 'images');
  mkdirSync(join(images, 'sub'), { recursive: true });
  writeFileSync(join(images, 'face.jpg'), face);
  writeFileSync(join(images, 'sub', 'face.jpg'), face);
  writeFileSync(join(tmp.dir, 'secret.jpg'), 'the server operator\'s file');
  symlinkSync(join(images, 'face.jpg'), join(images, 'alias.jpg'));
  symlinkSync(join(tmp.dir, 'secret.jpg'), join(images, 'escape.jpg'));
  symlinkSync(tmp.dir, join(images, 'up'));
  const routes: Record<string, (response: ServerResponse) => void> = {
    '/face.jpg': (response) => response.writeHead(200, { 'content-type': 'image/jpeg' }).end(face),
    '/again': (response) => response.writeHead(302, { location: '/face.jpg' }).end(),
    '/elsewhere': (response) => response.writeHead(302, { location: at('localhost', '/face.jpg') }).end(),
    '/metadata': (response) => response.writeHead(301, { location: 'http://169.254.169.254/latest/meta-data/' }).end(),
    '/loop': (response) => response.writeHead(302, { location: '/loop' }).end(),
    '/missing': (response) => response.writeHead(404).end(),
    // 5,000 bytes without a Content-Length: only counting the body finds it too large
    '/stream': (response) => {
      response.writeHead(200, { 'content-type': 'image/jpeg' });
      for (let i = 0; i < 5; i++) response.write(Buffer.alloc(1000, 1));
      response.end();
    },
    // says 25 MB, over the server's 20 MB image limit: refused before a byte is read
    '/huge': (response) => {
      response.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': String(25 * 1024 * 1024) });
      response.write(Buffer.alloc(1024));
    },
    '/slow': () => undefined,
  };
  web = createServer((request, response) => (routes[request.url ?? ''] ?? ((res: ServerResponse) => res.writeHead(404).end()))(response));
  await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
  port = (web.address() as AddressInfo).port;
});
afterAll(async () => {
  web?.closeAllConnections();
  await new Promise((resolve) => web?.close(resolve));
  tmp?.cleanup();
});

const refused = (reason: string, message?: RegExp) => expect.objectContaining({ code: 'FV_ERR_IMAGE_INPUT', details: expect.objectContaining({ reason }), ...(message && { message: expect.stringMatching(message) }) });

describe('ImageSources: paths', () => {
  it('reads none unless an images folder is configured', async () => {
    const off = await ImageSources.create({ maxBytes: 1e6 });
    await expect(off.readPath('img', 'face.jpg')).rejects.toEqual(refused('path', /^img: "face.jpg" is a server-side file path, and this server reads none \(start it with --images DIR/));
  });

  it('reads inside the folder, relative or absolute, through links that stay inside', async () => {
    const sources = await ImageSources.create({ imagesDir: images, maxBytes: 1e7 });
    for (const path of ['face.jpg', 'sub/face.jpg', './sub//face.jpg', join(images, 'face.jpg'), 'alias.jpg']) expect(Buffer.from(await sources.readPath('img', path)).equals(face)).toBe(true);
    // the folder itself may be reached through a link
    symlinkSync(images, join(tmp.dir, 'images-link'));
    const linked = await ImageSources.create({ imagesDir: join(tmp.dir, 'images-link'), maxBytes: 1e7 });
    expect(Buffer.from(await linked.readPath('img', 'sub/face.jpg')).equals(face)).toBe(true);
  });

  it('refuses traversal, links out of the folder, absolute paths outside it, folders and missing files', async () => {
    const sources = await ImageSources.create({ imagesDir: images, maxBytes: 1e7 });
    for (const path of ['../secret.jpg', 'sub/../../secret.jpg', '..\\secret.jpg', 'sub/..', `${images}/../secret.jpg`]) {
      await expect(sources.readPath('img', path)).rejects.toEqual(refused('path-traversal', /"\.\." is not allowed/));
    }
    await expect(sources.readPath('img', 'face.jpg\0.png')).rejects.toEqual(refused('path-traversal'));
    for (const path of ['escape.jpg', 'up/secret.jpg', join(tmp.dir, 'secret.jpg'), '/etc/hostname']) {
      await expect(sources.readPath('img', path)).rejects.toEqual(refused('path-outside', /resolves outside the images folder/));
    }
    await expect(sources.readPath('img', 'nope.jpg')).rejects.toEqual(refused('not-found', /"nope.jpg" does not exist in the images folder/));
    await expect(sources.readPath('img', 'sub')).rejects.toEqual(refused('not-found', /is not a readable file/));
    const small = await ImageSources.create({ imagesDir: images, maxBytes: 100 });
    await expect(small.readPath('img', 'face.jpg')).rejects.toMatchObject({ code: 'FV_ERR_IMAGE_TOO_LARGE' });
  });
});

describe('ImageSources: URLs', () => {
  it('fetches none unless hosts are listed, and only from those', async () => {
    const off = await ImageSources.create({ maxBytes: 1e7 });
    await expect(off.fetchUrl('img', at('127.0.0.1', '/face.jpg'))).rejects.toEqual(refused('url', /fetches none \(start it with --allow-url-hosts/));
    const sources = await ImageSources.create({ urlHosts: ['127.0.0.1'], maxBytes: 1e7 });
    expect(Buffer.from(await sources.fetchUrl('img', at('127.0.0.1', '/face.jpg'))).equals(face)).toBe(true);
    await expect(sources.fetchUrl('img', at('127.0.0.2', '/face.jpg'))).rejects.toEqual(refused('url-host', /127\.0\.0\.2:\d+ is not a host this server fetches images from/));
    await expect(sources.fetchUrl('img', `ftp://127.0.0.1:${port}/face.jpg`)).rejects.toEqual(refused('url', /only http and https/));
    await expect(sources.fetchUrl('img', `http://user:pw@127.0.0.1:${port}/face.jpg`)).rejects.toEqual(refused('url', /credentials/));
    // a range lists every address in it
    const range = await ImageSources.create({ urlHosts: ['127.0.0.0/8'], maxBytes: 1e7 });
    expect((await range.fetchUrl('img', at('127.0.0.1', '/face.jpg'))).byteLength).toBe(face.byteLength);
  });

  it('checks the address a listed name resolves to: a private one only when the address itself is listed', async () => {
    const byName = await ImageSources.create({ urlHosts: ['localhost'], maxBytes: 1e7 });
    await expect(byName.fetchUrl('img', at('localhost', '/face.jpg'))).rejects.toEqual(refused('url-private', /localhost resolves to (127\.0\.0\.1|::1), a private or reserved address/));
  });

  it('follows redirects within the host only, and not for ever', async () => {
    const sources = await ImageSources.create({ urlHosts: ['127.0.0.1', 'localhost', '169.254.169.254'], maxBytes: 1e7 });
    expect((await sources.fetchUrl('img', at('127.0.0.1', '/again'))).byteLength).toBe(face.byteLength);
    await expect(sources.fetchUrl('img', at('127.0.0.1', '/elsewhere'))).rejects.toEqual(refused('url-redirect', /redirects to http:\/\/localhost:\d+, another host/));
    await expect(sources.fetchUrl('img', at('127.0.0.1', '/metadata'))).rejects.toEqual(refused('url-redirect', /169\.254\.169\.254, another host/));
    await expect(sources.fetchUrl('img', at('127.0.0.1', '/loop'))).rejects.toEqual(refused('url-redirect', /more than 3 times/));
  });

  it('holds the body to the size limit, the fetch to the time limit; another status is a 400', async () => {
    const sources = await ImageSources.create({ urlHosts: ['127.0.0.1'], maxBytes: 1000, fetchTimeoutMs: 300 });
    await expect(sources.fetchUrl('img', at('127.0.0.1', '/stream'))).rejects.toMatchObject({ code: 'FV_ERR_IMAGE_TOO_LARGE', details: { maxBytes: 1000 } });
    await expect(sources.fetchUrl('img', at('127.0.0.1', '/huge'))).rejects.toMatchObject({ code: 'FV_ERR_IMAGE_TOO_LARGE', details: { bytes: 25 * 1024 * 1024 } });
    const started = Date.now();
    await expect(sources.fetchUrl('img', at('127.0.0.1', '/slow'))).rejects.toEqual(refused('url-timeout'));
    expect(Date.now() - started).toBeLessThan(3000);
    await expect(sources.fetchUrl('img', at('127.0.0.1', '/missing'))).rejects.toEqual(refused('url-status', /answered 404/));
  });

  it('bounds the fetches in flight: the ninth at once is told to retry (503), and the count frees as they end', async () => {
    const sources = await ImageSources.create({ urlHosts: ['127.0.0.1'], maxBytes: 1000, fetchTimeoutMs: 400 });
    const slow = Array.from({ length: 8 }, () => sources.fetchUrl('img', at('127.0.0.1', '/slow')).catch((err: unknown) => err));
    await expect(sources.fetchUrl('img', at('127.0.0.1', '/slow'))).rejects.toMatchObject({ code: 'FV_ERR_OVERLOADED' });
    for (const err of await Promise.all(slow)) expect(err).toEqual(refused('url-timeout'));
    await expect(sources.fetchUrl('img', at('127.0.0.1', '/missing'))).rejects.toEqual(refused('url-status'));
  });

  it('refuses a malformed host list and a missing images folder at start', async () => {
    for (const host of ['http://example.com', '10.0.0.0/99', 'a b', 'example.com/8']) {
      await expect(ImageSources.create({ urlHosts: [host], maxBytes: 1 })).rejects.toMatchObject({ code: 'FV_ERR_INVALID_ARGUMENT', details: { path: 'server.urlHosts' } });
    }
    await expect(ImageSources.create({ imagesDir: join(tmp.dir, 'nope'), maxBytes: 1 })).rejects.toMatchObject({ code: 'FV_ERR_INVALID_ARGUMENT', details: { path: 'server.imagesDir' } });
  });
});

describe('through facevault serve --images DIR --allow-url-hosts 127.0.0.1', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ imagesDir: images, urlHosts: ['127.0.0.1'] });
  });
  afterAll(async () => h?.stop());

  it('answers traversal, a link out of the folder, a redirect to another host and an oversized download with 4xx, before loading a model', async () => {
    const cases: [unknown, number, string, string][] = [
      [{ img: '../secret.jpg' }, 400, 'FV_ERR_IMAGE_INPUT', 'path-traversal'],
      [{ img: 'escape.jpg' }, 400, 'FV_ERR_IMAGE_INPUT', 'path-outside'],
      [{ img: 'up/secret.jpg' }, 400, 'FV_ERR_IMAGE_INPUT', 'path-outside'],
      [{ img: at('127.0.0.1', '/elsewhere') }, 400, 'FV_ERR_IMAGE_INPUT', 'url-redirect'],
      [{ img: at('127.0.0.1', '/metadata') }, 400, 'FV_ERR_IMAGE_INPUT', 'url-redirect'],
      [{ img: at('localhost', '/face.jpg') }, 400, 'FV_ERR_IMAGE_INPUT', 'url-host'],
    ];
    for (const [body, status, code, reason] of cases) {
      const reply = await call(h, 'POST', '/represent', body);
      expect(reply.status, JSON.stringify(body)).toBe(status);
      expect(reply.json).toMatchObject({ code, details: { reason, path: 'img' }, exception: reply.json.error });
    }
    const huge = await call(h, 'POST', '/represent', { img: at('127.0.0.1', '/huge') });
    expect(huge.status).toBe(413);
    expect(huge.json.code).toBe('FV_ERR_IMAGE_TOO_LARGE');
    expect(h.server.app.faces.pipelineStarted).toBe(false);
  });

  it('reads a face by path and by URL, the same as sent in the request', async () => {
    const sent = await call(h, 'POST', '/represent', { img: face.toString('base64'), max_faces: 1 });
    for (const img of ['face.jpg', 'alias.jpg', at('127.0.0.1', '/again')]) {
      const reply = await call(h, 'POST', '/represent', { img, max_faces: 1 });
      expect(reply.status, img).toBe(200);
      expect(reply.json.results[0].embedding).toEqual(sent.json.results[0].embedding);
    }
  });
});
