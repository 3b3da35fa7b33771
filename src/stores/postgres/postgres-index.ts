/**
 * One index of the PostgreSQL store: its records in its own table (index-table.ts).
 *
 * Every input goes through the validators the embedded engine uses, so the same bad input gets
 * the same coded error here. Each write is one statement (an upsert batch, an update or a delete
 * by filter), hence atomic, and visible to every server's next read once it resolves.
 */
import type pg from 'pg';
import { fvError } from '../../errors.js';
import { LIMITS, type RecordMetadata } from '../../vector/types.js';
import { validateIds, validateListOptions, validateNamespace, validateQuery, validateUpdate, validateUpsertBatch } from '../../vector/validate.js';
import type {
  DeleteOptions,
  IndexSpec,
  IndexStatistics,
  ListedRecord,
  ListOptions,
  ListPage,
  MetadataFilter,
  NamespaceInfo,
  NamespaceOption,
  RecordInput,
  RecordSelector,
  StoreIndex,
  StoreMatch,
  StoreQuery,
  StoreRecord,
  UpdateSelector,
  UpsertOptions,
} from '../vector-store.js';
import { decodeVector, encodeJsonbArray, encodeTextArray, encodeVector, encodeVectorArray } from './binary-codec.js';
import { filterSql, PackedTextParams, SqlParams } from './filter-sql.js';
import { METRIC_SQL, type IndexTable } from './index-table.js';
import { nearestCallSql, nearestSql } from './nearest-sql.js';
import { decodePageToken, encodePageToken } from './page-token.js';
import { storeError } from './pg-errors.js';
import { keyedByUser } from '../../util/keyed-by-user.js';

/** What an index handle needs of its store. */
export interface IndexContext {
  readonly pool: pg.Pool;
  /** The quoted schema name, for its functions. */
  readonly schema: string;
  /** The database's OID of pgvector's `vector`, for binary vector arrays. */
  readonly vectorOid: number;
  /** @throws FV_ERR_CLOSED once the store is closed */
  readonly assertOpen: () => void;
}

interface RecordRow {
  id: string;
  metadata?: RecordMetadata | null;
  values?: Buffer | null;
}

export class PostgresIndex<M extends RecordMetadata = RecordMetadata> implements StoreIndex<M> {
  constructor(
    private readonly context: IndexContext,
    readonly spec: IndexSpec,
    /** The catalog row's id: the default engine and efSearch are read by it at each query. */
    private readonly id: string,
    private readonly table: IndexTable,
  ) {}

  /** One INSERT … SELECT FROM unnest(…) of binary arrays: the whole batch or nothing. */
  upsert(records: readonly RecordInput<M>[], options: UpsertOptions = {}): Promise<number> {
    return this.run(async () => {
      const namespace = validateNamespace(options.namespace);
      const batch = validateUpsertBatch(records, this.spec.dimension, this.spec.metric);
      const onConflict = options.ifAbsent ? 'DO NOTHING' : 'DO UPDATE SET embedding = EXCLUDED.embedding, metadata = EXCLUDED.metadata';
      const { rowCount } = await this.context.pool.query(
        `INSERT INTO ${this.table.table} (namespace, id, embedding, metadata)
         SELECT $1, u.id, u.embedding, u.metadata FROM unnest($2::text[], $3::vector[], $4::jsonb[]) AS u(id, embedding, metadata)
         ON CONFLICT (namespace, id) ${onConflict}`,
        [namespace, encodeTextArray(batch.ids), encodeVectorArray(batch.vectors, this.spec.dimension, this.context.vectorOid), encodeJsonbArray(batch.metadataJson)],
      );
      return rowCount ?? 0;
    });
  }

  /**
   * Exact or approximate as nearest-sql.ts explains, in one call of the schema's nearest(),
   * which answers again exactly when an approximate search comes back short (the iterative scan
   * gave up at hnsw.max_scan_tuples), so topK come back whenever that many records match.
   * Nearest first; equal distances by id.
   */
  query(query: StoreQuery): Promise<StoreMatch<M>[]> {
    return this.run(async () => {
      const q = validateQuery(query, this.spec.dimension, this.spec.metric);
      const vector = q.vector ?? (await this.storedVector(q.namespace, q.id as string));
      if (vector === undefined) return []; // as Pinecone: a query by an unknown id matches nothing
      const args = new PackedTextParams(3);
      const options = { metric: this.spec.metric, topK: q.topK, includeValues: q.includeValues, includeMetadata: q.includeMetadata };
      const statement = nearestSql(this.table.table, q.filter === undefined ? options : { ...options, where: filterSql(query.filter as MetadataFilter, args) });
      const { rows } = await this.context.pool.query<RecordRow & { distance: number; exact: boolean }>(nearestCallSql(this.context.schema), [
        this.id,
        statement,
        q.exact ?? null,
        q.ef ?? null,
        q.topK,
        encodeVector(vector),
        q.namespace,
        encodeTextArray(args.values),
      ]);
      // An approximate answer that came back short is followed by the exact one (see nearest()).
      const answer = rows.some((row) => row.exact) ? rows.filter((row) => row.exact) : rows;
      const { score } = METRIC_SQL[this.spec.metric];
      answer.sort((a, b) => a.distance - b.distance || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      return answer.map((row) => ({ id: row.id, score: score(row.distance), ...this.payloadOf(row) }));
    });
  }

  fetch(ids: readonly string[], options: NamespaceOption = {}): Promise<Map<string, StoreRecord<M>>> {
    return this.run(async () => {
      const wanted = validateIds(ids, 'ids');
      const namespace = validateNamespace(options.namespace);
      const { rows } = await this.context.pool.query<RecordRow & { values: Buffer }>(
        `SELECT id, metadata, vector_send(embedding) AS values FROM ${this.table.table} WHERE namespace = $1 AND id = ANY($2::text[])`,
        [namespace, encodeTextArray(wanted)],
      );
      const byId = new Map(rows.map((row) => [row.id, row]));
      const found = new Map<string, StoreRecord<M>>();
      for (const id of wanted) {
        const row = byId.get(id);
        if (row !== undefined) found.set(id, { id, values: decodeVector(row.values), ...(row.metadata ? { metadata: row.metadata as M } : {}) });
      }
      return found;
    });
  }

  /**
   * One UPDATE: metadata merged with jsonb `||` by the schema's merge_metadata(), which refuses
   * (FV_ERR_METADATA, the whole statement undone) a result over the 40 KB limit.
   */
  update(
    selector: UpdateSelector,
    change: { readonly values?: Float32Array | readonly number[]; readonly metadata?: Partial<M> },
    options: NamespaceOption & { readonly dryRun?: boolean } = {},
  ): Promise<number> {
    return this.run(async () => {
      const u = validateUpdate({ ...selector, ...change, namespace: options.namespace }, this.spec.dimension, this.spec.metric);
      const params = new SqlParams([u.namespace]);
      const selected = u.id !== undefined ? `id = ${params.add(u.id)}` : filterSql((selector as { filter: MetadataFilter }).filter, params);
      if (options.dryRun) {
        const { rows } = await this.context.pool.query<{ count: string }>(`SELECT count(*) FROM ${this.table.table} WHERE namespace = $1 AND ${selected}`, params.values);
        return Number(rows[0]?.count ?? 0);
      }
      const assignments: string[] = [];
      if (u.values !== undefined) assignments.push(`embedding = ${params.add(encodeVector(u.values))}::vector`);
      if (u.metadata !== undefined) {
        assignments.push(`metadata = ${this.context.schema}.merge_metadata(metadata, ${params.add(u.metadata.json)}::jsonb, id, ${LIMITS.maxMetadataBytes})`);
      }
      const { rowCount } = await this.context.pool.query(`UPDATE ${this.table.table} SET ${assignments.join(', ')} WHERE namespace = $1 AND ${selected}`, params.values);
      if (u.id !== undefined && rowCount === 0) {
        throw fvError('FV_ERR_RECORD_NOT_FOUND', `No record with id "${u.id}" in namespace "${u.namespace}" to update`, { id: u.id, namespace: u.namespace });
      }
      return rowCount ?? 0;
    });
  }

  /**
   * With `purge`, the table is rewritten afterwards (VACUUM FULL): its files, and those of its
   * GIN and HNSW indexes, are replaced by copies without the deleted rows. That takes an
   * exclusive lock on the whole index (every namespace) until the rewrite and the rebuild of
   * its indexes end — seconds per 100K records, minutes with an HNSW index at millions — so it
   * is for erasure, not routine deletes. Rows that a transaction still running may see are
   * copied too, and the write-ahead log and backups keep the old rows until they are recycled.
   */
  delete(selector: RecordSelector, options: DeleteOptions = {}): Promise<void> {
    return this.run(async () => {
      const params = new SqlParams([validateNamespace(options.namespace)]);
      let selected = '';
      if ('ids' in selector) selected = ` AND id = ANY(${params.add(encodeTextArray(validateIds(selector.ids, 'ids')))}::text[])`;
      else if ('filter' in selector) selected = ` AND ${filterSql(selector.filter, params)}`;
      await this.context.pool.query(`DELETE FROM ${this.table.table} WHERE namespace = $1${selected}`, params.values);
      if (options.purge) await this.rewriteTable();
    });
  }

  list(options: ListOptions = {}): Promise<ListPage<M>> {
    return this.run(async () => {
      const { filter, includeMetadata, includeValues, ...paging } = options;
      const page = validateListOptions(Object.fromEntries(Object.entries(paging).filter(([, value]) => value !== undefined)));
      const params = new SqlParams([page.namespace]);
      const conditions = ['namespace = $1'];
      if (page.prefix !== '') conditions.push(`id LIKE ${params.add(likePrefix(page.prefix))}`);
      if (page.paginationToken !== undefined) conditions.push(`id > ${params.add(decodePageToken(page.paginationToken))}`);
      if (filter !== undefined) conditions.push(filterSql(filter, params));
      const columns = ['id', ...(includeMetadata ? ['metadata'] : []), ...(includeValues ? ['vector_send(embedding) AS values'] : [])];
      const { rows } = await this.context.pool.query<RecordRow>(
        `SELECT ${columns.join(', ')} FROM ${this.table.table} WHERE ${conditions.join(' AND ')} ORDER BY id LIMIT ${page.limit + 1}`,
        params.values,
      );
      const records: ListedRecord<M>[] = rows.slice(0, page.limit).map((row) => ({ id: row.id, ...this.payloadOf(row) }));
      const last = records[records.length - 1];
      return { records, ...(rows.length > page.limit && last !== undefined ? { next: encodePageToken(last.id) } : {}) };
    });
  }

  stats(options: { readonly filter?: MetadataFilter } = {}): Promise<IndexStatistics> {
    return this.run(async () => {
      const params = new SqlParams();
      const where = options.filter === undefined ? '' : `WHERE ${filterSql(options.filter, params)}`;
      const counts = await this.countByNamespace(where, params.values);
      const namespaces = keyedByUser<number>();
      let totalRecordCount = 0;
      for (const { name, recordCount } of counts) {
        namespaces[name] = recordCount;
        totalRecordCount += recordCount;
      }
      // PostgreSQL has no fixed capacity to be full of, as on Pinecone serverless.
      return { dimension: this.spec.dimension, namespaces, totalRecordCount, indexFullness: 0 };
    });
  }

  namespaces(): Promise<NamespaceInfo[]> {
    return this.run(() => this.countByNamespace('', []));
  }

  deleteNamespace(namespace: string): Promise<void> {
    return this.run(async () => {
      const name = validateNamespace(namespace);
      const { rowCount } = await this.context.pool.query(`DELETE FROM ${this.table.table} WHERE namespace = $1`, [name]);
      if (rowCount === 0) throw fvError('FV_ERR_NAMESPACE_NOT_FOUND', `Index "${this.spec.name}" has no namespace "${name}"`, { index: this.spec.name, namespace: name });
    });
  }

  private async countByNamespace(where: string, params: unknown[]): Promise<NamespaceInfo[]> {
    const { rows } = await this.context.pool.query<{ name: string; count: string }>(
      `SELECT namespace AS name, count(*) FROM ${this.table.table} ${where} GROUP BY namespace ORDER BY namespace`,
      params,
    );
    return rows.map((row) => ({ name: row.name, recordCount: Number(row.count) }));
  }

  private async storedVector(namespace: string, id: string): Promise<Float32Array | undefined> {
    const { rows } = await this.context.pool.query<{ values: Buffer }>(
      `SELECT vector_send(embedding) AS values FROM ${this.table.table} WHERE namespace = $1 AND id = $2`,
      [namespace, id],
    );
    return rows[0] === undefined ? undefined : decodeVector(rows[0].values);
  }

  /** VACUUM cannot run in a transaction, so its timeout is lifted on the session and restored after. */
  private async rewriteTable(): Promise<void> {
    const client = await this.context.pool.connect();
    let broken = false;
    try {
      await client.query('SET statement_timeout = 0');
      await client.query(`VACUUM FULL ${this.table.table}`);
    } finally {
      await client.query('RESET statement_timeout').catch(() => {
        broken = true;
      });
      client.release(broken);
    }
  }

  private payloadOf(row: RecordRow): { values?: Float32Array; metadata?: M } {
    return {
      ...(row.values ? { values: decodeVector(row.values) } : {}),
      ...(row.metadata ? { metadata: row.metadata as M } : {}),
    };
  }

  private async run<T>(work: () => Promise<T>): Promise<T> {
    this.context.assertOpen();
    try {
      return await work();
    } catch (err) {
      throw storeError(err, { index: this.spec.name });
    }
  }
}

/** A LIKE pattern matching what starts with `prefix` (its own % _ and \ escaped). */
function likePrefix(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, '\\$&')}%`;
}
