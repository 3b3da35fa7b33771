/**
 * The two image sources DeepFace accepts that reach outside the request: a file path on the
 * server and a URL. Both are off unless the operator turns them on, because each lets a client
 * make the server act for it — read its files, or fetch from its network (SSRF):
 *
 * - paths (`--images DIR`): relative to the folder, or absolute inside it; a `..` segment is
 *   refused outright, and the real path (every symbolic link resolved) must lie inside the
 *   folder's real path, so a link that points out of it is refused too.
 * - URLs (`--allow-url-hosts a,b`): http and https to the listed hosts only. The name is resolved
 *   here and the connection made to the address checked (no second lookup to rebind); an address
 *   in a private, loopback, link-local or otherwise non-public range is refused unless the address
 *   or its range is itself listed. Redirects are followed only within the same host (three at
 *   most); the body is held to the image size limit and the whole fetch to a time limit.
 */
import { lookup } from 'node:dns/promises';
import { realpath } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { isAbsolute, join, sep } from 'node:path';
import { fvError, isFacevaultError } from '../errors.js';
import { readImageFile } from '../face/image.js';

export interface ImageSourceOptions {
  /** The images folder (`--images`); undefined: no path is read. */
  readonly imagesDir?: string;
  /** Hosts URLs may be fetched from (`--allow-url-hosts`): names, IP addresses or CIDR ranges; empty: no URL is fetched. */
  readonly urlHosts?: readonly string[];
  /** Largest image, in bytes. */
  readonly maxBytes: number;
  /** Time limit of one URL fetch, redirects included. Default 10 s. */
  readonly fetchTimeoutMs?: number;
}

const MAX_REDIRECTS = 3;
/**
 * URL fetches in flight at once, each holding up to `maxBytes`: past it a request is answered
 * FV_ERR_OVERLOADED (503, Retry-After) rather than letting downloads pile up in memory.
 */
const MAX_FETCHES_IN_FLIGHT = 8;
const DEFAULT_FETCH_TIMEOUT_MS = 10_000;

/**
 * Address ranges that are not the public internet: a name resolving into one is refused unless
 * the operator listed the address or range (RFC 6890 special-purpose registries).
 */
const NON_PUBLIC = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.0.0.0', 24],
  ['192.0.2.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) NON_PUBLIC.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['64:ff9b::', 96], ['2001:db8::', 32]] as const) NON_PUBLIC.addSubnet(net, prefix, 'ipv6');

/** What the server may read images from, built once at start from the configuration. */
export class ImageSources {
  private readonly hostNames: ReadonlySet<string>;
  private readonly listedAddresses = new BlockList();
  private readonly hasListedAddresses: boolean;
  private fetchesInFlight = 0;

  private constructor(
    private readonly options: ImageSourceOptions,
    /** The real path of the images folder. */
    private readonly root: string | undefined,
  ) {
    const names = new Set<string>();
    let addresses = 0;
    for (const host of options.urlHosts ?? []) {
      // split always returns at least one string: the default only satisfies the type.
      const [address = '', prefix] = host.replace(/^\[(.*)\]$/, '$1').split('/');
      const family = isIP(address);
      if (family === 0) names.add(host.replace(/\.$/, ''));
      else {
        const type = family === 4 ? 'ipv4' : 'ipv6';
        if (prefix === undefined) this.listedAddresses.addAddress(address, type);
        else this.listedAddresses.addSubnet(address, Number(prefix), type);
        addresses++;
      }
    }
    this.hostNames = names;
    this.hasListedAddresses = addresses > 0;
  }

  /**
   * Checks the configuration: the images folder must exist (its real path is kept), each URL host
   * be a name, an address or a CIDR range.
   * @throws FV_ERR_INVALID_ARGUMENT naming the setting.
   */
  static async create(options: ImageSourceOptions): Promise<ImageSources> {
    let root: string | undefined;
    if (options.imagesDir !== undefined) {
      root = await realpath(options.imagesDir).catch((cause: unknown) => {
        throw fvError('FV_ERR_INVALID_ARGUMENT', `configuration server.imagesDir: ${options.imagesDir} cannot be opened (${(cause as NodeJS.ErrnoException).code ?? 'error'})`, { path: 'server.imagesDir' }, cause);
      });
    }
    for (const host of options.urlHosts ?? []) {
      // split always returns at least one string: the default only satisfies the type.
      const [address = '', prefix, extra] = host.replace(/^\[(.*)\]$/, '$1').split('/');
      const family = isIP(address);
      const bits = family === 4 ? 32 : 128;
      const badPrefix = prefix !== undefined && (family === 0 || !/^\d+$/.test(prefix) || Number(prefix) > bits);
      if (extra !== undefined || badPrefix || (family === 0 && !/^[a-z0-9.-]+$/.test(address))) {
        throw fvError('FV_ERR_INVALID_ARGUMENT', `configuration server.urlHosts: "${host}" is not a host name, an IP address or a CIDR range`, { path: 'server.urlHosts', host });
      }
    }
    return new ImageSources(options, root);
  }

  /** True when paths are read (`--images`). */
  get readsPaths(): boolean {
    return this.root !== undefined;
  }

  /** True when URLs are fetched (`--allow-url-hosts`). */
  get fetchesUrls(): boolean {
    return (this.options.urlHosts ?? []).length > 0;
  }

  /**
   * The bytes of an image named by path: relative to the images folder, or absolute inside it.
   * @example await sources.readPath('img', 'dataset/img1.jpg') // → Uint8Array of the file
   * @throws FV_ERR_IMAGE_INPUT (details.reason: path, path-traversal, path-outside, not-found) when
   *   paths are off, the path climbs with `..`, resolves outside the folder, or names no file;
   *   FV_ERR_IMAGE_TOO_LARGE over the size limit.
   */
  async readPath(field: string, path: string): Promise<Uint8Array> {
    const shown = JSON.stringify(path.length > 80 ? `${path.slice(0, 77)}...` : path);
    if (this.root === undefined) {
      throw imageInput(field, `${shown} is a server-side file path, and this server reads none (start it with --images DIR to allow paths inside DIR): send the image itself, as a multipart file field "${field}", a base64 string or a data URL`, 'path');
    }
    if (path.includes('\0')) throw imageInput(field, `${shown} holds a NUL character`, 'path-traversal');
    if (path.split(/[\\/]/).includes('..')) throw imageInput(field, `${shown}: ".." is not allowed in an image path`, 'path-traversal');
    const candidate = isAbsolute(path) ? path : join(this.root, path);
    let real: string;
    try {
      real = await realpath(candidate);
    } catch {
      throw imageInput(field, `${shown} does not exist in the images folder`, 'not-found');
    }
    if (real !== this.root && !real.startsWith(this.root.endsWith(sep) ? this.root : this.root + sep)) {
      throw imageInput(field, `${shown} resolves outside the images folder (through a symbolic link or an absolute path)`, 'path-outside');
    }
    try {
      return await readImageFile(real, this.options.maxBytes);
    } catch (err) {
      // The reader's message names the real path, which is the server's business.
      if (isFacevaultError(err, 'FV_ERR_IMAGE_INPUT')) throw imageInput(field, `${shown} is not a readable file in the images folder`, 'not-found');
      throw err;
    }
  }

  /**
   * The bytes of an image at an http(s) URL, under the policy in this file's header.
   * @throws FV_ERR_IMAGE_INPUT (details.reason: url, url-host, url-private, url-redirect, url-status,
   *   url-timeout, url-failed) when URLs are off, the host is not listed, an address is not public,
   *   a redirect leaves the host, the answer is not 200, or the fetch fails or takes too long;
   *   FV_ERR_IMAGE_TOO_LARGE over the size limit; FV_ERR_OVERLOADED when 8 fetches are in flight.
   */
  async fetchUrl(field: string, text: string): Promise<Uint8Array> {
    const shown = JSON.stringify(text.length > 100 ? `${text.slice(0, 97)}...` : text);
    if (!this.fetchesUrls) {
      throw imageInput(field, `${shown} is a URL, and this server fetches none (start it with --allow-url-hosts HOSTS to allow them): send the image itself, as a multipart file field "${field}", a base64 string or a data URL`, 'url');
    }
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw imageInput(field, `${shown} is not a valid URL`, 'url');
    }
    if (this.fetchesInFlight >= MAX_FETCHES_IN_FLIGHT) {
      throw fvError('FV_ERR_OVERLOADED', `${field}: ${MAX_FETCHES_IN_FLIGHT} image URLs are being fetched already; retry shortly`, { path: field, fetchesInFlight: this.fetchesInFlight });
    }
    this.fetchesInFlight++;
    try {
      const deadline = Date.now() + (this.options.fetchTimeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS);
      const origin = url.hostname;
      for (let redirects = 0; ; redirects++) {
        const answer = await this.fetchOnce(field, url, deadline);
        if ('bytes' in answer) return answer.bytes;
        const next = new URL(answer.location, url);
        if (next.hostname !== origin || next.protocol !== url.protocol || next.port !== url.port) {
          throw imageInput(field, `${shown} redirects to ${next.protocol}//${next.host}, another host: only redirects within ${url.host} are followed`, 'url-redirect');
        }
        if (redirects >= MAX_REDIRECTS) throw imageInput(field, `${shown} redirects more than ${MAX_REDIRECTS} times`, 'url-redirect');
        url = next;
      }
    } finally {
      this.fetchesInFlight--;
    }
  }

  /** One request: the body of a 200, or the location of a redirect. */
  private async fetchOnce(field: string, url: URL, deadline: number): Promise<{ bytes: Uint8Array } | { location: string }> {
    const shown = `${url.protocol}//${url.host}${url.pathname.length > 40 ? `${url.pathname.slice(0, 37)}...` : url.pathname}`;
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw imageInput(field, `${JSON.stringify(shown)}: only http and https URLs are fetched`, 'url');
    if (url.username || url.password) throw imageInput(field, `${JSON.stringify(shown)}: a URL with credentials is not fetched`, 'url');
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase().replace(/\.$/, '');
    const literal = isIP(host);
    const listed = literal === 0 ? this.hostNames.has(host) : this.isListedAddress(host);
    if (!listed) throw imageInput(field, `${url.host} is not a host this server fetches images from (--allow-url-hosts)`, 'url-host');
    const address = await this.publicAddress(field, host, literal);
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw imageInput(field, `${JSON.stringify(shown)}: no answer within the time limit`, 'url-timeout');
    // The connection goes to the address checked above, whatever a second lookup would say.
    const pinned: LookupFunction = (_hostname, options, callback) => {
      if ((options as { all?: boolean }).all) (callback as unknown as (err: null, addresses: { address: string; family: number }[]) => void)(null, [address]);
      else callback(null, address.address, address.family);
    };
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolvePromise, reject) => {
      const timer = setTimeout(() => req.destroy(imageInput(field, `${JSON.stringify(shown)}: no complete answer within the time limit`, 'url-timeout')), remaining);
      const fail = (err: unknown) => {
        clearTimeout(timer);
        reject(isFacevaultError(err) ? err : imageInput(field, `${JSON.stringify(shown)} could not be fetched: ${(err as Error).message}`, 'url-failed'));
      };
      const req = send(url, { method: 'GET', lookup: pinned, headers: { accept: 'image/*', 'user-agent': 'facevault' } }, (res: IncomingMessage) => {
        const status = res.statusCode ?? 0;
        if (status >= 300 && status < 400 && res.headers.location) {
          res.resume();
          clearTimeout(timer);
          resolvePromise({ location: res.headers.location });
          return;
        }
        if (status !== 200) {
          res.resume();
          fail(imageInput(field, `${JSON.stringify(shown)} answered ${status}`, 'url-status'));
          return;
        }
        const declared = Number(res.headers['content-length']);
        if (Number.isFinite(declared) && declared > this.options.maxBytes) {
          req.destroy();
          fail(tooLarge(field, declared, this.options.maxBytes));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > this.options.maxBytes) {
            req.destroy();
            fail(tooLarge(field, size, this.options.maxBytes));
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => {
          clearTimeout(timer);
          resolvePromise({ bytes: Buffer.concat(chunks) });
        });
        res.on('error', fail);
      });
      req.on('error', fail);
      req.end();
    });
  }

  /** The address to connect to: every address the host resolves to must be public, or listed. */
  private async publicAddress(field: string, host: string, literal: number): Promise<{ address: string; family: number }> {
    let addresses: { address: string; family: number }[];
    if (literal !== 0) addresses = [{ address: host, family: literal }];
    else {
      try {
        addresses = await lookup(host, { all: true, verbatim: true });
      } catch (cause) {
        throw imageInput(field, `${host} cannot be resolved (${(cause as NodeJS.ErrnoException).code ?? 'error'})`, 'url-failed');
      }
    }
    const [first] = addresses;
    if (first === undefined) throw imageInput(field, `${host} resolves to no address`, 'url-failed');
    for (const { address } of addresses) {
      const plain = unmapped(address);
      const type = isIP(plain) === 4 ? 'ipv4' : 'ipv6';
      if (NON_PUBLIC.check(plain, type) && !this.isListedAddress(plain)) {
        throw imageInput(field, `${host} resolves to ${address}, a private or reserved address; list the address (or its range) in --allow-url-hosts to fetch from it`, 'url-private');
      }
    }
    return first;
  }

  private isListedAddress(address: string): boolean {
    if (!this.hasListedAddresses) return false;
    const plain = unmapped(address);
    return this.listedAddresses.check(plain, isIP(plain) === 4 ? 'ipv4' : 'ipv6');
  }
}

/** An IPv4-mapped IPv6 address (::ffff:10.0.0.1) as the IPv4 address it carries. */
function unmapped(address: string): string {
  const match = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return match?.[1] ?? address;
}

function imageInput(field: string, why: string, reason: string) {
  return fvError('FV_ERR_IMAGE_INPUT', `${field}: ${why}`, { path: field, reason });
}

function tooLarge(field: string, bytes: number, maxBytes: number) {
  return fvError('FV_ERR_IMAGE_TOO_LARGE', `${field}: the image at the URL is over the limit of ${maxBytes} bytes`, { path: field, bytes, maxBytes });
}
