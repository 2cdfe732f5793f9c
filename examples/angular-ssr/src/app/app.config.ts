import { DOCUMENT } from '@angular/common';
import { HttpClient, HttpParams, provideHttpClient, withFetch, withInterceptors } from '@angular/common/http';
import { ApplicationConfig, inject, provideBrowserGlobalErrorListeners, TransferState } from '@angular/core';
import { provideClientHydration, withEventReplay } from '@angular/platform-browser';
import { provideRouter } from '@angular/router';
import { map } from 'rxjs';
import type { AuthTokens } from 'rxjs-auth-http';
import { authRefreshInterceptor, provideAuthRefresh, skipAuth } from 'rxjs-auth-http/angular';
import { API_ORIGIN, API_ORIGIN_KEY } from './api-origin';
import { routes } from './app.routes';
import { documentCookieStore, TOKEN_STORE } from './token-store';

interface TokenResponse {
  access_token: string;
  refresh_token?: string;
  expires_in?: number;
}

/** The browser's (and, merged with app.config.server.ts, the server's) configuration. */
export const appConfig: ApplicationConfig = {
  providers: [
    provideBrowserGlobalErrorListeners(),
    provideRouter(routes),
    provideClientHydration(withEventReplay()),
    provideHttpClient(withFetch(), withInterceptors([authRefreshInterceptor])),
    { provide: API_ORIGIN, useFactory: () => inject(TransferState).get(API_ORIGIN_KEY, '') },
    { provide: TOKEN_STORE, useFactory: () => documentCookieStore(inject(DOCUMENT)) },
    // The factory form: the options, and so the store, are made once per app instance.
    provideAuthRefresh(() => {
      const api = inject(API_ORIGIN);
      return {
        store: inject(TOKEN_STORE),
        // On the server there is no page origin: the API's absolute URLs get a token only when listed.
        allowedOrigins: [api],
        refresh: (tokens: AuthTokens) =>
          inject(HttpClient)
            .post<TokenResponse>(
              `${api}/oauth/token`,
              new HttpParams({ fromObject: { grant_type: 'refresh_token', refresh_token: tokens.refreshToken ?? '' } }),
              { context: skipAuth() },
            )
            .pipe(
              map((answer) => ({
                accessToken: answer.access_token,
                refreshToken: answer.refresh_token ?? tokens.refreshToken,
                expiresAt: answer.expires_in === undefined ? undefined : Date.now() + answer.expires_in * 1000,
              })),
            ),
      };
    }),
  ],
};
