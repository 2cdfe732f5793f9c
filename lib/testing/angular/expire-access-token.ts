import type { HttpTestingController, TestRequest } from '@angular/common/http/testing';
import { awaitRequests, type ExpectOptions, type RequestMatcher } from './expect-request';

/**
 * Answers every open request that `match` takes with what an API answers an expired access token:
 * 401, `WWW-Authenticate: Bearer error="invalid_token"`. Waits, turn by turn, for the first of
 * them; returns them all, to check the token they carried. The app should now refresh once
 * (see {@link expectTokenRequest}) and retry each.
 *
 * @example
 * ```ts
 * http.get('https://api.example.com/orders').subscribe();
 * const [expired] = await expireAccessToken(controller, 'https://api.example.com/orders');
 * assert.equal(expired?.request.headers.get('Authorization'), 'Bearer a1');
 * ```
 */
export async function expireAccessToken(
  controller: HttpTestingController,
  match: RequestMatcher,
  options: ExpectOptions = {},
): Promise<TestRequest[]> {
  const all = await awaitRequests(controller, match, 1, false, options);
  for (const request of all)
    request.flush(
      { error: 'invalid_token' },
      { status: 401, statusText: 'Unauthorized', headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' } },
    );
  return all;
}
