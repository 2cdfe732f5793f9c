import type { AuthTokens } from 'rxjs-auth-http';

/**
 * The tokens travel between the browser and the server in one cookie, so that the server renders
 * with the user's tokens and the browser picks up the ones a server-side refresh rotated. It is
 * readable by scripts because the browser app sends the token itself; `Secure` in production.
 */
export const TOKEN_COOKIE = 'auth';

/** The tokens in a `Cookie` header or `document.cookie`, or null when there are none (or they are mangled). */
export function tokensFromCookies(cookies: string): AuthTokens | null {
  const pair = cookies
    .split(';')
    .map((part) => part.trim())
    .find((part) => part.startsWith(`${TOKEN_COOKIE}=`));
  if (pair === undefined) return null;
  try {
    const tokens = JSON.parse(decodeURIComponent(pair.slice(TOKEN_COOKIE.length + 1))) as Partial<AuthTokens>;
    return typeof tokens.accessToken === 'string' ? (tokens as AuthTokens) : null;
  } catch {
    return null;
  }
}

/** The cookie that stores `tokens`, or deletes the cookie when they are null. */
export function tokenCookie(tokens: AuthTokens | null): string {
  const value = tokens === null ? '' : encodeURIComponent(JSON.stringify(tokens));
  return `${TOKEN_COOKIE}=${value}; Path=/; SameSite=Lax${tokens === null ? '; Max-Age=0' : ''}`;
}
