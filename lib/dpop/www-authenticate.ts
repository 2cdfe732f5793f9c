/** One challenge of a `WWW-Authenticate` header: its scheme (lower case) and auth-params (names lower case). */
export interface AuthChallenge {
  readonly scheme: string;
  readonly params: Readonly<Record<string, string>>;
}

// RFC 9110 section 11: a token, or a quoted-string with backslash escapes.
const TOKEN = /^[!#$%&'*+\-.^_`|~\w]+/;
const TOKEN68 = /^[\w\-.~+/]+=*/;

/**
 * The challenges of a `WWW-Authenticate` value, per RFC 9110 section 11.6.1. Commas separate both
 * challenges and their parameters, and a quoted value may hold commas and `error=`-like text: only
 * a real parser tells `DPoP error="use_dpop_nonce"` from a Bearer challenge that mentions it.
 * Returns what it could read before any malformed part.
 */
export function parseWwwAuthenticate(header: string): AuthChallenge[] {
  const challenges: { scheme: string; params: Record<string, string> }[] = [];
  let rest = header;
  const skip = (pattern: RegExp): void => {
    rest = rest.replace(pattern, '');
  };
  for (;;) {
    skip(/^[\s,]+/);
    const scheme = TOKEN.exec(rest)?.[0];
    if (scheme === undefined) return challenges;
    rest = rest.slice(scheme.length);
    const challenge = { scheme: scheme.toLowerCase(), params: {} as Record<string, string> };
    challenges.push(challenge);
    skip(/^ +/);
    // A token68 (no '=' after a token) is the whole credential; skip it.
    const token68 = TOKEN68.exec(rest)?.[0];
    if (token68 !== undefined && !/^\s*=[^=]/.test(rest.slice(token68.replace(/=+$/, '').length))) {
      rest = rest.slice(token68.length);
      continue;
    }
    // auth-params until the next token that is not followed by '=' (the next challenge's scheme).
    for (;;) {
      skip(/^[\s,]+/);
      const name = TOKEN.exec(rest)?.[0];
      if (name === undefined || !/^\s*=/.test(rest.slice(name.length))) break;
      rest = rest.slice(name.length).replace(/^\s*=\s*/, '');
      const value = readValue();
      if (value === undefined) return challenges;
      challenge.params[name.toLowerCase()] = value;
    }
  }

  function readValue(): string | undefined {
    if (!rest.startsWith('"')) {
      const token = TOKEN.exec(rest)?.[0];
      if (token !== undefined) rest = rest.slice(token.length);
      return token;
    }
    let value = '';
    for (let at = 1; at < rest.length; at++) {
      const char = rest[at];
      if (char === '"') {
        rest = rest.slice(at + 1);
        return value;
      }
      if (char === '\\') at++;
      value += rest[at] ?? '';
    }
    return undefined; // an unterminated quoted-string
  }
}

/** Whether a `WWW-Authenticate` value holds a DPoP challenge with `error="use_dpop_nonce"`. */
export function asksForDPoPNonce(header: string | undefined): boolean {
  if (header === undefined) return false;
  return parseWwwAuthenticate(header).some(
    (challenge) => challenge.scheme === 'dpop' && challenge.params['error'] === 'use_dpop_nonce',
  );
}
