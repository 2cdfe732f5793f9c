import {
  from,
  Observable,
  throwError,
  type Observer,
  type Subscriber,
  type Subscription,
  type TeardownLogic,
} from 'rxjs';
import { catchError, switchMap } from 'rxjs/operators';
import { ajax, AjaxError, type AjaxResponse, AjaxTimeoutError } from 'rxjs/ajax';
import { summarizeRequest } from '../errors/redact';
import { RequestError } from '../errors/request-error';
import { RequestTimeoutError } from '../errors/request-timeout-error';
import { ResponseParseError } from '../errors/response-parse-error';
import type { HttpRequest } from '../client/http-request';
import type { HttpResponse } from '../client/http-response';
import type { HttpHandler } from '../client/interceptor';
import { prepareBody, type PreparedBody } from './request-body';
import { decodeBody, xhrResponseType } from './response-body';
import { sendableHeaders } from './transport-headers';
import { httpError, networkError, unsendable } from './transport-errors';

/** How the transport reaches the network. */
export interface AjaxTransportConfig {
  /** Makes the XMLHttpRequest for each attempt. */
  readonly createXHR: () => XMLHttpRequest;
  /** True for the browser's own XHR; false for xhr2, which needs bodies encoded and Blobs wrapped. */
  readonly nativeXhr: boolean;
  /** Query parameters errors must hide besides the secret-looking ones. */
  readonly secretParams: ReadonlySet<string>;
  /** Limit in ms on establishing a connection, for an XHR that can apply one (ours on xhr2). */
  readonly connectTimeout: number;
}

/**
 * The last handler of every chain: sends one attempt with rxjs/ajax and maps every outcome to an
 * {@link HttpResponse} or one of our errors, through the factories in transport-errors.ts that
 * the node:http transport uses too, so both fail alike.
 */
export function ajaxTransport(options: AjaxTransportConfig): HttpHandler {
  const config = { ...options, createXHR: withConnectTimeout(options.createXHR, options.connectTimeout) };
  const summarize = (failed: HttpRequest) => summarizeRequest(failed, config.secretParams);
  return (req) =>
    new Observable<HttpResponse<unknown>>((subscriber) => {
      let prepared: PreparedBody | Promise<PreparedBody>;
      try {
        prepared = config.nativeXhr
          ? prepareBody(req, false, summarize)
          : prepareBody(req, true, summarize, sendableHeaders(req, summarize));
      } catch (error) {
        subscriber.error(toRequestError(error, req, config.secretParams));
        return undefined;
      }
      if (!(prepared instanceof Promise)) return new AjaxExchange(req, prepared, config, subscriber).start();
      // Only a FormData or Blob body to encode takes this longer way.
      return from(prepared)
        .pipe(
          catchError((error: unknown) => throwError(() => toRequestError(error, req, config.secretParams))),
          switchMap(
            (body) =>
              new Observable<HttpResponse<unknown>>((inner) => new AjaxExchange(req, body, config, inner).start()),
          ),
        )
        .subscribe(subscriber);
    });
}

/**
 * One attempt through ajax: maps the response, maps every failure and keeps the deadline. One
 * object that is also the observer of ajax and the teardown, rather than a closure per callback,
 * and one layer per request where map, catchError and a deadline operator would be three.
 */
class AjaxExchange implements Partial<Observer<AjaxResponse<unknown>>> {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private subscription: Subscription | undefined;

  constructor(
    private readonly req: HttpRequest,
    private readonly prepared: PreparedBody,
    private readonly config: AjaxTransportConfig,
    private readonly subscriber: Subscriber<HttpResponse<unknown>>,
  ) {}

  start(): TeardownLogic {
    const { req, prepared, config } = this;
    // xhr2's own timeout only fires when the socket is idle; a deadline on the whole response
    // (unsubscribing aborts the XHR) behaves the same in Node and in browsers. A plain setTimeout,
    // not rxjs' `timeout`, which schedules a setInterval and its bookkeeping per request; this is
    // real I/O, so virtual time has nothing to gain here.
    if (req.timeout > 0 && Number.isFinite(req.timeout)) this.timer = setTimeout(expire, req.timeout, this);
    this.subscription = ajax<unknown>({
      url: req.url,
      method: req.method,
      headers: prepared.headers,
      body: prepared.body,
      responseType: xhrResponseType(req.responseType, config.nativeXhr),
      // Without crossDomain, ajax adds x-requested-with, which turns every cross-origin call into a
      // CORS preflight.
      crossDomain: true,
      createXHR: config.createXHR,
    }).subscribe(this);
    return this;
  }

  next(response: AjaxResponse<unknown>): void {
    let mapped: HttpResponse<unknown>;
    try {
      mapped = toHttpResponse(response, this.req, this.config.secretParams);
    } catch (error) {
      this.error(error);
      return;
    }
    this.subscriber.next(mapped);
  }

  error(error: unknown): void {
    this.subscriber.error(toRequestError(error, this.req, this.config.secretParams));
  }

  complete(): void {
    this.subscriber.complete();
  }

  expire(): void {
    this.error(new RequestTimeoutError(summarizeRequest(this.req, this.config.secretParams), this.req.timeout));
  }

  unsubscribe(): void {
    clearTimeout(this.timer);
    this.subscription?.unsubscribe();
  }
}

function expire(exchange: AjaxExchange): void {
  exchange.expire();
}

// Hands the limit to an XHR that has a `connectTimeout` (NodeXMLHttpRequest), found by shape so
// that browser bundles need not import xhr2's subclass.
function withConnectTimeout(createXHR: () => XMLHttpRequest, connectTimeout: number): () => XMLHttpRequest {
  if (!(connectTimeout > 0)) return createXHR;
  return () => {
    const xhr = createXHR();
    if ('connectTimeout' in xhr) (xhr as { connectTimeout: number }).connectTimeout = connectTimeout;
    return xhr;
  };
}

function toHttpResponse(
  response: AjaxResponse<unknown>,
  req: HttpRequest,
  secretParams: ReadonlySet<string>,
): HttpResponse<unknown> {
  const { status } = response;
  const headers = parsedHeaders(response.xhr) ?? trimmedHeaders(response.responseHeaders);
  const url = response.xhr.responseURL || req.url;
  const contentType = headers['content-type'];
  // ajax passes 3xx through as success; only 2xx is success here.
  if (status < 200 || status > 299) throw httpError(status, headers, response.response, url, req, secretParams);
  const decoded = decodeBody(response.response, req.responseType, contentType);
  if (!decoded.ok)
    throw new ResponseParseError(summarizeRequest(req, secretParams), status, decoded.text, decoded.cause);
  return { status, headers, url, body: decoded.body };
}

function toRequestError(error: unknown, req: HttpRequest, secretParams: ReadonlySet<string>): RequestError {
  if (error instanceof RequestError) return error;
  const request = summarizeRequest(req, secretParams);
  if (error instanceof AjaxTimeoutError) return new RequestTimeoutError(request, req.timeout);
  if (error instanceof AjaxError) {
    // The AjaxError itself is not kept as a cause: it holds the XHR and the request headers,
    // token included, and loggers print causes.
    if (error.status === 0) return networkError((error.xhr as { failure?: unknown }).failure, req, secretParams);
    return httpError(
      error.status,
      parseHeaders(error.xhr.getAllResponseHeaders()),
      error.xhr.response,
      error.xhr.responseURL || req.url,
      req,
      secretParams,
    );
  }
  // Anything else was thrown while building or sending the request (xhr2's "Unsupported send()
  // data", an invalid URL, a bad header value).
  return unsendable(error, req, secretParams);
}

function parseHeaders(raw: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of raw.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

// The header record NodeXMLHttpRequest keeps (see `responseHeaderRecord`), found by shape so that
// browser bundles need not import xhr2's subclass.
function parsedHeaders(xhr: XMLHttpRequest): Record<string, string> | null {
  return (xhr as Partial<{ responseHeaderRecord: Record<string, string> | null }>).responseHeaderRecord ?? null;
}

// ajax has parsed the headers already, but it splits lines on '\n' alone, so xhr2's values keep
// their '\r'. Trimming what it parsed costs less than parsing the raw block again, and gives the
// same result: an XHR writes each header as "name: value" (what ajax splits on), and the empty
// name comes from the block's trailing line break.
function trimmedHeaders(parsed: Readonly<Record<string, string>>): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of Object.keys(parsed)) {
    if (name !== '') headers[trimmed(name).toLowerCase()] = trimmed(parsed[name] as string);
  }
  return headers;
}

// `text.trim()`, with a shortcut for what nearly every name and value is: nothing to trim but
// xhr2's line-ending '\r' (trim's scan of both ends showed per response header in bench:profile).
// Anything but printable ASCII at either end goes to trim, which also strips Unicode spaces.
function trimmed(text: string): string {
  const end = text.charCodeAt(text.length - 1) === 13 ? text.length - 1 : text.length;
  if (end > 0 && isPrintableAscii(text.charCodeAt(0)) && isPrintableAscii(text.charCodeAt(end - 1))) {
    return end === text.length ? text : text.slice(0, end);
  }
  return text.trim();
}

function isPrintableAscii(code: number): boolean {
  return code > 32 && code < 127;
}
