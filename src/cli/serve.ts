/**
 * `facevault serve`: the Pinecone-compatible HTTP server and the face routes over a store.
 *
 *   FACEVAULT_API_KEYS=k1,k2 facevault serve --data ./data --port 5080 --host 0.0.0.0
 *   facevault serve --store postgres://facevault@db/faces   # stateless: run several behind a load balancer
 *   facevault serve --data ./data --no-auth          # no keys: loopback only
 */
import type { Command } from 'commander';
import { loadConfig, storeUrlOf, type ConfigLayer } from '../config.js';
import { createLogger } from '../server/logger.js';
import { closeOnSignals, startServer } from '../server/start.js';
import { redact } from '../stores/open-store.js';

export function register(program: Command): void {
  program
    .command('serve')
    .description("Serve Pinecone's REST API (control and data plane) and the face routes over a store (embedded by default)")
    .option('--store <url>', 'the store: postgres://…, pinecone://…, or a directory [env FACEVAULT_STORE; default: the embedded store in --data]')
    .option('--data <dir>', 'data directory of the embedded store [env FACEVAULT_DATA; default ./facevault-data]')
    .option('--port <n>', 'port, 0 for any free one [env FACEVAULT_PORT; default 5080]')
    .option('--host <addr>', 'address to bind [env FACEVAULT_HOST; default 127.0.0.1]')
    .option('--config <file>', 'JSON configuration file [env FACEVAULT_CONFIG]')
    .option('--api-key <key>', 'an accepted API key, repeatable; prefer env FACEVAULT_API_KEYS (comma-separated): a command line is visible to other users', collect, [])
    .option('--no-auth', 'serve without API keys; binds to a loopback address only [env FACEVAULT_AUTH=disabled]')
    .option('--public-url <url>', 'origin clients reach this server at, when behind a proxy [env FACEVAULT_PUBLIC_URL]')
    .option('--max-body-bytes <n>', 'largest request body [env FACEVAULT_MAX_BODY_BYTES; default 128 MiB; an upsert is also held to what 1,000 records of its index dimension can need]')
    .option('--images <dir>', 'let the face routes read images by path, inside this folder only (DeepFace clients send "img": "dataset/img1.jpg") [env FACEVAULT_IMAGES; default: no paths]')
    .option('--allow-url-hosts <hosts>', 'let the face routes fetch image URLs from these hosts, comma-separated names, IPs or CIDRs; a private address must be listed itself [env FACEVAULT_ALLOW_URL_HOSTS; default: no URLs]')
    .option('--keep-face-crops', 'keep a 96×96 thumbnail of each face enrolled, shown by the web page beside candidates; biometric data, off by default [env FACEVAULT_KEEP_FACE_CROPS=true]')
    .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent [env FACEVAULT_LOG_LEVEL; default info]')
    .action(async (_options: unknown, command: Command) => {
      const options = command.opts<ServeOptions>();
      const typed = (name: keyof ServeOptions) => (command.getOptionValueSource(name) === 'cli' ? options[name] : undefined);
      const flags: ConfigLayer = {
        dataDir: typed('data') as string | undefined,
        store: typed('store') as string | undefined,
        logLevel: typed('logLevel') as string | undefined,
        server: {
          host: typed('host') as string | undefined,
          port: typed('port') as string | undefined,
          apiKeys: typed('apiKey') as string[] | undefined,
          auth: typed('auth') as boolean | undefined,
          publicUrl: typed('publicUrl') as string | undefined,
          maxBodyBytes: typed('maxBodyBytes') as string | undefined,
          imagesDir: typed('images') as string | undefined,
          keepFaceCrops: typed('keepFaceCrops') as boolean | undefined,
          urlHosts: (typed('allowUrlHosts') as string | undefined)?.split(',').map((host) => host.trim()).filter(Boolean),
        },
      };
      const config = loadConfig({ flags, env: process.env, file: options.config });
      const logger = createLogger(config.logLevel);
      const server = await startServer(config, logger);
      logger.info({ url: server.url, store: redact(storeUrlOf(config)), auth: config.server.auth }, 'facevault is serving');
      closeOnSignals(server, logger, config.server.shutdownTimeoutMs);
    });
}

interface ServeOptions {
  data?: string;
  store?: string;
  port?: string;
  host?: string;
  config?: string;
  apiKey: string[];
  auth: boolean;
  publicUrl?: string;
  maxBodyBytes?: string;
  images?: string;
  allowUrlHosts?: string;
  keepFaceCrops?: boolean;
  logLevel?: string;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
