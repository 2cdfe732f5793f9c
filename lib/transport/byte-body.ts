import { withDefaultHeader, withHeader } from '../headers';
import type { PreparedBody } from './request-body';

/**
 * A URLSearchParams, FormData or Blob body as a string or bytes, encoded the way a browser would,
 * for the transports that send nothing else (xhr2, node:http). A Promise when encoding needs one.
 * Browser builds swap this file for `byte-body.browser.ts`: a browser's XHR sends these bodies itself.
 */
export function byteBody(
  body: URLSearchParams | FormData | Blob,
  headers: Readonly<Record<string, string>>,
): PreparedBody | Promise<PreparedBody> {
  if (body instanceof URLSearchParams) {
    const type = 'application/x-www-form-urlencoded;charset=UTF-8';
    return { body: body.toString(), headers: withDefaultHeader(headers, 'content-type', type) };
  }
  return body instanceof Blob ? encodeBlob(body, headers) : encodeMultipart(body, headers);
}

// The platform's own encoder (Response, in Node's fetch) writes the multipart body and its boundary.
async function encodeMultipart(form: FormData, headers: Readonly<Record<string, string>>): Promise<PreparedBody> {
  const encoded = new Response(form);
  const type = encoded.headers.get('content-type') ?? 'multipart/form-data';
  return { body: await encoded.arrayBuffer(), headers: withHeader(headers, 'content-type', type) };
}

async function encodeBlob(blob: Blob, headers: Readonly<Record<string, string>>): Promise<PreparedBody> {
  const body = await blob.arrayBuffer();
  return { body, headers: blob.type ? withDefaultHeader(headers, 'content-type', blob.type) : headers };
}
