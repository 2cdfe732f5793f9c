import { InvalidRequestError } from '../errors/invalid-request-error';
import type { RequestSummary } from '../errors/redact';
import { lowerCased, withDefaultHeader } from '../headers';
import type { HttpRequest } from '../client/http-request';
import { byteBody } from './byte-body';

/** A body the XHR can send, with the headers that describe it. */
export interface PreparedBody {
  readonly body: XMLHttpRequestBodyInit | undefined;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * Turns a request body into one the transport sends byte for byte.
 *
 * With the browser's XHR, FormData, URLSearchParams and Blob go through untouched. xhr2 and
 * node:http can send only strings and bytes, so for them (`bytesOnly`) they are encoded, the way a
 * browser would (see byte-body.ts). Typed arrays are copied to exactly their bytes: ajax would send the whole underlying
 * buffer (a Node Buffer is often a slice of an 8 KiB pool). Returns a Promise only when encoding
 * needs one. `summarize` describes the request, secrets hidden, for an error. `headers` are the
 * request's with lower-case names, when the caller has them already.
 */
export function prepareBody(
  req: HttpRequest,
  bytesOnly: boolean,
  summarize: (req: HttpRequest) => RequestSummary,
  headers: Readonly<Record<string, string>> = lowerCased(req.headers),
): PreparedBody | Promise<PreparedBody> {
  const { body } = req;
  if (body === undefined || body === null || req.method === 'GET' || req.method === 'HEAD') {
    return { body: undefined, headers };
  }
  if (typeof body === 'string' || body instanceof ArrayBuffer) return { body, headers };
  if (ArrayBuffer.isView(body)) return { body: exactBytes(body), headers };
  if (
    (typeof URLSearchParams !== 'undefined' && body instanceof URLSearchParams) ||
    (typeof FormData !== 'undefined' && body instanceof FormData) ||
    (typeof Blob !== 'undefined' && body instanceof Blob)
  ) {
    return bytesOnly ? byteBody(body, headers) : { body, headers };
  }
  if (typeof ReadableStream !== 'undefined' && body instanceof ReadableStream) {
    throw new InvalidRequestError('a ReadableStream body cannot be sent through XMLHttpRequest', summarize(req));
  }
  if (typeof body === 'object' || typeof body === 'number' || typeof body === 'boolean') {
    return {
      body: toJson(body, () => summarize(req)),
      headers: withDefaultHeader(headers, 'content-type', 'application/json'),
    };
  }
  throw new InvalidRequestError(`a ${typeof body} body cannot be sent`, summarize(req));
}

function exactBytes(view: ArrayBufferView): ArrayBuffer {
  // Copying also turns a SharedArrayBuffer view into a plain ArrayBuffer, which XHR requires.
  const copy = new Uint8Array(view.byteLength);
  copy.set(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
  return copy.buffer;
}

function toJson(body: unknown, summary: () => RequestSummary): string {
  try {
    return JSON.stringify(body);
  } catch (cause) {
    throw new InvalidRequestError('the request body cannot be serialized as JSON', summary(), { cause });
  }
}
