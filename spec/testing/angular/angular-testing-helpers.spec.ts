// First: Angular's npm packages are partially compiled, and the JIT compiler must be there when they load.
import '@angular/compiler';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { HttpClient, HttpErrorResponse, HttpParams, provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { inject, type EnvironmentInjector } from '@angular/core';
import { map } from 'rxjs';
import {
  AuthRefreshError,
  MemoryTokenStore,
  oauth2Refresh,
  type AuthEvent,
  type AuthOptions,
  type AuthTokens,
} from '../../../lib/index';
import { AUTH_EVENTS, authRefreshInterceptor, provideAuthRefresh, skipAuth } from '../../../lib/angular/index';
import {
  expectRequest,
  expectRequests,
  expectTokenRequest,
  expireAccessToken,
  RequestExpectationError,
} from '../../../lib/testing/angular/index';
import { angularInjector } from '../../angular/angular-injector';

// rxjs-auth-http/testing/angular against the real thing: Angular's HttpClient, the adapter's
// interceptor, the core's oauth2Refresh sending through HttpBackend, and HttpTestingController.

const API = 'https://api.example.com';
const TOKEN_URL = 'https://auth.example.com/oauth/token';

describe('rxjs-auth-http/testing/angular: the helpers around HttpTestingController', () => {
  let injector: EnvironmentInjector;
  let http: HttpClient;
  let controller: HttpTestingController;
  let store: MemoryTokenStore;
  let events: AuthEvent['type'][];

  function start(options: Partial<AuthOptions> = {}): void {
    store = new MemoryTokenStore({ accessToken: 'a1', refreshToken: 'r1' });
    injector = angularInjector([
      provideHttpClient(withInterceptors([authRefreshInterceptor])),
      provideHttpClientTesting(),
      provideAuthRefresh({
        store,
        refresh: oauth2Refresh({ tokenUrl: TOKEN_URL, clientId: 'web' }),
        allowedOrigins: [API],
        ...options,
      }),
    ]);
    http = injector.get(HttpClient);
    controller = injector.get(HttpTestingController);
    events = [];
    injector.get(AUTH_EVENTS).subscribe((event) => events.push(event.type));
  }

  afterEach(() => {
    controller.verify(); // nothing left open: in particular, no second refresh
    injector.destroy();
  });

  function get(path: string): { values: unknown[]; errors: unknown[] } {
    const outcome = { values: [] as unknown[], errors: [] as unknown[] };
    http.get(`${API}${path}`).subscribe({
      next: (value) => outcome.values.push(value),
      error: (error: unknown) => outcome.errors.push(error),
    });
    return outcome;
  }

  const isOrders = (req: { url: string }) => req.url.startsWith(`${API}/orders/`);

  it('one refresh for three concurrent 401s: expire, answer the refresh, see three retries with the new token', async () => {
    start();
    const outcomes = [1, 2, 3].map((n) => get(`/orders/${n}`));
    const expired = await expireAccessToken(controller, isOrders);
    expect(expired.map((req) => req.request.headers.get('Authorization'))).toEqual([
      'Bearer a1',
      'Bearer a1',
      'Bearer a1',
    ]);

    const refresh = await expectTokenRequest(controller);
    expect(refresh.request.request.url).toBe(TOKEN_URL);
    expect(refresh.refreshToken).toBe('r1');
    expect(refresh.form.get('client_id')).toBe('web');
    const tokens = refresh.flush();

    const retries = await expectRequests(controller, isOrders, 3);
    expect(retries.map((req) => req.request.url)).toEqual([1, 2, 3].map((n) => `${API}/orders/${n}`));
    for (const retry of retries) {
      expect(retry.request.headers.get('Authorization')).toBe(`Bearer ${tokens.accessToken}`);
      retry.flush({ ok: true });
    }
    expect(outcomes).toEqual([1, 2, 3].map(() => ({ values: [{ ok: true }], errors: [] })));
    expect(store.get()).toEqual(
      jasmine.objectContaining({ accessToken: tokens.accessToken, refreshToken: tokens.refreshToken }),
    );
    expect(events).toEqual(['refresh-start', 'refresh-success']);
  });

  it('flushes the tokens it is given, and the app stores exactly those', async () => {
    start();
    const outcome = get('/orders/1');
    await expireAccessToken(controller, `${API}/orders/1`);
    const given = (await expectTokenRequest(controller, { url: TOKEN_URL })).flush({
      accessToken: 'a2',
      refreshToken: 'r2',
      expiresIn: 60,
      scope: 'orders',
    });
    expect(given.accessToken).toBe('a2');
    (await expectRequest(controller, `${API}/orders/1`)).flush([]);
    expect(outcome.values).toEqual([[]]);
    const stored = store.get();
    expect(stored).toEqual(jasmine.objectContaining({ accessToken: 'a2', refreshToken: 'r2', scope: 'orders' }));
    expect((stored?.expiresAt ?? 0) - Date.now()).toBeGreaterThan(55_000);
  });

  it("ends the session on fail('invalid_grant'): every caller rejected, the store cleared, session-expired", async () => {
    start();
    const outcomes = [1, 2].map((n) => get(`/orders/${n}`));
    await expireAccessToken(controller, isOrders);
    (await expectTokenRequest(controller)).fail('invalid_grant');
    await expectSoon(() => outcomes.every((outcome) => outcome.errors.length === 1));
    for (const { errors } of outcomes) {
      expect(errors[0]).toBeInstanceOf(AuthRefreshError);
      expect((errors[0] as AuthRefreshError).reason).toBe('rejected');
      expect((errors[0] as AuthRefreshError).oauthError).toBe('invalid_grant');
    }
    expect(store.get()).toBeNull();
    expect(events).toContain('session-expired');
  });

  for (const [fault, reason, oauthError] of [
    ['unavailable', 'failed', 'temporarily_unavailable'],
    ['server_error', 'failed', 'server_error'],
    ['invalid_client', 'failed', 'invalid_client'],
    ['no_access_token', 'invalid-tokens', undefined],
  ] as const) {
    it(`answers fail('${fault}') as a token endpoint does: AuthRefreshError '${reason}', the tokens kept`, async () => {
      start();
      const outcome = get('/orders/1');
      await expireAccessToken(controller, `${API}/orders/1`);
      (await expectTokenRequest(controller)).fail(fault);
      await expectSoon(() => outcome.errors.length === 1);
      expect((outcome.errors[0] as AuthRefreshError).reason).toBe(reason);
      expect((outcome.errors[0] as AuthRefreshError).oauthError).toBe(oauthError);
      expect(store.get()?.refreshToken).toBe('r1');
    });
  }

  it('leaves a skipAuth() request alone: no token, its 401 reaches the caller, no refresh', async () => {
    start();
    const errors: unknown[] = [];
    http.get(`${API}/status`, { context: skipAuth() }).subscribe({ error: (error: unknown) => errors.push(error) });
    const [status] = await expireAccessToken(controller, `${API}/status`);
    expect(status?.request.headers.has('Authorization')).toBeFalse();
    expect(errors).toEqual([jasmine.any(HttpErrorResponse)]);
    expect((errors[0] as HttpErrorResponse).status).toBe(401);
    const none = await expectTokenRequest(controller, { maxTurns: 5 }).catch((e: unknown) => e);
    expect(none).toBeInstanceOf(RequestExpectationError);
    expect((none as RequestExpectationError).reason).toBe('not-sent');
    expect(events).toEqual([]);
  });

  it("finds a refresh the app wrote with HttpClient (HttpParams body, skipAuth), by the form's grant_type", async () => {
    start({
      refresh: (tokens: AuthTokens) =>
        inject(HttpClient)
          .post<{ access_token: string; refresh_token: string }>(
            TOKEN_URL,
            new HttpParams({ fromObject: { grant_type: 'refresh_token', refresh_token: tokens.refreshToken ?? '' } }),
            { context: skipAuth() },
          )
          .pipe(map((answer) => ({ accessToken: answer.access_token, refreshToken: answer.refresh_token }))),
    });
    get('/orders/1');
    await expireAccessToken(controller, `${API}/orders/1`);
    const refresh = await expectTokenRequest(controller);
    expect(refresh.refreshToken).toBe('r1');
    const { accessToken } = refresh.flush();
    const retry = await expectRequest(controller, `${API}/orders/1`);
    expect(retry.request.headers.get('Authorization')).toBe(`Bearer ${accessToken}`);
    retry.flush({});
  });

  it('finds any POST to the url given, whatever its body: a token endpoint of the app’s own', async () => {
    start({
      refresh: (tokens: AuthTokens) =>
        inject(HttpClient)
          .post<{ token: string }>(`${API}/session/renew`, { previous: tokens.refreshToken }, { context: skipAuth() })
          .pipe(map((answer) => ({ accessToken: answer.token, refreshToken: 'r2' }))),
    });
    get('/orders/1');
    await expireAccessToken(controller, `${API}/orders/1`);
    const byForm = await expectTokenRequest(controller, { maxTurns: 3 }).catch((e: unknown) => e);
    expect((byForm as RequestExpectationError).reason)
      .withContext('no grant_type: not found by default')
      .toBe('not-sent');
    const renew = await expectTokenRequest(controller, { url: `${API}/session/renew` });
    expect(renew.request.request.body).toEqual({ previous: 'r1' });
    renew.request.flush({ token: 'a2' });
    (await expectRequest(controller, `${API}/orders/1`)).flush({});
  });

  it('fails with RequestExpectationError, naming what is open without its query string (a token may be in it)', async () => {
    start({ tokenPlacement: { queryParam: 'access_token' } });
    get('/orders/1');
    const error = await expectRequest(controller, `${API}/invoices`, { maxTurns: 2 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RequestExpectationError);
    expect((error as RequestExpectationError).reason).toBe('not-sent');
    expect((error as RequestExpectationError).open).toEqual([`GET ${API}/orders/1`]);
    expect((error as Error).message).toContain(`GET ${API}/orders/1`);
    expect((error as Error).message).not.toContain('a1');
    // Still open, and still carrying the token where the app put it.
    const open = await expectRequest(controller, (req) => req.url === `${API}/orders/1`);
    expect(open.request.urlWithParams).toBe(`${API}/orders/1?access_token=a1`);
    open.flush({});
  });

  it("fails with 'too-many' when more requests match than expected", async () => {
    start();
    get('/orders/1');
    get('/orders/2');
    const error = await expectRequest(controller, isOrders).catch((e: unknown) => e);
    expect((error as RequestExpectationError).reason).toBe('too-many');
    expect((error as Error).message).toContain('found 2');
  });

  it('refuses a count or maxTurns that is not a whole number, with a TypeError', async () => {
    start();
    await expectAsync(expectRequests(controller, isOrders, 0)).toBeRejectedWithError(TypeError, /count/);
    await expectAsync(expectRequest(controller, isOrders, { maxTurns: -1 })).toBeRejectedWithError(
      TypeError,
      /maxTurns/,
    );
  });
});

describe('rxjs-auth-http/testing/angular inside fakeAsync (zone.js, in a process of its own)', () => {
  it("refuses at once with RequestExpectationError 'fake-async' instead of waiting for a clock that never moves", async () => {
    const probe = path.join(__dirname, 'support', 'fake-async-probe.ts');
    const { stdout } = await promisify(execFile)(process.execPath, ['-r', 'ts-node/register', probe]);
    const line = stdout.split('\n').find((text) => text.startsWith('probe: ')) ?? 'probe: null';
    const outcome = JSON.parse(line.slice('probe: '.length)) as { name?: string; reason?: string; message?: string };
    expect(outcome.name).toBe('RequestExpectationError');
    expect(outcome.reason).toBe('fake-async');
    expect(outcome.message).toContain('use an async test');
  }, 30_000);
});

// For outcomes that follow a flush by a turn or more: checked each turn, never by the clock.
async function expectSoon(condition: () => boolean): Promise<void> {
  for (let turn = 0; turn < 100 && !condition(); turn++) await new Promise((resolve) => setImmediate(resolve));
  expect(condition()).withContext('within 100 turns of the event loop').toBeTrue();
}
