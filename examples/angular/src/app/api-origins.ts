/**
 * Where the API and its token endpoint live. A real app writes its own origins here; this one
 * also takes `?api=` from the page's URL, so that its end-to-end spec can point it at a test server.
 */
const fromPage = new URL(globalThis.location.href).searchParams.get('api');

export const API = fromPage ?? 'http://localhost:3000';
export const AUTH_SERVER = API;
