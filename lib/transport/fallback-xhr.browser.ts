/**
 * The browser build's stand-in for `fallback-xhr.ts`. Browsers have their own XMLHttpRequest, so
 * this only runs where one is missing, as in a service worker: a clear error there, at the first
 * request, instead of shipping a Node client that cannot run in a browser anyway.
 */
export function fallbackXHR(): XMLHttpRequest {
  throw new TypeError('this environment has no XMLHttpRequest: pass createXHR, or a transport that uses fetch');
}
