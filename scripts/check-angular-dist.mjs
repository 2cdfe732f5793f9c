// Checks the built Angular entry against the built core, in both module formats: the Angular
// bundle holds no copy of the core (it imports 'rxjs-auth-http' by name), the core holds no
// Angular, and an AuthRefreshError that reaches an Angular caller is the core's own class.
// It also checks that an app's browser bundle, built as Angular's builder builds it, leaves out
// the server-render guard, while a server bundle keeps it.
// Run after `npm run build`: `npm run check:angular-dist`.
import '@angular/compiler';
import { build } from 'esbuild';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { HttpClient, provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import {
  createEnvironmentInjector,
  platformCore,
  provideZonelessChangeDetection,
  ɵINJECTOR_SCOPE,
} from '@angular/core';

const require = createRequire(import.meta.url);
const formats = {
  esm: {
    core: await import('rxjs-auth-http'),
    angular: await import('rxjs-auth-http/angular'),
    file: 'dist/esm/angular.mjs',
    coreFile: 'dist/esm/index.mjs',
  },
  cjs: {
    core: require('rxjs-auth-http'),
    angular: require('rxjs-auth-http/angular'),
    file: 'dist/cjs/angular.cjs',
    coreFile: 'dist/cjs/index.cjs',
  },
};

for (const [format, { core, angular, file, coreFile }] of Object.entries(formats)) {
  const bundle = readFileSync(file, 'utf8');
  assert.ok(
    !/\b(SingleFlightSession|HttpError) = class\b|class (SingleFlightSession|HttpError)\b/.test(bundle),
    `${file} contains a copy of the core`,
  );
  assert.match(bundle, /["']rxjs-auth-http["']/, `${file} does not import the core by name`);
  assert.ok(!readFileSync(coreFile, 'utf8').includes('@angular/'), `${coreFile} mentions Angular`);

  const injector = createEnvironmentInjector(
    [
      { provide: ɵINJECTOR_SCOPE, useValue: 'root' },
      provideZonelessChangeDetection(),
      provideHttpClient(withInterceptors([angular.authRefreshInterceptor])),
      provideHttpClientTesting(),
      angular.provideAuthRefresh({
        store: new core.MemoryTokenStore({ accessToken: 'a1', refreshToken: 'r1' }),
        refresh: () => Promise.reject(new Error('token endpoint down')),
        // Node has no page: a relative URL would resolve nowhere and get no token.
        allowedOrigins: ['https://api.example.com'],
      }),
    ],
    platformCore().injector,
  );
  const url = 'https://api.example.com/api/me';
  const failure = new Promise((resolve) => injector.get(HttpClient).get(url).subscribe({ error: resolve }));
  injector.get(HttpTestingController).expectOne(url).flush(null, { status: 401, statusText: 'Unauthorized' });
  const error = await failure;
  assert.ok(error instanceof core.AuthRefreshError, `${format}: the error is not the core's AuthRefreshError`);
  assert.ok(error instanceof core.RequestError, `${format}: the error is not the core's RequestError`);
  assert.ok(
    injector.get(angular.AUTH_SESSION).store instanceof core.MemoryTokenStore,
    `${format}: the session's store is another MemoryTokenStore`,
  );
  injector.destroy();
  console.log(`${format}: one core, shared by 'rxjs-auth-http' and 'rxjs-auth-http/angular'`);
}
assert.notEqual(formats.esm.core.HttpError, formats.cjs.core.HttpError, 'sanity: the two formats are separate builds');

// Angular's builder (v19 on) defines ngServerMode: false in a browser bundle, true in a server one.
const guardMessage = 'is used by more than one Angular app instance on this server';
for (const ngServerMode of ['false', 'true']) {
  const bundled = await build({
    // What an app imports to set the adapter up (its SharedAcrossAppsError import would keep the class).
    stdin: {
      contents: "export { authRefreshInterceptor, provideAuthRefresh } from './dist/esm/angular.mjs';",
      resolveDir: '.',
    },
    bundle: true,
    write: false,
    minify: true,
    format: 'esm',
    external: ['rxjs', 'rxjs/*', '@angular/*', 'rxjs-auth-http'],
    define: { ngServerMode },
  });
  const kept = bundled.outputFiles[0].text.includes(guardMessage);
  assert.equal(kept, ngServerMode === 'true', `ngServerMode ${ngServerMode}: the server-render guard is kept: ${kept}`);
}
console.log('the server-render guard is left out of browser bundles and kept in server ones');
