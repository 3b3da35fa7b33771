/** Vectors as JSON numbers, and upsert batches cut to Pinecone's 2 MB request limit. */
import { describe, expect, it } from 'vitest';
import { MAX_UPSERT_BODY_BYTES, upsertRequests, wireValues } from '../../../src/stores/pinecone/wire-records.js';
import { seededRandom } from '../../../src/util/seeded-random.js';
import { validateUpsertBatch } from '../../../src/vector/validate.js';

describe('wireValues', () => {
  it('writes 9 significant digits, which read back as the same float32', () => {
    const values = Float32Array.of(0.1, -2, 1e-8, 3.4028234663852886e38, 0.123456789);
    const wire = wireValues(values);
    expect(wire.slice(0, 2)).toEqual([0.100000001, -2]);
    expect(Float32Array.from(wire)).toEqual(values);
  });
});

describe('upsertRequests', () => {
  it('sends a small batch as one request, in batch order', () => {
    const batch = validateUpsertBatch([{ id: 'a', values: [1, 0] }, { id: 'b', values: [0, 1], metadata: { subject: 'ada' } }], 2, 'cosine');
    expect(upsertRequests(batch, [0, 1], 2, '')).toEqual([[{ id: 'a', values: [1, 0] }, { id: 'b', values: [0, 1], metadata: { subject: 'ada' } }]]);
  });

  it('cuts 1,000 × 512 face-like records into requests under 2 MB each, keeping every record once', () => {
    const random = seededRandom(7);
    const records = Array.from({ length: 1_000 }, (_, i) => ({
      id: `photo-${i.toString().padStart(4, '0')}#0`,
      values: Float32Array.from({ length: 512 }, () => random() * 0.2 - 0.1),
      metadata: { subject: `person-${i % 37}`, source: `/photos/${i}.jpg` },
    }));
    const batch = validateUpsertBatch(records, 512, 'cosine');
    const requests = upsertRequests(batch, records.map((_, row) => row), 512, 'gallery');
    expect(requests.length).toBeGreaterThan(1);
    for (const request of requests) {
      expect(Buffer.byteLength(JSON.stringify({ vectors: request, namespace: 'gallery' }))).toBeLessThanOrEqual(MAX_UPSERT_BODY_BYTES);
    }
    const sent = requests.flat();
    expect(sent.map((record) => record.id)).toEqual(records.map((record) => record.id));
    expect(Float32Array.from(sent[999]?.values ?? [])).toEqual(records[999]?.values);
  });

  it('keeps under 2 MB where JSON spells numbers out longer than 9 digits (1e20 is 21 digits)', () => {
    const dimension = 20_000;
    const records = Array.from({ length: 6 }, (_, i) => ({ id: `big-${i}`, values: new Float32Array(dimension).fill(-1.23456789e20), metadata: { note: 'é'.repeat(100) } }));
    const batch = validateUpsertBatch(records, dimension, 'euclidean');
    const requests = upsertRequests(batch, records.map((_, row) => row), dimension, '');
    expect(requests.length).toBeGreaterThan(1);
    for (const request of requests) expect(Buffer.byteLength(JSON.stringify({ vectors: request, namespace: '' }))).toBeLessThanOrEqual(MAX_UPSERT_BODY_BYTES);
  });

  it('sends only the rows asked for (ifAbsent leaves stored ids out)', () => {
    const batch = validateUpsertBatch([{ id: 'a', values: [1, 0] }, { id: 'b', values: [0, 1] }], 2, 'cosine');
    expect(upsertRequests(batch, [1], 2, '').flat().map((record) => record.id)).toEqual(['b']);
    expect(upsertRequests(batch, [], 2, '')).toEqual([]);
  });
});
