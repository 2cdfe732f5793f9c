import { InvalidRequestError } from '../errors/invalid-request-error';
import type { RequestSummary } from '../errors/redact';
import { lowerCased, withHeader } from '../headers';
import type { HttpRequest } from '../client/http-request';

/** A body the XHR can send, with the headers that describe it. */
export interface PreparedBody {
  readonly body: XMLHttpRequestBodyInit | undefined;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * Turns a request body into one the transport sends byte for byte.
 *
 * With the browser's XHR, FormData, URLSearchParams and Blob go through untouched. xhr2 and
 * node:http can send only strings and bytes, so for them (`bytesOnly`) they are encoded here, the
 * way a browser would. Typed arrays are copied to exactly their bytes: ajax would send the whole underlying
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
  if (typeof URLSearchParams !== 'undefined' && body instanceof URLSearchParams) {
    return bytesOnly
      ? { body: body.toString(), headers: withDefaultType(headers, 'application/x-www-form-urlencoded;charset=UTF-8') }
      : { body, headers };
  }
  if (typeof FormData !== 'undefined' && body instanceof FormData) {
    return bytesOnly ? encodeMultipart(body, headers) : { body, headers };
  }
  if (typeof Blob !== 'undefined' && body instanceof Blob) {
    return bytesOnly ? encodeBlob(body, headers) : { body, headers };
  }
  if (typeof ReadableStream !== 'undefined' && body instanceof ReadableStream) {
    throw new InvalidRequestError('a ReadableStream body cannot be sent through XMLHttpRequest', summarize(req));
  }
  if (typeof body === 'object' || typeof body === 'number' || typeof body === 'boolean') {
    return { body: toJson(body, () => summarize(req)), headers: withDefaultType(headers, 'application/json') };
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

// The platform's own encoder (Response, in Node's fetch) writes the multipart body and its boundary.
async function encodeMultipart(form: FormData, headers: Readonly<Record<string, string>>): Promise<PreparedBody> {
  const encoded = new Response(form);
  const type = encoded.headers.get('content-type') ?? 'multipart/form-data';
  return { body: await encoded.arrayBuffer(), headers: withHeader(headers, 'content-type', type) };
}

async function encodeBlob(blob: Blob, headers: Readonly<Record<string, string>>): Promise<PreparedBody> {
  const body = await blob.arrayBuffer();
  return { body, headers: blob.type ? withDefaultType(headers, blob.type) : headers };
}

function withDefaultType(headers: Readonly<Record<string, string>>, type: string): Readonly<Record<string, string>> {
  return 'content-type' in headers ? headers : withHeader(headers, 'content-type', type);
}
