import { asyncScheduler } from 'rxjs';
import { expiryOf } from './token-expiry';
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
