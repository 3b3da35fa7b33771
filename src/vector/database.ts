/**
 * The embedded vector database: one data directory holding indexes, each holding namespaces of
 * records — Pinecone's data model, on local disk.
 */
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fvError } from '../errors.js';
import { defaultHnsw } from './ann/graph-policy.js';
import { IndexEngine } from './index-engine.js';
import { Storage } from './storage/sqlite-log.js';
import type { ConfigureIndexOptions, CreateIndexOptions, IndexConfig, IndexDescription, RecordMetadata } from './types.js';
import { validateConfigureIndex, validateCreateIndex } from './validate.js';
import { VectorIndex } from './vector-index.js';

export interface DatabaseOptions {
  /**
   * 'normal' (default): an acknowledged write survives a crash of the process (kill -9).
   * 'full': it also survives a power loss or OS crash, at the cost of an fsync per write.
   */
  synchronous?: 'normal' | 'full';
}

/**
 * Opens (or creates) a database in `dir` and rebuilds every index from what was committed.
 * @example const db = await openDatabase('./data'); await db.createIndex({ name: 'faces', dimension: 512, metric: 'cosine' });
 * @throws FV_ERR_STORAGE_DAMAGED when the files hold less than their manifest recorded (run `facevault doctor`); nothing is changed
 * @throws FV_ERR_STORAGE_READONLY when the directory cannot be written; FV_ERR_STORAGE_FULL when the disk is full
 * @throws FV_ERR_STORAGE_VERSION when the directory was written by an incompatible version; FV_ERR_STORAGE_CORRUPT when a data file fails its checksum
 * @throws FV_ERR_STORAGE_LOCKED when another process holds the directory
 */
export async function openDatabase(dir: string, options: DatabaseOptions = {}): Promise<Database> {
  const root = resolve(dir);
  // Storage.open creates the directory, and turns a read-only one into a coded error.
  const storage = Storage.open(root, { synchronous: options.synchronous ?? 'normal' });
  const engines = new Map<string, IndexEngine>();
  try {
    for (const config of storage.listIndexes()) engines.set(config.name, await IndexEngine.open(config, storage, root));
  } catch (err) {
    await Promise.all([...engines.values()].map((engine) => engine.close()));
    storage.close();
    throw err;
  }
  return new Database(root, storage, engines);
}

export class Database {
  private closed = false;
  /** Indexes being opened by createIndex, by name: a concurrent create of the same name waits for it. */
  private readonly creating = new Map<string, Promise<void>>();

  /** @internal use openDatabase() */
  constructor(
    readonly dir: string,
    private readonly storage: Storage,
    private readonly engines: Map<string, IndexEngine>,
  ) {}

  /**
   * Safe to race: while one call is opening a new index, others of the same name wait for it and
   * then find the index (or see its failure), so exactly one of them creates it.
   * @throws FV_ERR_INDEX_NAME, FV_ERR_INDEX_CONFIG (dimension 1-20,000; metric euclidean | cosine | dotproduct; engine exact | approximate), FV_ERR_INDEX_EXISTS
   */
  async createIndex(options: CreateIndexOptions): Promise<IndexDescription> {
    this.assertOpen();
    const validated = validateCreateIndex(options, defaultHnsw);
    // No await unless one is pending: a caller must not yield between this check and claiming the name.
    for (let pending = this.creating.get(validated.name); pending; pending = this.creating.get(validated.name)) await pending.catch(() => undefined);
    const existing = this.engines.get(validated.name);
    if (existing) {
      if (options.suppressConflicts) return describe(existing.config);
      throw fvError('FV_ERR_INDEX_EXISTS', `Index "${validated.name}" already exists`, { name: validated.name });
    }
    const config: IndexConfig = { ...validated, createdAt: new Date().toISOString() };
    const opening = this.openNewIndex(config);
    this.creating.set(config.name, opening);
    try {
      await opening;
    } finally {
      this.creating.delete(config.name);
    }
    return describe(config);
  }

  private async openNewIndex(config: IndexConfig): Promise<void> {
    // A leftover graph directory of an index deleted before a crash must not be mistaken for this one's.
    rmSync(join(this.dir, 'ann', config.name), { recursive: true, force: true });
    this.storage.createIndex(config);
    try {
      this.engines.set(config.name, await IndexEngine.open(config, this.storage, this.dir));
    } catch (err) {
      this.storage.deleteIndex(config.name);
      throw err;
    }
  }

  async listIndexes(): Promise<{ indexes: IndexDescription[] }> {
    this.assertOpen();
    return { indexes: [...this.engines.values()].map((engine) => describe(engine.config)).sort((a, b) => a.name.localeCompare(b.name)) };
  }

  /** Whether an index of this name exists (no error either way). */
  hasIndex(name: string): boolean {
    this.assertOpen();
    return this.engines.has(name);
  }

  /** @throws FV_ERR_INDEX_NOT_FOUND */
  async describeIndex(name: string): Promise<IndexDescription> {
    return describe(this.engine(name).config);
  }

  /** Changes deletion protection, the default engine, tags (a key set to '' is removed), the graph's search width, or the deployment. */
  async configureIndex(name: string, options: ConfigureIndexOptions): Promise<IndexDescription> {
    const engine = this.engine(name);
    const changes = validateConfigureIndex(options);
    const config: IndexConfig = {
      ...engine.config,
      ...(changes.deletionProtection ? { deletionProtection: changes.deletionProtection } : {}),
      ...(changes.engine ? { engine: changes.engine } : {}),
      ...(changes.tags ? { tags: mergeTags(engine.config.tags, changes.tags) } : {}),
      hnsw: { ...engine.config.hnsw, ...(changes.hnsw ?? {}) },
      ...(changes.deployment ? { deployment: changes.deployment } : {}),
    };
    this.storage.updateIndex(config);
    engine.config = config;
    if (config.engine === 'approximate') await engine.ensureGraphs();
    return describe(config);
  }

  /** @throws FV_ERR_INDEX_NOT_FOUND, FV_ERR_DELETION_PROTECTED */
  async deleteIndex(name: string): Promise<void> {
    const engine = this.engine(name);
    if (engine.config.deletionProtection === 'enabled') {
      throw fvError('FV_ERR_DELETION_PROTECTED', `Index "${name}" has deletion protection enabled; disable it with configureIndex first`, { name });
    }
    this.storage.deleteIndex(name);
    this.engines.delete(name);
    await engine.drop();
    rmSync(join(this.dir, 'ann', name), { recursive: true, force: true });
  }

  /**
   * A handle on an index, bound to the default namespace ('' ); `.namespace(ns)` rebinds it.
   * @throws FV_ERR_INDEX_NOT_FOUND
   */
  index<M extends RecordMetadata = RecordMetadata>(name: string): VectorIndex<M> {
    this.engine(name);
    return new VectorIndex<M>(name, (indexName) => this.engine(indexName));
  }

  /** Persists the approximate graphs and closes the files. Idempotent; later calls throw FV_ERR_CLOSED. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.engines.values()].map((engine) => engine.close()));
    this.engines.clear();
    this.storage.close();
  }

  private engine(name: string): IndexEngine {
    this.assertOpen();
    const engine = this.engines.get(name);
    if (!engine) throw fvError('FV_ERR_INDEX_NOT_FOUND', `No index named "${name}"`, { name });
    return engine;
  }

  private assertOpen(): void {
    if (this.closed) throw fvError('FV_ERR_CLOSED', `Database at ${this.dir} is closed`, { dir: this.dir });
  }
}

/** Pinecone's rule: configuring a tag to '' removes it. */
function mergeTags(current: Record<string, string>, changes: Record<string, string>): Record<string, string> {
  const merged = { ...current, ...changes };
  for (const [key, value] of Object.entries(changes)) if (value === '') delete merged[key];
  return merged;
}

function describe(config: IndexConfig): IndexDescription {
  return { ...config, tags: { ...config.tags }, hnsw: { ...config.hnsw }, status: { ready: true, state: 'Ready' } };
}
