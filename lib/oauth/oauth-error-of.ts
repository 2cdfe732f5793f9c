// RFC 6749 appendix A.7: an `error` code is printable ASCII without '"' or '\'. Anything else is
// not a code, and is never copied into a message (it could be anything, even a token).
const ERROR_CODE = /^[\x20\x21\x23-\x5B\x5D-\x7E]{1,64}$/;

/**
 * The OAuth 2.0 `error` code (RFC 6749 section 5.2) a token endpoint answered with, read by shape
 * from our HttpError (`body`), rxjs' AjaxError (`response`) or Angular's HttpErrorResponse
 * (`error`); `undefined` when the answer carries none.
 */
export function oauthErrorOf(error: unknown): string | undefined {
  const holder = error as { body?: unknown; response?: unknown; error?: unknown } | null;
  for (const body of [holder?.body, holder?.response, holder?.error]) {
    const code = (jsonOrText(body) as { error?: unknown } | null)?.error;
    if (typeof code === 'string' && ERROR_CODE.test(code)) return code;
  }
  return undefined;
}

/** A body read as text, parsed when it is JSON, as our transports do; an empty one is null. */
export function jsonOrText(body: unknown): unknown {
  if (typeof body !== 'string') return body ?? null;
  try {
    return JSON.parse(body);
  } catch {
    return body === '' ? null : body;
  }
}
