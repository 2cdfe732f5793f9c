/**
 * Tokens as the test server issued them: an `AuthTokens` a store can hold as it is.
 *
 * @example
 * ```ts
 * const store = new MemoryTokenStore(server.issueTokens()); // signed in
 * ```
 */
export interface IssuedTokens {
  /** `at-<n>`, or an unsigned JWT with `jwt: true`. */
  readonly accessToken: string;
  /** `rt-<n>`. */
  readonly refreshToken: string;
  /** When the access token stops being accepted, in epoch milliseconds. */
  readonly expiresAt: number;
}

/** What presenting a refresh token came to. */
export type RefreshOutcome =
  | { readonly kind: 'issued'; readonly tokens: IssuedTokens; readonly rotated: boolean }
  /** A spent token back within the grace period: honoured, as a server with a reuse interval does. */
  | { readonly kind: 'grace'; readonly tokens: IssuedTokens }
  /** A spent token back after the grace period: refused, and its whole family revoked. */
  | { readonly kind: 'reused' }
  /** Never issued, expired on demand, or revoked: refused. */
  | { readonly kind: 'unknown' };

/** The rules of one refresh, read from the server's settings when the answer is made. */
export interface RefreshRules {
  readonly rotate: boolean;
  readonly reuseGraceMs: number;
  readonly accessTokenLifetimeMs: number;
  readonly jwt: boolean;
}

interface RefreshRecord {
  /** One family per sign-in: every token rotated from it, which reuse revokes together. */
  readonly family: number;
  state: 'live' | 'spent' | 'revoked';
  spentAt: number;
}

/**
 * Every token the test server issued and what became of it: rotation, reuse detection with a
 * grace period, revocation of a family on reuse (what Auth0, Okta and Keycloak do, so a client
 * that spends a refresh token twice loses its session here as in production), expiry on demand.
 * No HTTP and no clock of its own: the server passes `now`, the specs any time they like.
 */
export class TokenLedger {
  private readonly accessTokens = new Map<string, number>(); // token -> expiresAt
  private readonly refreshTokens = new Map<string, RefreshRecord>();
  private serial = 0;
  private families = 0;

  /** A fresh pair in a family of its own, as a sign-in gives. */
  issue(now: number, lifetimeMs: number, jwt: boolean): IssuedTokens {
    return this.issueIn(++this.families, now, lifetimeMs, jwt);
  }

  accepts(accessToken: string, now: number): boolean {
    const expiresAt = this.accessTokens.get(accessToken);
    return expiresAt !== undefined && expiresAt > now;
  }

  refresh(presented: string, now: number, rules: RefreshRules): RefreshOutcome {
    const record = this.refreshTokens.get(presented);
    if (record === undefined || record.state === 'revoked') return { kind: 'unknown' };
    if (record.state === 'spent') {
      if (now - record.spentAt < rules.reuseGraceMs)
        return { kind: 'grace', tokens: this.issueIn(record.family, now, rules.accessTokenLifetimeMs, rules.jwt) };
      this.revokeFamily(record.family);
      return { kind: 'reused' };
    }
    const tokens = this.issueIn(record.family, now, rules.accessTokenLifetimeMs, rules.jwt);
    if (!rules.rotate) {
      // The client keeps the token it has: the new one is never handed out.
      this.refreshTokens.delete(tokens.refreshToken);
      return { kind: 'issued', tokens, rotated: false };
    }
    record.state = 'spent';
    record.spentAt = now;
    return { kind: 'issued', tokens, rotated: true };
  }

  /** RFC 7009: a refresh token takes its family with it; an access token goes alone. */
  revoke(token: string): void {
    const record = this.refreshTokens.get(token);
    if (record !== undefined) this.revokeFamily(record.family);
    this.accessTokens.delete(token);
  }

  expireAccessTokens(): void {
    this.accessTokens.clear();
  }

  expireRefreshTokens(): void {
    for (const record of this.refreshTokens.values()) record.state = 'revoked';
  }

  private revokeFamily(family: number): void {
    for (const record of this.refreshTokens.values()) if (record.family === family) record.state = 'revoked';
  }

  private issueIn(family: number, now: number, lifetimeMs: number, jwt: boolean): IssuedTokens {
    const n = ++this.serial;
    const expiresAt = now + lifetimeMs;
    const accessToken = jwt ? unsignedJwt({ sub: 'test-user', n, exp: Math.floor(expiresAt / 1000) }) : `at-${n}`;
    const refreshToken = `rt-${n}`;
    this.accessTokens.set(accessToken, expiresAt);
    this.refreshTokens.set(refreshToken, { family, state: 'live', spentAt: 0 });
    return { accessToken, refreshToken, expiresAt };
  }
}

// alg "none": a client reads the claims (exp) without verifying, which is all a test needs.
function unsignedJwt(claims: Record<string, unknown>): string {
  const encode = (part: unknown) => Buffer.from(JSON.stringify(part)).toString('base64url');
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode(claims)}.`;
}
