import type { AuthTokens } from './token-store';

/**
 * When the access token expires, in epoch ms: `expiresAt` when given, else the `exp` claim of a
 * JWT access token, else `undefined` (unknown: only a 401 will tell).
 */
export function expiryOf(tokens: AuthTokens): number | undefined {
  if (typeof tokens.expiresAt === 'number' && Number.isFinite(tokens.expiresAt)) return tokens.expiresAt;
  return jwtExpiry(tokens.accessToken);
}

function jwtExpiry(token: string): number | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts[1]) return undefined;
  try {
    const claims: unknown = JSON.parse(decodeBase64Url(parts[1]));
    const exp = (claims as { exp?: unknown } | null)?.exp;
    return typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : undefined;
  } catch {
    return undefined; // not a JWT after all: an opaque token that happens to contain dots
  }
}

function decodeBase64Url(segment: string): string {
  const base64 = segment.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  const bytes = Uint8Array.from(binary, (char) => char.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}
