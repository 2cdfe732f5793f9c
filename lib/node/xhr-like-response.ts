// The node:http transport hands the shared decoding what an XMLHttpRequest would: the same
// headers and the same text, so both Node transports answer alike.
import type http from 'node:http';
import type { HttpRequest } from '../client/http-request';

/**
 * Response headers as an XHR exposes them. Node gives lower-case names and an array for a repeated
 * header, which an XHR joins with ', '; set-cookie is never exposed (by a browser or by xhr2).
 */
export function responseHeaders(incoming: http.IncomingHttpHeaders): Record<string, string> {
  // Nearly every response has neither: then Node's own object is already what an XHR would show.
  if (isXhrLike(incoming)) return incoming as Record<string, string>;
  const headers: Record<string, string> = {};
  for (const name of Object.keys(incoming)) {
    const value = incoming[name];
    if (value !== undefined && name !== 'set-cookie' && name !== 'set-cookie2')
      headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

function isXhrLike(incoming: http.IncomingHttpHeaders): boolean {
  for (const name in incoming) {
    if (typeof incoming[name] !== 'string' || name === 'set-cookie' || name === 'set-cookie2') return false;
  }
  return true;
}

const CHARSET = /;\s*charset=["']?([^;"'\s]+)/i;

/**
 * What an XHR would hand over for this responseType: text decoded by the response's charset
 * (UTF-8 unless it says otherwise, a BOM dropped), or the bytes.
 */
export function responseContent(
  bytes: Buffer,
  responseType: HttpRequest['responseType'],
  contentType: string | undefined,
): string | ArrayBuffer {
  if (responseType === 'blob' || responseType === 'arraybuffer') {
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }
  // Only a media type with parameters can name a charset: most JSON answers have none to search for.
  const charset = contentType?.includes(';') ? CHARSET.exec(contentType)?.[1] : undefined;
  if (charset === undefined || /^utf-?8$/i.test(charset)) {
    const text = bytes.toString('utf8');
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  }
  try {
    return new TextDecoder(charset).decode(bytes);
  } catch {
    return bytes.toString('utf8'); // a charset TextDecoder does not know: read as UTF-8, as browsers fall back
  }
}
