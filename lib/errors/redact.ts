/** What an error may say about the request that failed: never a body, never a secret. */
export interface RequestSummary {
  readonly method: string;
  /** The URL with secret-looking query parameters replaced by `[redacted]`. */
  readonly url: string;
  /** Lower-case header names; credentials replaced by `[redacted]`. */
  readonly headers: Readonly<Record<string, string>>;
}

/** What stands in for a hidden secret in every error. */
export const REDACTED = '[redacted]';

// Names are matched loosely on purpose: a false positive hides a harmless value, a false
// negative leaks a credential into a log.
const SECRET_NAME = /auth|token|secret|pass|key|cookie|session|sig|jwt|code|credential|dpop/i;

/**
 * Replaces the values of secret-looking query parameters and drops the fragment (never sent to a
 * server, and where implicit-flow tokens live); keeps everything else readable.
 */
export function redactUrl(url: string, secretParams?: ReadonlySet<string>): string {
  const { base, pairs } = splitQuery(url);
  if (pairs === null) return base;
  const redacted = pairs.map((pair) =>
    secretParamValue(pair, secretParams) === undefined ? pair : `${pair.slice(0, pair.indexOf('='))}=${REDACTED}`,
  );
  return `${base}?${redacted.join('&')}`;
}

/**
 * The secret values a request carries: those of its secret-looking query parameters (as written
 * and decoded) and of its credential headers (whole, and the part after a scheme such as
 * `Bearer`). Errors made from foreign errors (Node's own, a URL parser's) are checked for these.
 */
export function secretValues(
  url: unknown,
  headers: Readonly<Record<string, unknown>>,
  secretParams?: ReadonlySet<string>,
): string[] {
  const found: string[] = [];
  const add = (value: string) => {
    if (value.length >= MIN_SECRET_LENGTH && !found.includes(value)) found.push(value);
  };
  if (typeof url === 'string') {
    for (const pair of splitQuery(url).pairs ?? []) {
      const value = secretParamValue(pair, secretParams);
      if (value === undefined) continue;
      add(value);
      add(decodeSafely(value.replace(/\+/g, ' ')));
    }
  }
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (typeof value !== 'string' || !SECRET_NAME.test(name)) continue;
    add(value.trim());
    add(value.slice(value.indexOf(' ') + 1).trim());
  }
  return found;
}

// Shorter values are not credentials, and hiding them would garble ordinary words in messages.
const MIN_SECRET_LENGTH = 4;

// The URL before its query (fragment dropped), and its `name=value` pairs, or null without a query.
function splitQuery(url: string): { base: string; pairs: string[] | null } {
  const hash = url.indexOf('#');
  const withoutFragment = hash === -1 ? url : url.slice(0, hash);
  const query = withoutFragment.indexOf('?');
  if (query === -1) return { base: withoutFragment, pairs: null };
  return { base: withoutFragment.slice(0, query), pairs: withoutFragment.slice(query + 1).split('&') };
}

// The value of a `name=value` pair whose name is secret, as written; undefined for any other pair.
function secretParamValue(pair: string, secretParams: ReadonlySet<string> | undefined): string | undefined {
  const eq = pair.indexOf('=');
  if (eq === -1) return undefined;
  const name = decodeSafely(pair.slice(0, eq));
  return SECRET_NAME.test(name) || secretParams?.has(name) ? pair.slice(eq + 1) : undefined;
}

/** Copies headers with credential values replaced. */
export function redactHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const safe: Record<string, string> = {};
  for (const name of Object.keys(headers)) {
    safe[name] = SECRET_NAME.test(name) ? REDACTED : (headers[name] as string);
  }
  return safe;
}

/**
 * The part of a request that is safe to keep on an error and print. `secretParams` names query
 * parameters to hide besides the secret-looking ones (say, a token parameter called `t`).
 */
export function summarizeRequest(
  request: { readonly method: string; readonly url: string; readonly headers: Readonly<Record<string, string>> },
  secretParams?: ReadonlySet<string>,
): RequestSummary {
  return { method: request.method, url: redactUrl(request.url, secretParams), headers: redactHeaders(request.headers) };
}

function decodeSafely(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
