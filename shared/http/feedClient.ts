/**
 * Downloads a threat-intel feed over HTTP(S): one GET with a deadline and a size limit, gzip
 * recognised by its magic bytes (feeds are often served as .gz with a generic content type),
 * and an error that says what went wrong in words an operator can act on.
 */
import { promisify } from 'node:util';
import { gunzip as gunzipCallback } from 'node:zlib';

import { DomainError } from '../errors';

const gunzip = promisify(gunzipCallback);

export interface FeedClientOptions {
  /** Deadline for the whole download, body included (default 30 s). */
  timeoutMs?: number;
  /** Largest body accepted, compressed and after gunzip alike (default 16 MiB). */
  maxBytes?: number;
  /** User-Agent sent (default "api-warden-intel/1"). */
  userAgent?: string;
}

export const DEFAULT_FEED_TIMEOUT_MS = 30_000;
export const DEFAULT_FEED_MAX_BYTES = 16 * 1024 * 1024;

/** What went wrong: `invalidUrl`, `timeout`, `network`, `http` (non-2xx), `tooLarge`, `gzip` (corrupt). */
export type FeedFailure = 'invalidUrl' | 'timeout' | 'network' | 'http' | 'tooLarge' | 'gzip';

export class FeedFetchError extends DomainError {
  constructor(
    /** The URL with any credentials and query removed (they may hold API keys). */
    readonly url: string,
    readonly failure: FeedFailure,
    detail: string,
    /** The HTTP status, for `http`. */
    readonly status?: number,
  ) {
    super('upstream', `feed ${url}: ${detail}`);
  }
}

/** A downloaded feed. */
export interface FetchedFeed {
  /** The body as text (UTF-8), gunzipped when it was gzip. */
  text: string;
  /** Bytes received (before gunzip). */
  bytes: number;
  gzipped: boolean;
  status: number;
  contentType?: string;
}

/** Downloads one feed URL; the port the refresh service depends on. */
export type FeedFetcher = (url: string) => Promise<FetchedFeed>;

/**
 * The URL as it is safe to log and store: scheme, host, port and path, without user info,
 * query or fragment. Text that is not a URL comes back cut to 100 characters.
 */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return url.slice(0, 100);
  }
}

/** A fetcher with these options, for the refresh service. */
export function createFeedFetcher(options: FeedClientOptions = {}): FeedFetcher {
  return (url) => fetchFeed(url, options);
}

/**
 * GETs a feed. Redirects are followed; credentials in the URL are sent as Basic authentication. Throws {@link FeedFetchError} when the URL is not http(s),
 * the server does not answer 2xx, the deadline passes, the body exceeds `maxBytes` (before or
 * after gunzip), or gzip data is corrupt.
 */
export async function fetchFeed(url: string, options: FeedClientOptions = {}): Promise<FetchedFeed> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_FEED_TIMEOUT_MS;
  const maxBytes = options.maxBytes ?? DEFAULT_FEED_MAX_BYTES;
  const safeUrl = redactUrl(url);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new FeedFetchError(safeUrl, 'invalidUrl', 'not a valid URL');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new FeedFetchError(safeUrl, 'invalidUrl', `unsupported scheme ${parsed.protocol} (use https)`);
  }

  // fetch refuses URLs with credentials: send them as Basic authentication instead.
  const headers: Record<string, string> = {
    'user-agent': options.userAgent ?? 'api-warden-intel/1',
    accept: 'text/plain, application/gzip, */*',
  };
  const secrets = [url, parsed.href];
  if (parsed.username !== '' || parsed.password !== '') {
    const user = decodeURIComponent(parsed.username);
    const password = decodeURIComponent(parsed.password);
    headers.authorization = `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
    parsed.username = '';
    parsed.password = '';
    secrets.push(parsed.href);
  }
  const describe = (error: unknown): string => scrub(describeCause(error), secrets, safeUrl);

  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  timer.unref();
  try {
    let response: Response;
    try {
      response = await fetch(parsed, {
        signal: controller.signal,
        redirect: 'follow',
        headers,
      });
    } catch (error) {
      if (timedOut) throw new FeedFetchError(safeUrl, 'timeout', `no response within ${timeoutMs} ms`);
      throw new FeedFetchError(safeUrl, 'network', `network error: ${describe(error)}`);
    }
    if (response.status < 200 || response.status > 299) {
      controller.abort();
      const reason = response.statusText ? ` ${response.statusText}` : '';
      throw new FeedFetchError(safeUrl, 'http', `HTTP ${response.status}${reason}`, response.status);
    }
    const declared = Number(response.headers.get('content-length') ?? NaN);
    if (Number.isFinite(declared) && declared > maxBytes) {
      controller.abort();
      throw new FeedFetchError(safeUrl, 'tooLarge', `body of ${declared} bytes exceeds the ${maxBytes}-byte limit`);
    }

    const chunks: Uint8Array[] = [];
    let bytes = 0;
    try {
      if (response.body !== null) {
        const reader = response.body.getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          bytes += value.byteLength;
          if (bytes > maxBytes) {
            controller.abort();
            throw new FeedFetchError(safeUrl, 'tooLarge', `body exceeds the ${maxBytes}-byte limit`);
          }
          chunks.push(value);
        }
      }
    } catch (error) {
      if (error instanceof FeedFetchError) throw error;
      if (timedOut) throw new FeedFetchError(safeUrl, 'timeout', `download not finished within ${timeoutMs} ms`);
      throw new FeedFetchError(safeUrl, 'network', `connection lost while reading the body: ${describe(error)}`);
    }

    let body = Buffer.concat(chunks, bytes);
    const gzipped = body.length >= 2 && body[0] === 0x1f && body[1] === 0x8b;
    if (gzipped) {
      try {
        body = await gunzip(body, { maxOutputLength: maxBytes });
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError) {
          throw new FeedFetchError(safeUrl, 'tooLarge', `gzip body expands beyond the ${maxBytes}-byte limit`);
        }
        throw new FeedFetchError(safeUrl, 'gzip', `gzip data is corrupt (${describe(error)})`);
      }
    }
    const result: FetchedFeed = { text: body.toString('utf8'), bytes, gzipped, status: response.status };
    const contentType = response.headers.get('content-type');
    if (contentType !== null) result.contentType = contentType;
    return result;
  } finally {
    clearTimeout(timer);
  }
}

/** Replaces every spelling of the full URL in a message by its safe form. */
function scrub(message: string, secrets: readonly string[], safe: string): string {
  let result = message;
  for (const secret of secrets) if (secret !== '') result = result.split(secret).join(safe);
  return result;
}

/** The most useful words of a fetch failure (undici hides the socket error in `cause`). */
function describeCause(error: unknown): string {
  const cause = (error as { cause?: unknown }).cause;
  const source = cause instanceof Error ? cause : error;
  if (source instanceof Error) {
    const code = (source as { code?: string }).code;
    return code !== undefined && !source.message.includes(code) ? `${code} ${source.message}` : source.message;
  }
  return String(error);
}
