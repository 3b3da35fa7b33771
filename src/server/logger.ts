/**
 * The server's pino logger. API keys never reach a log line: the request serializer logs no
 * headers, and these paths are redacted wherever a header set or the configuration is logged.
 */
import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from '../config.js';

export const REDACTED_PATHS = [
  'req.headers["api-key"]',
  'req.headers.authorization',
  'headers["api-key"]',
  'headers.authorization',
  'apiKeys',
  '*.apiKeys',
  'server.apiKeys',
] as const;

/**
 * @param destination where lines go (default stdout); tests pass a stream to read them back.
 * @example createLogger('info').info('listening') // → {"level":30,...,"msg":"listening"} on stdout
 */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const options = { level, redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}
