import { provideHttpClient, withInterceptors } from '@angular/common/http';
import type { ApplicationConfig } from '@angular/core';
import { MemoryTokenStore, oauth2Refresh } from 'rxjs-auth-http';
import { authRefreshInterceptor, provideAuthRefresh } from 'rxjs-auth-http/angular';

// Every import of the package, under the "moduleResolution": "node" that Angular 16's CLI writes.
export const appConfig: ApplicationConfig = {
  providers: [
    provideHttpClient(withInterceptors([authRefreshInterceptor])),
    provideAuthRefresh({
      store: new MemoryTokenStore(),
      refresh: oauth2Refresh({ tokenUrl: 'https://auth.example.com/oauth/token', clientId: 'web' }),
      allowedOrigins: ['https://api.example.com'],
    }),
  ],
};
