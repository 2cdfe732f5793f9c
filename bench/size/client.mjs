// (a) The client with tokens in memory and the OAuth 2.0 refresh.
export { createHttpClient, MemoryTokenStore, oauth2Refresh } from 'rxjs-auth-http';
