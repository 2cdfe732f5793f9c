/**
 * Tokens as a test hands them out: what the token endpoint answers, before the OAuth field names
 * (`access_token`, `refresh_token`, `expires_in`, `scope`, `id_token`).
 *
 * @example
 * ```ts
 * refresh.flush({ accessToken: 'a2', refreshToken: 'r2', expiresIn: 300 });
 * ```
 */
export interface TestTokens {
  /** `access_token`. */
  readonly accessToken: string;
  /** Left out of the answer when absent: the client keeps its refresh token (no rotation). */
  readonly refreshToken?: string;
  /** `expires_in`, in seconds; left out when absent. */
  readonly expiresIn?: number;
  /** `scope`; left out when absent. */
  readonly scope?: string;
  /** `id_token`; left out when absent. */
  readonly idToken?: string;
}

/** The JSON body of a successful OAuth 2.0 token response (RFC 6749 section 5.1). */
export function tokenAnswer(tokens: TestTokens): Record<string, string | number> {
  return {
    access_token: tokens.accessToken,
    token_type: 'Bearer',
    ...(tokens.expiresIn !== undefined ? { expires_in: tokens.expiresIn } : {}),
    ...(tokens.refreshToken !== undefined ? { refresh_token: tokens.refreshToken } : {}),
    ...(tokens.scope !== undefined ? { scope: tokens.scope } : {}),
    ...(tokens.idToken !== undefined ? { id_token: tokens.idToken } : {}),
  };
}
