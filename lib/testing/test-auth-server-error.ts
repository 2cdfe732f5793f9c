/**
 * Why the test server failed: `listen-failed` (the port was taken or not allowed; the error from
 * node:net is the `cause`), `closed` (the server was closed while a test waited on it). Wrong
 * options are a `TypeError` naming the option, as everywhere in the library. No message holds a token.
 *
 * @example
 * ```ts
 * const waited = await server.until((stats) => stats.tokenRequests > 0).catch((error: unknown) => error);
 * if (waited instanceof TestAuthServerError && waited.code === 'closed') console.log('closed first');
 * ```
 */
export class TestAuthServerError extends Error {
  override name = 'TestAuthServerError' as const;

  constructor(
    /** What failed: see the class. */
    readonly code: 'listen-failed' | 'closed',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
