/** Tokens as a test hands them out: what the token endpoint answers, before the OAuth field names. */
export interface TestTokens {
  readonly accessToken: string;
  /** Left out of the answer when absent: the client keeps its refresh token (no rotation). */
  readonly refreshToken?: string;
  /** `expires_in`, in seconds; left out when absent. */
  readonly expiresIn?: number;
  readonly scope?: string;
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
