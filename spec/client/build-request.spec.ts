import fc from 'fast-check';
import { buildRequest } from '../../lib/client/build-request';
import { resolveClientOptions } from '../../lib/client/client-options';
import { InvalidRequestError } from '../../lib';

// buildRequest skips the URL parser for plain paths under the baseUrl. Whatever it skips must
// come out exactly as the parser would have written it, so the parser is the oracle here.
describe('buildRequest URLs', () => {
  const bases = [
    'http://127.0.0.1:8080',
    'https://api.example.com/v1/',
    'https://API.example.com:443/a%20b//',
    'http://h/x?q=1',
    'http://h/#f',
    'file:///srv/',
  ];
  // Characters the fast path must either keep as the parser does or leave to the parser.
  const alphabet = [
    ...'aZ09_-.~!$&()*+,;=:@/?%#\'" \\^`{}|[]<>',
    'é',
    '%2e',
    '%2E',
    '..',
    './',
    '/..',
    '.',
    '\t',
    '\n',
  ];
  const plain = [...'aZ09_-.~!$&()*+,;=:@/', '?', '..', '/.', '%2e'];
  // Half of the cases from plain characters mostly, so the fast path is taken often.
  const relative = fc
    .oneof(fc.constantFrom(alphabet, plain), fc.constant(alphabet))
    .chain((chars) =>
      fc.array(fc.constantFrom(...chars), { minLength: 1, maxLength: 12 }).map((parts) => parts.join('')),
    );

  // 'invalid' stands for a thrown error: no URL reads so.
  function parserAnswer(base: string, url: string): string {
    const absolute = /^[a-z][a-z\d+.-]*:/i.test(url)
      ? url
      : `${new URL(base).href.replace(/\/+$/, '')}/${url.replace(/^\/+/, '')}`;
    try {
      return new URL(absolute).href;
    } catch {
      return 'invalid';
    }
  }

  function built(base: string, url: string): string {
    try {
      return buildRequest({ url }, resolveClientOptions({ baseUrl: base })).url;
    } catch (error) {
      if (error instanceof InvalidRequestError) return 'invalid';
      throw error;
    }
  }

  it('gives every relative URL exactly as the URL parser resolves it under the baseUrl', () => {
    fc.assert(
      fc.property(fc.constantFrom(...bases), relative, (base, url) => {
        expect(built(base, url)).toBe(parserAnswer(base, url));
      }),
      { numRuns: 3000 },
    );
  });

  it('takes the plain path a bench request uses, and normalizes what is not plain', () => {
    expect(built('http://127.0.0.1:8080/', '/api/sized?bytes=200')).toBe('http://127.0.0.1:8080/api/sized?bytes=200');
    expect(built('https://api.example.com/v1', 'users/../admin')).toBe('https://api.example.com/v1/admin');
    expect(built('https://api.example.com/v1', '/a b?c d')).toBe('https://api.example.com/v1/a%20b?c%20d');
    expect(built('https://api.example.com/v1', '/%2e%2E/x')).toBe('https://api.example.com/x');
    expect(built('https://api.example.com/', 'http://exa mple.com/')).toBe('invalid');
  });
});
