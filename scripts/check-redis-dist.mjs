// Checks the built Redis entry, in both module formats: it holds no copy of the core's errors (it
// imports 'rxjs-auth-http' by name, so a RefreshLockError is the core's own class), it never
// imports a Redis client library (the user passes one in), and neither the core nor the browser
// side of the package mentions it. Run after `npm run build`: `npm run check:redis-dist`.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const formats = {
  esm: {
    redis: await import('rxjs-auth-http/redis'),
    file: 'dist/esm/redis.mjs',
    others: ['dist/esm/index.mjs', 'dist/esm/angular.mjs'],
  },
  cjs: {
    redis: require('rxjs-auth-http/redis'),
    file: 'dist/cjs/redis.cjs',
    others: ['dist/cjs/index.cjs', 'dist/cjs/angular.cjs'],
  },
};

for (const [format, { redis, file, others }] of Object.entries(formats)) {
  const bundle = readFileSync(file, 'utf8');
  assert.ok(
    !/class (RequestError|RefreshLockError)\b|extends RequestError\b/.test(bundle),
    `${file} contains a copy of the core's errors`,
  );
  assert.match(bundle, /["']rxjs-auth-http["']/, `${file} does not import the core by name`);
  assert.ok(!/["'](redis|ioredis)["']/.test(bundle), `${file} imports a Redis client itself`);
  for (const other of others) {
    assert.ok(
      !/Redis(TokenStore|RefreshLock)|["'](redis|ioredis)["']/.test(readFileSync(other, 'utf8')),
      `${other} sees the Redis entry`,
    );
  }
  assert.equal(typeof redis.RedisTokenStore, 'function', `${format}: RedisTokenStore is missing`);
  assert.equal(typeof redis.RedisRefreshLock, 'function', `${format}: RedisRefreshLock is missing`);
  assert.throws(() => new redis.RedisTokenStore({}, { key: 'k' }), TypeError, `${format}: a non-client is accepted`);
  console.log(`${format}: 'rxjs-auth-http/redis' stands apart from the core and the browser bundles`);
}
