import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MODEL, MODEL_REGISTRY, resolveModel, resolveWeights } from '../../../src/face/models/registry.js';
import { resolveDetector } from '../../../src/face/detect/registry.js';

describe('model registry', () => {
  it('resolves the default, names and aliases case-insensitively', () => {
    expect(resolveModel().info.name).toBe(DEFAULT_MODEL);
    expect(resolveModel('ArcFace')).toBe(resolveModel('faceplugin-arcface'));
    expect(resolveModel('default').info.dimension).toBe(512);
  });

  it('rejects an unknown model listing the allowed names', () => {
    expect(() => resolveModel('VGG-Face')).toThrow(expect.objectContaining({ code: 'FV_ERR_MODEL_UNKNOWN', message: expect.stringContaining('faceplugin-arcface') }));
  });

  it.each(Object.values(MODEL_REGISTRY))('$info.name: facts are complete and its weights are installed', (entry) => {
    const { info } = entry;
    expect(info.dimension).toBeGreaterThan(0);
    expect(entry.template.size).toBe(info.inputSize);
    expect(entry.template.points).toHaveLength(5);
    for (const metric of ['cosine', 'euclidean', 'euclidean_l2'] as const) {
      expect(info.thresholds[metric]).toBeGreaterThan(0);
      expect(entry.confidenceSlope[metric]).toBeGreaterThan(0);
    }
    expect(info.licence).not.toBe('');
    expect(existsSync(resolveWeights(info.weights))).toBe(true);
  });

  it('reports a missing weights package as FV_ERR_MODEL_LOAD', () => {
    expect(() => resolveWeights({ npmPackage: 'no-such-package-fv', file: 'x.onnx' })).toThrow(expect.objectContaining({ code: 'FV_ERR_MODEL_LOAD' }));
  });

  it('loads, embeds one crop per input, and refuses use after dispose', async () => {
    const entry = resolveModel();
    const model = await entry.create(entry, {});
    await expect(model.embed([])).rejects.toMatchObject({ code: 'FV_ERR_MODEL_NOT_LOADED' });
    await model.load();
    const crop = { data: new Uint8Array(112 * 112 * 3).fill(128), width: 112, height: 112 };
    const [a, b] = await model.embed([crop, crop]);
    expect(a).toHaveLength(512);
    expect(Array.from(a)).toEqual(Array.from(b));
    await expect(model.embed([{ data: new Uint8Array(3), width: 1, height: 1 }])).rejects.toMatchObject({ code: 'FV_ERR_INVALID_ARGUMENT' });
    await model.dispose();
    await model.dispose();
    await expect(model.embed([crop])).rejects.toMatchObject({ code: 'FV_ERR_MODEL_NOT_LOADED' });
  });
});

describe('detector registry', () => {
  it('resolves faceplugin by default and rejects unknown names listing the allowed ones', () => {
    expect(resolveDetector().name).toBe('faceplugin');
    expect(() => resolveDetector('retinaface')).toThrow(expect.objectContaining({ code: 'FV_ERR_MODEL_UNKNOWN', message: expect.stringContaining('skip') }));
  });
});
