// The errors every transport ends with, made the same way whichever transport failed.
import { HttpError } from '../errors/http-error';
import { InvalidRequestError } from '../errors/invalid-request-error';
import { NetworkError } from '../errors/network-error';
import { RequestTimeoutError } from '../errors/request-timeout-error';
import { connectTimeoutOf } from './connect-timeout';
import { redactUrl, secretValues, summarizeRequest, type RequestSummary } from '../errors/redact';
import { hideSecrets, withoutSecrets } from '../errors/without-secrets';
import type { HttpRequest } from '../client/http-request';
import { decodeErrorBody } from './response-body';

/** The one place an HttpError is made: a status outside 2xx, its body decoded leniently. */
export function httpError(
  status: number,
  headers: Record<string, string>,
  raw: unknown,
  url: string,
  req: HttpRequest,
  secretParams: ReadonlySet<string>,
): HttpError {
  const body = decodeErrorBody(raw, req.responseType, headers['content-type']);
  return new HttpError({
    status,
    headers,
    body,
    url: redactUrl(url, secretParams),
    request: summarizeRequest(req, secretParams),
  });
}

/** Something thrown while sending the request (an invalid URL, a bad header value). */
export function unsendable(error: unknown, req: HttpRequest, secretParams: ReadonlySet<string>): InvalidRequestError {
  const request = summarizeRequest(req, secretParams);
  const secrets = secretValues(req.url, req.headers, secretParams);
  return invalidRequest(error, `${request.method} ${request.url} could not be sent: `, request, secrets);
}

/**
 * The error for what `error` says went wrong with a request (after `prefix`), its message and its
 * cause with every one of `secrets` hidden: a foreign error may quote the URL or a header.
 */
export function invalidRequest(
  error: unknown,
  prefix: string,
  request: RequestSummary,
  secrets: readonly string[],
): InvalidRequestError {
  const message = hideSecrets(error instanceof Error ? error.message : String(error), secrets);
  return new InvalidRequestError(prefix + message, request, { cause: withoutSecrets(error, secrets) });
}

/**
 * No response: `cause` is the platform's error, when it gave one. A connect timeout, which the
 * transport reports the way Node reports a failed connection, is a RequestTimeoutError.
 */
export function networkError(
  cause: unknown,
  req: HttpRequest,
  secretParams: ReadonlySet<string>,
): NetworkError | RequestTimeoutError {
  const connectTimeout = connectTimeoutOf(cause);
  if (connectTimeout !== undefined)
    return new RequestTimeoutError(summarizeRequest(req, secretParams), connectTimeout, 'connect');
  return new NetworkError(
    summarizeRequest(req, secretParams),
    withoutSecrets(cause, secretValues(req.url, req.headers, secretParams)),
  );
}
