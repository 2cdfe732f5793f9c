import { from, throwError } from 'rxjs';
import { catchError, map, switchMap } from 'rxjs/operators';
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
 * the node:http transport uses too, so both fail alike. The deadline is the XHR's own `timeout`,
 * which a browser applies to the whole exchange, as NodeXMLHttpRequest does in Node.
 */
export function ajaxTransport(options: AjaxTransportConfig): HttpHandler {
  const { nativeXhr, secretParams } = options;
  const createXHR = withConnectTimeout(options.createXHR, options.connectTimeout);
  const summarize = (failed: HttpRequest) => summarizeRequest(failed, secretParams);
  const send = (req: HttpRequest, { body, headers }: PreparedBody) =>
    ajax<unknown>({
      url: req.url,
      method: req.method,
      headers,
      body,
      responseType: xhrResponseType(req.responseType, nativeXhr),
      timeout: req.timeout > 0 && Number.isFinite(req.timeout) ? req.timeout : 0,
      // Without crossDomain, ajax adds x-requested-with, which turns every cross-origin call into a
      // CORS preflight.
      crossDomain: true,
      createXHR,
    });
  // Called on subscribe (the client runs its chain inside a deferred attempt); a resubscription
  // sends the same prepared body again, as the request it was prepared from does not change.
  return (req) => {
    let prepared: PreparedBody | Promise<PreparedBody>;
    try {
      prepared = nativeXhr
        ? prepareBody(req, false, summarize)
        : prepareBody(req, true, summarize, sendableHeaders(req, summarize));
    } catch (error) {
      return throwError(() => toRequestError(error, req, secretParams));
    }
    // Only a FormData or Blob body to encode takes the longer way, through a Promise.
    const response$ =
      prepared instanceof Promise ? from(prepared).pipe(switchMap((body) => send(req, body))) : send(req, prepared);
    return response$.pipe(
      map((response) => toHttpResponse(response, req, secretParams)),
      catchError((error: unknown) => throwError(() => toRequestError(error, req, secretParams))),
    );
  };
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
