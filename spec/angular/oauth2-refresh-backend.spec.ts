// First: Angular's npm packages are partially compiled, and the JIT compiler must be there when they load.
import '@angular/compiler';
import { HttpClient, provideHttpClient, withInterceptors, type HttpInterceptorFn } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import type { EnvironmentInjector } from '@angular/core';
import { AuthRefreshError, HttpError, MemoryTokenStore, oauth2Refresh, oauth2Revoke } from '../../lib/index';
import { AUTH_SESSION, authRefreshInterceptor, provideAuthRefresh } from '../../lib/angular/index';
import { angularInjector } from './angular-injector';

// The core's oauth2Refresh under the Angular adapter: its token request goes through Angular's
// HttpBackend, so HttpTestingController sees it and a test flushes it like any other request,
// and the app's interceptors (the auth interceptor above all) never see it.

const API = 'https://api.example.com';
const TOKEN_URL = 'https://auth.example.com/oauth/token';
const REVOKE_URL = 'https://auth.example.com/oauth/revoke';

describe('Angular adapter with oauth2Refresh: the token request over HttpBackend', () => {
  let injector: EnvironmentInjector;
  let backend: HttpTestingController;
  let store: MemoryTokenStore;
  let intercepted: string[];

  beforeEach(() => {
    store = new MemoryTokenStore({ accessToken: 'a1', refreshToken: 'r1' });
    intercepted = [];
    const seen: HttpInterceptorFn = (req, next) => {
      intercepted.push(`${req.method} ${req.url}`);
      return next(req);
    };
    const client = { clientId: 'web', clientSecret: 's3cret' };
    injector = angularInjector([
      provideHttpClient(withInterceptors([authRefreshInterceptor, seen])),
      provideHttpClientTesting(),
      provideAuthRefresh({
        store,
        refresh: oauth2Refresh({ ...client, tokenUrl: TOKEN_URL, extraParams: { scope: 'api' } }),
        revoke: oauth2Revoke({ ...client, revocationUrl: REVOKE_URL }),
        allowedOrigins: [API],
      }),
    ]);
    backend = injector.get(HttpTestingController);
  });

  afterEach(() => {
    backend.verify(); // no request left unanswered, and none sent past the testing backend
    injector.destroy();
  });

  function getOrders(outcome: { values: unknown[]; errors: unknown[] }): void {
    injector
      .get(HttpClient)
      .get(`${API}/orders`)
      .subscribe({
        next: (value) => outcome.values.push(value),
        error: (error: unknown) => outcome.errors.push(error),
      });
  }

  it('posts the refresh_token form to the testing backend, past the interceptors, and retries with the new token', async () => {
    const outcome = { values: [] as unknown[], errors: [] as unknown[] };
    getOrders(outcome);
    backend.expectOne(`${API}/orders`).flush(null, { status: 401, statusText: 'Unauthorized' });

    const token = await expectSoon(() => backend.match(TOKEN_URL)[0]);
    expect(token.request.method).toBe('POST');
    expect(token.request.headers.get('content-type')).toBe('application/x-www-form-urlencoded;charset=UTF-8');
    expect(token.request.headers.get('authorization')).toBe(`Basic ${btoa('web:s3cret')}`);
    expect(Object.fromEntries(new URLSearchParams(token.request.body as string))).toEqual({
      scope: 'api',
      grant_type: 'refresh_token',
      refresh_token: 'r1',
    });
    token.flush({ access_token: 'a2', refresh_token: 'r2', token_type: 'Bearer', expires_in: 300 });

    const retry = await expectSoon(() => backend.match(`${API}/orders`)[0]);
    expect(retry.request.headers.get('Authorization')).toBe('Bearer a2');
    retry.flush(['order']);
    expect(outcome).toEqual({ values: [['order']], errors: [] });
    expect(store.get()).toEqual(jasmine.objectContaining({ accessToken: 'a2', refreshToken: 'r2' }));
    // The interceptor after the auth one saw the request and its retry, never the token request.
    expect(intercepted).toEqual([`GET ${API}/orders`, `GET ${API}/orders`]);
  });

  it('ends the session on invalid_grant, with the core error and no secret in it', async () => {
    const outcome = { values: [] as unknown[], errors: [] as unknown[] };
    getOrders(outcome);
    backend.expectOne(`${API}/orders`).flush(null, { status: 401, statusText: 'Unauthorized' });
    const token = await expectSoon(() => backend.match(TOKEN_URL)[0]);
    token.flush({ error: 'invalid_grant' }, { status: 400, statusText: 'Bad Request' });

    await expectSoon(() => outcome.errors[0]);
    const error = outcome.errors[0] as AuthRefreshError;
    expect(error).toBeInstanceOf(AuthRefreshError);
    expect(error.reason).toBe('rejected');
    expect(error.oauthError).toBe('invalid_grant');
    expect(error.cause).toBeInstanceOf(HttpError);
    expect((error.cause as HttpError).status).toBe(400);
    expect((error.cause as HttpError).body).toEqual({ error: 'invalid_grant' });
    const logged = JSON.stringify(error.cause) + String((error.cause as Error).message);
    expect(logged).not.toContain('r1');
    expect(logged).not.toContain(btoa('web:s3cret'));
    expect(store.get()).toBeNull();
  });

  it('revokes at logout through the testing backend too', async () => {
    const logout = injector.get(AUTH_SESSION).logout();
    const revoke = await expectSoon(() => backend.match(REVOKE_URL)[0]);
    expect(Object.fromEntries(new URLSearchParams(revoke.request.body as string))).toEqual({
      token: 'r1',
      token_type_hint: 'refresh_token',
    });
    revoke.flush(null);
    await logout;
    expect(store.get()).toBeNull();
  });
});

// The session reads its store before it refreshes (a Promise): wait for the request to appear,
// turn by turn of the event loop, never by the clock.
async function expectSoon<T>(find: () => T | undefined): Promise<T> {
  for (let turn = 0; turn < 100; turn++) {
    const found = find();
    if (found !== undefined) return found;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error('expected it within 100 turns of the event loop');
}
