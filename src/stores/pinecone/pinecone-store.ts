/**
 * The Pinecone {@link VectorStore}: Pinecone's cloud, or any server that speaks its REST API (a
 * facevault server, Pinecone Local), through the official client `@pinecone-database/pinecone`.
 * It keeps nothing in process memory that several servers must agree on, so any number of
 * stateless facevault servers can share one Pinecone project.
 *
 * Engines: Pinecone searches approximately and has no setting for it, so its indexes report
 * `engine: 'approximate'` and refuse 'exact' as a default. A facevault server reports its own
 * `engine` in every index model; against one, this store passes the engine at creation and
 * configuration (its `engine` body field) and a query's `exact` (its `X-Facevault-Exact` header).
 * Tags are sent and reported exactly as they are: the engine never rides in a tag.
 *
 * What Pinecone gives no equivalent of: HNSW parameters (reported as 0, "not known"; `efSearch`
 * cannot be configured) and a creation time (reported as ''). See `PineconeIndex` for the limits
 * of its data plane.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Pinecone } from '@pinecone-database/pinecone';
import { fvError, isFacevaultError } from '../../errors.js';
import type { Engine, RecordMetadata } from '../../vector/types.js';
import { validateConfigureIndex, validateCreateIndex, validateIndexName } from '../../vector/validate.js';
import { ensureIndexOf, type IndexChanges, type IndexInfo, type IndexSettings, type IndexSpec, type StoreIndex, type VectorStore } from '../vector-store.js';
import { Connection } from './connection.js';
import { controllerHostOf } from './controller-url.js';
import { exchangeFetch, type Exchange } from './exchange.js';
import { describedIndex, wireModelOf, type DescribedIndex } from './index-model.js';
import { PineconeIndex } from './pinecone-index.js';
import { answersInCatalog, type CallMeaning } from './store-errors.js';

export interface PineconeStoreOptions {
  /** Default: the PINECONE_API_KEY environment variable, which the official client reads too. */
  readonly apiKey?: string;
  /** How long createIndex waits for an index to be ready, and deleteIndex for it to be gone (default 5 minutes). */
  readonly indexWaitMs?: number;
  /** A request unanswered for this long fails with FV_ERR_STORE_UNAVAILABLE (default 60 s). */
  readonly requestTimeoutMs?: number;
  /** How often the client retries an answer of 5xx (default: the client's own, 3). */
  readonly maxRetries?: number;
}

/** Where an index lives when the caller does not say: Pinecone's default serverless region. */
const DEFAULT_DEPLOYMENT = { serverless: { cloud: 'aws', region: 'us-east-1' } } as const;
const DEFAULT_ENGINE: Engine = 'approximate';
const DEFAULT_INDEX_WAIT_MS = 5 * 60_000;
const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;
/** First and longest pause between two looks at an index that is not ready, or not gone, yet. */
const POLL_MS = { first: 250, max: 5_000 } as const;

/**
 * Opens a Pinecone store and checks the key and the server with one listing of its indexes.
 * @param url `pinecone://` (Pinecone's cloud), `pinecone://host:port` (http for a loopback host,
 *   https otherwise), or `pinecone+http://…` / `pinecone+https://…` to choose the scheme.
 * @example const store = await openPineconeStore('pinecone://127.0.0.1:5080', { apiKey: 'secret-key' }); store.kind // → 'pinecone'
 * @throws FV_ERR_INVALID_ARGUMENT for a bad URL or no API key; FV_ERR_UNAUTHORIZED for a key the
 *   server refuses; FV_ERR_STORE_UNAVAILABLE when it cannot be reached.
 */
export async function openPineconeStore(url: string, options: PineconeStoreOptions = {}): Promise<PineconeStore> {
  const controllerHostUrl = controllerHostOf(url);
  const apiKey = options.apiKey ?? process.env.PINECONE_API_KEY;
  if (apiKey === undefined || apiKey === '') {
    throw fvError('FV_ERR_INVALID_ARGUMENT', 'store: no Pinecone API key; set PINECONE_API_KEY (or pass apiKey)', { setting: 'PINECONE_API_KEY' });
  }
  const client = new Pinecone({
    apiKey,
    fetchApi: exchangeFetch(options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS),
    ...(controllerHostUrl === undefined ? {} : { controllerHostUrl }),
    ...(options.maxRetries === undefined ? {} : { maxRetries: options.maxRetries }),
  });
  const store = new PineconeStore(new Connection(client), options.indexWaitMs ?? DEFAULT_INDEX_WAIT_MS);
  await store.listIndexes();
  return store;
}

export class PineconeStore implements VectorStore {
  readonly kind = 'pinecone';
  /** Whether the server is a facevault server; learned from its first index model or error, undefined until then. */
  #facevault: boolean | undefined;

  /** @internal use openPineconeStore() */
  constructor(
    private readonly connection: Connection,
    private readonly indexWaitMs: number,
  ) {}

  /**
   * Describes first (the usual case: the index exists), then creates; when another caller wins
   * the race, Pinecone answers 409 and this call reports `created: false`. Either way it returns
   * once the index is ready, polling for at most `indexWaitMs`.
   * @throws FV_ERR_INDEX_NAME, FV_ERR_INDEX_CONFIG (bad settings, or engine 'exact' on Pinecone);
   *   FV_ERR_STORE_UNAVAILABLE when the index is not ready in time.
   */
  async createIndex(settings: IndexSettings): Promise<{ readonly created: boolean; readonly index: IndexInfo }> {
    const { name, dimension, metric, deletionProtection, tags, deployment } = validateCreateIndex({ ...settings });
    const existing = await this.describeIfExists(name);
    if (existing !== undefined) return { created: false, index: (await this.untilReady(name, existing)).info };
    const engine = this.engineSetting(settings.engine ?? DEFAULT_ENGINE, 'createIndex');
    // The client's typed spec would drop the fields it does not model, so the deployment goes on
    // the wire as given (the REST API's own spec, snake_case), in place of the default spec.
    const exchange: Exchange = { body: { ...(deployment === undefined ? {} : { spec: deployment }), ...(engine === undefined ? {} : { engine }) } };
    let created = true;
    try {
      await this.connection.call(this.meaning('createIndex', name), () => this.connection.client.createIndex({ name, dimension, metric, deletionProtection, tags, spec: DEFAULT_DEPLOYMENT }), exchange);
    } catch (err) {
      if (!isFacevaultError(err, 'FV_ERR_INDEX_EXISTS')) throw err;
      created = false;
    }
    return { created, index: (await this.untilReady(name)).info };
  }

  ensureIndex<M extends RecordMetadata = RecordMetadata>(spec: IndexSpec): Promise<StoreIndex<M>> {
    return ensureIndexOf<M>(this, spec);
  }

  async openIndex<M extends RecordMetadata = RecordMetadata>(name: string): Promise<StoreIndex<M>> {
    const { info, host, facevault } = await this.describe(validateIndexName(name));
    const spec: IndexSpec = { name: info.name, dimension: info.dimension, metric: info.metric };
    return new PineconeIndex<M>(this.connection, spec, this.connection.client.index<M>({ name: info.name, host }), facevault);
  }

  async describeIndex(name: string): Promise<IndexInfo> {
    return (await this.describe(validateIndexName(name))).info;
  }

  /**
   * Tags merge (a key set to '' is removed) and deletion protection change on Pinecone itself;
   * Pinecone applies a change asynchronously, so the description returned may lag it for a moment.
   * @throws FV_ERR_INDEX_CONFIG for `efSearch` (Pinecone exposes no search width) or engine 'exact' on Pinecone.
   */
  async configureIndex(name: string, changes: IndexChanges): Promise<IndexInfo> {
    validateIndexName(name);
    const { efSearch, ...rest } = changes;
    const valid = validateConfigureIndex({ ...rest, ...(efSearch === undefined ? {} : { hnsw: { efSearch } }) });
    if (valid.hnsw !== undefined) {
      throw fvError('FV_ERR_INDEX_CONFIG', 'efSearch: Pinecone exposes no search width to configure; leave it out', { path: 'efSearch' });
    }
    if (valid.engine !== undefined && this.#facevault === undefined) await this.describe(name);
    const engine = valid.engine === undefined ? undefined : this.engineSetting(valid.engine, 'configureIndex');
    const body = { ...(valid.deployment === undefined ? {} : { spec: valid.deployment }), ...(engine === undefined ? {} : { engine }) };
    if (valid.deletionProtection === undefined && valid.tags === undefined && Object.keys(body).length === 0) return this.describeIndex(name);
    const exchange: Exchange = { body, readBody: true };
    const model = await this.connection.call(
      this.meaning('configureIndex', name),
      // `tags: {}` changes nothing; it satisfies the client, which wants one setting it knows.
      () => this.connection.client.configureIndex({ name, tags: valid.tags ?? {}, ...(valid.deletionProtection === undefined ? {} : { deletionProtection: valid.deletionProtection }) }),
      exchange,
    );
    return this.learn(describedIndex(model, exchange.response?.json)).info;
  }

  async listIndexes(): Promise<IndexInfo[]> {
    const exchange: Exchange = { readBody: true };
    const { indexes = [] } = await this.connection.call({ what: 'listIndexes', notFound: 'FV_ERR_STORE_UNAVAILABLE' }, () => this.connection.client.listIndexes(), exchange);
    return indexes
      .map((model) => this.learn(describedIndex(model, wireModelOf(exchange.response?.json, model.name))).info)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /**
   * Pinecone terminates an index after it answers, and describes it meanwhile; this returns once
   * the index is gone, so that no later call finds it.
   * @throws FV_ERR_INDEX_NOT_FOUND, FV_ERR_DELETION_PROTECTED (Pinecone answers 403);
   *   FV_ERR_STORE_UNAVAILABLE when the index is still there after `indexWaitMs`.
   */
  async deleteIndex(name: string): Promise<void> {
    validateIndexName(name);
    await this.connection.call({ ...this.meaning('deleteIndex', name), forbidden: 'FV_ERR_DELETION_PROTECTED' }, () => this.connection.client.deleteIndex(name));
    await this.poll(`deleteIndex("${name}"): the index is still there`, () => this.describeIfExists(name), (described) => described === undefined);
  }

  async close(): Promise<void> {
    this.connection.close();
  }

  private async describe(name: string, exchange: Exchange = { readBody: true }): Promise<DescribedIndex> {
    const model = await this.connection.call(this.meaning('describeIndex', name), () => this.connection.client.describeIndex(name), exchange);
    return this.learn(describedIndex(model, exchange.response?.json));
  }

  /** The index, or undefined when there is none; a facevault server says so with its own error code, which tells it apart. */
  private async describeIfExists(name: string): Promise<DescribedIndex | undefined> {
    const exchange: Exchange = { readBody: true };
    try {
      return await this.describe(name, exchange);
    } catch (err) {
      if (!isFacevaultError(err, 'FV_ERR_INDEX_NOT_FOUND')) throw err;
      this.#facevault ??= answersInCatalog(exchange.response?.json);
      return undefined;
    }
  }

  private learn(described: DescribedIndex): DescribedIndex {
    this.#facevault ??= described.facevault;
    return described;
  }

  /**
   * The engine to send to the server: to a facevault server, the one asked; to Pinecone, none —
   * it has one engine, approximate.
   * @throws FV_ERR_INDEX_CONFIG for 'exact' on Pinecone.
   */
  private engineSetting(engine: Engine, operation: string): Engine | undefined {
    if (this.#facevault) return engine;
    if (engine === 'approximate') return undefined;
    throw fvError('FV_ERR_INDEX_CONFIG', `${operation}: engine "exact" is not available on Pinecone, which searches approximately; leave engine out`, { path: 'engine' });
  }

  private untilReady(name: string, first?: DescribedIndex): Promise<DescribedIndex> {
    return this.poll(`createIndex("${name}"): the index is not ready`, () => this.describe(name), (described) => described.ready, first);
  }

  /**
   * Looks until `done`, pausing twice as long each time, for at most `indexWaitMs`.
   * @param first the first look, when the caller has made it.
   * @throws FV_ERR_STORE_UNAVAILABLE saying `what` when the time is up.
   */
  private async poll<T>(what: string, look: () => Promise<T>, done: (value: T) => boolean, first?: T): Promise<T> {
    const deadline = Date.now() + this.indexWaitMs;
    let value = first ?? (await look());
    for (let pause: number = POLL_MS.first; !done(value); pause = Math.min(2 * pause, POLL_MS.max)) {
      if (Date.now() + pause > deadline) throw fvError('FV_ERR_STORE_UNAVAILABLE', `${what} after ${Math.round(this.indexWaitMs / 1000)} s; try again later`);
      await sleep(pause);
      value = await look();
    }
    return value;
  }

  private meaning(operation: string, name: string): CallMeaning {
    return { what: `${operation}("${name}")`, notFound: 'FV_ERR_INDEX_NOT_FOUND' };
  }
}
