// (b) (a), with the session shared by the browser's tabs.
export { createHttpClient, MemoryTokenStore, oauth2Refresh } from 'rxjs-auth-http';
export { LocalStorageTokenStore, WebLocksRefreshLock } from 'rxjs-auth-http/tabs';
