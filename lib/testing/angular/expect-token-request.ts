import type { HttpRequest } from '@angular/common/http';
import type { HttpTestingController, TestRequest } from '@angular/common/http/testing';
import { tokenAnswer, type TestTokens } from '../token-answer';
import { FAULT_ANSWERS, checkFault, type TokenFault } from '../token-faults';
import { expectRequest, withoutQuery, type ExpectOptions } from './expect-request';

/**
 * The refresh the app sent, caught by {@link expectTokenRequest}, with what a test asks of it.
 *
 * @example
 * ```ts
 * const refresh = await expectTokenRequest(controller);
 * assert.equal(refresh.refreshToken, 'r1');
 * refresh.fail('invalid_grant'); // the session ends
 * ```
 */
export interface TokenRequest {
  /** Angular's request, to flush by hand or to read its headers. */
  readonly request: TestRequest;
  /** The form fields it posted (`grant_type`, `refresh_token`, `client_id`...). */
  readonly form: URLSearchParams;
  /** The refresh token it presented. */
  readonly refreshToken: string | null;
  /**
   * Answers with new tokens (default: a fresh access and refresh token, `expires_in` 3600) in the
   * OAuth 2.0 JSON form, and returns them: the retries should carry `accessToken`.
   */
  flush(tokens?: TestTokens): TestTokens;
  /**
   * Answers with a {@link TokenFault} as a token endpoint does (`invalid_grant`: 400 and the
   * OAuth error body). `malformed` is left out: the testing backend cannot fail to parse JSON as
   * Angular's real backends do; the Node test server can.
   */
  fail(fault: Exclude<TokenFault, 'malformed'>): void;
}

/**
 * Waits, turn by turn, for the app's one refresh: a POST whose form says
 * `grant_type=refresh_token`, or, with `options.url`, any POST there (a token endpoint of the
 * app's own, whatever its body). It is there when the refresh
 * goes through Angular: `oauth2Refresh` under the Angular adapter or `withTokenTransport` sends
 * it through `HttpBackend`, so `HttpTestingController` sees it; a refresh written with
 * `HttpClient` too. Rejects with {@link RequestExpectationError} when none comes or several do:
 * one refresh for any number of 401s is the point.
 *
 * @example
 * ```ts
 * http.get('https://api.example.com/orders').subscribe();
 * await expireAccessToken(controller, 'https://api.example.com/orders');
 * const { accessToken } = (await expectTokenRequest(controller)).flush();
 * const retry = await expectRequest(controller, 'https://api.example.com/orders');
 * assert.equal(retry.request.headers.get('Authorization'), `Bearer ${accessToken}`);
 * ```
 */
export async function expectTokenRequest(
  controller: HttpTestingController,
  options: ExpectOptions & { readonly url?: string } = {},
): Promise<TokenRequest> {
  const { url } = options;
  const isRefresh = (req: HttpRequest<unknown>) =>
    req.method === 'POST' &&
    (url === undefined
      ? formOf(req.body)?.get('grant_type') === 'refresh_token'
      : withoutQuery(req.url) === withoutQuery(url));
  const request = await expectRequest(controller, isRefresh, options);
  const form = formOf(request.request.body) ?? new URLSearchParams();
  return {
    request,
    form,
    refreshToken: form.get('refresh_token'),
    flush: (tokens = freshTokens()) => {
      request.flush(tokenAnswer(tokens), { headers: { 'content-type': 'application/json' } });
      return tokens;
    },
    fail: (fault) => {
      const { status, statusText, body } = FAULT_ANSWERS[checkFault(fault, ANSWERABLE)];
      request.flush(JSON.parse(body) as object, { status, statusText });
    },
  };
}

const ANSWERABLE: ReadonlyArray<Exclude<TokenFault, 'malformed'>> = [
  'invalid_grant',
  'invalid_client',
  'unavailable',
  'server_error',
  'no_access_token',
];

let issued = 0;
function freshTokens(): TestTokens {
  issued++;
  return { accessToken: `test-access-${issued}`, refreshToken: `test-refresh-${issued}`, expiresIn: 3600 };
}

/** The form of a token request, whichever way it was written: text, URLSearchParams, HttpParams, an object. */
function formOf(body: unknown): URLSearchParams | null {
  if (typeof body === 'string') return new URLSearchParams(body);
  if (body instanceof URLSearchParams) return new URLSearchParams(body);
  if (typeof body !== 'object' || body === null) return null;
  // HttpParams, read by shape: this entry imports nothing of Angular at run time.
  const params = body as Partial<Record<'keys' | 'getAll', unknown>>;
  if (typeof params.keys === 'function' && typeof params.getAll === 'function') {
    const httpParams = body as { keys(): string[]; getAll(name: string): string[] | null };
    const pairs = httpParams.keys().flatMap((name) => (httpParams.getAll(name) ?? []).map((value) => [name, value]));
    return new URLSearchParams(pairs);
  }
  const fields = Object.entries(body).filter((entry): entry is [string, string] => typeof entry[1] === 'string');
  return new URLSearchParams(fields);
}
