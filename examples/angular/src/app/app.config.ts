import { HttpClient, HttpParams, provideHttpClient, withInterceptors } from '@angular/common/http';
import { inject, provideBrowserGlobalErrorListeners, type ApplicationConfig } from '@angular/core';
import { map } from 'rxjs';
import { authRefreshInterceptor, provideAuthRefresh, skipAuth } from 'rxjs-auth-http/angular';
import { API, AUTH_SERVER } from './api-origins';
import { localStorageStore } from './local-storage-store';
import { toTokens, type TokenResponse } from './token-response';

export const appConfig: ApplicationConfig = {
  providers: [
    provideBrowserGlobalErrorListeners(),
    provideHttpClient(withInterceptors([authRefreshInterceptor])),
    provideAuthRefresh({
      store: localStorageStore,
      // The API is on another origin: absolute URLs get the token only on these origins.
      allowedOrigins: [API],
      // Runs in an injection context, so it may inject(). Its own request must skip auth, or it
      // would wait for the refresh it is part of.
      refresh: (tokens) =>
        inject(HttpClient)
          .post<TokenResponse>(
            `${AUTH_SERVER}/oauth/token`,
            new HttpParams({ fromObject: { grant_type: 'refresh_token', refresh_token: tokens.refreshToken ?? '' } }),
            { context: skipAuth() },
          )
          .pipe(map(toTokens)),
    }),
  ],
};
