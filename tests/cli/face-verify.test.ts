/** `facevault verify` as a child process, on face-api's sample photos (every install has them). */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MODEL_REGISTRY } from '../../src/face/models/registry.js';
import { runCli } from './face-cli-process.js';
import { entry } from '../helpers/checked.js';

const demo = join(dirname(createRequire(import.meta.url).resolve('@vladmandic/face-api/package.json')), 'demo');
const sample = (n: number) => join(demo, `sample${n}.jpg`);

describe('facevault verify', () => {
  it('--json: the DeepFace verify shape; the same photo is the same person, the largest faces of two photos of others are not', async () => {
    const [same, different, closest] = await Promise.all([
      runCli(['verify', sample(2), sample(2), '--json', '--metric', 'euclidean_l2']),
      runCli(['verify', sample(1), sample(2), '--json', '--max-faces', '1']),
      runCli(['verify', sample(1), sample(2), '--json']),
    ]);
    expect([same.code, different.code, closest.code]).toEqual([0, 0, 0]);
    // by default every face of each group photo is compared and the closest pair decides (DeepFace's rule)
    expect(JSON.parse(closest.stdout).distance).toBeLessThan(JSON.parse(different.stdout).distance);
    const yes = JSON.parse(same.stdout), no = JSON.parse(different.stdout);
    expect(Object.keys(yes)).toEqual(['verified', 'distance', 'threshold', 'confidence', 'model', 'detectorBackend', 'similarityMetric', 'facialAreas', 'time']);
    expect(yes).toMatchObject({ verified: true, similarityMetric: 'euclidean_l2', threshold: entry(MODEL_REGISTRY, 'faceplugin-arcface').info.thresholds.euclidean_l2 });
    expect(yes.distance).toBeCloseTo(0, 4);
    expect(no).toMatchObject({ verified: false, model: 'faceplugin-arcface', similarityMetric: 'cosine' });
    expect(no.facialAreas.img1).toMatchObject({ x: expect.any(Number), w: expect.any(Number) });
  });

  it('a sentence for people, --threshold and --model honoured', async () => {
    const run = await runCli(['verify', sample(1), sample(2), '--threshold', '1.5', '--model', 'dlib']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^same person: cosine distance 0\.\d{4} <= threshold 1\.5, confidence [\d.]+ %\n {2}model dlib-resnet-128, detector faceplugin, [\d.]+ s\n {2}a: face at x=/);
  });

  it('usage errors exit 2 (missing image, bad metric, bad threshold); a failed run exits 1 with the code', async () => {
    const [missing, metric, threshold, noFace] = await Promise.all([
      runCli(['verify', sample(1)]),
      runCli(['verify', sample(1), sample(2), '--metric', 'manhattan']),
      runCli(['verify', sample(1), sample(2), '--threshold', 'near']),
      runCli(['verify', sample(1), '/no/such/photo.jpg']),
    ]);
    expect([missing.code, metric.code, threshold.code, noFace.code]).toEqual([2, 2, 2, 1]);
    expect(missing.stderr).toContain("missing required argument 'b'");
    expect(metric.stderr).toBe('facevault verify: FV_ERR_MODEL_UNKNOWN: Unknown distance metric "manhattan"; allowed: cosine, euclidean, euclidean_l2, angular\n');
    expect(threshold.stderr).toBe('facevault verify: FV_ERR_INVALID_ARGUMENT: --threshold must be a number >= 0, got "near"\n');
    expect(noFace.stderr).toMatch(/^facevault verify: FV_ERR_IMAGE_INPUT: /);
    expect(noFace.stdout).toBe('');
  });
});
