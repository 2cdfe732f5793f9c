import type { HttpRequest } from '@angular/common/http';
import type { HttpTestingController, RequestMatch, TestRequest } from '@angular/common/http/testing';
import { RequestExpectationError } from './request-expectation-error';

/**
 * Which requests to take, as `HttpTestingController.match` reads it: a URL, a `{ method, url }`
 * pair, or a predicate.
 *
 * @example
 * ```ts
 * const orders: RequestMatcher = { method: 'GET', url: 'https://api.example.com/orders' };
 * ```
 */
export type RequestMatcher = string | RequestMatch | ((req: HttpRequest<unknown>) => boolean);

/**
 * How long to wait for a request: `maxTurns` turns of the event loop (default 50). A request the
 * session sends after reading its store, or after a refresh, goes out a turn or more later.
 *
 * @example
 * ```ts
 * const slowStore: ExpectOptions = { maxTurns: 200 }; // an IndexedDB-backed store
 * ```
 */
export interface ExpectOptions {
  /** Turns of the event loop to wait before failing; default 50, `0` to look once. */
  readonly maxTurns?: number;
}

/**
 * Waits, turn by turn of the event loop, for exactly one request that `match` takes and returns
 * it, as `expectOne` would once the request is out: for the retry after a refresh, which leaves
 * a turn or more after the refresh answered. Rejects with {@link RequestExpectationError}.
 * Use it in an `async` test, not in `fakeAsync`.
 *
 * @example
 * ```ts
 * const retry = await expectRequest(controller, 'https://api.example.com/orders');
 * assert.equal(retry.request.headers.get('Authorization'), 'Bearer a2');
 * retry.flush([]);
 * ```
 */
export async function expectRequest(
  controller: HttpTestingController,
  match: RequestMatcher,
  options: ExpectOptions = {},
): Promise<TestRequest> {
  const [request] = await expectRequests(controller, match, 1, options);
  return request as TestRequest;
}

/**
 * Waits, turn by turn of the event loop, until `count` requests that `match` takes are out, and
 * returns them in the order they were sent: the retries of `count` concurrent requests after one
 * refresh. Rejects with {@link RequestExpectationError} when fewer come or more match.
 *
 * @example
 * ```ts
 * const retries = await expectRequests(controller, (req) => req.url.startsWith(API), 3);
 * for (const retry of retries) retry.flush({});
 * ```
 */
export function expectRequests(
  controller: HttpTestingController,
  match: RequestMatcher,
  count: number,
  options: ExpectOptions = {},
): Promise<TestRequest[]> {
  return awaitRequests(controller, match, count, true, options);
}

/**
 * Takes the requests `match` takes, turn by turn, until there are `count` of them; with `exact`,
 * more is an error, else every one out by then is returned.
 */
export async function awaitRequests(
  controller: HttpTestingController,
  match: RequestMatcher,
  count: number,
  exact: boolean,
  options: ExpectOptions,
): Promise<TestRequest[]> {
  if (!Number.isInteger(count) || count < 1) throw new TypeError('count must be a whole number > 0');
  const maxTurns = options.maxTurns ?? 50;
  if (!Number.isInteger(maxTurns) || maxTurns < 0) throw new TypeError('maxTurns must be a whole number >= 0');
  if (insideFakeAsync())
    throw new RequestExpectationError(
      'fake-async',
      `${describe(match)}: the helpers wait on real turns of the event loop, which fakeAsync stops; ` +
        'use an async test, or tick() and HttpTestingController.expectOne',
    );
  // match() takes what it finds off the controller's open list, so what a turn found is kept.
  const found: TestRequest[] = [];
  for (let turn = 0; ; turn++) {
    found.push(...controller.match(match));
    if (exact && found.length > count)
      throw new RequestExpectationError('too-many', `expected ${count} ${describe(match)}, found ${found.length}`);
    if (found.length >= count) return found;
    if (turn >= maxTurns)
      throw new RequestExpectationError(
        'not-sent',
        `expected ${count} ${describe(match)} within ${maxTurns} turns, found ${found.length}`,
        openRequests(controller),
      );
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}

function describe(match: RequestMatcher): string {
  if (typeof match === 'string') return `request(s) to ${withoutQuery(match)}`;
  if (typeof match === 'function') return 'request(s) the predicate takes';
  return `${match.method ?? ''} request(s)${match.url ? ` to ${withoutQuery(match.url)}` : ''}`.trim();
}

// verify() lists the open requests in its message and, unlike match(), leaves them open.
function openRequests(controller: HttpTestingController): string[] {
  try {
    controller.verify();
    return [];
  } catch (error) {
    const list = /found \d+: (.*)$/s.exec(error instanceof Error ? error.message : '')?.[1] ?? '';
    return list === '' ? [] : list.split(/, (?=[A-Z]+ )/).map(withoutQuery);
  }
}

/** `https://api/orders?access_token=…` as `https://api/orders`: a token in a query string stays out. */
export function withoutQuery(url: string): string {
  return url.replace(/[?#].*$/s, '');
}

function insideFakeAsync(): boolean {
  const zone = (globalThis as { Zone?: { current?: { get?: (key: string) => unknown } } }).Zone;
  return zone?.current?.get?.('FakeAsyncTestZoneSpec') != null;
}
