import type { AuthTokens } from '../auth/token-store';
import { idbRequest, IndexedDbTable } from '../indexed-db-table';

/**
 * One token record in IndexedDB, read and written in transactions. Unlike `localStorage`, whose
 * writes reach other tabs' renderer processes a moment later, IndexedDB transactions are ordered
 * by the browser across every tab: a read made after another tab's write has committed sees it.
 * That is what the read inside the refresh lock needs.
 */
export class IndexedDbRecord {
  private readonly table: IndexedDbTable;

  constructor(
    factory: IDBFactory,
    private readonly key: string,
  ) {
    this.table = new IndexedDbTable(factory, 'rxjs-auth-http', 'tokens');
  }

  read(): Promise<AuthTokens | null> {
    return this.table.transaction('readonly', (table) => idbRequest<unknown>(table.get(this.key)).then(tokensIn));
  }

  write(tokens: AuthTokens | null): Promise<void> {
    return this.table.transaction('readwrite', async (table) => {
      await idbRequest(tokens === null ? table.delete(this.key) : table.put(tokens, this.key));
    });
  }

  /**
   * Writes `fresh` only if the record still holds `stale`'s access token, in one transaction;
   * answers what the record holds afterwards.
   */
  replace(stale: AuthTokens, fresh: AuthTokens): Promise<AuthTokens | null> {
    return this.table.transaction('readwrite', async (table) => {
      const held = tokensIn(await idbRequest<unknown>(table.get(this.key)));
      if (held === null || held.accessToken !== stale.accessToken) return held;
      await idbRequest(table.put(fresh, this.key));
      return fresh;
    });
  }
}

/** Tokens as stored, or `null` for anything that is not a token record. */
export function tokensIn(value: unknown): AuthTokens | null {
  const tokens = value as Partial<AuthTokens> | null | undefined;
  return typeof tokens?.accessToken === 'string' && tokens.accessToken !== '' ? (tokens as AuthTokens) : null;
}
