/**
 * facevault's configuration: command-line flags, `FACEVAULT_*` environment variables and a JSON
 * file, read once into one frozen, typed object that is passed down (no mutable global env).
 *
 * Precedence, highest first: flags, environment, file, defaults. The file is named by `--config`
 * or `FACEVAULT_CONFIG` and holds the same nested shape as {@link Config}, e.g.
 * `{ "dataDir": "/var/lib/facevault", "server": { "port": 5080, "apiKeys": ["..."] } }`.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { z } from 'zod';
import { fvError } from './errors.js';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** A whole number, from JSON or from the decimal digits of a flag or an environment variable. */
function wholeNumber(min: number, max: number) {
  const expectation = `expects a whole number from ${min} to ${max}`;
  return z.preprocess(
    (value) => (typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value),
    z.number({ error: expectation }).int({ error: expectation }).min(min, { error: expectation }).max(max, { error: expectation }),
  );
}

const ServerSchema = z.strictObject({
  /** Address to bind. Without API keys only a loopback address is allowed. */
  host: z.string().min(1).default('127.0.0.1'),
  /** 0 picks a free port (tests). 5080 is the port of Pinecone's local emulator. */
  port: wholeNumber(0, 65_535).default(5080),
  /** Keys accepted in the `Api-Key` header (or `Authorization: Bearer`). */
  apiKeys: z.array(z.string().min(1, 'an API key cannot be empty').regex(/^\S+$/, 'an API key cannot hold whitespace')).default([]),
  /** false serves without keys; it must be asked for (`--no-auth`) and binds to loopback only. */
  auth: z.boolean({ error: 'expects true or false (FACEVAULT_AUTH: enabled or disabled)' }).default(true),
  /** Base URL clients reach this server at (behind a proxy); index `host`s are built from it. Default: the address the server listens on. */
  publicUrl: z.url({ protocol: /^https?$/ }).transform((url) => url.replace(/\/+$/, '')).optional(),
  /**
   * Largest request body, to bound the memory a request can take. The default takes Pinecone's
   * largest upsert by record count (1,000 records with 40 KB of metadata each) written with
   * full-precision doubles up to dimension ~3,500; an upsert is also held to what its index's
   * dimension can need (src/server/upsert-limit.ts), ~47 MB at dimension 128.
   */
  maxBodyBytes: wholeNumber(1024, 1024 ** 3).default(128 * 1024 * 1024),
  /**
   * Request-body bytes all requests in flight may hold together (src/server/body-budget.ts);
   * past it a request waits its turn through 503 + Retry-After. One request alone always fits.
   */
  maxBodyBytesInFlight: wholeNumber(1024, 64 * 1024 ** 3).default(256 * 1024 * 1024),
  /**
   * How long a client may take to send a whole request (headers and body): a slow or stalled
   * client cannot hold a socket and its buffered body forever. 0 turns it off (behind a proxy that
   * enforces its own).
   */
  requestTimeoutMs: wholeNumber(0, 60 * 60_000).default(120_000),
  /** Requests a minute one API key may send (src/server/rate-limit.ts); 0 (default) sets no limit. */
  rateLimitPerMinute: wholeNumber(0, 10_000_000).default(0),
  /** How long a shutdown waits for in-flight requests before the process exits anyway. */
  shutdownTimeoutMs: wholeNumber(0, 10 * 60_000).default(10_000),
  /**
   * A folder whose images the face routes may name by path, as DeepFace clients do ("img":
   * "dataset/img1.jpg"): relative to it, or absolute inside it; `..` and links out of it are
   * refused. Off by default: no path is read.
   */
  imagesDir: z.string().min(1).transform((dir) => resolve(dir)).optional(),
  /**
   * Hosts the face routes may fetch image URLs from (names, IP addresses or CIDR ranges). Off
   * (empty) by default. A name that resolves to a private, loopback or link-local address is
   * refused unless that address (or its range) is listed too; redirects to another host are refused.
   */
  /**
   * Keep a 96×96 thumbnail of each face enrolled through the server, so the web page can show
   * who a candidate is. Off by default: a crop is biometric data.
   */
  keepFaceCrops: z.boolean({ error: 'expects true or false (FACEVAULT_KEEP_FACE_CROPS: true or false)' }).default(false),
  urlHosts: z.array(z.string().min(1).regex(/^\S+$/, 'a URL host cannot hold whitespace').transform((host) => host.toLowerCase())).default([]),
});

const ConfigSchema = z.strictObject({
  /** Directory of the embedded database, the store when `store` is not given. */
  dataDir: z.string().min(1).transform((dir) => resolve(dir)).prefault('facevault-data'),
  /** The store's URL (see `src/stores/open-store.ts`): postgres://…, pinecone://…, or a directory. */
  store: z.string().min(1).optional(),
  logLevel: z.enum(LOG_LEVELS).default('info'),
  /** 'full' fsyncs every write (survives power loss); 'normal' survives a process crash. */
  synchronous: z.enum(['normal', 'full']).default('normal'),
  server: ServerSchema.prefault({}),
});

type DeepReadonly<T> = T extends (infer U)[] ? readonly DeepReadonly<U>[] : T extends object ? { readonly [K in keyof T]: DeepReadonly<T[K]> } : T;

export type Config = DeepReadonly<z.output<typeof ConfigSchema>>;
export type ServerConfig = Config['server'];
export type LogLevel = Config['logLevel'];

/** One source's values, in the nested shape of {@link Config}; strings are parsed where numbers are due. */
export interface ConfigLayer {
  dataDir?: string;
  store?: string;
  logLevel?: string;
  synchronous?: string;
  server?: {
    host?: string;
    port?: number | string;
    apiKeys?: string[];
    auth?: boolean;
    publicUrl?: string;
    maxBodyBytes?: number | string;
    maxBodyBytesInFlight?: number | string;
    requestTimeoutMs?: number | string;
    rateLimitPerMinute?: number | string;
    shutdownTimeoutMs?: number | string;
    imagesDir?: string;
    urlHosts?: string[];
    keepFaceCrops?: boolean | string;
  };
}

export interface ConfigSources {
  /** Values the user typed on the command line (not the parser's defaults). */
  flags?: ConfigLayer;
  /** Usually `process.env`; only the names in {@link ENVIRONMENT} are read. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Path of the JSON file; when absent, `FACEVAULT_CONFIG` from `env` names it. */
  file?: string;
}

/** The environment variables read, and where each lands. `FACEVAULT_API_KEYS` is comma-separated. */
export const ENVIRONMENT = {
  FACEVAULT_DATA: 'dataDir',
  FACEVAULT_STORE: 'store',
  FACEVAULT_LOG_LEVEL: 'logLevel',
  FACEVAULT_SYNCHRONOUS: 'synchronous',
  FACEVAULT_HOST: 'server.host',
  FACEVAULT_PORT: 'server.port',
  FACEVAULT_API_KEYS: 'server.apiKeys',
  FACEVAULT_AUTH: 'server.auth',
  FACEVAULT_PUBLIC_URL: 'server.publicUrl',
  FACEVAULT_MAX_BODY_BYTES: 'server.maxBodyBytes',
  FACEVAULT_MAX_BODY_BYTES_IN_FLIGHT: 'server.maxBodyBytesInFlight',
  FACEVAULT_REQUEST_TIMEOUT_MS: 'server.requestTimeoutMs',
  FACEVAULT_RATE_LIMIT_PER_MINUTE: 'server.rateLimitPerMinute',
  FACEVAULT_SHUTDOWN_TIMEOUT_MS: 'server.shutdownTimeoutMs',
  FACEVAULT_IMAGES: 'server.imagesDir',
  FACEVAULT_ALLOW_URL_HOSTS: 'server.urlHosts',
  FACEVAULT_KEEP_FACE_CROPS: 'server.keepFaceCrops',
} as const;

/** A value and the source it came from, so an error can say where to fix it. */
type Sourced = Map<string, { value: unknown; source: string }>;

/**
 * Reads flags, environment and file once, validates the result, and returns it frozen.
 * @example loadConfig({ flags: { server: { port: '0' } }, env: {} }).server.port // → 0
 * @throws FV_ERR_INVALID_ARGUMENT naming the setting, the problem and the source that set it (flag,
 *   environment variable or file).
 */
export function loadConfig(sources: ConfigSources = {}): Config {
  const env = sources.env ?? {};
  const file = sources.file ?? env.FACEVAULT_CONFIG;
  const values: Sourced = new Map();
  if (file !== undefined) flatten(readConfigFile(file), '', `config file ${file}`, values);
  for (const [name, path] of Object.entries(ENVIRONMENT)) {
    const raw = env[name];
    if (raw !== undefined && raw !== '') values.set(path, { value: parseEnvironmentValue(path, raw), source: `environment variable ${name}` });
  }
  flatten(sources.flags ?? {}, '', 'command line', values);

  const parsed = ConfigSchema.safeParse(unflatten(values));
  if (!parsed.success) {
    const issue = parsed.error.issues[0] as z.core.$ZodIssue;
    const path = issue.path.join('.');
    // An element of a list (server.apiKeys.1) was set with its list.
    const origin = issue.path.map((_, end) => values.get(issue.path.slice(0, issue.path.length - end).join('.'))?.source).find(Boolean);
    throw fvError('FV_ERR_INVALID_ARGUMENT', `configuration ${path || '(root)'}: ${issue.message}${origin ? ` (from ${origin})` : ''}`, { path });
  }
  return deepFreeze(parsed.data);
}

/**
 * What serving needs beyond a well-formed configuration: API keys, or `--no-auth` asked for
 * explicitly — and then a loopback address only. Other commands do not need keys, so this is
 * checked by whatever starts a server, not by loadConfig.
 * @throws FV_ERR_INVALID_ARGUMENT when no API key is configured and auth is not disabled, or when
 *   auth is disabled together with keys or with a host that is not loopback.
 */
export function checkServing(server: ServerConfig): void {
  if (server.auth) {
    if (server.apiKeys.length === 0) {
      throw fvError(
        'FV_ERR_INVALID_ARGUMENT',
        'configuration server.apiKeys: no API key configured; set FACEVAULT_API_KEYS (comma-separated), --api-key or server.apiKeys in the config file, or pass --no-auth to serve without keys on a loopback address only',
        { path: 'server.apiKeys' },
      );
    }
    return;
  }
  if (server.apiKeys.length > 0) {
    throw fvError('FV_ERR_INVALID_ARGUMENT', 'configuration server.auth: auth is disabled (--no-auth, FACEVAULT_AUTH=disabled) but API keys are set; choose one', { path: 'server.auth' });
  }
  if (!isLoopback(server.host)) {
    throw fvError(
      'FV_ERR_INVALID_ARGUMENT',
      `configuration server.host: without API keys the server binds to loopback only (127.0.0.1, ::1, localhost), got "${server.host}"; configure API keys to listen on other addresses`,
      { path: 'server.host', host: server.host },
    );
  }
}

/** True for localhost, ::1 and 127.0.0.0/8. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  if (bare === 'localhost' || bare === '::1') return true;
  return isIP(bare) === 4 && bare.startsWith('127.');
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw fvError('FV_ERR_INVALID_ARGUMENT', `configuration file ${path} cannot be read: ${(err as Error).message}`, { path }, err);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw fvError('FV_ERR_INVALID_ARGUMENT', `configuration file ${path} is not valid JSON: ${(err as Error).message}`, { path }, err);
  }
  if (!isPlainObject(parsed)) throw fvError('FV_ERR_INVALID_ARGUMENT', `configuration file ${path} must hold a JSON object`, { path });
  return parsed;
}

function parseEnvironmentValue(path: string, raw: string): unknown {
  if (path === 'server.apiKeys' || path === 'server.urlHosts') return raw.split(',').map((key) => key.trim()).filter((key) => key.length > 0);
  // `FACEVAULT_AUTH=disabled` is the environment's spelling of --no-auth; anything else fails validation by name.
  if (path === 'server.auth') return raw === 'enabled' ? true : raw === 'disabled' ? false : raw;
  if (path === 'server.keepFaceCrops') return raw === 'true' ? true : raw === 'false' ? false : raw;
  return raw;
}

/** Records each leaf (arrays are leaves) of a layer under its dotted path; later layers overwrite. */
function flatten(layer: object, prefix: string, source: string, into: Sourced): void {
  for (const [key, value] of Object.entries(layer)) {
    if (value === undefined) continue;
    const path = prefix ? `${prefix}.${key}` : key;
    if (isPlainObject(value)) flatten(value, path, source, into);
    else into.set(path, { value, source });
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function unflatten(values: Sourced): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [path, { value }] of values) {
    const keys = path.split('.');
    let node = root;
    for (const key of keys.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
    node[keys.at(-1) as string] = value;
  }
  return root;
}

function deepFreeze<T>(value: T): DeepReadonly<T> {
  if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value as DeepReadonly<T>;
}

/** The URL of the store to open: `store` when given, else the embedded store in `dataDir`. */
export function storeUrlOf(config: Pick<Config, 'store' | 'dataDir'>): string {
  return config.store ?? config.dataDir;
}
