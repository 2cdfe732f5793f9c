import { isPlatformServer, PlatformLocation } from '@angular/common';
import { inject, PLATFORM_ID } from '@angular/core';
import type { PageLocation } from '../index';

/**
 * The page HttpClient resolves relative URLs against, read in an injection context. In a browser
 * the XHR or fetch backend resolves them against `document.baseURI`, the session's own default
 * (undefined here). On the server, Angular's own
 * interceptor resolves them against the rendered request's URL (its base href, or its href, under
 * its origin) before the backend sends them: the same steps here, or null when the render has no
 * http(s) URL, in which case only absolute URLs can be judged.
 */
export function angularPage(): PageLocation | null | undefined {
  // The browser-bundle check of server-render-guard.ts.
  if ((typeof ngServerMode !== 'undefined' && !ngServerMode) || !isPlatformServer(inject(PLATFORM_ID)))
    return undefined;
  try {
    // A server set-up without platform-server's location has no page either.
    const location = inject(PlatformLocation);
    const { protocol, hostname, port, href } = location;
    if (!protocol.startsWith('http')) return null;
    const origin = new URL(`${protocol}//${hostname}${port ? `:${port}` : ''}`);
    return { baseUrl: new URL(location.getBaseHrefFromDOM() || href, origin).href, origin: origin.origin };
  } catch {
    return null;
  }
}
