import { describe, expect, it } from 'vitest';
import * as facevault from '../../src/index.js';

describe('the package exports the face API', () => {
  it('pipeline, decoding, registry facts and distances, beside the vector database', () => {
    expect(typeof facevault.FacePipeline.create).toBe('function');
    expect(typeof facevault.decodeImage).toBe('function');
    expect(facevault.resolveModel('dlib').info.dimension).toBe(128);
    expect(Object.keys(facevault.MODEL_REGISTRY)).toContain(facevault.DEFAULT_MODEL);
    expect(facevault.ANALYZE_ACTIONS).toEqual(['age', 'gender', 'emotion', 'liveness']);
    expect(facevault.cosineDistance([1, 0], [0, 2])).toBe(1);
    expect(facevault.METRICS).toContain('cosine');
  });
});
