import type { AuthTokens, TokenStore } from '../auth/token-store';
import { IndexedDbRecord, tokensIn } from './indexed-db-record';

/**
 * A {@link TokenStore} every tab of an origin shares, which survives a reload. `get()`, called for
 * every request, answers from a copy in memory that other tabs' writes keep current (`storage`
 * events), so it costs no storage read. The record a refresh reads inside its lock
 * (`getLatest`), and the compare-and-set it writes with (`replace`), live in IndexedDB: its
 * transactions are consistent across tabs, where a `localStorage` read made right after another
 * tab's write may still see the value from before it. `localStorage` holds a copy for the next
 * page load and to notify the other tabs.
 *
 * Pair it with a {@link WebLocksRefreshLock} so tabs refresh one at a time. Anything a script on
 * the page can read, an XSS can too: weigh that before keeping tokens here. Where `localStorage`
 * is missing (server-side rendering, Node) it keeps the tokens in memory only; where IndexedDB is
 * missing, the in-lock read falls back to `localStorage`.
 *
 * @example
 * ```ts
 * import { LocalStorageTokenStore } from 'rxjs-auth-http/tabs';
 *
 * const store = new LocalStorageTokenStore('example-app.tokens');
 * // After the login form:
 * await store.set({ accessToken: 'at-1', refreshToken: 'rt-1', expiresAt: Date.now() + 3_600_000 });
 * ```
 */
export class LocalStorageTokenStore implements TokenStore {
  /** The `localStorage` key, also the IndexedDB record's key. */
  readonly key: string;
  private tokens: AuthTokens | null = null;
  private readonly storage: Storage | null;
  private readonly record: IndexedDbRecord | null;

  constructor(key = 'rxjs-auth-http.tokens') {
    if (typeof key !== 'string' || key === '') {
      throw new TypeError('LocalStorageTokenStore: the key must be a non-empty string');
    }
    this.key = key;
    this.storage = availableStorage();
    const indexedDb = (globalThis as { indexedDB?: IDBFactory }).indexedDB;
    this.record = indexedDb ? new IndexedDbRecord(indexedDb, key) : null;
    this.tokens = this.readStorage();
    globalThis.addEventListener?.('storage', (event: StorageEvent) => {
      // A null key: the whole storage was cleared.
      const ours = event.storageArea === this.storage && (event.key === key || event.key === null);
      if (ours) this.tokens = parsed(event.newValue);
    });
  }

  get(): AuthTokens | null {
    return this.tokens;
  }

  async set(tokens: AuthTokens): Promise<void> {
    await this.record?.write(tokens);
    this.keep(tokens);
  }

  async clear(): Promise<void> {
    this.tokens = null; // a logout takes effect here at once, even if a write below fails
    this.storage?.removeItem(this.key);
    await this.record?.write(null);
  }

  /** Reads the record all tabs agree on (IndexedDB), and keeps it as this tab's copy. */
  async getLatest(): Promise<AuthTokens | null> {
    const latest = this.record ? await this.record.read() : this.readStorage();
    this.tokens = latest;
    return latest;
  }

  /** Stores `fresh` only if the shared record still holds `stale`; answers what it holds after. */
  async replace(stale: AuthTokens, fresh: AuthTokens): Promise<AuthTokens | null> {
    if (this.record === null) {
      const held = this.readStorage();
      if (held === null || held.accessToken !== stale.accessToken) return held;
      this.keep(fresh);
      return fresh;
    }
    const held = await this.record.replace(stale, fresh);
    if (held === null) {
      this.tokens = null;
      this.storage?.removeItem(this.key);
    } else this.keep(held);
    return held;
  }

  private keep(tokens: AuthTokens): void {
    this.tokens = tokens;
    try {
      this.storage?.setItem(this.key, JSON.stringify(tokens));
    } catch {
      // Quota or private mode: IndexedDB holds the tokens; only the copy for the next load is lost.
    }
  }

  // Without localStorage at all, this tab's copy is the only record there is.
  private readStorage(): AuthTokens | null {
    return this.storage ? parsed(this.storage.getItem(this.key)) : this.tokens;
  }
}

// Reading `localStorage` itself throws where storage is blocked (sandboxed frames, some settings).
function availableStorage(): Storage | null {
  try {
    return (globalThis as { localStorage?: Storage }).localStorage ?? null;
  } catch {
    return null;
  }
}

function parsed(saved: string | null): AuthTokens | null {
  if (saved === null) return null;
  try {
    return tokensIn(JSON.parse(saved));
  } catch {
    return null; // not ours, or damaged: treated as signed out rather than a failing request
  }
}
