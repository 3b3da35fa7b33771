import { describe, expect, test } from 'vitest';
import { isFacevaultError } from '../../../src/errors.js';
import { decodeSegment, encodeDelete, encodeUpsert, type SegmentRow } from '../../../src/vector/storage/segment-codec.js';
import type { SegmentBatch } from '../../../src/vector/storage/types.js';
import { at } from '../../helpers/checked.js';

const where = { index: 'faces', namespace: 'ns', row: 7 };
const batch: SegmentBatch = {
  ids: ['a', 'bé', '😀'],
  seqs: Float64Array.of(3, 4, 9),
  vectors: Float32Array.of(0.5, -1, 2, 3.25, 1e-7, -0),
  metadataJson: [undefined, '{"k":"v"}', undefined],
};

/** The same bytes starting at an odd offset inside a larger buffer, as a reader may hand them over. */
function misaligned(bytes: Uint8Array | null): Uint8Array {
  if (bytes === null) throw new Error('column expected');
  const holder = new Uint8Array(bytes.byteLength + 1);
  holder.set(bytes, 1);
  return holder.subarray(1);
}

function corruptionOf(row: SegmentRow): unknown {
  try {
    decodeSegment(row, where, 2);
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('segment codec', () => {
  test('an upsert row decodes to the batch it encoded', () => {
    const row = encodeUpsert('faces', 'ns', batch);
    expect(row).toMatchObject({ namespace: 'ns', kind: 1, count: 3, ids: 'abé😀', metadata: '{"k":"v"}' });
    expect(Array.from(new Uint32Array(row.lengths.buffer, row.lengths.byteOffset, 6))).toEqual([1, 2, 2, 0, 9, 0]);
    const entry = decodeSegment(row, where, 2);
    expect(entry).toEqual({ kind: 'upsert', namespace: 'ns', batch });
  });

  test('vectors come back as a view over the stored bytes when aligned, and as a copy when not', () => {
    const row = encodeUpsert('faces', 'ns', batch);
    const stored = new Uint8Array(row.vectors ?? []);
    const aligned = decodeSegment({ ...row, vectors: stored }, where, 2);
    if (aligned.kind !== 'upsert') throw new Error('upsert expected');
    expect(aligned.batch.vectors.buffer).toBe(stored.buffer);

    const shifted = { ...row, vectors: misaligned(row.vectors), seqs: misaligned(row.seqs), lengths: misaligned(row.lengths) };
    const copied = decodeSegment(shifted, where, 2);
    expect(copied).toEqual({ kind: 'upsert', namespace: 'ns', batch });
  });

  test('a delete row decodes to its ids', () => {
    const row = encodeDelete('faces', '', ['x', '', 'y,z']);
    expect(decodeSegment(row, { ...where, namespace: '' }, 2)).toEqual({ kind: 'delete', namespace: '', ids: ['x', '', 'y,z'] });
  });

  test('any changed column, namespace or index fails the checksum', () => {
    const row = encodeUpsert('faces', 'ns', batch);
    const flipped = new Uint8Array(row.vectors ?? []);
    flipped[0] = at(flipped, 0) ^ 1;
    const damaged: SegmentRow[] = [
      { ...row, vectors: flipped },
      { ...row, namespace: 'other' },
      { ...row, ids: 'abé😁' },
      { ...row, metadata: '{"k":"w"}' },
      { ...row, count: 2 },
    ];
    for (const variant of damaged) {
      const err = corruptionOf(variant);
      expect(isFacevaultError(err, 'FV_ERR_STORAGE_CORRUPT')).toBe(true);
    }
    expect(() => decodeSegment(row, { ...where, index: 'renamed' }, 2)).toThrow(/segment row 7 of index "renamed", namespace "ns": checksum/);
  });

  test('a row whose vectors do not fit the dimension is corrupt even with a good checksum', () => {
    const err = corruptionOf(encodeUpsert('faces', 'ns', { ...batch, vectors: new Float32Array(9) }));
    expect(isFacevaultError(err, 'FV_ERR_STORAGE_CORRUPT')).toBe(true);
  });

  test('refuses text with a lone surrogate and names it', () => {
    expect(() => encodeUpsert('faces', 'ns', { ...batch, ids: ['a', 'b\uD800', 'c'] })).toThrow('"b\\ud800"');
    // A pair split across two ids is stored and restored exactly.
    const split = encodeDelete('faces', 'ns', ['x\uD83D', '\uDE00y']);
    expect(decodeSegment(split, where, 2)).toEqual({ kind: 'delete', namespace: 'ns', ids: ['x\uD83D', '\uDE00y'] });
  });
});
