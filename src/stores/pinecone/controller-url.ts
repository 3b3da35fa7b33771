/**
 * Where a `pinecone:` store URL sends the control plane: Pinecone's cloud, or any server that
 * speaks Pinecone's REST API (another facevault, Pinecone Local).
 */
import { isIP } from 'node:net';
import { fvError } from '../../errors.js';

const SCHEMES: Readonly<Record<string, 'http' | 'https' | undefined>> = {
  'pinecone:': undefined,
  'pinecone+http:': 'http',
  'pinecone+https:': 'https',
};

/**
 * The controller host URL for the official client, or undefined for Pinecone's cloud (the
 * client's default). A host without a forced scheme gets http when it is a loopback address
 * (a local server rarely has a certificate) and https otherwise: the client itself would
 * prefix https to a bare host.
 * @example controllerHostOf('pinecone://') // → undefined
 * @example controllerHostOf('pinecone://127.0.0.1:5080') // → 'http://127.0.0.1:5080'
 * @example controllerHostOf('pinecone+https://vectors.internal:8443') // → 'https://vectors.internal:8443'
 * @throws FV_ERR_INVALID_ARGUMENT for another scheme, a forced scheme without a host, or a URL
 *   carrying credentials, a query or a fragment (the API key comes from PINECONE_API_KEY, never
 *   from a URL that ends up in logs).
 */
export function controllerHostOf(storeUrl: string): string | undefined {
  const url = parse(storeUrl);
  if (!(url.protocol in SCHEMES)) {
    throw invalid(storeUrl, `the scheme is ${url.protocol}; use pinecone:, pinecone+http: or pinecone+https:`);
  }
  if (url.username !== '' || url.password !== '') {
    // Not echoed: whatever sits before the @ may be a secret.
    throw invalid(`${url.protocol}//***@${url.host}`, 'give the API key in PINECONE_API_KEY, not in the URL');
  }
  if (url.search !== '' || url.hash !== '') throw invalid(storeUrl, 'a query or fragment means nothing here; give scheme, host and port');
  const forced = SCHEMES[url.protocol];
  if (url.host === '') {
    if (forced !== undefined) throw invalid(storeUrl, `${url.protocol} needs a host, e.g. ${url.protocol}//127.0.0.1:5080`);
    return undefined;
  }
  const scheme = forced ?? (isLoopback(url.hostname) ? 'http' : 'https');
  const path = url.pathname.replace(/\/+$/, '');
  return `${scheme}://${url.host}${path}`;
}

function parse(storeUrl: string): URL {
  try {
    return new URL(storeUrl);
  } catch {
    throw invalid(storeUrl, 'it is not a URL');
  }
}

function isLoopback(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

function invalid(shown: string, why: string) {
  return fvError('FV_ERR_INVALID_ARGUMENT', `store: "${shown}" is not a Pinecone store URL: ${why}`, { url: shown });
}
