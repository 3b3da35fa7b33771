/**
 * The table that holds one index's records, and the SQL each metric needs.
 *
 *   (namespace text, id text, embedding vector(d), metadata jsonb), primary key (namespace, id)
 *
 * Text columns use the "C" collation, so ids sort by their UTF-8 bytes (the order `list` pages
 * in) and a prefix search is a range of the primary key. A GIN index on `metadata` answers
 * filters; the HNSW index exists once the index's engine is approximate (`hnswSql`).
 * Tables and their indexes are named after the catalog row's id (`i7_faces`, `i7_hnsw`), so a
 * recreated index never shares a table with a handle on its deleted namesake.
 */
import pg from 'pg';
import { fvError } from '../../errors.js';
import type { Engine, Metric } from '../../vector/types.js';

/** pgvector's limits: a `vector` column holds at most 16,000 dimensions, an HNSW index 2,000. */
const MAX_DIMENSION = 16_000;
const MAX_HNSW_DIMENSION = 2_000;
/** pgvector's HNSW build parameters: m 2-100, ef_construction 4-1,000 and at least 2 × m. */
const HNSW_M_MAX = 100;
const HNSW_EF_CONSTRUCTION = { min: 4, max: 1_000 } as const;

export interface MetricSql {
  /** pgvector's distance operator. */
  readonly operator: string;
  /** Operator class of the HNSW index for that operator. */
  readonly opclass: string;
  /** The match score (as the embedded engine reports it) from the operator's distance. */
  readonly score: (distance: number) => number;
}

/** https://github.com/pgvector/pgvector#querying: `<#>` is the negative inner product. */
export const METRIC_SQL: Readonly<Record<Metric, MetricSql>> = {
  cosine: { operator: '<=>', opclass: 'vector_cosine_ops', score: (distance) => 1 - distance },
  dotproduct: { operator: '<#>', opclass: 'vector_ip_ops', score: (distance) => -distance },
  euclidean: { operator: '<->', opclass: 'vector_l2_ops', score: (distance) => distance },
};

export interface IndexTable {
  /** Schema-qualified, quoted. */
  readonly table: string;
  /** Unqualified, quoted: PostgreSQL puts an index in its table's schema. */
  readonly hnswIndex: string;
  readonly metadataIndex: string;
}

export function indexTable(schema: string, name: string, id: string): IndexTable {
  return {
    table: `${pg.escapeIdentifier(schema)}.${pg.escapeIdentifier(`i${id}_${name}`)}`,
    hnswIndex: pg.escapeIdentifier(`i${id}_hnsw`),
    metadataIndex: pg.escapeIdentifier(`i${id}_metadata`),
  };
}

/**
 * Refuses what pgvector cannot hold, before anything is written (the shared validators allow more).
 * @throws FV_ERR_INDEX_CONFIG above 16,000 dimensions, above 2,000 with the approximate engine,
 *   or for HNSW parameters pgvector refuses (m over 100; efConstruction outside 4-1,000 or under 2 × m).
 */
export function checkPgvectorLimits(settings: { readonly dimension: number; readonly engine: Engine; readonly hnsw: { readonly m: number; readonly efConstruction: number } }): void {
  const { dimension, engine, hnsw } = settings;
  const maxDimension = engine === 'approximate' ? MAX_HNSW_DIMENSION : MAX_DIMENSION;
  if (dimension > maxDimension) {
    const what = engine === 'approximate' ? 'an HNSW index (engine "approximate")' : 'a vector column';
    throw limit('dimension', `${dimension} is over the ${maxDimension} that pgvector allows for ${what}`);
  }
  if (hnsw.m > HNSW_M_MAX) throw limit('hnsw.m', `${hnsw.m} is over the ${HNSW_M_MAX} that pgvector allows`);
  const minEf = Math.max(HNSW_EF_CONSTRUCTION.min, 2 * hnsw.m);
  if (hnsw.efConstruction < minEf || hnsw.efConstruction > HNSW_EF_CONSTRUCTION.max) {
    throw limit('hnsw.efConstruction', `${hnsw.efConstruction} is outside ${minEf}-${HNSW_EF_CONSTRUCTION.max}: pgvector needs 4-1,000 and at least 2 × m`);
  }
}

function limit(path: string, problem: string): Error {
  return fvError('FV_ERR_INDEX_CONFIG', `${path}: ${problem} in the PostgreSQL store`, { path });
}

export function createTableSql(t: IndexTable, dimension: number): string {
  return `
    CREATE TABLE ${t.table} (
      namespace text COLLATE "C" NOT NULL,
      id text COLLATE "C" NOT NULL,
      embedding vector(${dimension}) NOT NULL,
      metadata jsonb,
      PRIMARY KEY (namespace, id)
    );
    CREATE INDEX ${t.metadataIndex} ON ${t.table} USING gin (metadata)`;
}

/** The HNSW index of the approximate engine; a no-op where it exists. */
export function hnswSql(t: IndexTable, metric: Metric, m: number, efConstruction: number): string {
  return `CREATE INDEX IF NOT EXISTS ${t.hnswIndex} ON ${t.table} USING hnsw (embedding ${METRIC_SQL[metric].opclass}) WITH (m = ${m}, ef_construction = ${efConstruction})`;
}
