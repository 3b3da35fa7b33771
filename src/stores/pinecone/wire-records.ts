/**
 * Records as they travel to a Pinecone-compatible server: vectors as JSON numbers, and an upsert
 * batch cut into requests that each fit the 2 MB body limit.
 */
import type { PineconeRecord, RecordMetadata } from '@pinecone-database/pinecone';
import type { ValidatedBatch } from '../../vector/validate.js';
import { at } from '../../util/checked.js';

/**
 * Pinecone refuses an upsert body over 2 MB; a facevault server's default limit is 2 MiB. One
 * 1,000 × 512 batch is about 7 MB of JSON, so it goes as several requests.
 */
export const MAX_UPSERT_BODY_BYTES = 2_000_000;

/**
 * A float32 as the shortest-enough JSON number: 9 significant digits always read back as the same
 * float32, where the double's full expansion (`0.10000000149011612`) takes twice the bytes.
 * @example wireValues(Float32Array.of(0.1, -2)) // → [0.100000001, -2]
 */
export function wireValues(values: Float32Array): number[] {
  return wireVector(values).values;
}

/**
 * The wire values and a bound on their JSON bytes, commas included, counted as they are made:
 * measuring each record with JSON.stringify cost as much again as making them. JSON writes a
 * number no longer than its 9-digit form, except from 1e9 up, where it spells out up to 21 digits.
 */
function wireVector(values: Float32Array): { values: number[]; bytes: number } {
  const out = new Array<number>(values.length);
  let bytes = 2;
  values.forEach((value, i) => {
    const digits = value.toPrecision(9);
    const rounded = Number(digits);
    out[i] = rounded;
    bytes += Math.abs(rounded) < 1e9 ? digits.length + 1 : 24;
  });
  return { values: out, bytes };
}

/**
 * The records of `rows` (positions in the validated batch) as upsert requests, in batch order,
 * each under {@link MAX_UPSERT_BODY_BYTES} with its envelope. `M` is the caller's metadata type, which validation has checked.
 * @example upsertRequests(batch, [0, 1, 2], 2, 'ns').length // → 1 for small records
 */
export function upsertRequests<M extends RecordMetadata>(batch: ValidatedBatch, rows: readonly number[], dimension: number, namespace: string): PineconeRecord<M>[][] {
  // `{"vectors":[`, `],"namespace":…}` and a comma per record.
  const budget = MAX_UPSERT_BODY_BYTES - 64 - Buffer.byteLength(JSON.stringify(namespace));
  const requests: PineconeRecord<M>[][] = [];
  let current: PineconeRecord<M>[] = [];
  let bytes = 0;
  for (const row of rows) {
    const metadata = batch.metadata[row];
    const metadataJson = batch.metadataJson[row];
    const vector = wireVector(batch.vectors.subarray(row * dimension, (row + 1) * dimension));
    const record: PineconeRecord<M> = { id: at(batch.ids, row), values: vector.values, ...(metadata === undefined ? {} : { metadata: metadata as M }) };
    // `{"id":…,"values":…,"metadata":…},`; the metadata's JSON is the one validation made.
    const size = 32 + Buffer.byteLength(JSON.stringify(record.id)) + vector.bytes + (metadataJson === undefined ? 0 : Buffer.byteLength(metadataJson));
    if (current.length > 0 && bytes + size > budget) {
      requests.push(current);
      current = [];
      bytes = 0;
    }
    current.push(record);
    bytes += size;
  }
  if (current.length > 0) requests.push(current);
  return requests;
}
