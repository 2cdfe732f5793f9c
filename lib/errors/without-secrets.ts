import { REDACTED } from './redact';

// Errors this library did not make (Node's URL parser keeps the whole URL in `input`; a header
// check may quote a value) become causes of ours, and loggers print causes. Any that shows a
// secret is replaced by a copy that does not.

/** `text` with every one of `secrets` replaced by `[redacted]`. */
export function hideSecrets(text: string, secrets: readonly string[]): string {
  let hidden = text;
  for (const secret of secrets) hidden = hidden.split(secret).join(REDACTED);
  return hidden;
}

/**
 * `error` itself when none of `secrets` appears in its message, stack, own properties or causes;
 * else a plain Error copy of its name, message, stack and `code` with the secrets hidden (its
 * other properties dropped) and its cause treated the same way.
 */
export function withoutSecrets(error: unknown, secrets: readonly string[], depth = 0): unknown {
  if (secrets.length === 0 || !shows(error, secrets, depth)) return error;
  if (!(error instanceof Error)) return typeof error === 'string' ? hideSecrets(error, secrets) : REDACTED;
  const cause =
    'cause' in error && depth < MAX_DEPTH ? { cause: withoutSecrets(error.cause, secrets, depth + 1) } : undefined;
  const copy = new Error(hideSecrets(error.message, secrets), cause);
  copy.name = error.name;
  copy.stack = hideSecrets(error.stack ?? '', secrets);
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') Object.assign(copy, { code: hideSecrets(code, secrets) });
  return copy;
}

// Causes nested deeper than this are dropped rather than walked (and a cycle ends here).
const MAX_DEPTH = 8;

function shows(value: unknown, secrets: readonly string[], depth: number): boolean {
  if (typeof value === 'string') return secrets.some((secret) => value.includes(secret));
  if (typeof value !== 'object' || value === null) return false;
  if (depth > MAX_DEPTH) return true;
  if (value instanceof Error && (shows(value.message, secrets, depth) || shows(value.stack, secrets, depth)))
    return true;
  if (value instanceof Error && 'cause' in value && shows(value.cause, secrets, depth + 1)) return true;
  return Object.keys(value).some((key) => shows((value as Record<string, unknown>)[key], secrets, depth + 1));
}
