/**
 * The PostgreSQL + pgvector {@link VectorStore}: every index a table in one schema of one
 * database, so any number of stateless facevault servers share the same indexes, records and
 * catalog. Nothing the servers must agree on lives in process memory: the catalog row, the
 * table's primary key and single statements decide (see catalog.ts and postgres-index.ts).
 *
 * Layout and operations: docs/scale-out.md ("PostgreSQL + pgvector").
 */
import type pg from 'pg';
import { fvError } from '../../errors.js';
import { ENGINES, type Engine, type RecordMetadata } from '../../vector/types.js';
import { validateConfigureIndex, validateCreateIndex } from '../../vector/validate.js';
import { ensureIndexOf, type IndexChanges, type IndexInfo, type IndexSettings, type IndexSpec, type StoreIndex, type VectorStore } from '../vector-store.js';
import { Catalog } from './catalog.js';
import { createPool } from './connection.js';
import { checkPgvectorLimits } from './index-table.js';
import { PostgresIndex, type IndexContext } from './postgres-index.js';
import { storeError } from './pg-errors.js';
import { migrate, schemaIdentifier } from './schema.js';

export interface PostgresStoreOptions {
  /**
   * Connections this store keeps open at most (default 10). Every server's pool counts against
   * the database's `max_connections`; a query holds one connection for its duration.
   */
  readonly poolSize?: number;
  /** Longest a statement may run before the server cancels it, with FV_ERR_STORE_UNAVAILABLE (default 60,000 ms; 0: no limit). HNSW builds and purges are exempt. */
  readonly statementTimeoutMs?: number;
  /** The PostgreSQL schema holding the catalog and the index tables (default 'facevault'), so several deployments can share a database. */
  readonly schema?: string;
  /** How queries that do not say `exact` search the indexes created without an engine (default 'approximate'). */
  readonly defaultEngine?: Engine;
}

const DEFAULTS = { poolSize: 10, statementTimeoutMs: 60_000, schema: 'facevault', defaultEngine: 'approximate' } as const;
/** Unquoted lowercase identifiers only, so the schema is named the same in SQL and in psql. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
const MAX_POOL_SIZE = 1_000;

/**
 * Connects to PostgreSQL, migrates the facevault schema (creating it, and the pgvector
 * extension, when missing) and returns the store.
 * @example const store = await openPostgresStore('postgres://facevault@db:5432/faces', { poolSize: 20 }); store.kind // → 'postgres'
 * @throws FV_ERR_INVALID_ARGUMENT for a URL that is not postgres:// or postgresql://, or a bad option;
 *   FV_ERR_STORE_UNAVAILABLE when the server cannot be reached or refuses the login;
 *   FV_ERR_STORAGE_VERSION when the schema was migrated by a newer facevault.
 */
export async function openPostgresStore(url: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
  const settings = validateOptions(url, options);
  const pool = createPool({ url, size: settings.poolSize, statementTimeoutMs: settings.statementTimeoutMs });
  try {
    await migrate(pool, settings.schema);
    const { rows } = await pool.query<{ oid: string }>(`SELECT 'vector'::regtype::oid::text AS oid`);
    return new PostgresStore(pool, settings.schema, Number(rows[0]?.oid), settings.defaultEngine);
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw storeError(err);
  }
}

function validateOptions(url: string, options: PostgresStoreOptions): Required<PostgresStoreOptions> {
  if (typeof url !== 'string' || !/^postgres(?:ql)?:\/\//i.test(url) || !URL.canParse(url)) {
    // The URL is not echoed: it may hold a password.
    throw fvError('FV_ERR_INVALID_ARGUMENT', 'store: expects a PostgreSQL URL, postgres://user:password@host:port/database (or postgresql://)', { path: 'store' });
  }
  const { poolSize = DEFAULTS.poolSize, statementTimeoutMs = DEFAULTS.statementTimeoutMs, schema = DEFAULTS.schema, defaultEngine = DEFAULTS.defaultEngine } = options;
  if (!Number.isInteger(poolSize) || poolSize < 1 || poolSize > MAX_POOL_SIZE) throw badOption('poolSize', `expects an integer from 1 to ${MAX_POOL_SIZE}, got ${String(poolSize)}`);
  if (!Number.isInteger(statementTimeoutMs) || statementTimeoutMs < 0) throw badOption('statementTimeoutMs', `expects an integer of milliseconds ≥ 0, got ${String(statementTimeoutMs)}`);
  if (typeof schema !== 'string' || !SCHEMA_NAME.test(schema)) throw badOption('schema', `expects a lowercase SQL identifier (a-z, 0-9, _), got ${JSON.stringify(schema)}`);
  if (!ENGINES.includes(defaultEngine)) throw badOption('defaultEngine', `got ${JSON.stringify(defaultEngine)}; allowed: ${ENGINES.join(', ')}`);
  return { poolSize, statementTimeoutMs, schema, defaultEngine };
}

function badOption(path: string, problem: string): Error {
  return fvError('FV_ERR_INVALID_ARGUMENT', `${path}: ${problem}`, { path });
}

export class PostgresStore implements VectorStore {
  readonly kind = 'postgres';
  private closed = false;
  private readonly catalog: Catalog;
  private readonly context: IndexContext;

  /** @internal use openPostgresStore() */
  constructor(
    private readonly pool: pg.Pool,
    /** The PostgreSQL schema of this store's tables. */
    readonly schema: string,
    vectorOid: number,
    private readonly defaultEngine: Engine,
  ) {
    this.catalog = new Catalog(pool, schema);
    this.context = { pool, schema: schemaIdentifier(schema), vectorOid, assertOpen: () => this.assertOpen() };
  }

  /** Creates the index's catalog row and table in one transaction (see Catalog.create for the race). */
  createIndex(settings: IndexSettings): Promise<{ created: boolean; index: IndexInfo }> {
    return this.run(async () => {
      const validated = validateCreateIndex({ ...settings, engine: settings.engine ?? this.defaultEngine });
      checkPgvectorLimits(validated);
      const { created, entry } = await this.catalog.create(validated);
      return { created, index: entry.info };
    });
  }

  ensureIndex<M extends RecordMetadata = RecordMetadata>(spec: IndexSpec): Promise<StoreIndex<M>> {
    return ensureIndexOf<M>(this, spec);
  }

  openIndex<M extends RecordMetadata = RecordMetadata>(name: string): Promise<StoreIndex<M>> {
    return this.run(async () => {
      const { info, id, table } = await this.catalog.get(name);
      return new PostgresIndex<M>(this.context, { name: info.name, dimension: info.dimension, metric: info.metric }, id, table);
    });
  }

  describeIndex(name: string): Promise<IndexInfo> {
    return this.run(async () => (await this.catalog.get(name)).info);
  }

  /** Setting the engine to approximate builds the HNSW index before this resolves (see Catalog.configure). */
  configureIndex(name: string, changes: IndexChanges): Promise<IndexInfo> {
    return this.run(async () => {
      const { efSearch, ...rest } = changes;
      const validated = validateConfigureIndex(definedOnly({ ...rest, ...(efSearch === undefined ? {} : { hnsw: { efSearch } }) }));
      return (await this.catalog.configure(name, validated)).info;
    });
  }

  listIndexes(): Promise<IndexInfo[]> {
    return this.run(async () => (await this.catalog.list()).map((entry) => entry.info));
  }

  deleteIndex(name: string): Promise<void> {
    return this.run(() => this.catalog.delete(name));
  }

  /** Waits for the connections in use to be returned, then closes them all. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  private assertOpen(): void {
    if (this.closed) throw fvError('FV_ERR_CLOSED', `PostgreSQL store (schema "${this.schema}") is closed`, { schema: this.schema });
  }

  private async run<T>(work: () => Promise<T>): Promise<T> {
    this.assertOpen();
    try {
      return await work();
    } catch (err) {
      throw storeError(err);
    }
  }
}

/** The shared validators refuse option keys they do not know even when their value is undefined. */
function definedOnly<T extends object>(options: T): T {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as T;
}
