// The clients compared, each reduced to "send one GET of LOAD_PATH and say when it is over".
// Each is written the way its users write it; none is tuned for the bench.
import axios, { type AxiosError } from 'axios';
import createAuthRefreshInterceptor from 'axios-auth-refresh';
import http from 'node:http';
import { defer, throwError, type Observable } from 'rxjs';
import { ajax, type AjaxError } from 'rxjs/ajax';
import { catchError, switchMap, tap } from 'rxjs/operators';
import XHR2 from 'xhr2';
import { createHttpClient, MemoryTokenStore, oauth2Refresh, type HttpTransport } from '../lib/index';
import { nodeHttpTransport } from '../lib/node/index';
import { LOAD_PATH, type Variant } from './bench-plan';

/** Sends one request; calls `done` once, with null on success or the error. */
export type SendOne = (done: (error: unknown) => void) => void;

interface TokenAnswer {
  readonly access_token: string;
  readonly refresh_token: string;
  readonly expires_in: number;
}

/** Signs in (POST /login) and returns the sender of one variant. */
export async function createVariant(variant: Variant, baseUrl: string): Promise<SendOne> {
  const tokens = await login(baseUrl);
  switch (variant) {
    case 'raw-http':
      return rawHttp(baseUrl, tokens);
    case 'bare-ajax':
      return bareAjax(baseUrl, tokens);
    case 'full-chain':
      return fullChain(baseUrl, tokens);
    case 'full-chain-node':
      return fullChain(baseUrl, tokens, nodeHttpTransport());
    case 'axios-refresh':
      return axiosWithRefresh(baseUrl, tokens);
    case 'naive-rxjs':
      return naiveRxjs(baseUrl, tokens);
  }
}

// The practical limit: Node's own client on a keep-alive agent, the body read and parsed.
function rawHttp(baseUrl: string, tokens: TokenAnswer): SendOne {
  const agent = new http.Agent({ keepAlive: true });
  const { hostname, port } = new URL(baseUrl);
  const headers = { authorization: `Bearer ${tokens.access_token}` };
  return (done) => {
    const request = http.request({ hostname, port, path: LOAD_PATH, agent, headers }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => {
        if (response.statusCode !== 200) return done(new Error(`HTTP ${response.statusCode}`));
        try {
          JSON.parse(text);
          done(null);
        } catch (error) {
          done(error);
        }
      });
    });
    request.on('error', done);
    request.end();
  };
}

// Our transport with nothing on top: rxjs/ajax over xhr2, a fixed token, no refresh. Checked to be
// a like-for-like baseline for the full chain: the server receives the same request headers from
// both (authorization, connection, host, user-agent, content-length), both reuse the same number of
// keep-alive sockets, and both parse the JSON body (xhr2's responseType 'json' here, JSON.parse of
// the text in ours).
function bareAjax(baseUrl: string, tokens: TokenAnswer): SendOne {
  const url = baseUrl + LOAD_PATH;
  const headers = { authorization: `Bearer ${tokens.access_token}` };
  const createXHR = () => new XHR2();
  return (done) =>
    void ajax({ url, headers, createXHR, crossDomain: true }).subscribe({ error: done, complete: () => done(null) });
}

// Ours, as its README sets it up: token attach, single-flight refresh through oauth2Refresh; on
// the default transport (rxjs/ajax over xhr2) or the one given.
function fullChain(baseUrl: string, tokens: TokenAnswer, transport?: HttpTransport): SendOne {
  const client = createHttpClient({
    baseUrl,
    ...(transport ? { transport } : {}),
    auth: {
      store: new MemoryTokenStore({
        accessToken: tokens.access_token,
        refreshToken: tokens.refresh_token,
        expiresAt: Date.now() + tokens.expires_in * 1000,
      }),
      refresh: oauth2Refresh({ tokenUrl: `${baseUrl}/oauth/token` }),
    },
  });
  return (done) => void client.get(LOAD_PATH).subscribe({ error: done, complete: () => done(null) });
}

// axios-auth-refresh as its README recommends: default options, a request interceptor that reads
// the current token, and a refresh function that stores the new one and patches the failed request.
function axiosWithRefresh(baseUrl: string, initial: TokenAnswer): SendOne {
  const api = axios.create({ baseURL: baseUrl });
  let tokens = initial;
  api.interceptors.request.use((request) => {
    request.headers['Authorization'] = `Bearer ${tokens.access_token}`;
    return request;
  });
  const refreshAuthLogic = (failedRequest: AxiosError) =>
    api
      .post<TokenAnswer>(
        '/oauth/token',
        new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token }),
      )
      .then((response) => {
        tokens = response.data;
        if (failedRequest.response)
          failedRequest.response.config.headers['Authorization'] = `Bearer ${tokens.access_token}`;
      });
  createAuthRefreshInterceptor(api, refreshAuthLogic);
  return (done) => void api.get(LOAD_PATH).then(() => done(null), done);
}

// What people hand-write: on a 401, refresh and retry; every failed request refreshes on its own.
function naiveRxjs(baseUrl: string, initial: TokenAnswer): SendOne {
  let tokens = initial;
  const createXHR = () => new XHR2();
  const get = () =>
    defer(() =>
      ajax({
        url: baseUrl + LOAD_PATH,
        headers: { authorization: `Bearer ${tokens.access_token}` },
        createXHR,
        crossDomain: true,
      }),
    );
  const refresh = () =>
    ajax<TokenAnswer>({
      url: `${baseUrl}/oauth/token`,
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token }).toString(),
      createXHR,
      crossDomain: true,
    }).pipe(tap(({ response }) => (tokens = response)));
  const request$: Observable<unknown> = get().pipe(
    catchError((error: AjaxError) =>
      error.status === 401 ? refresh().pipe(switchMap(() => get())) : throwError(() => error),
    ),
  );
  return (done) => void request$.subscribe({ error: done, complete: () => done(null) });
}

function login(baseUrl: string): Promise<TokenAnswer> {
  return new Promise((resolve, reject) => {
    const request = http.request(`${baseUrl}/login`, { method: 'POST' }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () =>
        response.statusCode === 200
          ? resolve(JSON.parse(text) as TokenAnswer)
          : reject(new Error(`login: HTTP ${response.statusCode}`)),
      );
    });
    request.on('error', reject);
    request.end();
  });
}
