// One object store of one IndexedDB database, opened once and used in transactions: the token
// record that tabs share (lib/tabs) and the DPoP key store (lib/dpop) both keep their data so.

/**
 * A table (object store) of its own database. Each {@link transaction} resolves with its work's
 * answer only once the transaction has committed, so every tab that reads after sees the write;
 * any failure rejects, and a failed open is tried again next time.
 */
export class IndexedDbTable {
  private database: Promise<IDBDatabase> | null = null;

  constructor(
    private readonly factory: IDBFactory,
    private readonly databaseName: string,
    private readonly tableName: string,
  ) {}

  async transaction<T>(mode: IDBTransactionMode, work: (table: IDBObjectStore) => Promise<T>): Promise<T> {
    const database = await this.open();
    const transaction = database.transaction(this.tableName, mode);
    const committed = new Promise<void>((resolve, reject) => {
      transaction.oncomplete = () => resolve();
      transaction.onerror = () => reject(transaction.error ?? failure('the transaction failed'));
      transaction.onabort = () => reject(transaction.error ?? failure('the transaction was aborted'));
    });
    const answer = await work(transaction.objectStore(this.tableName));
    await committed;
    return answer;
  }

  private open(): Promise<IDBDatabase> {
    this.database ??= new Promise<IDBDatabase>((resolve, reject) => {
      const opening = this.factory.open(this.databaseName, 1);
      opening.onupgradeneeded = () => opening.result.createObjectStore(this.tableName);
      opening.onsuccess = () => {
        const database = opening.result;
        // Lets a newer version of this library, in another tab, upgrade the database.
        database.onversionchange = () => {
          database.close();
          this.database = null;
        };
        resolve(database);
      };
      opening.onerror = () => reject(opening.error ?? failure(`the ${this.databaseName} database did not open`));
      opening.onblocked = () => reject(failure(`another tab keeps an older ${this.databaseName} database open`));
    });
    void this.database.catch(() => (this.database = null)); // try again next time
    return this.database;
  }
}

/** One IndexedDB request as a Promise. */
export function idbRequest<T>(pending: IDBRequest<T> | IDBRequest): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    pending.onsuccess = () => resolve(pending.result as T);
    pending.onerror = () => reject(pending.error ?? failure('the request failed'));
  });
}

// IndexedDB reports most failures as a DOMException in `error`; this stands in when it is null.
function failure(message: string): DOMException {
  return new DOMException(message, 'UnknownError');
}
