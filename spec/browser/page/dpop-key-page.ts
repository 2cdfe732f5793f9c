// The DPoP key page: bundled for Chromium by spec/browser/dpop-key-in-chromium.browser.ts.
import { calculateJwkThumbprint, decodeProtectedHeader } from 'jose';
import { DPoP } from '../../../lib/dpop';

/** What a tab reports about the key its DPoP signs with. */
export interface KeyReport {
  /** The RFC 7638 thumbprints of the public keys in the proofs, one per DPoP: equal thumbprints, one key. */
  readonly thumbprints: string[];
  /** Whether the private key the store holds can be exported (it must not be). */
  readonly extractable: boolean;
}

export interface DPoPKeyPage {
  /**
   * `instances` new DPoPs with the browser's default key store each sign one proof at once, as the
   * logins of tabs that start together do: each finds no key and makes one before any is stored.
   */
  keyReport(instances: number): Promise<KeyReport>;
}

declare global {
  interface Window {
    dpopKeyPage?: DPoPKeyPage;
  }
}

window.dpopKeyPage = {
  async keyReport(instances) {
    const proofs = await Promise.all(
      Array.from({ length: instances }, () => new DPoP().proof('POST', `${location.origin}/token`)),
    );
    const thumbprints = await Promise.all(
      proofs.map((proof) => {
        const { jwk } = decodeProtectedHeader(proof);
        if (!jwk) throw new Error('the proof carries no key');
        return calculateJwkThumbprint(jwk);
      }),
    );
    const stored = await new Promise<CryptoKeyPair>((resolve, reject) => {
      const open = indexedDB.open('rxjs-auth-http-dpop');
      open.onerror = () => reject(open.error ?? new Error('IndexedDB did not open'));
      open.onsuccess = () => {
        const read = open.result.transaction('keys').objectStore('keys').get('default');
        read.onsuccess = () => resolve(read.result as CryptoKeyPair);
        read.onerror = () => reject(read.error ?? new Error('IndexedDB did not read'));
      };
    });
    return { thumbprints, extractable: stored.privateKey.extractable };
  },
};
