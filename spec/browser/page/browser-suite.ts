// The test page's script: bundled with the library and rxjs by esbuild and run in Chromium, where
// the client must use the browser's own XMLHttpRequest. Each function drives one scenario and
// answers plain JSON, so the Node runner can assert on it next to the server's own counters.
import { firstValueFrom, forkJoin, lastValueFrom, type Subscription } from 'rxjs';
import {
  AuthRefreshError,
  createHttpClient,
  HttpError,
  InvalidRequestError,
  MemoryTokenStore,
  NetworkError,
  oauth2Refresh,
  RequestError,
  RequestTimeoutError,
  ResponseParseError,
  type AuthTokens,
  type HttpClient,
  type HttpRequestInit,
  type ResponseType,
} from '../../../lib';

/** Where the page finds the API, and the tokens its session starts with. */
export interface PageSession {
  /** The API and token server, on another origin than the page. */
  readonly api: string;
  readonly tokens: AuthTokens;
}

/** What the server's echo route answers: the request as the server received it. */
export interface Echo {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly contentType: string | null;
  readonly body: string;
  readonly bodyBase64: string;
  readonly bodyLength: number;
}

/** An error as the page saw it, including which of the library's classes it is an instance of. */
export interface ErrorReport {
  readonly name: string;
  readonly message: string;
  /** Every class of ours it is an instance of, base class included. */
  readonly classes: readonly string[];
  readonly status?: number;
  readonly timeout?: number;
  readonly text?: string;
  readonly json: string;
}

export type Outcome<T> =
  | { readonly ok: true; readonly status: number; readonly url: string; readonly body: T }
  | { readonly ok: false; readonly error: ErrorReport };

/** A response body read back as bytes, with what the page knew about its type. */
export interface BytesReport {
  readonly constructorName: string;
  readonly blobType: string | null;
  readonly bytes: readonly number[];
}

/** Sends exactly this request through a fresh client and reports how it ended. */
async function send(session: PageSession, init: HttpRequestInit): Promise<Outcome<unknown>> {
  try {
    const response = await lastValueFrom(clientFor(session).request(init));
    return { ok: true, status: response.status, url: response.url, body: response.body };
  } catch (error) {
    return { ok: false, error: reportError(error) };
  }
}

/** Sends `count` requests at once with the session's token (which the runner has just expired). */
async function concurrent(
  session: PageSession,
  count: number,
): Promise<{ echoes: Echo[]; storedAccessToken: string | null }> {
  const client = clientFor(session);
  const requests = Array.from({ length: count }, (_, i) => client.get<Echo>('/api/echo', { params: { i } }));
  const echoes = await firstValueFrom(forkJoin(requests));
  const stored = await client.auth?.store.get();
  return { echoes, storedAccessToken: stored?.accessToken ?? null };
}

/** Reads a binary route as a Blob or an ArrayBuffer and hands back its bytes. */
async function bytes(
  session: PageSession,
  n: number,
  responseType: Extract<ResponseType, 'blob' | 'arraybuffer'>,
): Promise<BytesReport> {
  const body = await lastValueFrom(clientFor(session).get<unknown>('/api/bytes', { params: { n }, responseType }));
  const buffer = body instanceof Blob ? await body.arrayBuffer() : (body as ArrayBuffer);
  return {
    constructorName: Object.prototype.toString.call(body),
    blobType: body instanceof Blob ? body.type : null,
    bytes: Array.from(new Uint8Array(buffer)),
  };
}

/** The FormData the upload scenario posts: a text field and a file holding every byte value. */
function uploadForm(): FormData {
  const form = new FormData();
  form.append('caption', 'Zoë ✓ 1+1=2 & more');
  const everyByte = Uint8Array.from({ length: 256 }, (_, i) => i);
  form.append('file', new Blob([everyByte], { type: 'application/octet-stream' }), 'every-byte.bin');
  return form;
}

/** Posts a FormData or URLSearchParams body; the runner has expired the token, so it goes out twice. */
async function upload(session: PageSession, kind: 'form-data' | 'url-search-params'): Promise<Echo> {
  const body =
    kind === 'form-data'
      ? uploadForm()
      : new URLSearchParams([
          ['caption', 'Zoë ✓ 1+1=2 & more'],
          ['list', 'a'],
          ['list', 'b'],
        ]);
  return lastValueFrom(clientFor(session).post<Echo>('/api/echo', body));
}

let running: { readonly subscription: Subscription; readonly outcome: { settled: string | null } } | null = null;

/** Subscribes to a slow request and leaves it running. */
function startSlow(session: PageSession, ms: number): void {
  const outcome: { settled: string | null } = { settled: null };
  const subscription = clientFor(session)
    .get('/api/slow', { params: { ms }, timeout: 0 })
    .subscribe({
      next: () => (outcome.settled = 'next'),
      error: (error: unknown) => (outcome.settled = `error ${reportError(error).name}`),
      complete: () => (outcome.settled ??= 'complete'),
    });
  running = { subscription, outcome };
}

/** Unsubscribes from the slow request; answers how it had settled before (null: it had not). */
function stopSlow(): { settledBefore: string | null } {
  if (!running) throw new Error('startSlow was not called');
  const { subscription, outcome } = running;
  running = null;
  subscription.unsubscribe();
  return { settledBefore: outcome.settled };
}

function clientFor(session: PageSession): HttpClient {
  return createHttpClient({
    baseUrl: session.api,
    // Off, so each spec can count exactly what reached the server; the retry layer has its own specs.
    retry: false,
    auth: {
      store: new MemoryTokenStore(session.tokens),
      refresh: oauth2Refresh({ tokenUrl: `${session.api}/oauth/token` }),
    },
  });
}

const ERROR_CLASSES: ReadonlyArray<readonly [string, abstract new (...args: never[]) => Error]> = [
  ['RequestError', RequestError],
  ['HttpError', HttpError],
  ['NetworkError', NetworkError],
  ['RequestTimeoutError', RequestTimeoutError],
  ['ResponseParseError', ResponseParseError],
  ['InvalidRequestError', InvalidRequestError],
  ['AuthRefreshError', AuthRefreshError],
];

function reportError(error: unknown): ErrorReport {
  if (!(error instanceof Error))
    return { name: typeof error, message: String(error), classes: [], json: JSON.stringify(error) ?? '' };
  const fields = error as Error & { status?: unknown; timeout?: unknown; text?: unknown };
  return {
    name: error.name,
    message: error.message,
    classes: ERROR_CLASSES.filter(([, type]) => error instanceof type).map(([name]) => name),
    ...(typeof fields.status === 'number' ? { status: fields.status } : {}),
    ...(typeof fields.timeout === 'number' ? { timeout: fields.timeout } : {}),
    ...(typeof fields.text === 'string' ? { text: fields.text } : {}),
    json: JSON.stringify(error),
  };
}

/** The scenarios the runner calls through `page.evaluate`. */
export const browserSuite = {
  send,
  concurrent,
  bytes,
  upload,
  startSlow,
  stopSlow,
  nativeXhr: () => typeof XMLHttpRequest === 'function',
};

export type BrowserSuite = typeof browserSuite;

declare global {
  interface Window {
    /** Set by the browser test page (spec/browser); absent everywhere else. */
    browserSuite?: BrowserSuite;
  }
}

window.browserSuite = browserSuite;
