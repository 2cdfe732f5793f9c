import {
  ApplicationConfig,
  inject,
  mergeApplicationConfig,
  REQUEST,
  REQUEST_CONTEXT,
  RESPONSE_INIT,
  TransferState,
} from '@angular/core';
import { provideServerRendering, withRoutes } from '@angular/ssr';
import { MemoryTokenStore } from 'rxjs-auth-http';
import { API_ORIGIN, API_ORIGIN_KEY } from './api-origin';
import { appConfig } from './app.config';
import { serverRoutes } from './app.routes.server';
import type { RenderContext } from './render-context';
import { tokensFromCookies } from './token-cookie';
import { requestCookieStore, TOKEN_STORE } from './token-store';

// THE MISTAKE the library refuses on the server: one store for every user of the process.
const moduleScopeStore = new MemoryTokenStore();

const serverConfig: ApplicationConfig = {
  providers: [
    provideServerRendering(withRoutes(serverRoutes)),
    {
      provide: API_ORIGIN,
      useFactory: () => {
        const origin = (inject(REQUEST_CONTEXT) as RenderContext | null)?.apiOrigin ?? '';
        inject(TransferState).set(API_ORIGIN_KEY, origin);
        return origin;
      },
    },
    {
      provide: TOKEN_STORE,
      useFactory: () => {
        const request = inject(REQUEST);
        if ((inject(REQUEST_CONTEXT) as RenderContext | null)?.sharedStoreMistake) {
          moduleScopeStore.set(tokensFromCookies(request?.headers.get('cookie') ?? '') ?? { accessToken: '' });
          return moduleScopeStore;
        }
        return requestCookieStore(request, inject(RESPONSE_INIT));
      },
    },
  ],
};

export const config = mergeApplicationConfig(appConfig, serverConfig);
