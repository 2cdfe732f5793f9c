/**
 * How a token endpoint can answer a refresh without new tokens: the failures an app meets in
 * production, by the name a test asks for them. `invalid_grant` ends the session; the others are
 * transient or a broken server, and keep it.
 *
 * - `invalid_grant`: 400 `{"error":"invalid_grant"}`, the refresh token is expired or revoked;
 * - `invalid_client`: 401 `{"error":"invalid_client"}`, the client's credentials are refused;
 * - `unavailable`: 503 `{"error":"temporarily_unavailable"}`, an outage;
 * - `server_error`: 500 `{"error":"server_error"}`;
 * - `malformed`: 200 with a body that is not JSON (a proxy's HTML page);
 * - `no_access_token`: 200 JSON without `access_token`.
 *
 * @example
 * ```ts
 * const outage: TokenFault = 'unavailable';
 * ```
 */
export type TokenFault =
  'invalid_grant' | 'invalid_client' | 'unavailable' | 'server_error' | 'malformed' | 'no_access_token';

/** The status and body a fault answers with: one table for the Node server and the Angular helpers. */
export interface FaultAnswer {
  readonly status: number;
  readonly statusText: string;
  /** JSON text, except for `malformed`. */
  readonly body: string;
}

export const FAULT_ANSWERS: Readonly<Record<TokenFault, FaultAnswer>> = {
  invalid_grant: {
    status: 400,
    statusText: 'Bad Request',
    body: '{"error":"invalid_grant","error_description":"the refresh token is invalid, expired or revoked"}',
  },
  invalid_client: { status: 401, statusText: 'Unauthorized', body: '{"error":"invalid_client"}' },
  unavailable: { status: 503, statusText: 'Service Unavailable', body: '{"error":"temporarily_unavailable"}' },
  server_error: { status: 500, statusText: 'Internal Server Error', body: '{"error":"server_error"}' },
  malformed: { status: 200, statusText: 'OK', body: '<html>Sign-in is down for maintenance</html>' },
  no_access_token: { status: 200, statusText: 'OK', body: '{"token_type":"Bearer","expires_in":3600}' },
};

/** Throws a TypeError unless `fault` is one of `allowed` (a test written in JavaScript may misspell it). */
export function checkFault<F extends string>(fault: F, allowed: readonly F[]): F {
  if (!allowed.includes(fault)) throw new TypeError(`fault must be one of ${allowed.join(', ')}`);
  return fault;
}
