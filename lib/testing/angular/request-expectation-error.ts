/**
 * An expected request did not show up as expected: `not-sent` (none within the turns given),
 * `too-many` (more than expected matched), `fake-async` (called inside Angular's `fakeAsync`,
 * whose clock would never move on its own). `open` lists the requests still open, as method and
 * URL without the query string, so a token in a query parameter never lands in a test report.
 *
 * @example
 * ```ts
 * const error = await expectTokenRequest(controller).catch((e: unknown) => e);
 * if (error instanceof RequestExpectationError) console.log(error.reason, error.open);
 * ```
 */
export class RequestExpectationError extends Error {
  override name = 'RequestExpectationError' as const;

  constructor(
    /** What went wrong: see the class. */
    readonly reason: 'not-sent' | 'too-many' | 'fake-async',
    message: string,
    /** The requests still open, as `GET https://api.example.com/orders`. */
    readonly open: readonly string[] = [],
  ) {
    super(open.length > 0 ? `${message}; open: ${open.join(', ')}` : message);
  }
}
