// What an app pays for this library, per realistic import set (the files in bench/size/): each is
// bundled by esbuild the way a bundler user gets the package (its "exports", the browser
// condition, minified) and gzipped at level 9. rxjs is left out, as the app ships it anyway, and
// Angular for the adapter. `npm run size` runs these after the build and fails with the figure
// when a check is over its limit; it writes the README's size line and docs/benchmarks.md's size
// table from the same run (scripts/write-sizes.mjs). The peers' rows have no limit: they are the
// app of bench/size/app.mjs written with ky and with axios, for the comparison.

const rxjs = ['rxjs', 'rxjs/*'];
// `SIZE_MINIFIED=1 size-limit` gives the minified sizes, not gzipped (for the tables).
const measure = process.env.SIZE_MINIFIED ? { brotli: false } : { gzip: true };
const core = [...rxjs, 'rxjs-auth-http'];
const platform = (name, define) => (config) => ({
  ...config,
  platform: name,
  format: 'esm',
  target: 'es2022',
  define: { ...config.define, ...define },
});
// What Angular's builder (v19 on) defines in an app's browser bundle: the adapter's server-only
// code then drops out, as Angular's own does.
const angularBrowserBundle = { ngServerMode: 'false' };

function check(name, file, limit = undefined, ignore = rxjs, where = 'browser', define = {}) {
  return {
    name,
    path: `bench/size/${file}`,
    ignore,
    // The budgets are on the gzipped size; the minified run only reports.
    ...(limit === undefined || process.env.SIZE_MINIFIED ? {} : { limit }),
    ...measure,
    modifyEsbuildConfig: platform(where, define),
  };
}

// The limits are today's figures with a little room, so a regression fails CI. (Raised once, by
// 0.1 to 0.5 kB, for the URL resolution, redirect and token checks of issue #20; lowered after the
// cuts of issue #22.) Issue #22's goals, not reached: (a) 7 kB, (b) 8.5 kB, (c) and the Angular
// adapter + oauth2Refresh 5 kB. The session alone (c') is 5.0 kB of documented features, which
// leaves the token request no room under 5 kB; its closing note has what each feature costs.
export default [
  check('(a) createHttpClient + MemoryTokenStore + oauth2Refresh', 'client.mjs', '11.55 kB'),
  check('(b) (a) + LocalStorageTokenStore + WebLocksRefreshLock', 'client-tabs.mjs', '13.45 kB'),
  check('(c) createAuthSession + oauth2Refresh', 'session.mjs', '7.4 kB'),
  check("(c') createAuthSession", 'session-alone.mjs', '5.15 kB'),
  check(
    'Angular: provideAuthRefresh + authRefreshInterceptor + oauth2Refresh',
    'angular.mjs',
    '8.35 kB',
    [...rxjs, '@angular/*'],
    'browser',
    angularBrowserBundle,
  ),
  // 8.75 kB since new DPoP() names a missing WebCrypto (DPoPUnsupportedError, issue #25).
  check('rxjs-auth-http/dpop: DPoP, with jose (core excluded)', 'dpop.mjs', '8.8 kB', core),
  // 5.0 kB: the keep-alive agents close idle connections as Node's global agents do (issue #21).
  check('rxjs-auth-http/node: nodeHttpTransport (core excluded, Node)', 'node.mjs', '5.15 kB', core, 'node'),
  check(
    'rxjs-auth-http/redis: RedisTokenStore + RedisRefreshLock (core excluded, Node)',
    'redis.mjs',
    // 3.5 kB since Cluster and Sentinel support, 3.85 kB with the write-back of a record Redis lost
    // and the release retried through a failover (issue #24); Node only, never in a browser bundle.
    '3.9 kB',
    core,
    'node',
  ),
  check('rxjs-auth-http/firebase: fromFirebaseAuth (core excluded)', 'firebase.mjs', '1.1 kB', core),
  // Test tooling: budgets so that the kit stays small too, though no app bundle ever holds it.
  check('rxjs-auth-http/testing: startTestAuthServer (Node)', 'testing.mjs', '4 kB', core, 'node'),
  check('rxjs-auth-http/testing/angular: the HttpTestingController helpers', 'testing-angular.mjs', '1.8 kB', [
    ...core,
    '@angular/*',
  ]),
  check('App: rxjs-auth-http (rxjs excluded)', 'app.mjs'),
  check('App: ky 2 + a refresh by hand', 'ky-app.mjs'),
  check('App: axios + axios-auth-refresh', 'axios-app.mjs'),
];
