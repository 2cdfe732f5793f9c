import http from 'node:http';
import https from 'node:https';
import { Observable, type Subscriber, type Unsubscribable } from 'rxjs';
import { summarizeRequest, type RequestSummary } from '../errors/redact';
import { RequestError } from '../errors/request-error';
import { RequestTimeoutError } from '../errors/request-timeout-error';
import { ResponseParseError } from '../errors/response-parse-error';
import { withHeader, withoutHeaders } from '../headers';
import type { HttpRequest } from '../client/http-request';
import type { HttpResponse } from '../client/http-response';
import { connectTimingAgent, timesConnections, type ConnectTimedOptions } from '../transport/keep-alive-agents';
import { decompress, DEFAULT_ACCEPT_ENCODING } from './decompress';
import { RequestTargets } from './request-targets';
import { responseContent, responseHeaders } from './xhr-like-response';
import { watchConnect } from '../transport/connect-timeout';
import type { HttpTransport, TransportSettings } from '../transport/http-transport';
import {
  heldRedirect,
  holdsRedirects,
  isCredentialHeader,
  MAX_REDIRECTS,
  REDIRECT_STATUSES,
  redirectsToGet,
  tooManyRedirects,
} from '../transport/redirects';
import { prepareBody, type PreparedBody } from '../transport/request-body';
import { decodeBody } from '../transport/response-body';
import { sendableHeaders } from '../transport/transport-headers';
import { httpError, networkError, unsendable } from '../transport/transport-errors';

/** Options of {@link nodeHttpTransport}. */
export interface NodeHttpTransportOptions {
  /** Agent for `http:` URLs; default a keep-alive agent of this transport's own. */
  readonly httpAgent?: http.Agent;
  /** Agent for `https:` URLs (TLS options, certificates); default a keep-alive agent of this transport's own. */
  readonly httpsAgent?: https.Agent;
}

/**
 * A transport for Node that sends with node:http and node:https instead of rxjs/ajax over xhr2,
 * for servers and scripts that make many requests: it spends less CPU per request (see
 * docs/benchmarks.md). It keeps the default transport's behaviour: a deadline on the whole
 * response, abort on unsubscribe, bodies sent as a browser would encode them, redirects followed
 * as a browser does (credentials dropped when one leaves the origin, at most 20), and the same
 * errors. Unlike xhr2, it asks for compressed responses (`accept-encoding: gzip, deflate, br`
 * unless the request sets its own) and decodes them with Node's zlib, as fetch does.
 *
 * @example
 * ```ts
 * import { createHttpClient } from 'rxjs-auth-http';
 * import { nodeHttpTransport } from 'rxjs-auth-http/node';
 *
 * const client = createHttpClient({ baseUrl: 'https://api.example.com', transport: nodeHttpTransport() });
 * ```
 */
export function nodeHttpTransport(options: NodeHttpTransportOptions = {}): HttpTransport {
  const shared: Shared = {
    http: options.httpAgent ?? connectTimingAgent(http.Agent),
    https: options.httpsAgent ?? connectTimingAgent(https.Agent),
    targets: new RequestTargets(),
  };
  return (settings) => {
    // Errors describe their request with its secrets hidden: one describer per client, not per request.
    const summarize = (failed: HttpRequest) => summarizeRequest(failed, settings.secretParams);
    return (req) =>
      new Observable<HttpResponse<unknown>>((subscriber) =>
        new NodeExchange(req, settings, summarize, shared, subscriber).start(),
      );
  };
}

/** What every exchange of one transport shares: its agents, and its parses of request URLs. */
interface Shared {
  readonly http: http.Agent;
  readonly https: https.Agent;
  readonly targets: RequestTargets;
}

/** One request on the wire: the first, or one a redirect asked for. */
interface Hop {
  readonly url: string;
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly bytes: Buffer | undefined;
}

/**
 * One attempt: the request, the redirects it follows, the response, the deadline. One object with
 * methods, which is also the teardown, rather than a closure per callback.
 */
class NodeExchange implements Unsubscribable {
  private request: http.ClientRequest | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private redirects = 0;
  private settled = false;
  private readonly secretParams: ReadonlySet<string>;

  constructor(
    private readonly req: HttpRequest,
    private readonly settings: TransportSettings,
    private readonly summarize: (req: HttpRequest) => RequestSummary,
    private readonly shared: Shared,
    private readonly subscriber: Subscriber<HttpResponse<unknown>>,
  ) {
    this.secretParams = settings.secretParams;
  }

  start(): this {
    const { timeout } = this.req;
    if (timeout > 0 && Number.isFinite(timeout)) this.timer = setTimeout(expire, timeout, this);
    let prepared: PreparedBody | Promise<PreparedBody>;
    try {
      prepared = prepareBody(this.req, true, this.summarize, sendableHeaders(this.req, this.summarize));
    } catch (error) {
      this.fail(error);
      return this;
    }
    if (prepared instanceof Promise) {
      prepared.then(
        (ready) => {
          if (!this.settled) this.sendPrepared(ready);
        },
        (error: unknown) => this.fail(error),
      );
    } else {
      this.sendPrepared(prepared);
    }
    return this;
  }

  unsubscribe(): void {
    clearTimeout(this.timer);
    // A request cut short must not leave its socket in the pool half read; a finished one must.
    if (!this.settled) this.request?.destroy();
    this.settled = true;
  }

  expire(): void {
    this.fail(new RequestTimeoutError(this.summarize(this.req), this.req.timeout));
  }

  private sendPrepared({ body, headers }: PreparedBody): void {
    let bytes: Buffer | undefined;
    try {
      bytes = toBytes(body);
    } catch (error) {
      this.fail(error);
      return;
    }
    this.send({ url: this.req.url, method: this.req.method, headers, bytes });
  }

  private send(hop: Hop): void {
    try {
      const target = this.shared.targets.of(hop.url);
      const client = target.protocol === 'https:' ? https : target.protocol === 'http:' ? http : null;
      if (client === null) throw new TypeError(`${target.protocol} URLs cannot be sent over HTTP`);
      const { bytes } = hop;
      const agent = client === https ? this.shared.https : this.shared.http;
      // The same few options every time, not a URL object, which Node would turn into a larger
      // options object of varying shape.
      const options: ConnectTimedOptions = {
        hostname: target.hostname,
        port: target.port,
        path: target.path,
        method: hop.method,
        headers:
          bytes === undefined ? hop.headers : withHeader(hop.headers, 'content-length', String(bytes.byteLength)),
        agent,
        connectTimeout: this.settings.connectTimeout,
      };
      if (target.auth !== undefined) options.auth = target.auth;
      const request = client.request(options);
      // A caller's accept-encoding, identity included, goes out as set; known codings are decoded
      // either way. Set on the request rather than on a copy of the headers made for each request.
      if (!('accept-encoding' in hop.headers)) request.setHeader('accept-encoding', DEFAULT_ACCEPT_ENCODING);
      // Our own agents bound a new connection where they make it; a caller's agent may make it anyhow.
      if (!timesConnections(agent))
        watchConnect(request, this.settings.connectTimeout, (failure) => this.fail(failure));
      request.on('response', (response) => this.receive(request, response, hop));
      request.on('error', (error) => {
        if (this.request === request) this.fail(error);
      });
      this.request = request;
      request.end(bytes);
    } catch (error) {
      this.fail(error);
    }
  }

  private receive(request: http.ClientRequest, response: http.IncomingMessage, hop: Hop): void {
    if (this.request !== request || this.settled) return;
    const status = response.statusCode ?? 0;
    const location = response.headers.location;
    if (REDIRECT_STATUSES.has(status) && location) {
      response.on('error', ignore); // the redirect's own body is of no interest, nor its failure
      response.resume(); // drained, so its socket goes back to the pool
      const to = new URL(location, hop.url);
      if (holdsRedirects(hop.headers)) this.fail(heldRedirect(status, to.href));
      else this.redirect(hop, status, to);
      return;
    }
    const chunks: Buffer[] = [];
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.on('end', () => {
      const bytes = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
      // A body that does not decode is a broken response: a NetworkError, as with fetch.
      decompress(bytes, response.headers['content-encoding'], (error, decoded) =>
        error ? this.fail(error) : this.finish(response, decoded, hop.url),
      );
    });
    // A body cut off mid-way: Node reports it as an error ('aborted', ECONNRESET).
    response.on('error', (error) => this.fail(error));
  }

  private redirect(from: Hop, status: number, to: URL): void {
    if (++this.redirects > MAX_REDIRECTS) {
      this.fail(tooManyRedirects());
      return;
    }
    if (to.protocol !== 'http:' && to.protocol !== 'https:') {
      // The server's doing, not the caller's: a network error, as in a browser.
      this.fail(
        Object.assign(new Error(`a redirect to a ${to.protocol} URL cannot be followed`), {
          code: 'ERR_UNSUPPORTED_REDIRECT',
        }),
      );
      return;
    }
    let headers = from.headers;
    if (to.origin !== new URL(from.url).origin) headers = withoutHeaders(headers, isCredentialHeader);
    if (redirectsToGet(status, from.method)) {
      headers = withoutHeaders(headers, (name) => name === 'content-type' || name === 'content-length');
      this.send({ url: to.href, method: 'GET', headers, bytes: undefined });
    } else {
      this.send({ url: to.href, method: from.method, headers, bytes: from.bytes });
    }
  }

  private finish(response: http.IncomingMessage, bytes: Buffer, url: string): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    const { req, secretParams } = this;
    const status = response.statusCode ?? 0;
    const headers = responseHeaders(response.headers);
    const raw = responseContent(bytes, req.responseType, headers['content-type']);
    if (status < 200 || status > 299) {
      this.subscriber.error(httpError(status, headers, raw, url, req, secretParams));
      return;
    }
    const decoded = decodeBody(raw, req.responseType, headers['content-type']);
    if (!decoded.ok) {
      this.subscriber.error(new ResponseParseError(this.summarize(req), status, decoded.text, decoded.cause));
      return;
    }
    this.subscriber.next({ status, headers, url, body: decoded.body });
    this.subscriber.complete();
  }

  private fail(error: unknown): void {
    if (this.settled) return;
    this.unsubscribe();
    this.subscriber.error(this.toRequestError(error));
  }

  private toRequestError(error: unknown): RequestError {
    if (error instanceof RequestError) return error;
    // Node's own failures carry a code (ECONNREFUSED, ECONNRESET, ERR_TOO_MANY_REDIRECTS); an
    // invalid header value (ERR_INVALID_CHAR) or URL is the caller's, not the network's.
    const code = (error as { code?: unknown } | null)?.code;
    if (typeof code === 'string' && !code.startsWith('ERR_INVALID') && !(error instanceof TypeError)) {
      return networkError(error, this.req, this.secretParams);
    }
    return unsendable(error, this.req, this.secretParams);
  }
}

function expire(exchange: NodeExchange): void {
  exchange.expire();
}

function ignore(): void {}

function toBytes(body: XMLHttpRequestBodyInit | undefined): Buffer | undefined {
  if (body === undefined) return undefined;
  if (typeof body === 'string') return Buffer.from(body);
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  // prepareBody gives only strings and ArrayBuffers when asked to encode for a byte transport.
  throw new TypeError('the body could not be encoded');
}
