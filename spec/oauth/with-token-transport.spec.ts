import { lastValueFrom, of, throwError, type Observable } from 'rxjs';
import { ajax } from 'rxjs/ajax';
import { map } from 'rxjs/operators';
import {
  AuthRefreshError,
  createAuthSession,
  createHttpClient,
  HttpError,
  MemoryTokenStore,
  NetworkError,
  oauth2Refresh,
  oauth2Revoke,
  RequestTimeoutError,
  withTokenTransport,
  type HttpHandler,
  type HttpRequest,
  type HttpResponse,
  type HttpTransport,
  type AuthSession,
} from '../../lib';
import { fallbackXHR } from '../../lib/transport/fallback-xhr';
import { startTestAuthServer, type TestAuthServer } from '../../lib/testing/index';

// Where the token request goes: over the transport of whatever runs the session, never a second
// HTTP client; and whichever transport failed it, the failure is ours and holds no secret.

/** Makes `session` refresh: its first attempt fails with a 401, the retry answers the token used. */
function refreshOnce(session: AuthSession): Promise<string | null> {
  let attempts = 0;
  return lastValueFrom(
    session.authorize((token) => (attempts++ === 0 ? throwError(() => ({ status: 401 })) : of(token))),
  );
}

/** A transport of the caller's, over rxjs/ajax (xhr2 in Node), that records what it sends. */
function recordingAjax(sent: HttpRequest[]): HttpHandler {
  return (req) => {
    sent.push(req);
    return ajax<unknown>({
      url: req.url,
      method: req.method,
      headers: req.headers,
      body: req.body,
      crossDomain: true,
      createXHR: fallbackXHR,
    }).pipe(
      map((answer): HttpResponse<unknown> => ({
        status: answer.status,
        headers: {},
        url: req.url,
        body: answer.response,
      })),
    );
  };
}

describe('withTokenTransport and the token request transport', () => {
  let server: TestAuthServer;
  beforeEach(async () => (server = await startTestAuthServer()));
  afterEach(() => server.close());

  it("sends a client's token request through the client's own transport", async () => {
    const store = new MemoryTokenStore(server.issueTokens());
    server.expireAccessTokens();
    const sent: string[] = [];
    // The client's transport, wrapped to see each attempt it is asked to send.
    const transport: HttpTransport = () => {
      const send = recordingAjax([]);
      return (req) => {
        sent.push(`${req.method} ${new URL(req.url).pathname} auth=${req.auth} retries=${req.retry.limit}`);
        return send(req);
      };
    };
    const client = createHttpClient({
      baseUrl: server.url,
      transport,
      auth: { store, refresh: oauth2Refresh({ tokenUrl: `${server.url}/oauth/token`, clientId: 'web' }) },
    });
    await lastValueFrom(client.get('/api/me'));
    expect(sent).toEqual([
      'GET /api/me auth=true retries=2',
      'POST /oauth/token auth=false retries=0',
      'GET /api/me auth=true retries=2',
    ]);
    expect(server.accepts(store.get()!.accessToken)).toBeTrue();
  });

  it('remakes oauth2Refresh and oauth2Revoke without a transport of their own, and nothing else', async () => {
    const sent: HttpRequest[] = [];
    const own: HttpRequest[] = [];
    const custom = (): Observable<never> => {
      throw new Error('not called');
    };
    const refresh = oauth2Refresh({ tokenUrl: `${server.url}/oauth/token`, clientId: 'web' });
    const revoke = oauth2Revoke({ revocationUrl: `${server.url}/oauth/revoke`, clientId: 'web' });
    const pinned = oauth2Refresh({ tokenUrl: `${server.url}/oauth/token`, transport: () => recordingAjax(own) });

    const auth = withTokenTransport({ refresh, revoke }, recordingAjax(sent));
    expect(auth.refresh).not.toBe(refresh);
    expect(auth.revoke).not.toBe(revoke);
    expect(withTokenTransport({ refresh: custom }, recordingAjax(sent)).refresh).toBe(custom);
    expect(withTokenTransport({ refresh: pinned }, recordingAjax(sent)).refresh).toBe(pinned);

    const session = createAuthSession({ ...auth, store: new MemoryTokenStore(server.issueTokens()) });
    expect(await refreshOnce(session)).not.toBeNull();
    await session.logout();
    expect(sent.map((req) => new URL(req.url).pathname)).toEqual(['/oauth/token', '/oauth/revoke']);
    expect(sent.every((req) => req.method === 'POST' && req.auth === false)).toBeTrue();
    await lastValueFrom(pinned(server.issueTokens()));
    expect(own.length).toBe(1);
  });

  it("rebuilds a foreign transport's failure from its shape: status and body kept, no secret", async () => {
    server.failTokenRequests('invalid_grant');
    const refresh = oauth2Refresh({
      tokenUrl: `${server.url}/oauth/token`,
      clientId: 'web',
      clientSecret: 'client-s3cret',
      transport: () => recordingAjax([]), // fails with rxjs' AjaxError, which holds the request
    });
    const error = await lastValueFrom(refresh({ accessToken: 'a', refreshToken: 'refresh-s3cret' })).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).status).toBe(400);
    expect((error as HttpError).body).toEqual(jasmine.objectContaining({ error: 'invalid_grant' }));
    const everything = `${String(error)} ${JSON.stringify(error)} ${JSON.stringify(Object.entries(error as object))}`;
    expect(everything).not.toContain('refresh-s3cret');
    expect(everything).not.toContain(btoa('web:client-s3cret'));
    expect((error as HttpError).cause).toBeUndefined();

    server.failTokenRequests('reset');
    const reset = await lastValueFrom(refresh({ accessToken: 'a', refreshToken: 'refresh-s3cret' })).catch(
      (e: unknown) => e,
    );
    expect(reset).toBeInstanceOf(NetworkError);
    expect(JSON.stringify(reset)).not.toContain('refresh-s3cret');
  });

  it('keeps the deadline on the default rxjs/ajax transport, and the session reports it', async () => {
    server.failTokenRequests('hang');
    const refresh = oauth2Refresh({ tokenUrl: `${server.url}/oauth/token`, timeout: 50 });
    const error = await lastValueFrom(refresh({ accessToken: 'a', refreshToken: 'r' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RequestTimeoutError);
    expect((error as RequestTimeoutError).timeout).toBe(50);

    const session = createAuthSession({
      store: new MemoryTokenStore({ accessToken: 'a', refreshToken: 'r' }),
      refresh,
    });
    const failed = await refreshOnce(session).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(AuthRefreshError);
    expect((failed as AuthRefreshError).cause).toBeInstanceOf(RequestTimeoutError);
  });

  it('refuses a transport that is not a function, and transport with createXHR, at set-up', () => {
    const tokenUrl = `${server.url}/oauth/token`;
    expect(() => oauth2Refresh({ tokenUrl, transport: 'fetch' as unknown as HttpTransport })).toThrowError(
      TypeError,
      /transport must be a function/,
    );
    expect(() =>
      oauth2Revoke({ revocationUrl: tokenUrl, transport: () => recordingAjax([]), createXHR: fallbackXHR }),
    ).toThrowError(TypeError, /pass transport or createXHR, not both/);
    expect(() => oauth2Refresh({ tokenUrl, timeout: -1 })).toThrowError(TypeError, /oauth2Refresh: timeout must be/);
  });
});
