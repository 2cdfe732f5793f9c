/**
 * A header of an answer or error, read by shape so every transport answers: our HttpResponse and
 * HttpError (`headers`, lower-case names), Angular's `HttpResponse`/`HttpErrorResponse` and fetch's
 * `Response` (`headers.get`), rxjs' `AjaxResponse` (`responseHeaders`) and `AjaxError` (`xhr`).
 * `name` is lower case; undefined when there is no such header (or no headers, as on Angular's
 * sent event).
 */
export function headerOf(answer: unknown, name: string): string | undefined {
  const holder = answer as {
    headers?: Record<string, unknown> | { get?: unknown };
    responseHeaders?: Record<string, unknown>;
    xhr?: { getResponseHeader?: unknown };
  } | null;
  if (holder === null || typeof holder !== 'object') return undefined;
  const { headers, responseHeaders, xhr } = holder;
  let value: unknown;
  if (headers && typeof headers.get === 'function')
    value = (headers.get as (name: string) => unknown).call(headers, name);
  else if (headers && typeof headers === 'object') value = (headers as Record<string, unknown>)[name];
  else if (responseHeaders && typeof responseHeaders === 'object') value = responseHeaders[name];
  else if (xhr && typeof xhr.getResponseHeader === 'function')
    value = (xhr.getResponseHeader as (name: string) => unknown).call(xhr, name);
  // Trimmed: rxjs' AjaxResponse splits the raw header block on '\n' and leaves the '\r' in each value.
  const text = typeof value === 'string' ? value.trim() : '';
  return text !== '' ? text : undefined;
}
