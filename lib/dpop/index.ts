/**
 * DPoP (RFC 9449) sender-constrained tokens for rxjs-auth-http sessions, in an entry of its own so
 * apps without DPoP carry none of it (nor the JOSE library it signs with).
 *
 * @module rxjs-auth-http/dpop
 */

export { DPoP } from './dpop';
export type { DPoPOptions } from './dpop';
export { MemoryDPoPKeyStore } from './dpop-key-store';
export type { DPoPKeyStore } from './dpop-key-store';
export { IndexedDBKeyStore } from './indexeddb-key-store';
export { DPoPKeyLostError } from './dpop-key-lost-error';
export { DPoPUnsupportedError } from './dpop-unsupported-error';
