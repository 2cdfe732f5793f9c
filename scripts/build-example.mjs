// Builds an example app as a user would get it: installs the app's locked dependencies (`npm ci`,
// skipped when node_modules already matches the lock file), installs the library from its packed
// tarball (not from lib/), runs the app's production build with its own Angular CLI, checks
// that the bundle got the library's browser build (no xhr2), and runs the app's unit tests if it
// has a "test" script.
//
//   node scripts/build-example.mjs examples/angular
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { packLibrary } from './pack-library.mjs';

const example = process.argv[2];
if (!example || !existsSync(path.join(example, 'angular.json'))) {
  console.error('usage: node scripts/build-example.mjs <example folder with an angular.json>');
  process.exit(2);
}
// xhr2 method names our Node subclass calls; minifiers keep property names, so they would show.
const NODE_ONLY_CODE = /_sendHxxpRequest|_onHttpResponse/;

const started = Date.now();
const log = (message) =>
  console.log(`build-example ${example}: ${message} (${Math.round((Date.now() - started) / 1000)} s)`);
const inExample = (command, args) =>
  execFileSync(command, args, { cwd: example, stdio: 'inherit', env: { ...process.env, NG_CLI_ANALYTICS: 'false' } });

const work = mkdtempSync(path.join(tmpdir(), 'rxjs-auth-http-example-'));
try {
  const { tarball } = packLibrary(work);
  log(`packed ${path.basename(tarball)}`);
  if (installed(example)) log('node_modules matches package-lock.json: npm ci skipped');
  else {
    inExample('npm', ['ci', '--no-audit', '--no-fund']);
    log('npm ci');
  }
  // --no-save: the tarball changes with every build, so it stays out of the app's lock file.
  inExample('npm', ['install', '--no-save', '--no-audit', '--no-fund', tarball]);
  log('installed the tarball');
  rmSync(path.join(example, 'dist'), { recursive: true, force: true });
  // The CLI's build cache keys the library by its version, which every tarball shares: a stale
  // cache would build the previous tarball's code.
  rmSync(path.join(example, '.angular', 'cache'), { recursive: true, force: true });
  inExample('npx', ['ng', 'build', '--configuration', 'production']);
  log('production build');
  const nodeOnly = builtScripts(path.join(example, 'dist')).filter((file) =>
    NODE_ONLY_CODE.test(readFileSync(file, 'utf8')),
  );
  if (nodeOnly.length > 0)
    throw new Error(`the app's bundle holds the library's Node-only code (xhr2): ${nodeOnly.join(', ')}`);
  log('no Node-only code of the library in the bundle');
  // Its own unit tests (ng test), against the same installed tarball: examples/angular's use
  // rxjs-auth-http/testing/angular as an app's tests would.
  const { scripts = {} } = JSON.parse(readFileSync(path.join(example, 'package.json'), 'utf8'));
  if (scripts.test) {
    inExample('npm', ['test']);
    log('unit tests');
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

function builtScripts(directory) {
  return readdirSync(directory, { recursive: true })
    .map((name) => path.join(directory, name))
    .filter((file) => file.endsWith('.js'));
}

// npm writes node_modules/.package-lock.json on every install: newer than the lock file means
// nothing changed since.
function installed(directory) {
  const hidden = path.join(directory, 'node_modules', '.package-lock.json');
  return existsSync(hidden) && statSync(hidden).mtimeMs >= statSync(path.join(directory, 'package-lock.json')).mtimeMs;
}
