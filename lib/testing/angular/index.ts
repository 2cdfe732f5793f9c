/**
 * Helpers for Angular unit tests of an app that uses `rxjs-auth-http/angular`: around
 * `HttpTestingController`, they wait for the app's requests (a refresh and its retries go out a
 * turn or more after the 401 that caused them), answer the token request, and answer an API call
 * as an expired token. An entry of its own, apart from `rxjs-auth-http/testing`: it runs wherever
 * Angular's tests run (Karma, Vitest, Jest, a browser), where the Node server's node:http cannot,
 * and it imports nothing of Angular at run time (the controller is passed in), only its types.
 *
 * @module rxjs-auth-http/testing/angular
 */
export { expectRequest, expectRequests } from './expect-request';
export type { ExpectOptions, RequestMatcher } from './expect-request';
export { expectTokenRequest } from './expect-token-request';
export type { TokenRequest } from './expect-token-request';
export { expireAccessToken } from './expire-access-token';
export { RequestExpectationError } from './request-expectation-error';
export type { TestTokens } from '../token-answer';
export type { TokenFault } from '../token-faults';
