import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MODEL, MODEL_REGISTRY, networksOf, resolveModel, resolveWeights, type NetworkEntry } from '../../../src/face/models/registry.js';
import { resolveDetector } from '../../../src/face/detect/registry.js';
import { atLeast } from '../../helpers/checked.js';

const METRICS = ['cosine', 'euclidean', 'euclidean_l2'] as const;

describe('model registry', () => {
  it('resolves the default, names and aliases case-insensitively', () => {
    expect(resolveModel().info.name).toBe(DEFAULT_MODEL);
    expect(resolveModel('ArcFace')).toBe(resolveModel('faceplugin-arcface'));
    expect(resolveModel('default').info.dimension).toBe(512);
    expect(resolveModel('dlib').info).toMatchObject({ name: 'dlib-resnet-128', dimension: 128, inputSize: 150, runtime: 'tfjs-wasm' });
    expect(resolveModel('fusion').info.name).toBe('fusion-arcface-dlib');
  });

  it('rejects an unknown model listing the allowed names', () => {
    expect(() => resolveModel('VGG-Face')).toThrow(expect.objectContaining({ code: 'FV_ERR_MODEL_UNKNOWN', message: expect.stringContaining('dlib-resnet-128') }));
  });

  it.each(Object.values(MODEL_REGISTRY))('$info.name: facts are complete and its weights are installed', (entry) => {
    const { info } = entry;
    expect(info.dimension).toBeGreaterThan(0);
    expect(entry.template.size).toBe(info.inputSize);
    expect(entry.template.points).toHaveLength(5);
    for (const metric of METRICS) {
      expect(info.thresholds[metric]).toBeGreaterThan(0);
      expect(entry.confidenceSlope[metric]).toBeGreaterThan(0);
    }
    // Embeddings are unit length, so euclidean = euclidean_l2 = √(2·cosine) at the thresholds too.
    expect(info.thresholds.euclidean).toBe(info.thresholds.euclidean_l2);
    expect(Math.sqrt(2 * info.thresholds.cosine)).toBeCloseTo(info.thresholds.euclidean, 2);
    expect(info.licence).not.toBe('');
    for (const weights of [info.weights].flat()) expect(existsSync(resolveWeights(weights))).toBe(true);
  });

  it('a fusion is its networks: dimensions add up, weights sum to 1, facts listed per network', () => {
    const fusion = resolveModel('fusion-arcface-dlib');
    expect(fusion.kind).toBe('fusion');
    const networks = networksOf(fusion);
    expect(networks.map((n) => n.info.name)).toEqual(['faceplugin-arcface', 'dlib-resnet-128']);
    expect(fusion.info.dimension).toBe(512 + 128);
    expect(fusion.info.runtime).toEqual(['onnxruntime-node', 'tfjs-wasm']);
    expect(fusion.kind === 'fusion' && fusion.parts.reduce((sum, part) => sum + part.weight, 0)).toBeCloseTo(1, 12);
    expect(networksOf(resolveModel('dlib'))).toEqual([resolveModel('dlib')]);
  });

  it('reports a missing weights package as FV_ERR_MODEL_LOAD', () => {
    expect(() => resolveWeights({ npmPackage: 'no-such-package-fv', file: 'x.onnx' })).toThrow(expect.objectContaining({ code: 'FV_ERR_MODEL_LOAD' }));
  });

  it('loads, embeds one crop per input, and refuses use after dispose', async () => {
    const entry = resolveModel() as NetworkEntry;
    const model = await entry.create(entry, {});
    await expect(model.embed([])).rejects.toMatchObject({ code: 'FV_ERR_MODEL_NOT_LOADED' });
    await model.load();
    const crop = { data: new Uint8Array(112 * 112 * 3).fill(128), width: 112, height: 112 };
    const [a, b] = atLeast(await model.embed([crop, crop]), 2);
    expect(a).toHaveLength(512);
    expect(Array.from(a)).toEqual(Array.from(b));
    await expect(model.embed([{ data: new Uint8Array(3), width: 1, height: 1 }])).rejects.toMatchObject({ code: 'FV_ERR_INVALID_ARGUMENT' });
    await model.dispose();
    await model.dispose();
    await expect(model.embed([crop])).rejects.toMatchObject({ code: 'FV_ERR_MODEL_NOT_LOADED' });
  });

  it('reading the registry and creating the pipeline module starts no runtime: tfjs and onnxruntime load with their models', () => {
    // A fresh process: this one has loaded both runtimes already.
    const script = `
      import { createRequire } from 'node:module';
      await import(${JSON.stringify(new URL('../../../src/face/pipeline.ts', import.meta.url).pathname)});
      const { MODEL_REGISTRY } = await import(${JSON.stringify(new URL('../../../src/face/models/registry.ts', import.meta.url).pathname)});
      const loaded = Object.keys(createRequire(import.meta.url).cache).filter((p) => /@tensorflow|onnxruntime/.test(p));
      console.log(JSON.stringify({ models: Object.keys(MODEL_REGISTRY).length, loaded }));`;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({ models: 3, loaded: [] });
  });
});

describe('detector registry', () => {
  it('resolves faceplugin by default and rejects unknown names listing the allowed ones', () => {
    expect(resolveDetector().name).toBe('faceplugin');
    expect(() => resolveDetector('retinaface')).toThrow(expect.objectContaining({ code: 'FV_ERR_MODEL_UNKNOWN', message: expect.stringContaining('skip') }));
  });
});
