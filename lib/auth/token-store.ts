/** The tokens of one signed-in session. */
export interface AuthTokens {
  /** Sent with each request. */
  readonly accessToken: string;
  /** Handed to the refresh function; kept across refreshes that return none. */
  readonly refreshToken?: string;
  /** When the access token expires, in epoch milliseconds; enables refreshing before it does. */
  readonly expiresAt?: number;
  /** The scope the server granted, when it said (servers may narrow it on refresh). */
  readonly scope?: string;
  /** The OpenID Connect ID token of the last answer that carried one. */
  readonly idToken?: string;
}

/**
 * Where tokens live. Each method may answer at once or with a Promise, so a store can be memory,
 * `localStorage` or an async secure store. The client reads the store for every attempt, so
 * tokens written by someone else (another client, a login form) are picked up.
 *
 * @example
 * ```ts
 * const localStore: TokenStore = {
 *   get: () => JSON.parse(localStorage.getItem('tokens') ?? 'null'),
 *   set: (tokens) => localStorage.setItem('tokens', JSON.stringify(tokens)),
 *   clear: () => localStorage.removeItem('tokens'),
 * };
 * ```
 */
export interface TokenStore {
  get(): AuthTokens | null | Promise<AuthTokens | null>;
  set(tokens: AuthTokens): void | Promise<void>;
  clear(): void | Promise<void>;
  /**
   * Optional, for a store shared by several processes or tabs that keeps a local copy: reads the
   * shared record itself. A refresh reads with it inside its {@link RefreshLock}, where a copy a
   * moment old could make it present a refresh token another context has just spent.
   */
  getLatest?(): AuthTokens | null | Promise<AuthTokens | null>;
  /**
   * Optional compare-and-set: stores `fresh` only if the store still holds `stale` (the same
   * `accessToken`), in one atomic step, and answers what the store holds afterwards. A refresh
   * writes with it when present, so a context whose lock ran out can never overwrite newer tokens.
   */
  replace?(stale: AuthTokens, fresh: AuthTokens): AuthTokens | null | Promise<AuthTokens | null>;
}

/**
 * Keeps tokens in memory: the default store, gone when the page or process ends.
 *
 * @example
 * ```ts
 * const store = new MemoryTokenStore({ accessToken: 'a1', refreshToken: 'r1' });
 * const client = createHttpClient({ baseUrl: 'https://api.example.com', auth: { store, refresh } });
 * ```
 */
export class MemoryTokenStore implements TokenStore {
  private tokens: AuthTokens | null;

  constructor(initial?: AuthTokens | null) {
    this.tokens = initial ?? null;
  }

  get(): AuthTokens | null {
    return this.tokens;
  }

  set(tokens: AuthTokens): void {
    this.tokens = tokens;
  }

  clear(): void {
    this.tokens = null;
  }
}
