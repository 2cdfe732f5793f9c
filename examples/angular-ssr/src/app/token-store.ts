import { InjectionToken } from '@angular/core';
import type { AuthTokens, TokenStore } from 'rxjs-auth-http';
import { tokenCookie, tokensFromCookies } from './token-cookie';

/**
 * The token store of one app instance. Provided by a factory, never created at module scope: on
 * the server one process renders for every user, one app instance per request.
 */
export const TOKEN_STORE = new InjectionToken<TokenStore>('token store');

/** In the browser: the cookie, read and written through `document.cookie`. */
export function documentCookieStore(document: Document): TokenStore {
  return {
    get: () => tokensFromCookies(document.cookie),
    set: (tokens) => void (document.cookie = tokenCookie(tokens)),
    clear: () => void (document.cookie = tokenCookie(null)),
  };
}

/**
 * On the server: the tokens of this request's cookie. A refresh during the render rotates the
 * refresh token, and the browser must present the new one next time, so every change is written
 * back as a `Set-Cookie` header of this response (`responseInit` is Angular's RESPONSE_INIT).
 */
export function requestCookieStore(request: Request | null, responseInit: ResponseInit | null): TokenStore {
  let tokens = tokensFromCookies(request?.headers.get('cookie') ?? '');
  const writeBack = (next: AuthTokens | null): void => {
    tokens = next;
    if (responseInit === null) return; // no response to write to (route extraction at build time)
    // Appended, so that the app's other cookies stay; of two writes, the browser keeps the last.
    const headers = new Headers(responseInit.headers);
    headers.append('set-cookie', tokenCookie(next));
    responseInit.headers = headers;
  };
  return { get: () => tokens, set: writeBack, clear: () => writeBack(null) };
}
