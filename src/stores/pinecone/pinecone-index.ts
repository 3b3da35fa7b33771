/**
 * One index of a Pinecone store: {@link StoreIndex} over the official client's data plane.
 *
 * Input is checked with the embedded engine's validators before anything is sent, so a bad
 * record, filter or topK gets the same typed error as on every other store.
 *
 * What Pinecone cannot promise, and this class therefore does not:
 * - An upsert over the 2 MB request limit (1,000 × 512 values is about 7 MB of JSON) goes as
 *   several requests; each is all or nothing, the batch is not. A failure says how many of the
 *   batch's records were written before it.
 * - `ifAbsent` is a fetch, then an upsert of the ids it did not find: two servers writing the
 *   same new record at once may both write it, and the later metadata wins.
 * - Serverless Pinecone is eventually consistent: a record just written may be missing from a
 *   query, fetch or list for a moment, and a deleted one may still be found.
 * - `exact` is honoured on a facevault server only (sent as its `X-Facevault-Exact` header);
 *   Pinecone searches approximately whatever the query says. `ef` has no Pinecone equivalent.
 */
import type { Index, PineconeRecord } from '@pinecone-database/pinecone';
import { fvError, isFacevaultError } from '../../errors.js';
import { compileFilter } from '../../vector/filter.js';
import { isPlainObject } from '../../vector/input-shape.js';
import type { MetadataFilter, RecordMetadata } from '../../vector/types.js';
import { validateId, validateIds, validateListOptions, validateNamespace, validateQuery, validateUpdate, validateUpsertBatch } from '../../vector/validate.js';
import type {
  DeleteOptions,
  IndexSpec,
  IndexStatistics,
  ListedRecord,
  ListOptions,
  ListPage,
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
import type { Connection } from './connection.js';
import type { Exchange } from './exchange.js';
import type { CallMeaning } from './store-errors.js';
import { wireFilter } from './wire-filter.js';
import { upsertRequests, wireValues } from './wire-records.js';
import { at } from '../../util/checked.js';
import { keyedByUser } from '../../util/keyed-by-user.js';

/** Pinecone's name for the default namespace in its namespace routes and listings; the interface's is ''. */
const WIRE_DEFAULT_NAMESPACE = '__default__';
/** Pinecone's largest page of namespaces. */
const NAMESPACE_PAGE = 100;

export class PineconeIndex<M extends RecordMetadata = RecordMetadata> implements StoreIndex<M> {
  /**
   * @internal PineconeStore.openIndex() makes these.
   * @param facevault the server is a facevault server, whose queries may choose `exact`.
   */
  constructor(
    private readonly connection: Connection,
    readonly spec: IndexSpec,
    private readonly index: Index<M>,
    private readonly facevault: boolean,
  ) {}

  async upsert(records: readonly RecordInput<M>[], options: UpsertOptions = {}): Promise<number> {
    const namespace = validateNamespace(options.namespace);
    const batch = validateUpsertBatch(records, this.spec.dimension, this.spec.metric);
    let rows = batch.ids.map((_, row) => row);
    if (options.ifAbsent) {
      const stored = await this.fetch(batch.ids, { namespace });
      rows = rows.filter((row) => !stored.has(at(batch.ids, row)));
    }
    let written = 0;
    for (const request of upsertRequests<M>(batch, rows, this.spec.dimension, namespace)) {
      try {
        await this.connection.call(this.meaning('upsert'), () => this.index.upsert({ records: request, namespace }));
      } catch (err) {
        throw written === 0 || !isFacevaultError(err)
          ? err
          : fvError(err.code, `${err.message} (the first ${written} of the batch's ${rows.length} records were written: a batch over 2 MB goes as several requests)`, { ...err.details, writtenRecords: written }, err);
      }
      written += request.length;
    }
    return written;
  }

  async query(query: StoreQuery): Promise<StoreMatch<M>[]> {
    const q = validateQuery(query, this.spec.dimension, this.spec.metric);
    const shared = {
      topK: q.topK,
      includeValues: q.includeValues,
      includeMetadata: q.includeMetadata,
      namespace: q.namespace,
      // validateQuery drops an empty filter; Pinecone refuses one.
      ...(q.filter === undefined ? {} : { filter: wireFilter(query.filter as MetadataFilter) }),
    };
    const exchange: Exchange = this.facevault && q.exact !== undefined ? { headers: { 'X-Facevault-Exact': String(q.exact) } } : {};
    const { matches } = await this.connection.call(
      this.meaning('query'),
      () => this.index.query(q.vector === undefined ? { ...shared, id: q.id as string } : { ...shared, vector: wireValues(q.vector) }),
      exchange,
    );
    return matches.map(({ id, score, values, metadata }) => ({
      id,
      score: score ?? 0,
      ...(q.includeValues && values ? { values: Float32Array.from(values) } : {}),
      ...(q.includeMetadata && metadata ? { metadata } : {}),
    }));
  }

  async fetch(ids: readonly string[], options: NamespaceOption = {}): Promise<Map<string, StoreRecord<M>>> {
    const wanted = validateIds(ids, 'ids');
    const namespace = validateNamespace(options.namespace);
    const { records } = await this.connection.call(this.meaning('fetch'), () => this.index.fetch({ ids: wanted, namespace }));
    const found = new Map<string, StoreRecord<M>>();
    for (const id of wanted) {
      const record = records[id];
      if (record) found.set(id, storeRecord(record));
    }
    return found;
  }

  /**
   * By filter, one update request of the server, which reports how many records matched. By id,
   * Pinecone answers 200 and changes nothing for an unknown id (and reports no count): a fetch
   * then tells whether the record exists.
   */
  async update(
    selector: UpdateSelector,
    change: { readonly values?: Float32Array | readonly number[]; readonly metadata?: Partial<M> },
    options: NamespaceOption & { readonly dryRun?: boolean } = {},
  ): Promise<number> {
    const namespace = validateNamespace(options.namespace);
    if (options.dryRun) return this.countSelected(selector, namespace);
    const u = validateUpdate({ ...selector, ...change, namespace }, this.spec.dimension, this.spec.metric);
    const exchange: Exchange = { readBody: true };
    const target = 'id' in selector ? { id: selector.id, ...(u.values ? { values: wireValues(u.values) } : {}) } : { filter: wireFilter(selector.filter) };
    await this.connection.call(this.meaning('update'), () => this.index.update({ ...target, ...(u.metadata ? { metadata: change.metadata } : {}), namespace }), exchange);
    const matched = matchedRecordsOf(exchange.response?.json);
    if (!('id' in selector)) return this.reported(matched, 'update');
    const count = matched ?? (await this.fetch([selector.id], { namespace })).size;
    if (count === 0) throw fvError('FV_ERR_RECORD_NOT_FOUND', `update: no record "${selector.id}" in namespace "${namespace}"`, { id: selector.id, namespace });
    return count;
  }

  /** What an update would change: the record when it exists, or the records matching the filter (the server's dry run). */
  private async countSelected(selector: UpdateSelector, namespace: string): Promise<number> {
    if ('id' in selector) return (await this.fetch([validateId(selector.id, 'id')], { namespace })).size;
    compileFilter(selector.filter);
    const exchange: Exchange = { readBody: true, body: { dryRun: true } };
    await this.connection.call(this.meaning('update'), () => this.index.update({ filter: wireFilter(selector.filter), namespace }), exchange);
    return this.reported(matchedRecordsOf(exchange.response?.json), 'update');
  }

  /**
   * Pinecone keeps no copy it would let anyone read back after a delete; there is no call to
   * rewrite its storage, so `purge` is the same delete, final as far as Pinecone's API goes
   * (how long its own storage holds the bytes is Pinecone's data-retention policy, which no
   * client can shorten).
   */
  async delete(selector: RecordSelector, options: DeleteOptions = {}): Promise<void> {
    const namespace = validateNamespace(options.namespace);
    const meaning = this.meaning('delete');
    if ('ids' in selector) {
      const ids = validateIds(selector.ids, 'ids');
      await this.connection.call(meaning, () => this.index.deleteMany({ ids, namespace }));
    } else if ('filter' in selector && !isEmptyFilter(selector.filter)) {
      compileFilter(selector.filter);
      await this.connection.call(meaning, () => this.index.deleteMany({ filter: wireFilter(selector.filter), namespace }));
    } else {
      // `{}` matches every record (as on every store); Pinecone refuses an empty filter.
      await this.connection.call(meaning, () => this.index.deleteAll({ namespace }));
    }
  }

  /**
   * Without a filter, Pinecone's id listing (by prefix, in id order), plus a fetch when metadata
   * or values are asked for. With one, Pinecone's fetch by metadata, which has no prefix: records
   * outside the prefix are dropped from its page, so a page may hold fewer than `limit`; each page
   * is in id order, and the pages are in the server's order (a facevault server's is id order).
   */
  async list(options: ListOptions = {}): Promise<ListPage<M>> {
    const { filter, includeMetadata = false, includeValues = false, ...paging } = options;
    const page = validateListOptions(paging);
    const more = (next: string | undefined) => (next ? { next } : {});
    if (filter !== undefined && !isEmptyFilter(filter)) {
      compileFilter(filter);
      const found = await this.connection.call(this.meaning('list'), () =>
        this.index.fetchByMetadata({ filter: wireFilter(filter), limit: page.limit, namespace: page.namespace, ...(page.paginationToken ? { paginationToken: page.paginationToken } : {}) }),
      );
      const records = Object.values(found.records)
        .filter((record) => record.id.startsWith(page.prefix))
        // A JSON object's keys do not keep their order in JavaScript (integer-like ids come first).
        .sort((a, b) => Buffer.compare(Buffer.from(a.id), Buffer.from(b.id)));
      return { records: records.map((record) => listed(storeRecord(record), includeMetadata, includeValues)), ...more(found.pagination?.next) };
    }
    const ids = await this.connection.call(this.meaning('list'), () =>
      this.index.listPaginated({ limit: page.limit, namespace: page.namespace, ...(page.prefix ? { prefix: page.prefix } : {}), ...(page.paginationToken ? { paginationToken: page.paginationToken } : {}) }),
    );
    const listedIds = (ids.vectors ?? []).flatMap((item) => (item.id === undefined ? [] : [item.id]));
    if ((!includeMetadata && !includeValues) || listedIds.length === 0) return { records: listedIds.map((id) => ({ id })), ...more(ids.pagination?.next) };
    const stored = await this.fetch(listedIds, { namespace: page.namespace });
    return {
      // A record deleted between the listing and the fetch is left out.
      records: listedIds.flatMap((id) => {
        const record = stored.get(id);
        return record ? [listed(record, includeMetadata, includeValues)] : [];
      }),
      ...more(ids.pagination?.next),
    };
  }

  /** Serverless Pinecone refuses a filter here (400, FV_ERR_INVALID_ARGUMENT); a facevault server counts the matching records. */
  async stats(options: { readonly filter?: MetadataFilter } = {}): Promise<IndexStatistics> {
    const filter = options.filter === undefined || isEmptyFilter(options.filter) ? undefined : options.filter;
    if (filter !== undefined) compileFilter(filter);
    const stats = await this.connection.call(this.meaning('stats'), () => this.index.describeIndexStats(filter === undefined ? undefined : { filter: wireFilter(filter) }));
    const namespaces = keyedByUser<number>();
    for (const [name, summary] of Object.entries(stats.namespaces ?? {})) {
      if (summary.recordCount > 0) namespaces[interfaceNamespace(name)] = summary.recordCount;
    }
    return {
      dimension: stats.dimension ?? this.spec.dimension,
      namespaces,
      // Summed here: Pinecone documents its total as the whole index's even under a filter.
      totalRecordCount: Object.values(namespaces).reduce((sum, count) => sum + count, 0),
      indexFullness: stats.indexFullness ?? 0,
    };
  }

  async namespaces(): Promise<NamespaceInfo[]> {
    const found: NamespaceInfo[] = [];
    let paginationToken: string | undefined;
    do {
      const page = await this.connection.call(this.meaning('namespaces'), () =>
        this.index.listNamespaces({ limit: NAMESPACE_PAGE, ...(paginationToken ? { paginationToken } : {}) }),
      );
      for (const { name, recordCount } of page.namespaces ?? []) {
        // Pinecone lists namespaces created empty too; the interface lists those that hold records.
        if (name !== undefined && recordCount !== undefined && recordCount > 0) found.push({ name: interfaceNamespace(name), recordCount });
      }
      paginationToken = page.pagination?.next;
    } while (paginationToken);
    return found.sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)));
  }

  async deleteNamespace(namespace: string): Promise<void> {
    const name = validateNamespace(namespace);
    await this.connection.call({ ...this.meaning('deleteNamespace'), notFound: 'FV_ERR_NAMESPACE_NOT_FOUND' }, () =>
      this.index.deleteNamespace(name === '' ? WIRE_DEFAULT_NAMESPACE : name),
    );
  }

  private meaning(operation: string): CallMeaning {
    // A data plane answers 404 when its index is gone.
    return { what: `${operation} on index "${this.spec.name}"`, notFound: 'FV_ERR_INDEX_NOT_FOUND' };
  }

  /** The count the server reported for an update by filter; API 2026-04 always reports one. */
  private reported(matched: number | undefined, operation: string): number {
    if (matched !== undefined) return matched;
    throw fvError('FV_ERR_STORE_UNAVAILABLE', `${operation} on index "${this.spec.name}": the server did not report matchedRecords; it speaks an API older than 2026-04`);
  }
}

function storeRecord<M extends RecordMetadata>(record: PineconeRecord<M>): StoreRecord<M> {
  return { id: record.id, values: Float32Array.from(record.values ?? []), ...(record.metadata ? { metadata: record.metadata } : {}) };
}

function listed<M extends RecordMetadata>(record: StoreRecord<M>, includeMetadata: boolean, includeValues: boolean): ListedRecord<M> {
  return {
    id: record.id,
    ...(includeValues ? { values: record.values } : {}),
    ...(includeMetadata && record.metadata ? { metadata: record.metadata } : {}),
  };
}

function matchedRecordsOf(json: unknown): number | undefined {
  return isPlainObject(json) && typeof json.matchedRecords === 'number' ? json.matchedRecords : undefined;
}

function isEmptyFilter(filter: unknown): boolean {
  return isPlainObject(filter) && Object.keys(filter).length === 0;
}

function interfaceNamespace(wire: string): string {
  return wire === WIRE_DEFAULT_NAMESPACE ? '' : wire;
}
