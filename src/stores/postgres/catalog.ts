/**
 * The catalog of indexes (table `indexes`): create, read, configure and delete an index and its
 * table together, each in one transaction, so that every server sees the same indexes and a
 * failure leaves no half-made one.
 */
import type pg from 'pg';
import { fvError } from '../../errors.js';
import type { ValidatedCreateIndex } from '../../vector/validate.js';
import type { ConfigureIndexOptions, Engine, Metric } from '../../vector/types.js';
import type { IndexInfo } from '../vector-store.js';
import { inTransaction } from './connection.js';
import { checkPgvectorLimits, createTableSql, hnswSql, indexTable, type IndexTable } from './index-table.js';
import { schemaIdentifier } from './schema.js';

/** An index as the catalog holds it: what callers see, and where its records live. */
export interface CatalogEntry {
  readonly info: IndexInfo;
  /** The catalog row's id, which names the index's table. */
  readonly id: string;
  readonly table: IndexTable;
}

interface CatalogRow {
  name: string;
  id: string;
  dimension: number;
  metric: Metric;
  engine: Engine;
  hnsw_m: number;
  hnsw_ef_construction: number;
  hnsw_ef_search: number;
  deletion_protection: boolean;
  tags: Record<string, string>;
  deployment: Record<string, unknown> | null;
  created_at: Date;
}

const COLUMNS = 'name, id, dimension, metric, engine, hnsw_m, hnsw_ef_construction, hnsw_ef_search, deletion_protection, tags, deployment, created_at';

/**
 * A name that another caller deletes between our failed insert and our read is created again;
 * losing that race more than a few times in a row means something is wrong.
 */
const CREATE_ATTEMPTS = 3;

export class Catalog {
  /** Quoted name of the catalog table. */
  private readonly table: string;

  constructor(
    private readonly pool: pg.Pool,
    private readonly schema: string,
  ) {
    this.table = `${schemaIdentifier(schema)}.indexes`;
  }

  /**
   * Inserts the catalog row and creates the table in one transaction. When several callers
   * (or servers) create one name at once, the primary key makes all but one wait and then find
   * the winner's row: exactly one gets `created: true`, and none fails.
   */
  async create(settings: ValidatedCreateIndex): Promise<{ created: boolean; entry: CatalogEntry }> {
    for (let attempt = 1; ; attempt++) {
      const outcome = await inTransaction(this.pool, async (client) => {
        const { hnsw } = settings;
        const inserted = await client.query<CatalogRow>(
          `INSERT INTO ${this.table} (name, dimension, metric, engine, hnsw_m, hnsw_ef_construction, hnsw_ef_search, deletion_protection, tags, deployment)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
           ON CONFLICT (name) DO NOTHING RETURNING ${COLUMNS}`,
          [settings.name, settings.dimension, settings.metric, settings.engine, hnsw.m, hnsw.efConstruction, hnsw.efSearch, settings.deletionProtection === 'enabled', settings.tags, settings.deployment ?? null],
        );
        const row = inserted.rows[0];
        if (row === undefined) {
          const existing = await client.query<CatalogRow>(`SELECT ${COLUMNS} FROM ${this.table} WHERE name = $1`, [settings.name]);
          return existing.rows[0] === undefined ? undefined : { created: false, entry: this.entryOf(existing.rows[0]) };
        }
        const entry = this.entryOf(row);
        await client.query(createTableSql(entry.table, settings.dimension));
        if (settings.engine === 'approximate') await client.query(hnswSql(entry.table, settings.metric, hnsw.m, hnsw.efConstruction));
        return { created: true, entry };
      });
      if (outcome !== undefined) return outcome;
      if (attempt === CREATE_ATTEMPTS) throw fvError('FV_ERR_INTERNAL', `index "${settings.name}" was deleted and created again while being created; retry`, { name: settings.name });
    }
  }

  /** @throws FV_ERR_INDEX_NOT_FOUND */
  async get(name: string): Promise<CatalogEntry> {
    const { rows } = await this.pool.query<CatalogRow>(`SELECT ${COLUMNS} FROM ${this.table} WHERE name = $1`, [name]);
    return this.entryOf(rows[0] ?? notFound(name));
  }

  async list(): Promise<CatalogEntry[]> {
    const { rows } = await this.pool.query<CatalogRow>(`SELECT ${COLUMNS} FROM ${this.table} ORDER BY name COLLATE "C"`);
    return rows.map((row) => this.entryOf(row));
  }

  /**
   * Applies validated changes in one statement, so concurrent changes to different tags both
   * land. Switching the engine to approximate builds the HNSW index in the same transaction:
   * writes to that index wait for the build (minutes at millions of records), reads do not.
   * @throws FV_ERR_INDEX_NOT_FOUND; FV_ERR_INDEX_CONFIG when pgvector cannot index the dimension
   */
  async configure(name: string, changes: ConfigureIndexOptions): Promise<CatalogEntry> {
    return inTransaction(this.pool, async (client) => {
      const { rows } = await client.query<CatalogRow>(
        `UPDATE ${this.table} SET
           deletion_protection = coalesce($2, deletion_protection),
           engine = coalesce($3, engine),
           -- Pinecone's rule: a tag set to '' is removed.
           tags = CASE WHEN $4::jsonb IS NULL THEN tags
                  ELSE (SELECT coalesce(jsonb_object_agg(key, value), '{}'::jsonb) FROM jsonb_each(tags || $4::jsonb) WHERE value <> '""'::jsonb) END,
           hnsw_ef_search = coalesce($5, hnsw_ef_search),
           deployment = coalesce($6, deployment)
         WHERE name = $1 RETURNING ${COLUMNS}`,
        [
          name,
          changes.deletionProtection === undefined ? null : changes.deletionProtection === 'enabled',
          changes.engine ?? null,
          changes.tags ?? null,
          changes.hnsw?.efSearch ?? null,
          changes.deployment ?? null,
        ],
      );
      const entry = this.entryOf(rows[0] ?? notFound(name));
      if (changes.engine === 'approximate') {
        const { dimension, metric, hnsw } = entry.info;
        checkPgvectorLimits({ dimension, engine: 'approximate', hnsw });
        // A build outlasts any sensible statement timeout; it ends with this transaction.
        await client.query('SET LOCAL statement_timeout = 0');
        await client.query(hnswSql(entry.table, metric, hnsw.m, hnsw.efConstruction));
      }
      return entry;
    });
  }

  /** Deletes the catalog row and drops the table together. @throws FV_ERR_INDEX_NOT_FOUND, FV_ERR_DELETION_PROTECTED */
  async delete(name: string): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      const { rows } = await client.query<CatalogRow>(`SELECT ${COLUMNS} FROM ${this.table} WHERE name = $1 FOR UPDATE`, [name]);
      const entry = this.entryOf(rows[0] ?? notFound(name));
      if (entry.info.deletionProtection === 'enabled') {
        throw fvError('FV_ERR_DELETION_PROTECTED', `Index "${name}" has deletion protection enabled; disable it with configureIndex first`, { name });
      }
      await client.query(`DELETE FROM ${this.table} WHERE name = $1`, [name]);
      await client.query(`DROP TABLE IF EXISTS ${entry.table.table}`);
    });
  }

  private entryOf(row: CatalogRow): CatalogEntry {
    const info: IndexInfo = {
      name: row.name,
      dimension: row.dimension,
      metric: row.metric,
      engine: row.engine,
      hnsw: { m: row.hnsw_m, efConstruction: row.hnsw_ef_construction, efSearch: row.hnsw_ef_search },
      deletionProtection: row.deletion_protection ? 'enabled' : 'disabled',
      tags: row.tags,
      ...(row.deployment === null ? {} : { deployment: row.deployment }),
      createdAt: row.created_at.toISOString(),
    };
    return { info, id: row.id, table: indexTable(this.schema, row.name, row.id) };
  }
}

function notFound(name: string): never {
  throw fvError('FV_ERR_INDEX_NOT_FOUND', `No index named "${name}"`, { name });
}
