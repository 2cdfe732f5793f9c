/**
 * Node-only additions: a transport on node:http. Kept out of the main entry so that browser
 * bundles never see node:http.
 *
 * @module rxjs-auth-http/node
 */
export { nodeHttpTransport } from './node-http-transport';
export type { NodeHttpTransportOptions } from './node-http-transport';
