import { NodeXMLHttpRequest } from './node-xhr';

/**
 * Makes the default transport's XMLHttpRequest where the platform has none, that is in Node:
 * xhr2 with our fixes. Browser builds swap this file for `fallback-xhr.browser.ts`, which keeps
 * xhr2 and the Node redirect handling out of browser bundles.
 */
export function fallbackXHR(): XMLHttpRequest {
  return new NodeXMLHttpRequest();
}
