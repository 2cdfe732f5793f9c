import { idbRequest, IndexedDbTable } from '../indexed-db-table';
import type { DPoPKeyStore } from './dpop-key-store';

/**
 * Keeps the key pair in the browser's IndexedDB, the default in browsers: the `CryptoKeyPair`
 * itself is stored (structured clone), so the private key survives a reload and stays
 * non-extractable. One pair per origin and `name` (say, the client id). Tabs that start together
 * end up with one pair: `add` reads and writes in one readwrite transaction, which IndexedDB runs
 * one at a time per store.
 *
 * @example
 * ```ts
 * const dpop = new DPoP({ keyStore: new IndexedDBKeyStore('spa-client') });
 * ```
 */
export class IndexedDBKeyStore implements DPoPKeyStore {
  private table: IndexedDbTable | null = null;

  constructor(private readonly name = 'default') {
    if (typeof name !== 'string' || name === '')
      throw new TypeError('IndexedDBKeyStore: name must be a non-empty string');
  }

  get(): Promise<CryptoKeyPair | null> {
    return this.keys(
      'readonly',
      async (table) => (await idbRequest<CryptoKeyPair | undefined>(table.get(this.name))) ?? null,
    );
  }

  add(keys: CryptoKeyPair): Promise<CryptoKeyPair> {
    return this.keys('readwrite', async (table) => {
      const stored = await idbRequest<CryptoKeyPair | undefined>(table.get(this.name));
      if (stored) return stored;
      await idbRequest(table.put(keys, this.name));
      return keys;
    });
  }

  delete(): Promise<void> {
    return this.keys('readwrite', async (table) => {
      await idbRequest(table.delete(this.name));
    });
  }

  private async keys<T>(mode: IDBTransactionMode, work: (table: IDBObjectStore) => Promise<T>): Promise<T> {
    if (typeof indexedDB === 'undefined') throw new Error('IndexedDB is not available here; use MemoryDPoPKeyStore');
    this.table ??= new IndexedDbTable(indexedDB, 'rxjs-auth-http-dpop', 'keys');
    return this.table.transaction(mode, work);
  }
}
