import { checkErrorStatuses, checkMilliseconds } from '../option-checks';

/**
 * When and how a failed attempt is sent again. Every field is optional; the defaults retry an
 * idempotent request twice on a network error or a 408, 429, 500, 502, 503 or 504.
 *
 * @example
 * ```ts
 * const client = createHttpClient({
 *   baseUrl: 'https://api.example.com',
 *   retry: { limit: 3, baseDelayMs: 200, maxElapsedMs: 15_000 },
 * });
 * client.post('/orders', order, { retry: { methods: ['POST'] } }); // this endpoint is idempotent
 * ```
 */
export interface RetryOptions {
  /** Retries after the first attempt; default 2. `0` turns retrying off. */
  limit?: number;
  /**
   * Methods that may be sent again; default GET, HEAD, OPTIONS, PUT and DELETE. POST and PATCH are
   * left out because a request whose answer was lost may still have taken effect.
   */
  methods?: readonly string[];
  /**
   * Statuses worth another attempt; default 408, 429, 500, 502, 503, 504. 401 is the auth
   * layer's and cannot be listed.
   */
  statusCodes?: readonly number[];
  /** Whether an attempt that hit its `timeout` is retried; default `false` (the wait could multiply). */
  retryOnTimeout?: boolean;
  /** The backoff unit: retry `n` (from 0) waits a random time up to `baseDelayMs * 2^n`; default 300. */
  baseDelayMs?: number;
  /** The most one backoff wait may last, before jitter; default 10 000. */
  maxDelayMs?: number;
  /**
   * The longest `Retry-After` (on 429 and 503) that is waited for; default 60 000. A server that
   * asks for longer gets no retry: coming back sooner than it asked would only be refused again.
   */
  maxRetryAfterMs?: number;
  /** No retry is started that would end after this many ms from the first attempt; default 30 000. */
  maxElapsedMs?: number;
}

/**
 * {@link RetryOptions} checked and completed: nothing here is optional. Every request carries one
 * in `retry`, so an interceptor can see how the request will be retried.
 *
 * @example
 * ```ts
 * const tagRetryable: HttpInterceptor = (req, next) =>
 *   next({
 *     ...req,
 *     headers: { ...req.headers, 'x-retryable': String(req.retry.limit > 0 && req.retry.methods.has(req.method)) },
 *   });
 * ```
 */
export interface ResolvedRetryOptions {
  readonly limit: number;
  /** Upper-case method names. */
  readonly methods: ReadonlySet<string>;
  readonly statusCodes: ReadonlySet<number>;
  readonly retryOnTimeout: boolean;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly maxRetryAfterMs: number;
  readonly maxElapsedMs: number;
}

/** The defaults every client starts from. */
export const DEFAULT_RETRY: ResolvedRetryOptions = {
  limit: 2,
  methods: new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']),
  statusCodes: new Set([408, 429, 500, 502, 503, 504]),
  retryOnTimeout: false,
  baseDelayMs: 300,
  maxDelayMs: 10_000,
  maxRetryAfterMs: 60_000,
  maxElapsedMs: 30_000,
};

/**
 * Completes `options` over `base` (the client's settings, or the defaults): a number sets only
 * `limit`, `false` turns retrying off, `undefined` keeps `base` as it is. Throws a TypeError on bad
 * input.
 */
export function resolveRetryOptions(
  options: RetryOptions | number | false | undefined,
  base: ResolvedRetryOptions = DEFAULT_RETRY,
): ResolvedRetryOptions {
  if (options === undefined) return base;
  if (options === false) return base.limit === 0 ? base : { ...base, limit: 0 };
  if (typeof options === 'number') return { ...base, limit: checkLimit(options) };
  if (typeof options !== 'object' || options === null)
    throw new TypeError('retry must be a number of retries, false, or an options object');
  return {
    limit: options.limit === undefined ? base.limit : checkLimit(options.limit),
    methods: options.methods === undefined ? base.methods : new Set(checkMethods(options.methods)),
    statusCodes: options.statusCodes === undefined ? base.statusCodes : new Set(checkStatuses(options.statusCodes)),
    retryOnTimeout: options.retryOnTimeout ?? base.retryOnTimeout,
    baseDelayMs: checkMilliseconds('retry.baseDelayMs', options.baseDelayMs ?? base.baseDelayMs),
    maxDelayMs: checkMilliseconds('retry.maxDelayMs', options.maxDelayMs ?? base.maxDelayMs),
    maxRetryAfterMs: checkMilliseconds('retry.maxRetryAfterMs', options.maxRetryAfterMs ?? base.maxRetryAfterMs),
    maxElapsedMs: checkMilliseconds('retry.maxElapsedMs', options.maxElapsedMs ?? base.maxElapsedMs),
  };
}

function checkLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 0) throw new TypeError('retry.limit must be a whole number >= 0');
  return limit;
}

function checkMethods(methods: readonly string[]): string[] {
  if (!Array.isArray(methods) || !methods.every((method) => typeof method === 'string'))
    throw new TypeError('retry.methods must be an array of method names');
  return methods.map((method) => method.toUpperCase());
}

function checkStatuses(statuses: readonly number[]): readonly number[] {
  checkErrorStatuses('retry.statusCodes', statuses);
  // A 401 means the token was refused: the auth layer refreshes and retries it once; retrying it
  // here as well would resend a token known to be bad.
  if (statuses.includes(401)) throw new TypeError('retry.statusCodes cannot include 401: the auth layer handles it');
  return statuses;
}
