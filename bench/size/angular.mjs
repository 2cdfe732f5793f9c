// The Angular adapter with the OAuth 2.0 refresh: what an Angular app adds to HttpClient.
export { authRefreshInterceptor, provideAuthRefresh } from 'rxjs-auth-http/angular';
export { oauth2Refresh } from 'rxjs-auth-http';
