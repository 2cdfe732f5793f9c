import { asyncScheduler } from 'rxjs';
import type { AuthTokens } from './token-store';

/**
 * Decides when a session's tokens are due for a refresh ahead of their expiry: a full
 * `expirySkew` early, except for a token the session's own refresh returned that lives shorter
 * than the skew, which gets half its lifetime (refreshing it at once would loop).
 */
export class ExpiryWatch {
  /** The access token our last refresh returned, and when: its lifetime bounds its skew. */
  private lastRefreshed: { readonly token: string; readonly at: number } | null = null;
  private expiryCache: { token: string; expiry: number | undefined } = { token: '', expiry: undefined };

  constructor(private readonly expirySkew: number) {}

  /** Remembers a token the session's own refresh just returned. */
  refreshed(accessToken: string): void {
    this.lastRefreshed = { token: accessToken, at: asyncScheduler.now() };
  }

  /** Whether `tokens` have expired or are within their skew of expiring. */
  isExpiring(tokens: AuthTokens): boolean {
    const expiry = this.cachedExpiryOf(tokens);
    if (expiry === undefined) return false;
    // asyncScheduler's clock, not Date.now(): TestScheduler runs it in virtual time.
    const now = asyncScheduler.now();
    if (now >= expiry) return true;
    return now >= expiry - this.skewFor(tokens.accessToken, expiry);
  }

  /** Whether `tokens` have expired: past their expiry, skew aside. */
  hasExpired(tokens: AuthTokens): boolean {
    const expiry = this.cachedExpiryOf(tokens);
    return expiry !== undefined && asyncScheduler.now() >= expiry;
  }

  private skewFor(accessToken: string, expiry: number): number {
    if (accessToken !== this.lastRefreshed?.token) return this.expirySkew;
    return Math.min(this.expirySkew, (expiry - this.lastRefreshed.at) / 2);
  }

  // Decoding a JWT for every request would dominate the coordination cost; the token rarely changes.
  private cachedExpiryOf(tokens: AuthTokens): number | undefined {
    if (tokens.expiresAt !== undefined) return expiryOf(tokens);
    if (this.expiryCache.token !== tokens.accessToken) {
      this.expiryCache = { token: tokens.accessToken, expiry: expiryOf(tokens) };
    }
    return this.expiryCache.expiry;
  }
}

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
