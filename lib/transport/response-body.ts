import type { ResponseType } from '../client/http-request';

/** The XHR responseType that yields what `responseType` asks for on this platform. */
export function xhrResponseType(responseType: ResponseType, nativeXhr: boolean): XMLHttpRequestResponseType {
  // JSON is read as text and parsed here: an XHR asked for 'json' turns a malformed body into
  // `null` without a word.
  if (responseType === 'json' || responseType === 'text') return 'text';
  // xhr2 has no Blob support; bytes are wrapped in a Blob below.
  if (responseType === 'blob' && !nativeXhr) return 'arraybuffer';
  return responseType;
}

/** Result of decoding: the body, or the raw text that failed to parse. */
export type DecodedBody =
  | { readonly ok: true; readonly body: unknown }
  | { readonly ok: false; readonly text: string; readonly cause: unknown };

/** Decodes what the XHR returned into the body `responseType` promised. */
export function decodeBody(raw: unknown, responseType: ResponseType, contentType: string | undefined): DecodedBody {
  switch (responseType) {
    case 'json':
      return parseJson(typeof raw === 'string' ? raw : '');
    case 'text':
      return { ok: true, body: typeof raw === 'string' ? raw : '' };
    case 'blob':
      return {
        ok: true,
        body: raw instanceof ArrayBuffer ? new Blob([raw], contentType ? { type: contentType } : {}) : raw,
      };
    case 'arraybuffer':
      return { ok: true, body: raw instanceof ArrayBuffer ? raw : new ArrayBuffer(0) };
  }
}

/** An error response's body, decoded leniently: JSON if it parses, else the text. */
export function decodeErrorBody(raw: unknown, responseType: ResponseType, contentType: string | undefined): unknown {
  const decoded = decodeBody(raw, responseType, contentType);
  return decoded.ok ? decoded.body : decoded.text;
}

function parseJson(text: string): DecodedBody {
  if (text === '') return { ok: true, body: null }; // 204, HEAD and empty bodies
  try {
    return { ok: true, body: JSON.parse(text) };
  } catch (cause) {
    return { ok: false, text, cause };
  }
}
