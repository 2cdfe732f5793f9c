// First: Angular's npm packages are partially compiled, and the JIT compiler must be there when they load.
import '@angular/compiler';
import { PlatformLocation } from '@angular/common';
import {
  HttpBackend,
  HttpClient,
  HttpResponse as AngularResponse,
  provideHttpClient,
  withInterceptors,
  type HttpRequest as AngularRequest,
} from '@angular/common/http';
import { PLATFORM_ID } from '@angular/core';
import fc from 'fast-check';
import { firstValueFrom, of } from 'rxjs';
import {
  authInterceptor,
  chainInterceptors,
  createAuthSession,
  createHttpClient,
  MemoryTokenStore,
  type AuthSession,
  type HttpRequest,
  type PageLocation,
} from '../../lib';
import { authRefreshInterceptor, provideAuthRefresh } from '../../lib/angular';
import { angularInjector } from '../angular/angular-injector';

// Whether a URL gets the token must be what the platform says: resolve it with the WHATWG parser
// (what browsers, fetch and Node use) against the page, take the origin, compare. The URLs are
// generated to be rich in what a string test reads differently from the parser: backslashes,
// whitespace and C0 controls anywhere, mixed case, ports, userinfo, percent-escapes, IPv6, IDNA, dots.

const TOKEN = 'token-that-must-not-leak';
const PAGE: PageLocation = { baseUrl: 'https://app.example.com/shop/cart', origin: 'https://app.example.com' };
const ALLOWED_EXACT = 'https://api.example.com';
const ALLOWED_PATTERN = /^https:\/\/[a-z]+\.example\.net$/;
const allowedOrigins = [ALLOWED_EXACT, ALLOWED_PATTERN];

/** The platform's answer, written from the WHATWG parser alone. */
function platformAllows(url: string, base: PageLocation | null, extraOrigin?: string): boolean {
  let origin: string;
  try {
    origin = base === null ? new URL(url).origin : new URL(url, base.baseUrl).origin;
  } catch {
    return false;
  }
  if (origin === 'null') return false;
  return origin === base?.origin || origin === extraOrigin || origin === ALLOWED_EXACT || ALLOWED_PATTERN.test(origin);
}

const noise = fc.constantFrom('', ' ', '\t', '\n', '\r', '\x00', '\x01', '\x1f', '\x0b', '\f', '\\', '/', '%');
const scheme = fc.constantFrom(
  '',
  'https:',
  'http:',
  'HTTPS:',
  'hTtPs:',
  'ht\ttps:',
  'https\n:',
  'ws:',
  'ftp:',
  'data:',
  'file:',
  'blob:https:',
  'javascript:',
);
const slashes = fc.constantFrom('', '/', '//', '///', '\\\\', '/\\', '\\/', '/\t/', ' //', '\\', '//\\');
const userinfo = fc.constantFrom('', 'user@', 'u:p@', 'api.example.com@', 'https://api.example.com@', 'a%40b@', ':@');
const host = fc.constantFrom(
  'api.example.com',
  'API.Example.COM',
  'api.example.com.',
  'api.example.com.evil.example',
  'evil.example',
  'app.example.com',
  'APP.example.com',
  'cdn.example.net',
  'cdn.example.net.evil.example',
  'sub.cdn.example.net',
  'api%2eexample%2ecom',
  'a\tpi.example.com',
  '[::1]',
  '[0:0::1]',
  '127.0.0.1',
  '0x7f.1',
  'xn--bcher-kva.example.net',
  'bücher.example.net',
  'ＡＰＩ.example.com',
  '',
);
const port = fc.constantFrom('', ':', ':443', ':0443', ':80', ':8443', ':65536', ':x');
const segment = fc.constantFrom('x', '..', '.', '%2e%2e', '%2E.', '@evil.example', '\\', ' ', '\t', '?q=1', '#f', 'é');
const path = fc.array(segment, { maxLength: 4 }).map((parts) => parts.map((part) => `/${part}`).join(''));

/** A URL built from parts, then noise put at random places. */
const urlFromParts = fc.tuple(noise, scheme, slashes, userinfo, host, port, path).map((parts) => parts.join(''));
const withNoise = fc
  .tuple(urlFromParts, fc.array(fc.tuple(fc.nat(), noise), { maxLength: 3 }))
  .map(([url, inserts]) =>
    inserts.reduce(
      (text, [at, char]) => text.slice(0, at % (text.length + 1)) + char + text.slice(at % (text.length + 1)),
      url,
    ),
  );
/** Short strings over the characters URL parsing turns on. */
const raw = fc
  .array(
    fc.constantFrom('/', '\\', ':', '@', '.', '?', '#', '%', ' ', '\t', '\n', '\x00', 'h', 't', 'p', 's', 'a', 'e'),
    {
      maxLength: 24,
    },
  )
  .map((chars) => chars.join(''));
const generated = fc.oneof(withNoise, urlFromParts, raw);
/** Generated text after an allowed origin: a URL that starts out right and may end up elsewhere. */
const afterAllowed = fc
  .tuple(fc.constantFrom('https://api.example.com', 'https://cdn.example.net', 'https://app.example.com'), generated)
  .map(([origin, rest]) => origin + rest);
const urls = fc.oneof(generated, afterAllowed);

const RUNS = 3000;

function newSession(): AuthSession {
  return createAuthSession({
    store: new MemoryTokenStore({ accessToken: TOKEN }),
    refresh: () => of({ accessToken: 'never-used' }),
    allowedOrigins,
  });
}

/** How many sent requests carried the token and how many did not: a property that saw only one kind proves little. */
const tally = { with: 0, without: 0 };

function hasToken(headers: Readonly<Record<string, string>>): boolean {
  const carries = Object.values(headers).some((value) => value.includes(TOKEN));
  tally[carries ? 'with' : 'without']++;
  return carries;
}

function expectBothKinds(): void {
  expect(tally.with).toBeGreaterThan(RUNS / 20);
  expect(tally.without).toBeGreaterThan(RUNS / 20);
}

describe('which URLs get the token, decided as the platform decides (property)', () => {
  beforeEach(() => {
    tally.with = 0;
    tally.without = 0;
  });

  it('the known leaks resolve abroad, and get no token', () => {
    const session = newSession();
    const leaks = [
      '/\\evil.example/x',
      '\\\\evil.example/x',
      ' //evil.example/x',
      '\x01//evil.example/x',
      '/\t/evil.example/x',
      'ht\ttps://evil.example/x',
      'https://api.example.com@evil.example/x',
    ];
    for (const url of leaks) {
      expect(new URL(url, PAGE.baseUrl).origin).withContext(url).toBe('https://evil.example');
      expect(session.mayReceiveToken(url, PAGE)).withContext(JSON.stringify(url)).toBeFalse();
    }
    expect(session.mayReceiveToken('/orders', PAGE)).toBeTrue();
    expect(session.mayReceiveToken('https://API.example.com:443/x', PAGE)).toBeTrue();
  });

  it('mayReceiveToken agrees with new URL(url, base).origin, with a page and without', () => {
    const session = newSession();
    fc.assert(
      fc.property(urls, (url) => {
        expect(session.mayReceiveToken(url, PAGE)).withContext(JSON.stringify(url)).toBe(platformAllows(url, PAGE));
        expect(session.mayReceiveToken(url, null)).withContext(JSON.stringify(url)).toBe(platformAllows(url, null));
        // Outside a browser the default page is none.
        expect(session.mayReceiveToken(url)).withContext(JSON.stringify(url)).toBe(platformAllows(url, null));
      }),
      { numRuns: RUNS },
    );
  });

  it('authInterceptor in a hand-built chain sends the token exactly where the platform allows', async () => {
    const session = newSession();
    const seen: HttpRequest[] = [];
    const send = chainInterceptors([authInterceptor(session)], (req) => {
      seen.push(req);
      return of({ status: 200, headers: {}, body: null, url: req.url });
    });
    await fc.assert(
      fc.asyncProperty(urls, async (url) => {
        seen.length = 0;
        const req: HttpRequest = {
          method: 'GET',
          url,
          headers: {},
          body: undefined,
          responseType: 'json',
          timeout: 0,
          auth: true,
          retry: null,
        } as unknown as HttpRequest;
        await firstValueFrom(send(req));
        expect(seen.length).toBe(1);
        expect(hasToken(seen[0]!.headers)).withContext(JSON.stringify(url)).toBe(platformAllows(url, null));
      }),
      { numRuns: RUNS },
    );
    expectBothKinds();
  });

  it('the client (its baseUrl resolving paths, a prefix shortcut for its own origin) agrees with the parser on what it sends', async () => {
    const sent: HttpRequest[] = [];
    const client = createHttpClient({
      baseUrl: 'https://own.example.org/v1',
      auth: newSession(),
      transport: () => (req) => {
        sent.push(req);
        return of({ status: 200, headers: {}, body: null, url: req.url });
      },
    });
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          urls,
          urls.map((url) => `https://own.example.org${url}`),
        ),
        async (url) => {
          sent.length = 0;
          await firstValueFrom(client.get(url)).catch(() => undefined); // an invalid URL never reaches the transport
          for (const req of sent)
            expect(hasToken(req.headers))
              .withContext(JSON.stringify(url))
              .toBe(platformAllows(req.url, null, 'https://own.example.org'));
        },
      ),
      { numRuns: RUNS },
    );
    expectBothKinds();
  });

  it('the Angular adapter on the server resolves against the rendered URL, as Angular does', async () => {
    const seen: Array<AngularRequest<unknown>> = [];
    const backend: HttpBackend = {
      handle: (req) => {
        seen.push(req);
        return of(new AngularResponse({ status: 200, body: null, url: req.urlWithParams }));
      },
    };
    const location = {
      protocol: 'https:',
      hostname: 'app.example.com',
      port: '',
      href: 'https://app.example.com/shop/cart',
      getBaseHrefFromDOM: () => '/shop/',
    };
    const injector = angularInjector([
      provideHttpClient(withInterceptors([authRefreshInterceptor])),
      provideAuthRefresh(() => ({
        store: new MemoryTokenStore({ accessToken: TOKEN }),
        refresh: () => of({ accessToken: 'never-used' }),
        allowedOrigins,
      })),
      { provide: HttpBackend, useValue: backend },
      { provide: PLATFORM_ID, useValue: 'server' },
      { provide: PlatformLocation, useValue: location },
    ]);
    const http = injector.get(HttpClient);
    const page: PageLocation = { baseUrl: 'https://app.example.com/shop/', origin: 'https://app.example.com' };
    await fc.assert(
      fc.asyncProperty(urls, async (url) => {
        seen.length = 0;
        await firstValueFrom(http.get(url)).catch(() => undefined);
        for (const req of seen) {
          const carries = hasToken(
            Object.fromEntries(req.headers.keys().map((name) => [name, req.headers.get(name) ?? ''])),
          );
          expect(carries).withContext(JSON.stringify(url)).toBe(platformAllows(req.urlWithParams, page));
        }
      }),
      { numRuns: RUNS },
    );
    expectBothKinds();
    injector.destroy();
  });
});
