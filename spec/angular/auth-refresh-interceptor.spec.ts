// First: Angular's npm packages are partially compiled, and the JIT compiler must be there when they load.
import '@angular/compiler';
import { HttpClient, HttpContext, HttpErrorResponse, provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting, type TestRequest } from '@angular/common/http/testing';
import {
  InjectionToken,
  inject,
  runInInjectionContext,
  createEnvironmentInjector,
  type EnvironmentInjector,
} from '@angular/core';
import { map, type Observable } from 'rxjs';
import { AuthRefreshError, MemoryTokenStore, type AuthEvent, type AuthOptions, type AuthTokens } from '../../lib/index';
import {
  AUTH_EVENTS,
  AUTH_SESSION,
  authRefreshInterceptor,
  createAuthRefreshInterceptor,
  provideAuthRefresh,
  SKIP_AUTH,
  skipAuth,
} from '../../lib/angular/index';
import { angularInjector } from './angular-injector';

// Request by request, through Angular's HttpClient and HttpTestingController: every request the
// interceptor lets out, with its exact token, and every refresh call the session makes.

const API = 'https://api.example.com';
const TOKEN_URL = `${API}/oauth/token`;
const isData = (req: { url: string }) => req.url.startsWith(`${API}/data/`);
const unauthorized = { status: 401, statusText: 'Unauthorized' };

interface TokenAnswer {
  access_token: string;
  refresh_token?: string;
}

/** A refresh through the app's own HttpClient, as apps write it: needs inject() and SKIP_AUTH. */
function refreshWithHttpClient(tokens: AuthTokens): Observable<AuthTokens> {
  return inject(HttpClient)
    .post<TokenAnswer>(TOKEN_URL, { refresh_token: tokens.refreshToken }, { context: skipAuth() })
    .pipe(map((answer) => ({ accessToken: answer.access_token, refreshToken: answer.refresh_token })));
}

describe('Angular authRefreshInterceptor (HttpTestingController)', () => {
  let injector: EnvironmentInjector;
  let http: HttpClient;
  let backend: HttpTestingController;
  let store: MemoryTokenStore;
  let events: AuthEvent[];

  function start(options: Partial<AuthOptions> = {}): void {
    store = new MemoryTokenStore({ accessToken: 'a1', refreshToken: 'r1' });
    injector = angularInjector([
      provideHttpClient(withInterceptors([authRefreshInterceptor])),
      provideHttpClientTesting(),
      provideAuthRefresh({ store, refresh: refreshWithHttpClient, allowedOrigins: [API], ...options }),
    ]);
    http = injector.get(HttpClient);
    backend = injector.get(HttpTestingController);
    events = [];
    injector.get(AUTH_EVENTS).subscribe((event) => events.push(event));
  }

  afterEach(() => {
    backend.verify(); // nothing left unanswered: no request, no refresh call we did not expect
    injector.destroy();
  });

  function get(
    path: string,
    outcome: { values: unknown[]; errors: unknown[] },
    options: { context?: HttpContext } = {},
  ): void {
    http.get(`${API}/data/${path}`, options).subscribe({
      next: (value) => outcome.values.push(value),
      error: (error: unknown) => outcome.errors.push(error),
    });
  }

  function authorizationOf(requests: TestRequest[]): Array<string | null> {
    return requests.map((req) => req.request.headers.get('Authorization'));
  }

  it('sends the stored token in the Authorization header of a cloned request', () => {
    start();
    const outcome = { values: [] as unknown[], errors: [] as unknown[] };
    get('me', outcome);
    const req = backend.expectOne(`${API}/data/me`);
    expect(req.request.headers.get('Authorization')).toBe('Bearer a1');
    req.flush({ name: 'ada' });
    expect(outcome.values).toEqual([{ name: 'ada' }]);
  });

  it('refreshes once for N concurrent 401s and retries every request with the new token', () => {
    start();
    const outcome = { values: [] as unknown[], errors: [] as unknown[] };
    for (let i = 0; i < 6; i++) get(String(i), outcome);
    const first = backend.match(isData);
    expect(authorizationOf(first)).toEqual(Array(6).fill('Bearer a1'));
    first.forEach((req) => req.flush(null, unauthorized));

    const refreshCall = backend.expectOne(TOKEN_URL); // throws unless exactly one
    expect(refreshCall.request.headers.has('Authorization')).toBeFalse();
    expect(refreshCall.request.context.get(SKIP_AUTH)).toBeTrue();
    expect(refreshCall.request.body).toEqual({ refresh_token: 'r1' });
    refreshCall.flush({ access_token: 'a2', refresh_token: 'r2' });

    const retries = backend.match(isData);
    expect(authorizationOf(retries)).toEqual(Array(6).fill('Bearer a2'));
    retries.forEach((req, i) => req.flush({ n: i }));
    expect(outcome.values.length).toBe(6);
    expect(outcome.errors).toEqual([]);
    expect(store.get()).toEqual({ accessToken: 'a2', refreshToken: 'r2' });
    expect(events.map((event) => event.type)).toEqual(['refresh-start', 'refresh-success']);
  });

  it('keeps the shared refresh going when one waiting caller unsubscribes', () => {
    start();
    const outcome = { values: [] as unknown[], errors: [] as unknown[] };
    const leaving = http.get(`${API}/data/leaving`).subscribe();
    get('staying', outcome);
    backend.match(isData).forEach((req) => req.flush(null, unauthorized));
    const refreshCall = backend.expectOne(TOKEN_URL);
    leaving.unsubscribe();
    expect(refreshCall.cancelled).toBeFalse();
    refreshCall.flush({ access_token: 'a2', refresh_token: 'r2' });
    const retry = backend.expectOne(isData); // only the caller still there is retried
    expect(retry.request.url).toBe(`${API}/data/staying`);
    retry.flush('ok');
    expect(outcome.values).toEqual(['ok']);
    expect(store.get()?.accessToken).toBe('a2');
  });

  it('retries a 401 for an already replaced token at once, without a second refresh', () => {
    start();
    const outcome = { values: [] as unknown[], errors: [] as unknown[] };
    get('early', outcome);
    get('late', outcome);
    backend.expectOne(`${API}/data/early`).flush(null, unauthorized);
    backend.expectOne(TOKEN_URL).flush({ access_token: 'a2', refresh_token: 'r2' });
    backend.expectOne(`${API}/data/early`).flush('early ok');

    // 'late' went out with a1 before the refresh; its 401 is stale news.
    backend.expectOne(`${API}/data/late`).flush(null, unauthorized);
    expect(backend.match(TOKEN_URL)).toEqual([]);
    const retry = backend.expectOne(`${API}/data/late`);
    expect(retry.request.headers.get('Authorization')).toBe('Bearer a2');
    retry.flush('late ok');
    expect(outcome.values).toEqual(['early ok', 'late ok']);
    expect(events.filter((event) => event.type === 'refresh-start').length).toBe(1);
  });

  it('gives every waiting caller the AuthRefreshError when the refresh fails, and keeps the tokens', () => {
    start();
    const outcome = { values: [] as unknown[], errors: [] as unknown[] };
    for (let i = 0; i < 3; i++) get(String(i), outcome);
    backend.match(isData).forEach((req) => req.flush(null, unauthorized));
    backend.expectOne(TOKEN_URL).flush({ error: 'server_error' }, { status: 500, statusText: 'Server Error' });

    expect(outcome.values).toEqual([]);
    expect(outcome.errors.length).toBe(3);
    for (const error of outcome.errors) {
      expect(error).toBeInstanceOf(AuthRefreshError);
      expect((error as AuthRefreshError).reason).toBe('failed');
      expect(((error as AuthRefreshError).cause as HttpErrorResponse).status).toBe(500);
    }
    expect(store.get()).toEqual({ accessToken: 'a1', refreshToken: 'r1' });
    expect(events.map((event) => event.type)).toEqual(['refresh-start', 'refresh-failure']);
  });

  it('ends the session on invalid_grant: store cleared, every caller rejected, session-expired injected', () => {
    start();
    const outcome = { values: [] as unknown[], errors: [] as unknown[] };
    get('a', outcome);
    get('b', outcome);
    backend.match(isData).forEach((req) => req.flush(null, unauthorized));
    backend.expectOne(TOKEN_URL).flush({ error: 'invalid_grant' }, { status: 400, statusText: 'Bad Request' });

    expect(outcome.errors.map((error) => (error as AuthRefreshError).reason)).toEqual(['rejected', 'rejected']);
    expect(store.get()).toBeNull();
    expect(events.map((event) => event.type)).toEqual(['refresh-start', 'refresh-failure', 'session-expired']);

    // Signed out now: the next request goes without a token, and its 401 reaches the caller as is.
    get('c', outcome);
    const next = backend.expectOne(`${API}/data/c`);
    expect(next.request.headers.has('Authorization')).toBeFalse();
    next.flush(null, unauthorized);
    expect((outcome.errors[2] as HttpErrorResponse).status).toBe(401);
  });

  it('leaves a request with SKIP_AUTH alone: no token, and its 401 reaches the caller without a refresh', () => {
    start();
    const outcome = { values: [] as unknown[], errors: [] as unknown[] };
    get('login', outcome, { context: new HttpContext().set(SKIP_AUTH, true) });
    const req = backend.expectOne(`${API}/data/login`);
    expect(req.request.headers.has('Authorization')).toBeFalse();
    req.flush(null, unauthorized);
    expect(outcome.errors.length).toBe(1);
    expect(outcome.errors[0]).toBeInstanceOf(HttpErrorResponse);
    expect(events).toEqual([]);
  });

  it('never sends the token to an origin outside allowedOrigins, and does not refresh for its 401', () => {
    start();
    const errors: unknown[] = [];
    http.get('https://tracker.example.net/pixel').subscribe({ error: (error: unknown) => errors.push(error) });
    http.get('/relative/me').subscribe();
    const foreign = backend.expectOne('https://tracker.example.net/pixel');
    expect(foreign.request.headers.has('Authorization')).toBeFalse();
    foreign.flush(null, unauthorized);
    expect((errors[0] as HttpErrorResponse).status).toBe(401);
    expect(events).toEqual([]);
    // Node has no page to resolve a relative URL against, so nobody can say where it goes: no token.
    // (In a browser it resolves against document.baseURI: spec/browser/token-origins.browser.ts.)
    const own = backend.expectOne('/relative/me');
    expect(own.request.headers.has('Authorization')).toBeFalse();
    own.flush({});
  });

  it('puts the token in a query parameter with setParams when tokenPlacement says so', () => {
    start({ tokenPlacement: { queryParam: 'access_token' } });
    http.get(`${API}/data/feed`, { params: { page: 2 } }).subscribe();
    const req = backend.expectOne((r) => r.url === `${API}/data/feed`);
    expect(req.request.params.get('access_token')).toBe('a1');
    expect(req.request.params.get('page')).toBe('2');
    expect(req.request.headers.has('Authorization')).toBeFalse();
    req.flush({});
  });

  it('injects one session per injector, shared by its events, and logs out through it', async () => {
    start();
    const session = injector.get(AUTH_SESSION);
    expect(injector.get(AUTH_SESSION)).toBe(session);
    expect(session.store).toBe(store);
    await session.logout();
    expect(store.get()).toBeNull();
    http.get(`${API}/data/after-logout`).subscribe();
    const req = backend.expectOne(`${API}/data/after-logout`);
    expect(req.request.headers.has('Authorization')).toBeFalse();
    req.flush({});
  });

  it('shares the refresh with a child injector that has its own HttpClient (a lazy route)', () => {
    start();
    const child = createEnvironmentInjector(
      [provideHttpClient(withInterceptors([authRefreshInterceptor])), provideHttpClientTesting()],
      injector,
    );
    const childBackend = child.get(HttpTestingController);
    expect(childBackend).not.toBe(backend);
    const values: unknown[] = [];
    http.get(`${API}/data/root`).subscribe((value) => values.push(value));
    child
      .get(HttpClient)
      .get(`${API}/data/child`)
      .subscribe((value) => values.push(value));
    backend.expectOne(`${API}/data/root`).flush(null, unauthorized);
    childBackend.expectOne(`${API}/data/child`).flush(null, unauthorized);
    backend.expectOne(TOKEN_URL).flush({ access_token: 'a2', refresh_token: 'r2' });
    expect(childBackend.match(TOKEN_URL)).toEqual([]);
    backend.expectOne(`${API}/data/root`).flush('root ok');
    const childRetry = childBackend.expectOne(`${API}/data/child`);
    expect(childRetry.request.headers.get('Authorization')).toBe('Bearer a2');
    childRetry.flush('child ok');
    expect(values).toEqual(['root ok', 'child ok']);
    childBackend.verify();
    child.destroy();
  });

  it('fails requests with a clear message when provideAuthRefresh is missing', () => {
    injector = angularInjector([
      provideHttpClient(withInterceptors([authRefreshInterceptor])),
      provideHttpClientTesting(),
    ]);
    backend = injector.get(HttpTestingController);
    const errors: unknown[] = [];
    injector
      .get(HttpClient)
      .get(`${API}/data/x`)
      .subscribe({ error: (error: unknown) => errors.push(error) });
    expect(errors.length).toBe(1);
    expect(String(errors[0])).toContain('provideAuthRefresh');
  });
});

describe('Angular createAuthRefreshInterceptor(options), self-contained', () => {
  it('keeps one session per injector: N concurrent 401s share one refresh, and a second app has its own', () => {
    const stores = [
      new MemoryTokenStore({ accessToken: 'a1', refreshToken: 'r1' }),
      new MemoryTokenStore({ accessToken: 'b1', refreshToken: 'r1' }),
    ];
    let refreshCalls = 0;
    let apps = 0;
    // One interceptor instance for both apps, as when a shared config array is reused; the options
    // factory runs once per app, so each app gets the next store.
    const interceptor = createAuthRefreshInterceptor(() => ({
      store: stores[apps++]!,
      refresh: (tokens) => {
        refreshCalls++;
        return refreshWithHttpClient(tokens);
      },
      allowedOrigins: [API],
    }));
    const app = angularInjector([provideHttpClient(withInterceptors([interceptor])), provideHttpClientTesting()]);
    const http = app.get(HttpClient);
    const backend = app.get(HttpTestingController);
    const values: unknown[] = [];
    for (let i = 0; i < 4; i++) http.get(`${API}/data/${i}`).subscribe((value) => values.push(value));
    backend.match(isData).forEach((req) => req.flush(null, unauthorized));
    backend.expectOne(TOKEN_URL).flush({ access_token: 'a2', refresh_token: 'r2' });
    const retried = backend.match(isData);
    expect(retried.map((req) => req.request.headers.get('Authorization'))).toEqual(Array(4).fill('Bearer a2'));
    retried.forEach((req) => req.flush({ ok: true }));
    expect(values.length).toBe(4);
    expect(refreshCalls).toBe(1);
    backend.verify();

    const other = angularInjector([provideHttpClient(withInterceptors([interceptor])), provideHttpClientTesting()]);
    other.get(HttpClient).get(`${API}/data/x`).subscribe();
    const otherBackend = other.get(HttpTestingController);
    expect(otherBackend.expectOne(`${API}/data/x`).request.headers.get('Authorization')).toBe('Bearer b1');
    otherBackend.verify();
    app.destroy();
    other.destroy();
  });

  {
    const configure = createAuthRefreshInterceptor;
    it('createAuthRefreshInterceptor(options) works without provideAuthRefresh, and still skips requests marked SKIP_AUTH', () => {
      const store = new MemoryTokenStore({ accessToken: 'a1', refreshToken: 'r1' });
      const app = angularInjector([
        provideHttpClient(
          withInterceptors([configure({ store, refresh: refreshWithHttpClient, allowedOrigins: [API] })]),
        ),
        provideHttpClientTesting(),
      ]);
      const http = app.get(HttpClient);
      const backend = app.get(HttpTestingController);
      http.get(`${API}/data/me`).subscribe();
      http.get(`${API}/data/public`, { context: skipAuth() }).subscribe();
      expect(backend.expectOne(`${API}/data/me`).request.headers.get('Authorization')).toBe('Bearer a1');
      expect(backend.expectOne(`${API}/data/public`).request.headers.has('Authorization')).toBeFalse();
      backend.verify();
      app.destroy();
    });
  }
});

describe('Angular provideAuthRefresh', () => {
  interface TokenApi {
    refresh(tokens: AuthTokens): Observable<AuthTokens>;
  }
  const TOKEN_API = new InjectionToken<TokenApi>('TokenApi', {
    providedIn: 'root',
    factory: () => {
      const http = inject(HttpClient);
      return {
        refresh: (tokens) =>
          http
            .post<TokenAnswer>(TOKEN_URL, { refresh_token: tokens.refreshToken }, { context: skipAuth() })
            .pipe(map((a) => ({ accessToken: a.access_token }))),
      };
    },
  });
  const STORE = new InjectionToken<MemoryTokenStore>('store');

  it('runs an options factory and the refresh in an injection context, so both may inject()', () => {
    const store = new MemoryTokenStore({ accessToken: 'a1', refreshToken: 'r1' });
    const injector = angularInjector([
      { provide: STORE, useValue: store },
      provideHttpClient(withInterceptors([authRefreshInterceptor])),
      provideHttpClientTesting(),
      provideAuthRefresh(() => ({
        store: inject(STORE),
        refresh: (tokens) => inject(TOKEN_API).refresh(tokens),
        allowedOrigins: [API],
      })),
    ]);
    const backend = injector.get(HttpTestingController);
    const values: unknown[] = [];
    // A caller in a service's injection context, as a component or service would be.
    runInInjectionContext(injector, () =>
      inject(HttpClient)
        .get(`${API}/data/me`)
        .subscribe((value) => values.push(value)),
    );
    backend.expectOne(`${API}/data/me`).flush(null, unauthorized);
    const refreshCall = backend.expectOne(TOKEN_URL);
    expect(refreshCall.request.body).toEqual({ refresh_token: 'r1' });
    refreshCall.flush({ access_token: 'a2' });
    backend.expectOne(`${API}/data/me`).flush('me');
    expect(values).toEqual(['me']);
    // The token endpoint sent no new refresh token: the session kept the one it had.
    expect(store.get()).toEqual({ accessToken: 'a2', refreshToken: 'r1' });
    backend.verify();
    injector.destroy();
  });

  it('creates one session per injector: separate apps do not share tokens or refreshes', () => {
    const options = { refresh: refreshWithHttpClient };
    const one = angularInjector([provideAuthRefresh(options)]);
    const two = angularInjector([provideAuthRefresh(options)]);
    expect(one.get(AUTH_SESSION)).not.toBe(two.get(AUTH_SESSION));
    expect(one.get(AUTH_SESSION).store).not.toBe(two.get(AUTH_SESSION).store);
    one.destroy();
    two.destroy();
  });
});
