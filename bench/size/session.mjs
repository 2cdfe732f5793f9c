// (c) The session over the app's own Observable transport (docs/plain-rxjs.md), with the OAuth 2.0 refresh.
export { createAuthSession, oauth2Refresh } from 'rxjs-auth-http';
