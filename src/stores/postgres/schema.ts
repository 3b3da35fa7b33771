/**
 * The PostgreSQL store's schema and its migrations, run on every open.
 *
 * Everything lives in one PostgreSQL schema (default `facevault`): `migrations` (the versions
 * applied), `indexes` (the catalog: one row per index) and one table per index (index-table.ts).
 * Opening runs the migrations this code knows and the database lacks, in one transaction under
 * an advisory lock, so that several servers starting at once neither race nor half-apply; a
 * database already migrated by a newer facevault is refused, since this code would misread it.
 * A migration is never edited once released: a change is a new migration.
 */
import pg from 'pg';
import { fvError } from '../../errors.js';
import { inTransaction } from './connection.js';
import { MAX_EF_SEARCH } from './nearest-sql.js';
import { INDEX_GONE, METADATA_TOO_LARGE } from './pg-errors.js';

interface Migration {
  readonly version: number;
  readonly description: string;
  /** Statements to run, given the quoted schema name. */
  readonly sql: (schema: string) => string;
}

const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'catalog of indexes, merge_metadata(), nearest()',
    sql: (s) => `
      CREATE TABLE ${s}.indexes (
        name text PRIMARY KEY,
        -- Names the index's table: a handle on a deleted index never reaches a new one of the same name.
        id bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
        dimension integer NOT NULL,
        metric text NOT NULL,
        engine text NOT NULL,
        hnsw_m integer NOT NULL,
        hnsw_ef_construction integer NOT NULL,
        hnsw_ef_search integer NOT NULL,
        deletion_protection boolean NOT NULL,
        tags jsonb NOT NULL,
        deployment jsonb,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp()
      );
      -- A metadata merge, refused (SQLSTATE ${METADATA_TOO_LARGE}) when the result outgrows the limit that each
      -- part met alone. Bytes are counted as JSON.stringify writes them, as the embedded engine does:
      -- jsonb's text puts a space after each ':' and ',' that compact JSON does not.
      CREATE FUNCTION ${s}.merge_metadata(stored jsonb, patch jsonb, record_id text, max_bytes integer)
      RETURNS jsonb LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $fn$
      DECLARE
        merged jsonb := coalesce(stored, '{}'::jsonb) || patch;
        bytes integer;
      BEGIN
        SELECT octet_length(merged::text) - count(*) - greatest(count(*) - 1, 0)
               - coalesce(sum(greatest(jsonb_array_length(value) - 1, 0)) FILTER (WHERE jsonb_typeof(value) = 'array'), 0)
          INTO bytes FROM jsonb_each(merged);
        IF bytes > max_bytes THEN
          RAISE EXCEPTION 'metadata of record % after the update is % bytes as JSON', record_id, bytes
            USING ERRCODE = '${METADATA_TOO_LARGE}', DETAIL = json_build_object('id', record_id, 'bytes', bytes)::text;
        END IF;
        RETURN merged;
      END $fn$;

      -- The planner and pgvector settings of one nearest-neighbour search, for the rest of the
      -- transaction (nearest-sql.ts explains them).
      CREATE FUNCTION ${s}.search_settings(exact boolean, ef integer, top_k integer)
      RETURNS void LANGUAGE plpgsql AS $fn$
      DECLARE
        scans text := CASE WHEN exact THEN 'off' ELSE 'on' END;
      BEGIN
        PERFORM set_config('enable_indexscan', scans, true), set_config('enable_indexonlyscan', scans, true),
          set_config('enable_bitmapscan', scans, true), set_config('hnsw.iterative_scan', 'relaxed_order', true),
          set_config('hnsw.ef_search', least(greatest(ef, top_k), ${MAX_EF_SEARCH})::text, true);
      END $fn$;

      CREATE TYPE ${s}.match AS (id text, distance double precision, metadata jsonb, "values" bytea, exact boolean);

      -- One nearest-neighbour query in one round trip: the index's default engine and efSearch
      -- (where the caller gives none) from the catalog, the settings, then \`statement\` (which
      -- reads $1 the vector, $2 the namespace, $3 further text values) planned under them; each
      -- row says whether it came from an exact search. An approximate answer with fewer than
      -- top_k rows is followed by the exact answer, which the caller keeps instead: a set-returning
      -- function cannot take back rows, and buffering every answer to check it cost more.
      CREATE FUNCTION ${s}.nearest(index_id bigint, statement text, exact boolean, ef integer, top_k integer, query vector, namespace text, args text[])
      RETURNS SETOF ${s}.match LANGUAGE plpgsql AS $fn$
      DECLARE
        use_exact boolean;
        width integer;
        returned integer;
      BEGIN
        SELECT coalesce(nearest.exact, i.engine = 'exact'), coalesce(nearest.ef, i.hnsw_ef_search) INTO use_exact, width
          FROM ${s}.indexes AS i WHERE i.id = index_id;
        IF NOT FOUND THEN
          RAISE EXCEPTION 'index % no longer exists', index_id USING ERRCODE = '${INDEX_GONE}';
        END IF;
        PERFORM ${s}.search_settings(use_exact, width, top_k);
        RETURN QUERY EXECUTE format('SELECT m.*, %L::boolean FROM (%s) AS m', use_exact, statement) USING query, namespace, args;
        GET DIAGNOSTICS returned = ROW_COUNT;
        IF use_exact OR returned = top_k THEN
          RETURN;
        END IF;
        PERFORM ${s}.search_settings(true, width, top_k);
        RETURN QUERY EXECUTE format('SELECT m.*, true FROM (%s) AS m', statement) USING query, namespace, args;
      END $fn$;
    `,
  },
];

/** The schema version this code reads and writes. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;

/**
 * One lock for every facevault schema of the cluster ('facevaul' in ASCII), because
 * CREATE EXTENSION and CREATE SCHEMA race across schemas too. Migrations are rare and short.
 */
const MIGRATION_LOCK = '7377010990413796716';

/** The quoted name of a schema. */
export function schemaIdentifier(schema: string): string {
  return pg.escapeIdentifier(schema);
}

/**
 * Brings the schema to {@link SCHEMA_VERSION}, creating it (and the pgvector extension) when missing.
 * A schema already at this version is only read, without lock or DDL, so a server can open a
 * read-only replica once the primary has been migrated.
 * @throws FV_ERR_STORAGE_VERSION when the database holds a newer schema version than this code knows.
 */
export async function migrate(pool: pg.Pool, schema: string): Promise<void> {
  const s = schemaIdentifier(schema);
  if (checkVersion(schema, await versionOf(pool, s)) === SCHEMA_VERSION) return;
  await inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(`
      CREATE EXTENSION IF NOT EXISTS vector;
      CREATE SCHEMA IF NOT EXISTS ${s};
      CREATE TABLE IF NOT EXISTS ${s}.migrations (
        version integer PRIMARY KEY,
        description text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
    // Read again under the lock: another server may have migrated meanwhile.
    const current = checkVersion(schema, await versionOf(client, s));
    for (const migration of MIGRATIONS) {
      if (migration.version <= current) continue;
      await client.query(migration.sql(s));
      await client.query(`INSERT INTO ${s}.migrations (version, description) VALUES ($1, $2)`, [migration.version, migration.description]);
    }
  });
}

/** The schema's version; 0 where it has no migrations table yet. */
async function versionOf(db: pg.Pool | pg.PoolClient, s: string): Promise<number> {
  const { rows } = await db.query<{ exists: boolean }>('SELECT to_regclass($1) IS NOT NULL AS exists', [`${s}.migrations`]);
  if (!rows[0]?.exists) return 0;
  const applied = await db.query<{ version: number }>(`SELECT coalesce(max(version), 0) AS version FROM ${s}.migrations`);
  return applied.rows[0]?.version ?? 0;
}

function checkVersion(schema: string, version: number): number {
  if (version <= SCHEMA_VERSION) return version;
  throw fvError(
    'FV_ERR_STORAGE_VERSION',
    `PostgreSQL schema "${schema}" is at version ${version}, newer than this facevault knows (${SCHEMA_VERSION}); upgrade facevault`,
    { schema, version, supported: SCHEMA_VERSION },
  );
}
