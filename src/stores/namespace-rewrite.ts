/**
 * Rewrites a namespace of the embedded database so that nothing of its deleted records is left
 * in the data files: the erase behind `delete(..., { purge: true })`.
 *
 * Why a rewrite: the embedded engine keeps a deleted record's bytes in its segment log until it
 * compacts the namespace (only once dead versions outnumber live ones, and at least 10,000) and
 * in its HNSW graph snapshots, where deletes are only masked; neither is reachable through the
 * public `VectorIndex` API. Deleting the whole namespace is: it removes the namespace's rows
 * (SQLite `secure_delete` zeroes the freed pages) and its graph files. So the live records are
 * copied to a staging namespace, the namespace is deleted, and the copy is moved back.
 *
 * Crash safety: the staging copy is marked complete only after every record is in it, and the
 * original is deleted only after that. `recoverRewrites` (run when the store opens) finishes a
 * rewrite whose copy is complete and discards one whose copy is not, so no crash loses a record.
 * Cost: the namespace's records are read and written twice and its graph is rebuilt from
 * scratch in the background (approximate queries scan the not-yet-built part exactly).
 */
import { createHash } from 'node:crypto';
import type { VectorIndex } from '../vector/vector-index.js';
import type { RecordMetadata, VectorRecord } from '../vector/types.js';
import { MAX_BATCH, MAX_LIST_PAGE } from './vector-store.js';

/** Reserved namespace prefix of staging copies; the store hides such namespaces from its callers. */
export const STAGING_PREFIX = '\u0001facevault-rewrite\u0001';
/** The record that marks a staging copy complete; its metadata names the namespace it belongs to. Exported for the recovery tests. */
export const COMPLETE_MARKER_ID = '\u0001complete';

export function isStagingNamespace(namespace: string): boolean {
  return namespace.startsWith(STAGING_PREFIX);
}

/** A namespace may be 512 bytes long: the staging name carries a hash of it, the marker its full name. */
function stagingNamespace(namespace: string): string {
  return STAGING_PREFIX + createHash('sha256').update(namespace).digest('hex').slice(0, 32);
}

/** Rewrites `namespace` of `index` with exactly its live records. The caller keeps other operations on it out meanwhile. */
export async function rewriteNamespace(index: VectorIndex, namespace: string, dimension: number): Promise<void> {
  const staging = stagingNamespace(namespace);
  await index.deleteAll({ namespace: staging });
  const count = await copyRecords(index, namespace, staging);
  if (count === 0) {
    // Nothing live is left: deleting the namespace is the whole rewrite.
    await index.deleteAll({ namespace });
    return;
  }
  await index.upsert({ namespace: staging, records: [{ id: COMPLETE_MARKER_ID, values: markerVector(dimension), metadata: { namespace } }] });
  await moveBack(index, staging, namespace);
}

/** Finishes or discards the rewrites a crash interrupted. Run before anything else uses the index. */
export async function recoverRewrites(index: VectorIndex): Promise<void> {
  const { namespaces } = await index.listNamespaces();
  for (const { name } of namespaces.filter((ns) => isStagingNamespace(ns.name))) {
    const marker = (await index.fetch({ ids: [COMPLETE_MARKER_ID], namespace: name })).records[COMPLETE_MARKER_ID];
    const original = marker?.metadata?.namespace;
    if (typeof original === 'string') await moveBack(index, name, original);
    else await index.deleteAll({ namespace: name });
  }
}

/** Replaces `namespace` by the complete copy in `staging`, then deletes the copy. Safe to repeat. */
async function moveBack(index: VectorIndex, staging: string, namespace: string): Promise<void> {
  await index.deleteAll({ namespace });
  await copyRecords(index, staging, namespace);
  await index.deleteAll({ namespace: staging });
}

/** Copies every record of `from` except the completion marker into `to`; returns how many. */
async function copyRecords(index: VectorIndex, from: string, to: string): Promise<number> {
  let copied = 0;
  let batch: VectorRecord[] = [];
  let paginationToken: string | undefined;
  do {
    const page = await index.listPaginated({ namespace: from, limit: MAX_LIST_PAGE, paginationToken });
    const ids = page.vectors.map((v) => v.id).filter((id) => id !== COMPLETE_MARKER_ID);
    if (ids.length > 0) {
      const { records } = await index.fetch({ ids, namespace: from });
      for (const id of ids) {
        const record = records[id];
        if (!record) continue;
        batch.push({ id, values: Float32Array.from(record.values), ...(record.metadata ? { metadata: record.metadata as RecordMetadata } : {}) });
      }
    }
    if (batch.length >= MAX_BATCH - MAX_LIST_PAGE || (page.pagination === undefined && batch.length > 0)) {
      await index.upsert({ namespace: to, records: batch });
      copied += batch.length;
      batch = [];
    }
    paginationToken = page.pagination?.next;
  } while (paginationToken !== undefined);
  return copied;
}

/** Any valid vector will do (the marker is never queried); a unit vector is valid under every metric. */
function markerVector(dimension: number): Float32Array {
  const vector = new Float32Array(dimension);
  vector[0] = 1;
  return vector;
}
