import type { DPoPKeyStore } from './dpop-key-store';

const DATABASE = 'rxjs-auth-http-dpop';
const STORE = 'keys';

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
  private database: Promise<IDBDatabase> | null = null;

  constructor(private readonly name = 'default') {
    if (typeof name !== 'string' || name === '')
      throw new TypeError('IndexedDBKeyStore: name must be a non-empty string');
  }

  get(): Promise<CryptoKeyPair | null> {
    return this.run('readonly', (store, done) => {
      const read = store.get(this.name);
      read.onsuccess = () => done((read.result as CryptoKeyPair | undefined) ?? null);
    });
  }

  add(keys: CryptoKeyPair): Promise<CryptoKeyPair> {
    return this.run('readwrite', (store, done) => {
      const read = store.get(this.name);
      read.onsuccess = () => {
        const stored = read.result as CryptoKeyPair | undefined;
        if (stored) return done(stored);
        store.put(keys, this.name).onsuccess = () => done(keys);
      };
    });
  }

  delete(): Promise<void> {
    return this.run('readwrite', (store, done) => {
      store.delete(this.name).onsuccess = () => done(undefined);
    });
  }

  // One transaction; its result counts only once it has committed, and any failure rejects.
  private async run<T>(
    mode: IDBTransactionMode,
    work: (store: IDBObjectStore, done: (result: T) => void) => void,
  ): Promise<T> {
    const database = await this.open();
    return new Promise<T>((resolve, reject) => {
      const transaction = database.transaction(STORE, mode);
      let result: T;
      transaction.oncomplete = () => resolve(result);
      transaction.onerror = () => reject(transaction.error ?? new Error('IndexedDB: the transaction failed'));
      transaction.onabort = () => reject(transaction.error ?? new Error('IndexedDB: the transaction was aborted'));
      work(transaction.objectStore(STORE), (value) => (result = value));
    });
  }

  private open(): Promise<IDBDatabase> {
    this.database ??= new Promise<IDBDatabase>((resolve, reject) => {
      if (typeof indexedDB === 'undefined')
        return reject(new Error('IndexedDB is not available here; use MemoryDPoPKeyStore'));
      const request = indexedDB.open(DATABASE, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(STORE);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error ?? new Error('IndexedDB: the database did not open'));
    }).catch((error: unknown) => {
      this.database = null; // a blocked or failed open may succeed next time
      throw error;
    });
    return this.database;
  }
}
