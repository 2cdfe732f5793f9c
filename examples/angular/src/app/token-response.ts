import type { AuthTokens } from 'rxjs-auth-http';

/** What the token endpoint answers, OAuth 2.0 style. */
export interface TokenResponse {
  access_token: string;
  refresh_token?: string;
  expires_in?: number;
}

export function toTokens(answer: TokenResponse): AuthTokens {
  const expiresAt = answer.expires_in === undefined ? undefined : Date.now() + answer.expires_in * 1000;
  return { accessToken: answer.access_token, refreshToken: answer.refresh_token, expiresAt };
}
