/** What an error may say about the request that failed: never a body, never a secret. */
export interface RequestSummary {
  readonly method: string;
  /** The URL with secret-looking query parameters replaced by `[redacted]`. */
  readonly url: string;
  /** Lower-case header names; credentials replaced by `[redacted]`. */
  readonly headers: Readonly<Record<string, string>>;
}

const REDACTED = '[redacted]';

// Names are matched loosely on purpose: a false positive hides a harmless value, a false
// negative leaks a credential into a log.
const SECRET_NAME = /auth|token|secret|pass|key|cookie|session|sig|jwt|code|credential/i;

/**
 * Replaces the values of secret-looking query parameters and drops the fragment (never sent to a
 * server, and where implicit-flow tokens live); keeps everything else readable.
 */
export function redactUrl(url: string, secretParams?: ReadonlySet<string>): string {
  const hash = url.indexOf('#');
  const withoutFragment = hash === -1 ? url : url.slice(0, hash);
  const query = withoutFragment.indexOf('?');
  if (query === -1) return withoutFragment;
  const params = withoutFragment
    .slice(query + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq === -1 ? pair : pair.slice(0, eq);
      const decoded = decodeSafely(name);
      return eq !== -1 && (SECRET_NAME.test(decoded) || secretParams?.has(decoded)) ? `${name}=${REDACTED}` : pair;
    })
    .join('&');
  return withoutFragment.slice(0, query + 1) + params;
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
