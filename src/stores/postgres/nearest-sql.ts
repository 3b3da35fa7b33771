/**
 * The SQL of a nearest-neighbour query, run by the schema's `nearest()` function (schema.ts)
 * under the settings that decide between an exact scan and the HNSW index.
 *
 * Exact (k-NN): index, index-only and bitmap scans are switched off for the transaction, so the
 * planner has nothing but a (possibly parallel) sequential scan that computes every distance;
 * a test reads the plan. Approximate (ANN): the planner may use the HNSW index, searched with
 * `hnsw.ef_search` = max(ef, topK) and pgvector 0.8's iterative scan, which keeps searching the
 * graph while the namespace and filter conditions reject candidates, so a filtered query still
 * returns topK rows when enough match. `relaxed_order` lets that scan return rows slightly out
 * of order (the same rows as strict order, faster); the caller sorts the topK rows it gets.
 * (For a selective filter the planner may prefer the GIN index and a sort: an exact answer,
 * and the faster one.)
 *
 * Why a server-side function: settings must precede the planning of the statement, and `SET
 * LOCAL` needs a transaction — BEGIN, SET, the query and COMMIT are four round trips where plain
 * SQL on a session with its settings takes one. Measured on this machine (loaded): 4.1-4.6 ms
 * against 1.26 ms for an HNSW top-10; the function, one round trip, 1.41 ms. Its EXECUTE plans
 * the statement after the settings, which last until the end of the call's own transaction, so a
 * pooled connection (or a transaction-mode pooler) carries nothing over to the next caller.
 */
import type { Metric } from '../../vector/types.js';
import { METRIC_SQL } from './index-table.js';

/** pgvector's largest `hnsw.ef_search`. */
export const MAX_EF_SEARCH = 1_000;

export interface NearestOptions {
  readonly metric: Metric;
  readonly topK: number;
  /** An extra condition on the records (the filter), reading its values from $3 (a text[]). */
  readonly where?: string;
  readonly includeValues: boolean;
  readonly includeMetadata: boolean;
}

/**
 * The topK records of namespace $2 nearest to vector $1 (in no promised order), as the schema's
 * `match` type but its last column (nearest() adds `exact`): id, distance, metadata, values (from
 * `vector_send()`), the last two NULL unless asked for. `ORDER BY` the distance expression itself,
 * so an HNSW index can serve it.
 */
export function nearestSql(table: string, options: NearestOptions): string {
  const { operator } = METRIC_SQL[options.metric];
  const metadata = options.includeMetadata ? 'metadata' : 'NULL::jsonb';
  const values = options.includeValues ? 'vector_send(embedding)' : 'NULL::bytea';
  return `SELECT id, embedding ${operator} $1::vector AS distance, ${metadata} AS metadata, ${values} AS values FROM ${table}
    WHERE namespace = $2::text${options.where === undefined ? '' : ` AND ${options.where}`}
    ORDER BY embedding ${operator} $1::vector LIMIT ${options.topK}`;
}

/**
 * The call of the schema's `nearest()`: $1 the catalog id of the index, $2 the statement of
 * {@link nearestSql}, $3 exact (NULL: the index's engine), $4 ef (NULL: its efSearch), $5 topK,
 * $6 the vector, $7 the namespace, $8 the filter's values.
 */
export function nearestCallSql(schema: string): string {
  return `SELECT * FROM ${schema}.nearest($1, $2, $3, $4, $5, $6::vector, $7, $8::text[])`;
}
