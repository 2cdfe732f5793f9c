/**
 * Browser tabs of one origin sharing one session: a refresh lock on the Web Locks API and a token
 * store in `localStorage`, in an entry of its own (as `/redis` is for processes), so apps with one
 * tab carry none of it. Safe to import anywhere: nothing touches the DOM until used.
 *
 * @module rxjs-auth-http/tabs
 */

export { WebLocksRefreshLock } from './web-locks-refresh-lock';
export type { WebLocksRefreshLockOptions } from './web-locks-refresh-lock';
export { LocalStorageTokenStore } from './local-storage-token-store';
