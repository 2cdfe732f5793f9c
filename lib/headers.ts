// The one helper that edits request headers. HTTP header names are case-insensitive; here they are
// lower case, enforced by this code rather than by convention, so `Authorization` set by one layer
// and `authorization` set by another are one header, never two.

/** Headers whose names are lower case. */
type HeaderMap = Readonly<Record<string, string>>;

/**
 * A copy of `base` (names already lower case) with `changes` set over it, their names lower-cased:
 * one copy, like Angular's `clone({ setHeaders })`. Throws a TypeError on a value that is not a string.
 */
export function withHeaders(base: HeaderMap, changes: Readonly<Record<string, string>>): Record<string, string> {
  // Object.assign, not spreads: V8 (Node 20) gives `{ ...a, ...b }` a new hidden class per call.
  const merged: Record<string, string> = Object.assign({}, base);
  for (const name of Object.keys(changes)) {
    const value = changes[name];
    if (typeof value !== 'string') throw new TypeError(`headers: the value of "${name}" must be a string`);
    merged[name.toLowerCase()] = value;
  }
  return merged;
}

/** A copy of `base` (names already lower case) with one header set: the hot path's `withHeaders`. */
export function withHeader(base: HeaderMap, name: string, value: string): Record<string, string> {
  const copy: Record<string, string> = Object.assign({}, base);
  copy[name.toLowerCase()] = value;
  return copy;
}

/** `headers` (names already lower case) with `name` set to `value` unless they have it already. */
export function withDefaultHeader(headers: HeaderMap, name: string, value: string): HeaderMap {
  return name in headers ? headers : withHeader(headers, name, value);
}

/**
 * `headers` with lower-case names. An interceptor may have added `Authorization` next to the auth
 * layer's `authorization`: the one set later wins, as it would in a Headers object. Returns
 * `headers` itself when every name is lower case already, the usual case, so nothing is copied.
 */
export function lowerCased(headers: HeaderMap): HeaderMap {
  for (const name of Object.keys(headers)) {
    if (name !== name.toLowerCase()) return withHeaders({}, headers);
  }
  return headers;
}

/** A copy of `headers` without the names `drop` picks. */
export function withoutHeaders(headers: HeaderMap, drop: (name: string) => boolean): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of Object.keys(headers)) {
    if (!drop(name)) kept[name] = headers[name] as string;
  }
  return kept;
}
