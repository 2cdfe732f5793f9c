/**
 * A testing kit for apps that use the library: an OAuth 2.0 token endpoint and an API that checks
 * its tokens, on a free loopback port, for integration tests in Node (and for pages in a browser
 * the test drives). It rotates refresh tokens and detects their reuse, expires tokens on demand,
 * fails on demand, and counts what it saw. Node only, with nothing but node:http; apps never
 * bundle it. The Angular helpers around `HttpTestingController` are `rxjs-auth-http/testing/angular`,
 * so that neither this entry's node:http nor Angular reaches a test that does not use it.
 *
 * @module rxjs-auth-http/testing
 */
export { startTestAuthServer } from './start-test-auth-server';
export type {
  ReceivedTokenRequest,
  TestApiHandler,
  TestAuthServer,
  TestAuthServerOptions,
  TestAuthServerSettings,
  TestAuthServerStats,
} from './test-auth-server';
export { TestAuthServerError } from './test-auth-server-error';
export { echoRequest } from './echo-request';
export type { EchoedRequest } from './echo-request';
export type { IssuedTokens } from './token-ledger';
export type { TokenFault } from './token-faults';
