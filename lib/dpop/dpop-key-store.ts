/**
 * Where a {@link DPoP} key pair lives. A refresh token bound to the key is useless without it, so
 * a store outlives the page only as far as the user wants the session to.
 *
 * @example
 * ```ts
 * const keys: DPoPKeyStore = new MemoryDPoPKeyStore();
 * const dpop = new DPoP({ keyStore: keys });
 * ```
 */
export interface DPoPKeyStore {
  /** The stored pair, or null when there is none (never stored, or deleted). */
  get(): Promise<CryptoKeyPair | null>;
  /**
   * Stores `keys` unless a pair is stored already, and returns the pair that is stored: several
   * tabs creating a key together all end up with the first one.
   */
  add(keys: CryptoKeyPair): Promise<CryptoKeyPair>;
  /** Forgets the pair (a logout that should unbind the device, say). */
  delete(): Promise<void>;
}

/**
 * Keeps the key pair in memory: the default in Node, where a process holds its own session.
 *
 * @example
 * ```ts
 * const dpop = new DPoP({ keyStore: new MemoryDPoPKeyStore() });
 * ```
 */
export class MemoryDPoPKeyStore implements DPoPKeyStore {
  private keys: CryptoKeyPair | null = null;

  get(): Promise<CryptoKeyPair | null> {
    return Promise.resolve(this.keys);
  }

  add(keys: CryptoKeyPair): Promise<CryptoKeyPair> {
    this.keys ??= keys;
    return Promise.resolve(this.keys);
  }

  delete(): Promise<void> {
    this.keys = null;
    return Promise.resolve();
  }
}
