// Checks the built Node entry against the built core, in both module formats: the Node bundle
// holds no copy of the core's errors (it imports 'rxjs-auth-http' by name), the core holds no
// node:http, and a failure that comes through the node:http transport is the core's own class.
// The DPoP entry likewise takes the core's errors by name: its DPoPKeyLostError is a core RequestError;
// so does the tabs entry, whose lock fails with the core's RefreshLockError.
// Run after `npm run build`: `npm run check:node-dist`.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const formats = {
  esm: {
    core: await import('rxjs-auth-http'),
    node: await import('rxjs-auth-http/node'),
    dpop: await import('rxjs-auth-http/dpop'),
    file: 'dist/esm/node.mjs',
    dpopFile: 'dist/esm/dpop.mjs',
    tabsFile: 'dist/esm/tabs.mjs',
    coreFile: 'dist/esm/index.mjs',
  },
  cjs: {
    core: require('rxjs-auth-http'),
    node: require('rxjs-auth-http/node'),
    dpop: require('rxjs-auth-http/dpop'),
    file: 'dist/cjs/node.cjs',
    dpopFile: 'dist/cjs/dpop.cjs',
    tabsFile: 'dist/cjs/tabs.cjs',
    coreFile: 'dist/cjs/index.cjs',
  },
};

// A port nothing listens on: every request to it is refused.
const probe = http.createServer();
await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve));
const { port } = probe.address();
await new Promise((resolve) => probe.close(resolve));

for (const [format, { core, node, dpop, file, dpopFile, tabsFile, coreFile }] of Object.entries(formats)) {
  for (const entryFile of [file, dpopFile, tabsFile]) {
    const bundle = readFileSync(entryFile, 'utf8');
    assert.ok(
      !/\b(RequestError|NetworkError|HttpError) = class\b|class (RequestError|NetworkError|HttpError)\b/.test(bundle),
      `${entryFile} contains a copy of the core's errors`,
    );
    assert.match(bundle, /["']rxjs-auth-http["']/, `${entryFile} does not import the core by name`);
  }
  // The Node entry has no error of its own; DPoP's DPoPKeyLostError extends the core's, imported by name.
  assert.ok(!/\bextends RequestError\b/.test(readFileSync(file, 'utf8')), `${file} defines an error class of its own`);
  assert.ok(
    new dpop.DPoPKeyLostError() instanceof core.RequestError,
    `${format}: DPoPKeyLostError is not the core's RequestError`,
  );
  assert.ok(!/node:https?["']/.test(readFileSync(coreFile, 'utf8')), `${coreFile} imports node:http`);

  const client = core.createHttpClient({
    baseUrl: `http://127.0.0.1:${port}`,
    transport: node.nodeHttpTransport(),
    retry: 0,
  });
  const error = await new Promise((resolve) => client.get('/').subscribe({ error: resolve }));
  assert.ok(error instanceof core.NetworkError, `${format}: the error is not the core's NetworkError`);
  assert.ok(error instanceof core.RequestError, `${format}: the error is not the core's RequestError`);
  assert.equal(error.code, 'ECONNREFUSED');
  console.log(`${format}: one core, shared by 'rxjs-auth-http', '/node', '/dpop' and '/tabs'`);
}
