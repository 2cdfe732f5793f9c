import { of } from 'rxjs';
import { createAuthSession, MemoryTokenStore, type AuthOptions, type PageLocation } from '../../lib';

const refresh = () => of({ accessToken: 'fresh' });
const session = (allowedOrigins: AuthOptions['allowedOrigins']) =>
  createAuthSession({ store: new MemoryTokenStore(), refresh, allowedOrigins });

describe('allowedOrigins', () => {
  it('refuses a RegExp not anchored at both ends, naming the option', () => {
    for (const pattern of [
      /api\.example\.com/,
      /^https:\/\/api\.example\.com/,
      /api\.example\.com$/,
      /^https:\/\/api\.example\.com\$/,
    ]) {
      expect(() => session([pattern]))
        .withContext(String(pattern))
        .toThrowMatching(
          (error: unknown) =>
            error instanceof TypeError && /auth\.allowedOrigins: .* must be anchored/.test(error.message),
        );
    }
  });

  it('matches an anchored RegExp against the whole origin only, however it is written', () => {
    // Top-level alternation: `^a$|b` would match any origin containing "b" if tested as written.
    const alternation = session([/^https:\/\/a\.example\.com$|https:\/\/b\.example\.com$/]);
    expect(alternation.mayReceiveToken('https://a.example.com/x')).toBeTrue();
    expect(alternation.mayReceiveToken('https://b.example.com/x')).toBeTrue();
    expect(alternation.mayReceiveToken('https://evil.example/?https://b.example.com')).toBeFalse();
    expect(alternation.mayReceiveToken('https://xhttps://b.example.com')).toBeFalse();
    const suffix = session([/^https:\/\/[a-z]+\.example\.com$/]);
    expect(suffix.mayReceiveToken('https://api.example.com/x')).toBeTrue();
    expect(suffix.mayReceiveToken('https://api.example.com.evil.example/x')).toBeFalse();
  });

  it('answers the same every time for a RegExp with the g or y flag (no lastIndex state)', () => {
    const sticky = session([/^https:\/\/api\.example\.com$/gy]);
    const answers = [1, 2, 3, 4].map(() => sticky.mayReceiveToken('https://api.example.com/x'));
    expect(answers).toEqual([true, true, true, true]);
  });

  it('refuses an entry that is not an origin, or an opaque one', () => {
    for (const origin of ['api.example.com', 'file:///etc', 'data:text/plain,x', ''])
      expect(() => session([origin]))
        .withContext(origin)
        .toThrowMatching(
          (error: unknown) => error instanceof TypeError && error.message.startsWith('auth.allowedOrigins:'),
        );
  });

  it('never counts an opaque origin as the page: a file: page gives data: and file: URLs no token', () => {
    const page: PageLocation = { baseUrl: 'file:///home/app/index.html', origin: 'null' };
    const plain = session([]);
    expect(plain.mayReceiveToken('data:text/plain,x', page)).toBeFalse();
    expect(plain.mayReceiveToken('other.html', page)).toBeFalse();
  });

  // docs/plain-rxjs.md: what mayReceiveToken answers in Node, where there is no page.
  it("answers false in Node for every URL without allowedOrigins, the API's own included, until told an origin or a page", () => {
    expect(globalThis.location).toBeUndefined();
    const bare = session([]);
    expect(bare.mayReceiveToken('https://api.example.com/me')).toBeFalse();
    expect(bare.mayReceiveToken('/me')).toBeFalse();
    const listed = session(['https://api.example.com']);
    expect(listed.mayReceiveToken('https://api.example.com/me')).toBeTrue();
    expect(listed.mayReceiveToken('https://evil.example/me')).toBeFalse();
    expect(listed.mayReceiveToken('/me')).toBeFalse(); // relative: nothing to resolve it against
    const page: PageLocation = { baseUrl: 'https://api.example.com/v1/', origin: 'https://api.example.com' };
    expect(bare.mayReceiveToken('https://api.example.com/me', page)).toBeTrue();
    expect(bare.mayReceiveToken('/me', page)).toBeTrue();
    expect(bare.mayReceiveToken('//evil.example/me', page)).toBeFalse();
  });
});
