// URLs that a string test reads as "relative" but the browser sends to another origin, requested
// through the Angular adapter (HttpClient's XHR backend) and through authInterceptor over rxjs/ajax.
// The runner (spec/browser/token-origins.browser.ts) reads, from the foreign server's own log,
// which requests arrived there and whether any carried the token.
import '@angular/compiler'; // Angular's npm packages are partially compiled: the JIT compiler links them
import { HttpClient, provideHttpClient, withInterceptors } from '@angular/common/http';
import { provideZonelessChangeDetection } from '@angular/core';
import { createApplication } from '@angular/platform-browser';
import { firstValueFrom, map, of } from 'rxjs';
import { ajax } from 'rxjs/ajax';
import {
  authInterceptor,
  chainInterceptors,
  createAuthSession,
  MemoryTokenStore,
  type HttpRequest,
} from '../../../lib';
import { authRefreshInterceptor, provideAuthRefresh } from '../../../lib/angular';

/** What became of one request: sent and answered, or failed (a refused preflight, say). */
export type Sent = 'answered' | 'failed';

const refresh = () => of({ accessToken: 'never-refreshed' });

/** Each URL through Angular's HttpClient with the adapter, one after the other. */
async function viaAngular(token: string, urls: readonly string[]): Promise<Sent[]> {
  const app = await createApplication({
    providers: [
      provideZonelessChangeDetection(),
      provideHttpClient(withInterceptors([authRefreshInterceptor])),
      provideAuthRefresh({ store: new MemoryTokenStore({ accessToken: token }), refresh }),
    ],
  });
  const http = app.injector.get(HttpClient);
  const sent: Sent[] = [];
  for (const url of urls)
    sent.push(
      await firstValueFrom(http.get(url, { responseType: 'text' })).then(
        () => 'answered' as const,
        () => 'failed' as const,
      ),
    );
  app.destroy();
  return sent;
}

/** Each URL through authInterceptor in a chain whose transport is rxjs/ajax, as docs/plain-rxjs.md builds it. */
async function viaAjax(token: string, urls: readonly string[]): Promise<Sent[]> {
  const session = createAuthSession({ store: new MemoryTokenStore({ accessToken: token }), refresh });
  const send = chainInterceptors([authInterceptor(session)], (req: HttpRequest) =>
    ajax<string>({ method: req.method, url: req.url, headers: req.headers, responseType: 'text' }).pipe(
      map((answer) => ({ status: answer.status, headers: {}, body: answer.response, url: answer.xhr.responseURL })),
    ),
  );
  const sent: Sent[] = [];
  for (const url of urls) {
    const req = { method: 'GET', url, headers: {}, body: undefined, responseType: 'text', timeout: 0, auth: true };
    sent.push(
      await firstValueFrom(send(req as unknown as HttpRequest)).then(
        () => 'answered' as const,
        () => 'failed' as const,
      ),
    );
  }
  return sent;
}

/** Where this browser's own parser sends each URL from this page. */
function resolvedOrigins(urls: readonly string[]): string[] {
  return urls.map((url) => new URL(url, document.baseURI).origin);
}

export const tokenOrigins = { viaAngular, viaAjax, resolvedOrigins };

declare global {
  interface Window {
    /** Set by the token-origins test page (spec/browser); absent everywhere else. */
    tokenOrigins?: typeof tokenOrigins;
  }
}

window.tokenOrigins = tokenOrigins;
