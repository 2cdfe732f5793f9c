import { AjaxError, AjaxTimeoutError } from 'rxjs/ajax';
import { NetworkError } from '../errors/network-error';
import { statusOf } from '../errors/status-of';
import { RequestTimeoutError } from '../errors/request-timeout-error';
import type { ResolvedRetryOptions } from './retry-options';

/** Statuses whose `Retry-After` is a request to slow down (RFC 9110 10.2.3, RFC 6585 4). */
const RETRY_AFTER_STATUSES: ReadonlySet<number> = new Set([429, 503]);

/** What the retry layer knows when an attempt has failed. */
export interface FailedAttempt {
  readonly error: unknown;
  /** 0 for the first retry. */
  readonly retryIndex: number;
  /** Time since the first attempt started, in ms. */
  readonly elapsedMs: number;
}

/**
 * How long to wait before the next attempt, or `null` when there must be none: the error is not
 * transient, the server asked for a longer pause than `maxRetryAfterMs`, or the wait would end
 * past `maxElapsedMs`. (`limit` is counted by the caller.)
 * The backoff is "full jitter": a uniform random wait up to `min(maxDelayMs, baseDelayMs * 2^n)`,
 * so clients that failed together do not come back together.
 */
export function retryDelay(
  failed: FailedAttempt,
  options: ResolvedRetryOptions,
  random: () => number = Math.random,
  wallClock: number = Date.now(),
): number | null {
  const { error } = failed;
  const status = statusOf(error);
  const transient =
    isNetworkFailure(error) ||
    (error instanceof RequestTimeoutError ? options.retryOnTimeout : status !== 0 && options.statusCodes.has(status));
  if (!transient) return null;
  const asked = RETRY_AFTER_STATUSES.has(status) ? retryAfterMs(headerOf(error, 'retry-after'), wallClock) : null;
  if (asked !== null && asked > options.maxRetryAfterMs) return null;
  const delay =
    asked ?? Math.floor(random() * Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** failed.retryIndex));
  return failed.elapsedMs + delay > options.maxElapsedMs ? null : delay;
}

/**
 * A `Retry-After` value in ms from now: delay-seconds or an HTTP-date (a date in the past means
 * now). `null` when absent or unreadable.
 */
export function retryAfterMs(value: string | undefined, wallClock: number): number | null {
  if (value === undefined) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // All three HTTP-date forms start with a day name; Date.parse alone would take "-5" as a year.
  const date = /^[a-z]{3}/i.test(text) ? Date.parse(text) : Number.NaN;
  return Number.isNaN(date) ? null : Math.max(0, date - wallClock);
}

// Ours, or rxjs' own: ajax reports a failure without a response as an AjaxError with status 0
// (its timeout, an AjaxTimeoutError, is a timeout like ours).
function isNetworkFailure(error: unknown): boolean {
  return (
    error instanceof NetworkError ||
    (error instanceof AjaxError && !(error instanceof AjaxTimeoutError) && error.status === 0)
  );
}

// Our errors carry parsed `headers`; an AjaxError only its XHR.
function headerOf(error: unknown, name: string): string | undefined {
  const headers = (error as { headers?: unknown } | null)?.headers;
  if (typeof headers === 'object' && headers !== null) {
    const value = (headers as Record<string, unknown>)[name];
    return typeof value === 'string' ? value : undefined;
  }
  return error instanceof AjaxError ? (error.xhr.getResponseHeader(name) ?? undefined) : undefined;
}
