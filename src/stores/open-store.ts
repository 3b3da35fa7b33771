/**
 * One URL chooses the store every interface runs on:
 *
 *   ./data, /var/lib/facevault, file:///var/lib/facevault  → the embedded database in that directory
 *   postgres://user:pass@host:5432/db (or postgresql://)     → PostgreSQL + pgvector
 *   postgres://…/db?schema=faces                             → … with its tables in the schema `faces`
 *   pinecone://                                              → Pinecone's cloud (PINECONE_API_KEY)
 *   pinecone://127.0.0.1:5080                                → any Pinecone-compatible server, e.g. another facevault
 *
 * Backends are loaded only when their scheme is used, so an embedded user never loads `pg` or
 * the Pinecone client.
 */
import { fileURLToPath } from 'node:url';
import { fvError } from '../errors.js';
import type { Engine } from '../vector/types.js';
import type { VectorStore } from './vector-store.js';

export interface OpenStoreOptions {
  /** Embedded store: 'full' also survives power loss, at an fsync per write. */
  readonly synchronous?: 'normal' | 'full';
  /** Embedded store: the engine of indexes created without one (default 'approximate'). */
  readonly defaultEngine?: Engine;
  /** PostgreSQL: connections in the pool (default 10). */
  readonly poolSize?: number;
  /** Pinecone: the API key (default: PINECONE_API_KEY, as the official client reads it). */
  readonly apiKey?: string;
}

type Opener = (url: string, options: OpenStoreOptions) => Promise<VectorStore>;

type OpenerName = 'file' | 'postgres' | 'pinecone';

const OPENERS: Readonly<Record<OpenerName, Opener>> = {
  file: async (url, options) => (await import('./embedded-store.js')).openEmbeddedStore(url.startsWith('file:') ? fileURLToPath(url) : url, options),
  postgres: async (url, options) => {
    // `schema` is facevault's own parameter, not libpq's: taken out before the URL reaches pg.
    const parsed = new URL(url);
    const schema = parsed.searchParams.get('schema');
    parsed.searchParams.delete('schema');
    return (await import('./postgres/postgres-store.js')).openPostgresStore(parsed.href, { ...options, ...(schema === null ? {} : { schema }) });
  },
  pinecone: async (url, options) => (await import('./pinecone/pinecone-store.js')).openPineconeStore(url, options),
};

const SCHEMES: Readonly<Record<string, OpenerName>> = {
  'file:': 'file',
  'postgres:': 'postgres',
  'postgresql:': 'postgres',
  'pinecone:': 'pinecone',
  'pinecone+http:': 'pinecone',
  'pinecone+https:': 'pinecone',
};

/** The registry name of the store a URL names ('embedded', 'postgres' or 'pinecone'), without opening it. @throws FV_ERR_INVALID_ARGUMENT */
export function storeKindOf(url: string): 'embedded' | 'postgres' | 'pinecone' {
  const opener = openerName(url);
  return opener === 'file' ? 'embedded' : opener;
}

/**
 * Opens the store a URL names; a plain path is the embedded store's data directory.
 * @example const store = await openStore('postgres://facevault@db:5432/faces');
 * @throws FV_ERR_INVALID_ARGUMENT for an unknown scheme; what the backend's opener throws.
 */
export async function openStore(url: string, options: OpenStoreOptions = {}): Promise<VectorStore> {
  return OPENERS[openerName(url)](url, options);
}

function openerName(url: string): OpenerName {
  const scheme = /^([a-z][a-z0-9+.-]*:)/i.exec(url)?.[1]?.toLowerCase();
  // No scheme, or a Windows drive letter ("C:"): a path.
  if (scheme === undefined || /^[a-z]:$/i.test(scheme)) return 'file';
  const name = SCHEMES[scheme];
  if (name === undefined) {
    throw fvError('FV_ERR_INVALID_ARGUMENT', `store: unknown scheme "${scheme}" in "${redact(url)}"; use a directory path, file:, postgres:, postgresql: or pinecone:`, { scheme });
  }
  return name;
}

/** A URL without its password, fit for a message or a log. */
export function redact(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:)[^@]*@/i, '$1***@');
}
