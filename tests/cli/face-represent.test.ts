/** `facevault represent` as a child process, on face-api's sample photos (every install has them). */
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFaceCrops } from '../helpers/face-crops.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { runCli } from './face-cli-process.js';

const demo = join(dirname(createRequire(import.meta.url).resolve('@vladmandic/face-api/package.json')), 'demo');
const sample = (n: number) => join(demo, `sample${n}.jpg`);

describe('facevault represent', () => {
  it('--json: one line per image, in order, with unit-length embeddings; a failing image gets an error line and exit 1', async () => {
    const run = await runCli(['represent', sample(1), '/no/such/photo.jpg', sample(5), '--json']);
    expect(run.code).toBe(1);
    const lines = run.stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(lines.map((l) => l.image)).toEqual([sample(1), '/no/such/photo.jpg', sample(5)]);
    expect(lines[0]).toMatchObject({ model: 'faceplugin-arcface' });
    expect(lines[0].faces).toHaveLength(3);
    expect(lines[2].faces).toHaveLength(5);
    for (const face of lines[0].faces) {
      expect(face.embedding).toHaveLength(512);
      expect(Math.hypot(...face.embedding)).toBeCloseTo(1, 5);
      expect(Object.keys(face)).toEqual(['embedding', 'facialArea', 'faceConfidence']);
    }
    expect(lines[1]).toEqual({ image: '/no/such/photo.jpg', error: { code: 'FV_ERR_IMAGE_INPUT', message: expect.stringContaining('/no/such/photo.jpg') } });
    expect(run.stderr).toMatch(/^facevault represent: FV_ERR_IMAGE_INPUT: .*\/no\/such\/photo\.jpg/m);
  });

  it('prints faces for people, takes --model, and refuses an unknown model as a usage error (exit 2)', async () => {
    const [human, unknown] = await Promise.all([runCli(['represent', sample(2), '--model', 'dlib']), runCli(['represent', sample(2), '--model', 'vgg-face'])]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/sample2\.jpg: \d+ faces?, dlib-resnet-128 \(128-d, unit length\)\n {2}face 1: x=\d+ y=\d+ w=\d+ h=\d+, confidence 0\.\d{3}, embedding \[/);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^facevault represent: FV_ERR_MODEL_UNKNOWN: Unknown face model "vgg-face"; allowed: .*dlib-resnet-128/);
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('embeds 300 files named on one command line of 30 KB: exit 0 and one JSON line per file, in order', { timeout: 120_000 }, async () => {
    const { dir, cleanup } = makeTempDir();
    try {
      const folder = join(dir, 'a-folder-name-long-enough-to-make-a-long-command-line-of-a-few-hundred-paths');
      mkdirSync(folder);
      const images = await writeFaceCrops(folder, 300);
      // onnxruntime's telemetry used to regex-match the command line with one stack frame per byte and overflow a worker's stack (SIGSEGV from ~14 KB).
      expect(images.join(' ').length).toBeGreaterThan(30_000);
      const run = await runCli(['represent', ...images, '--json']);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const lines = run.stdout.trim().split('\n').map((line) => JSON.parse(line));
      expect(lines.map((l) => l.image)).toEqual(images);
      for (const line of lines) expect(line.faces).toHaveLength(1);
    } finally {
      cleanup();
    }
  });
});
