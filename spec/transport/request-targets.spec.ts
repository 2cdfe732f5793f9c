import { RequestTargets, type RequestTarget } from '../../lib/node/request-targets';

// What the node:http transport sent before RequestTargets: a fresh parse of every URL.
function parsedTarget(url: string): RequestTarget {
  const parsed = new URL(url);
  return {
    protocol: parsed.protocol,
    hostname: parsed.hostname.startsWith('[') ? parsed.hostname.slice(1, -1) : parsed.hostname,
    port: parsed.port === '' ? undefined : parsed.port,
    path: parsed.pathname + parsed.search,
    auth:
      parsed.username || parsed.password
        ? `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`
        : undefined,
  };
}

describe('RequestTargets (the node:http transport cutting URLs without parsing them again)', () => {
  const base = 'http://127.0.0.1:8080';
  // Each follows one under the same origin, so the string shortcut is tried on every one of them.
  const paths = [
    '/api/sized?bytes=200',
    '/',
    '',
    '/a/b/c',
    '/users?q=a%20b&x=1',
    '/x?',
    '/a/./b',
    '/a/../b',
    '/.hidden/x',
    '/a%2e%2e/b',
    '/a b',
    '/caf\u00e9',
    '/x#frag',
    '/x?y#frag',
    "/quote'd",
    '/back\\slash',
    '/x??y',
    '/%41',
  ];
  const urls = [
    ...paths.map((path) => base + path),
    'HTTP://EXAMPLE.com:80/Path?Q',
    'http://example.com:80/a',
    'http://example.com/a',
    'https://user:p%40ss@example.com/secret',
    'https://example.com/a',
    'http://[::1]:9000/v6?x=1',
    'http://[::1]:9000/v6/next',
    'http://example.com/after-others',
  ];

  it('gives for every URL what a fresh parse gives, whatever URL came before', () => {
    const targets = new RequestTargets();
    for (const previous of urls) {
      for (const url of urls) {
        targets.of(previous);
        expect({ url, target: targets.of(url) }).toEqual({ url, target: parsedTarget(url) });
      }
    }
  });

  it('never takes the shortcut across origins that differ only after the prefix', () => {
    const targets = new RequestTargets();
    targets.of('http://127.0.0.1:8080/a');
    expect(targets.of('http://127.0.0.1:808/b').port).toBe('808');
    expect(targets.of('http://127.0.0.1.nip/b').hostname).toBe('127.0.0.1.nip');
    expect(targets.of('http://127.0.0.1:8080/b').port).toBe('8080');
  });
});
