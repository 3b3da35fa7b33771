/**
 * Base64 and data-URL image strings: how they are recognised and decoded. Shared by the request
 * path (face-input.ts) and the large-JSON thread, so both accept and refuse exactly the same.
 */

export const DATA_URL = /^data:image\/[a-z0-9.+-]+;base64,/i;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** The base64 payload of an image string: the data URL's prefix and any whitespace taken out. */
export function base64Payload(text: string): string {
  const prefix = DATA_URL.exec(text);
  return (prefix ? text.slice(prefix[0].length) : text).replace(/\s+/g, '');
}

/** Whether a payload (see base64Payload) is well-formed base64. */
export function isBase64(payload: string): boolean {
  return payload.length % 4 === 0 && BASE64.test(payload);
}

/** Bytes a well-formed base64 payload decodes to. */
export function decodedBytes(payload: string): number {
  return (payload.length / 4) * 3 - (payload.endsWith('==') ? 2 : payload.endsWith('=') ? 1 : 0);
}
