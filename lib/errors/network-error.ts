import type { RequestSummary } from './redact';
import { RequestError } from './request-error';

/**
 * No response arrived: the connection was refused, reset or dropped, DNS failed, or (in a browser)
 * CORS blocked the response. `cause` holds the underlying error where the platform exposes one
 * (in Node, for example, an `ECONNREFUSED` error); `code` repeats its error code.
 *
 * @example
 * ```ts
 * client.get('/health').pipe(
 *   catchError((error) => (error instanceof NetworkError ? of({ offline: true }) : throwError(() => error))),
 * );
 * ```
 */
export class NetworkError extends RequestError {
  override name = 'NetworkError' as const;
  /** A system error code such as `ECONNREFUSED` or `ECONNRESET`, when one is known. */
  readonly code: string | undefined;

  constructor(request: RequestSummary, cause?: unknown) {
    const code = codeOf(cause);
    super(`${request.method} ${request.url} failed: no response${code ? ` (${code})` : ''}`, request, { cause });
    this.code = code;
  }
}

function codeOf(cause: unknown): string | undefined {
  const code = (cause as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}
