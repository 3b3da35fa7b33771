/**
 * The SQL of a nearest-neighbour query: the transaction's settings, which decide between an
 * exact scan and the HNSW index, and the statement itself.
 *
 * Exact (k-NN): index, index-only and bitmap scans are switched off for the transaction, so the
 * planner has nothing but a (possibly parallel) sequential scan that computes every distance;
 * a test reads the plan. Approximate (ANN): the planner may use the HNSW index, searched with
 * `hnsw.ef_search` = max(ef, topK) and pgvector 0.8's iterative scan, which keeps searching the
 * graph while the namespace and filter conditions reject candidates, so a filtered query still
 * returns topK rows when enough match. `relaxed_order` lets that scan return rows slightly out
 * of order, hence the outer ORDER BY. (For a selective filter the planner may prefer the GIN
 * index and a sort: an exact answer, and the faster one.)
 */
import type { Metric } from '../../vector/types.js';
import { METRIC_SQL } from './index-table.js';

/** pgvector's largest `hnsw.ef_search`. */
export const MAX_EF_SEARCH = 1_000;

const PLANNER_SWITCHES = ['enable_indexscan', 'enable_indexonlyscan', 'enable_bitmapscan'] as const;

/**
 * Opens the query's transaction and sets it up in one round trip, reading the index's default
 * engine and efSearch from the catalog where the query gives none. Returns one row,
 * `{ exact: boolean }`, or none when the index no longer exists.
 * `exact`, `ef` and `topK` are validated values (a boolean and integers), `indexId` the catalog's
 * own bigint: nothing a caller wrote reaches this SQL text.
 */
export function beginQuerySql(catalogTable: string, indexId: string, exact: boolean | undefined, ef: number | undefined, topK: number): string {
  const exactSetting = (name: string) => `set_config('${name}', CASE WHEN q.exact THEN 'off' ELSE 'on' END, true)`;
  return `BEGIN;
    SELECT q.exact, ${PLANNER_SWITCHES.map(exactSetting).join(', ')},
      set_config('hnsw.ef_search', least(greatest(q.ef, ${topK}), ${MAX_EF_SEARCH})::text, true),
      set_config('hnsw.iterative_scan', 'relaxed_order', true)
    FROM (SELECT coalesce(${exact ?? 'NULL'}::boolean, engine = 'exact') AS exact, coalesce(${ef ?? 'NULL'}::integer, hnsw_ef_search) AS ef
          FROM ${catalogTable} WHERE id = ${BigInt(indexId)}) AS q`;
}

/** Switches the rest of the transaction to exact scans: the retry of an approximate query that came back short. */
export const EXACT_SCAN_SQL = PLANNER_SWITCHES.map((name) => `SET LOCAL ${name} = off`).join('; ');

export interface NearestOptions {
  readonly metric: Metric;
  readonly topK: number;
  /** An extra condition on the records (the filter), already with its parameters. */
  readonly where?: string;
  readonly includeValues: boolean;
  readonly includeMetadata: boolean;
}

/**
 * The topK records of namespace $2 nearest to vector $1, nearest first (ties by id), as
 * `id, distance[, metadata][, values]` with `values` from `vector_send()`.
 */
export function nearestSql(table: string, options: NearestOptions): string {
  const { operator } = METRIC_SQL[options.metric];
  const columns = ['id', `embedding ${operator} $1::vector AS distance`];
  if (options.includeMetadata) columns.push('metadata');
  if (options.includeValues) columns.push('vector_send(embedding) AS values');
  return `
    WITH nearest AS MATERIALIZED (
      SELECT ${columns.join(', ')} FROM ${table}
      WHERE namespace = $2${options.where === undefined ? '' : ` AND ${options.where}`}
      ORDER BY embedding ${operator} $1::vector LIMIT ${options.topK}
    )
    SELECT * FROM nearest ORDER BY distance, id`;
}
