import type { AuthTokens } from '../auth/token-store';

const DATABASE = 'rxjs-auth-http';
const TABLE = 'tokens';

/**
 * One token record in IndexedDB, read and written in transactions. Unlike `localStorage`, whose
 * writes reach other tabs' renderer processes a moment later, IndexedDB transactions are ordered
 * by the browser across every tab: a read made after another tab's write has committed sees it.
 * That is what the read inside the refresh lock needs.
 */
export class IndexedDbRecord {
  private database: Promise<IDBDatabase> | null = null;

  constructor(
    private readonly factory: IDBFactory,
    private readonly key: string,
  ) {}

  read(): Promise<AuthTokens | null> {
    return this.transaction('readonly', (table) => request<unknown>(table.get(this.key)).then(tokensIn));
  }

  write(tokens: AuthTokens | null): Promise<void> {
    return this.transaction('readwrite', async (table) => {
      await request(tokens === null ? table.delete(this.key) : table.put(tokens, this.key));
    });
  }

  /**
   * Writes `fresh` only if the record still holds `stale`'s access token, in one transaction;
   * answers what the record holds afterwards.
   */
  replace(stale: AuthTokens, fresh: AuthTokens): Promise<AuthTokens | null> {
    return this.transaction('readwrite', async (table) => {
      const held = tokensIn(await request<unknown>(table.get(this.key)));
      if (held === null || held.accessToken !== stale.accessToken) return held;
      await request(table.put(fresh, this.key));
      return fresh;
    });
  }

  // Resolves with `work`'s answer once the transaction has committed, so every tab reads it after.
  private async transaction<T>(mode: IDBTransactionMode, work: (table: IDBObjectStore) => Promise<T>): Promise<T> {
    const database = await this.open();
    const transaction = database.transaction(TABLE, mode);
    const committed = new Promise<void>((resolve, reject) => {
      transaction.oncomplete = () => resolve();
      transaction.onerror = () => reject(transaction.error ?? failure('the transaction failed'));
      transaction.onabort = () => reject(transaction.error ?? failure('the transaction was aborted'));
    });
    const answer = await work(transaction.objectStore(TABLE));
    await committed;
    return answer;
  }

  private open(): Promise<IDBDatabase> {
    this.database ??= new Promise<IDBDatabase>((resolve, reject) => {
      const opening = this.factory.open(DATABASE, 1);
      opening.onupgradeneeded = () => opening.result.createObjectStore(TABLE);
      opening.onsuccess = () => {
        const database = opening.result;
        // Lets a newer version of this library, in another tab, upgrade the database.
        database.onversionchange = () => {
          database.close();
          this.database = null;
        };
        resolve(database);
      };
      opening.onerror = () => reject(opening.error ?? failure('the token database did not open'));
      opening.onblocked = () => reject(failure('another tab keeps an older version of the token database open'));
    });
    void this.database.catch(() => (this.database = null)); // try again next time
    return this.database;
  }
}

function request<T>(pending: IDBRequest<T> | IDBRequest): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    pending.onsuccess = () => resolve(pending.result as T);
    pending.onerror = () => reject(pending.error ?? failure('the request failed'));
  });
}

// IndexedDB reports most failures as a DOMException in `error`; this stands in when it is null.
function failure(message: string): DOMException {
  return new DOMException(message, 'UnknownError');
}

/** Tokens as stored, or `null` for anything that is not a token record. */
export function tokensIn(value: unknown): AuthTokens | null {
  const tokens = value as Partial<AuthTokens> | null | undefined;
  return typeof tokens?.accessToken === 'string' && tokens.accessToken !== '' ? (tokens as AuthTokens) : null;
}
