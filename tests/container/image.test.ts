/**
 * The container image (Dockerfile, issue 17), built and smoke-tested: podman builds it, a container
 * made from it is mounted and run as a runtime would run it (tests/container/podman.ts says why not
 * `podman run`), and everything is checked from outside — the image's configuration, no build
 * tools or dev dependencies inside, every native runtime loading, then the server started from the
 * image's own ENTRYPOINT, CMD, Env and USER: /healthz and the image's HEALTHCHECK, /represent of a
 * real photo, an index created, filled with those faces and queried through the official Pinecone
 * client, the process's uid, the data volume's files, and a clean stop on SIGTERM.
 *
 * Skipped, saying why, without podman, root or the base image. Everything it builds is removed
 * afterwards (FACEVAULT_CONTAINER_KEEP_CACHE=1 keeps the build's layers, so the next build reuses
 * the toolchain and dependency layers). A cold build takes minutes: the hooks allow 20.
 */
import { execFileSync, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Pinecone } from '@pinecone-database/pinecone';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers/temp-dir.js';
import { samplePhoto } from '../recognition/face-api-samples.js';
import {
  BASE_IMAGE,
  REPO_ROOT,
  buildImage,
  chrootRun,
  chrootSpawn,
  imageUser,
  inspectImage,
  mountContainer,
  podman,
  skipReason,
  type Build,
  type ChrootCommand,
  type ImageConfig,
  type MountedContainer,
} from './podman.js';

const reason = skipReason();
const TITLE = reason === undefined ? 'the container image, built with podman and run as its user' : `the container image — SKIPPED: ${reason}`;
const BUILD_TIMEOUT_MS = 20 * 60_000;
const API_KEY = `smoke-${process.pid}-${Date.now()}`;

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });

/** KEY=VALUE lines into an object. */
const envObject = (lines: string[] = []) => Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));

/** Names of the packages installed at the top of a node_modules folder (scoped ones as @scope/name). */
function topLevelPackages(nodeModules: string): string[] {
  return readdirSync(nodeModules)
    .filter((name) => !name.startsWith('.'))
    .flatMap((name) => (name.startsWith('@') ? readdirSync(join(nodeModules, name)).map((inner) => `${name}/${inner}`) : [name]));
}

describe.skipIf(reason !== undefined)(TITLE, () => {
  const tag = `localhost/facevault-smoke-${process.pid}`;
  const tmp = makeTempDir('facevault-container-');
  let build: Build;
  let image: ImageConfig;
  let container: MountedContainer | undefined;
  let user: ReturnType<typeof imageUser>;
  let imageIdsBefore: Set<string>;

  /** A command in the container as the image's user, with the image's Env plus `env`. */
  const inContainer = (argv: string[], env: Record<string, string> = {}): ChrootCommand => ({
    rootfs: (container as MountedContainer).rootfs,
    uid: user.uid,
    gid: user.gid,
    workingDir: image.Config.WorkingDir || '/',
    env: { HOME: user.home, ...envObject(image.Config.Env), ...env },
    argv,
  });

  beforeAll(async () => {
    imageIdsBefore = new Set(podman('images', '--all', '--quiet', '--no-trunc').split('\n'));
    build = await buildImage(tag, join(tmp.dir, 'build.log'));
    image = inspectImage(tag);
    container = mountContainer(tag, `facevault-smoke-${process.pid}`);
    user = imageUser(container.rootfs, image.Config.User ?? '');
    const base = inspectImage(BASE_IMAGE).Size;
    console.log(
      `container image: built in ${build.seconds.toFixed(0)} s; ${(image.Size / 1e6).toFixed(0)} MB ` +
        `(${BASE_IMAGE} ${(base / 1e6).toFixed(0)} MB + facevault ${((image.Size - base) / 1e6).toFixed(0)} MB)`,
    );
  }, BUILD_TIMEOUT_MS);

  afterAll(() => {
    container?.remove();
    spawnSync('podman', ['rmi', '--force', tag]);
    if (process.env.FACEVAULT_CONTAINER_KEEP_CACHE !== '1' && build !== undefined) {
      // The layers this build made (not those it found in the cache), newest first.
      const all = podman('images', '--all', '--quiet', '--no-trunc').split('\n');
      const made = all.filter((id) => !imageIdsBefore.has(id) && build.layerIds.some((short) => id.replace(/^sha256:/, '').startsWith(short)));
      for (const id of made.reverse()) spawnSync('podman', ['rmi', id]);
    }
    tmp.cleanup();
  }, 120_000);

  it('is configured to run as README.md says: a non-root user, the /data volume, the port exposed, a health check', () => {
    const { Config } = image;
    expect(user.uid).toBeGreaterThan(0);
    expect(user.gid).toBeGreaterThan(0);
    expect(user.name).toBeDefined(); // the uid has a name in the image's /etc/passwd
    expect(Object.keys(Config.Volumes ?? {})).toContain('/data');
    const data = statSync(join((container as MountedContainer).rootfs, 'data'));
    expect([data.uid, data.gid]).toEqual([user.uid, user.gid]);
    // The port the server listens on by default (FACEVAULT_PORT in the image's Env) is the one exposed.
    const env = envObject(Config.Env);
    expect(Object.keys(Config.ExposedPorts ?? {})).toEqual([`${env.FACEVAULT_PORT}/tcp`]);
    expect(env.FACEVAULT_HOST).toBe('0.0.0.0');
    expect(Config.Entrypoint).toEqual(['facevault']);
    expect(Config.Cmd).toEqual(['serve', '--data', '/data']);
    expect(image.Healthcheck?.Test?.[0]).toBe('CMD');
  });

  it('holds Node.js, the production dependencies and dist/, and nothing for building', () => {
    const rootfs = (container as MountedContainer).rootfs;
    const app = join(rootfs, image.Config.WorkingDir ?? '');
    for (const tool of ['usr/bin/g++', 'usr/bin/gcc', 'usr/bin/make', 'usr/bin/python3', 'usr/local/bin/npm', 'usr/local/include/node']) {
      expect(existsSync(join(rootfs, tool)), tool).toBe(false);
    }
    expect(existsSync(join(app, 'dist', 'cli', 'main.js'))).toBe(true);
    expect(existsSync(join(app, 'src'))).toBe(false);
    // Every package at the top of the image's node_modules belongs to the production tree npm computes here.
    const production = new Set(
      execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: REPO_ROOT, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 })
        .split('\n')
        .map((path) => path.split('/node_modules/').at(-1) as string),
    );
    const installed = topLevelPackages(join(app, 'node_modules'));
    expect(installed.length).toBeGreaterThan(0);
    expect(installed.filter((name) => !production.has(name))).toEqual([]);
    const dev = Object.keys((JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }).devDependencies);
    expect(dev.filter((name) => installed.includes(name) && !production.has(name))).toEqual([]);
  });

  it('loads sharp, onnxruntime-node, better-sqlite3 and usearch, and runs each, as its user', () => {
    const script = `
      const sharp = require('sharp'), ort = require('onnxruntime-node'), Database = require('better-sqlite3'), { Index } = require('usearch');
      (async () => {
        const png = await sharp({ create: { width: 3, height: 2, channels: 3, background: '#808080' } }).png().toBuffer();
        const { width, height } = await sharp(png).metadata();
        const db = new Database(':memory:');
        const sqlite = db.prepare('select sqlite_version() as v').get().v;
        db.close();
        const index = new Index({ dimensions: 2, metric: 'l2sq', connectivity: 8 });
        index.add(7n, new Float32Array([1, 0]));
        index.add(9n, new Float32Array([0, 1]));
        const nearest = Number(index.search(new Float32Array([0.9, 0.1]), 1).keys[0]);
        const model = require.resolve('faceplugin-face-recognition-js/model/fr_feature.onnx');
        const session = await ort.InferenceSession.create(model);
        console.log(JSON.stringify({ width, height, sqlite, nearest, inputs: session.inputNames.length, uid: process.getuid() }));
      })().catch((error) => { console.error(error); process.exit(1); });`;
    const run = chrootRun(inContainer(['node', '-e', script]));
    // onnxruntime warns on stderr that the image has no CA bundle for its telemetry uploads (so none leave it); an error fails.
    expect(run.stderr).not.toMatch(/error/i);
    expect(run.status).toBe(0);
    const result = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(result).toMatchObject({ width: 3, height: 2, nearest: 7, uid: user.uid });
    expect(result.sqlite).toMatch(/^3\.\d+\.\d+$/);
    expect(result.inputs).toBeGreaterThan(0);
  });

  describe('serving: the ENTRYPOINT and CMD with the image Env, a key and a free port', () => {
    let server: ChildProcess;
    let url: string;
    let env: Record<string, string>;
    let exited: Promise<number | null>;
    let stderr = '';
    const logLines: string[] = [];

    beforeAll(async () => {
      env = { FACEVAULT_API_KEYS: API_KEY, FACEVAULT_PORT: String(await freePort()) };
      const { Entrypoint = [], Cmd = [] } = image.Config;
      server = chrootSpawn(inContainer([...Entrypoint, ...Cmd], env));
      server.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      exited = new Promise((resolve) => server.on('exit', (code) => resolve(code)));
      await new Promise<void>((resolve, reject) => {
        createInterface({ input: server.stdout as NodeJS.ReadableStream }).on('line', (line) => {
          logLines.push(line);
          if (line.includes('"facevault is serving"')) resolve();
        });
        void exited.then((code) => reject(new Error(`the server exited with ${code}: ${stderr}${logLines.join('\n')}`)));
      });
      url = `http://127.0.0.1:${env.FACEVAULT_PORT}`;
    }, 120_000);

    afterAll(async () => {
      if (server.exitCode === null && server.signalCode === null) {
        server.kill('SIGKILL');
        await exited;
      }
    });

    it('answers /healthz and serves the web page from outside, and the image HEALTHCHECK passes inside', async () => {
      const health = await fetch(`${url}/healthz`);
      expect(health.status).toBe(200);
      // The web page, built into dist/web with the package, is in the image too.
      const page = await fetch(`${url}/`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      const [kind, ...argv] = image.Healthcheck?.Test ?? [];
      expect(kind).toBe('CMD');
      const check = chrootRun(inContainer(argv, env));
      expect(check.status).toBe(0);
    });

    it('runs as the image user, on the image Node', () => {
      const pid = server.pid as number;
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const ids = (field: string) => (status.match(new RegExp(`^${field}:\\s+(.*)$`, 'm'))?.[1] ?? '').split(/\s+/).map(Number);
      expect(ids('Uid')).toEqual([user.uid, user.uid, user.uid, user.uid]); // real, effective, saved, filesystem
      expect(ids('Gid')).toEqual([user.gid, user.gid, user.gid, user.gid]);
      expect(execFileSync('readlink', [`/proc/${pid}/root`], { encoding: 'utf8' }).trim()).toBe((container as MountedContainer).rootfs);
      expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0]).toBe('node');
      expect(execFileSync('readlink', [`/proc/${pid}/exe`], { encoding: 'utf8' }).trim()).toBe(join((container as MountedContainer).rootfs, 'usr/local/bin/node'));
    });

    it('represents a real photo, and its faces go into an index and come back through the official Pinecone client', async () => {
      const photo = readFileSync(samplePhoto(1));
      const represented = await fetch(`${url}/represent`, {
        method: 'POST',
        headers: { 'api-key': API_KEY, 'content-type': 'application/json' },
        body: JSON.stringify({ img: photo.toString('base64') }),
      });
      expect(represented.status).toBe(200);
      const { results } = (await represented.json()) as { results: { embedding: number[]; face_confidence: number }[] };
      expect(results.length).toBeGreaterThan(1);
      const dimension = results[0]?.embedding.length as number;
      expect(dimension).toBeGreaterThan(0);
      for (const face of results) {
        expect(face.embedding).toHaveLength(dimension);
        expect(face.embedding.every(Number.isFinite)).toBe(true);
      }

      const pc = new Pinecone({ apiKey: API_KEY, controllerHostUrl: url, maxRetries: 0 });
      await pc.createIndex({ name: 'smoke', dimension, metric: 'cosine', spec: { serverless: { cloud: 'aws', region: 'us-east-1' } }, waitUntilReady: true });
      expect((await pc.listIndexes()).indexes?.map((index) => index.name)).toEqual(['smoke']);
      const index = pc.index({ name: 'smoke' });
      await index.upsert({ records: results.map((face, i) => ({ id: `face-${i}`, values: face.embedding, metadata: { photo: 'sample1.jpg' } })) });
      for (const [i, face] of results.entries()) {
        const { matches } = await index.query({ vector: face.embedding, topK: 2, includeMetadata: true });
        expect(matches[0]?.id).toBe(`face-${i}`);
        expect(matches[0]?.metadata).toEqual({ photo: 'sample1.jpg' });
        expect(matches[0]?.score).toBeGreaterThan(matches[1]?.score as number);
      }
      expect((await index.describeIndexStats()).totalRecordCount).toBe(results.length);

      // The records live in the volume, in files the image user owns.
      const data = join((container as MountedContainer).rootfs, 'data');
      const files = readdirSync(data, { recursive: true }).map((name) => join(data, String(name)));
      expect(files.length).toBeGreaterThan(0);
      for (const file of files) expect(statSync(file).uid).toBe(user.uid);
    });

    it('stops cleanly on SIGTERM, as `docker stop` sends it', async () => {
      server.kill('SIGTERM');
      expect(await exited).toBe(0);
    });
  });
});
