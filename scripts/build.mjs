// Builds dist/: one ES module and one CommonJS bundle per entry point (and a browser variant of
// the core), plus types from tsc one tree per condition (see write-module-types.mjs).
// Runtime dependencies stay external so the app's own copies (rxjs above all) are used.
// An entry point is one row of `entries` below and one block in package.json's "exports" (plus a
// "typesVersions" line for TypeScript's node10 resolution); the packed-tarball check tests them all.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { browserVariants } from './browser-variants.mjs';
import { oneImportPerPackage } from './one-import-per-package.mjs';
import { writeModuleTypes } from './write-module-types.mjs';

const external = ['rxjs', 'rxjs/*', 'xhr2', 'jose', '@angular/*', 'node:*'];

// The Angular entry must not carry a second copy of the core: two copies would mean two
// HttpError classes (instanceof fails across entries). It imports the core only through
// lib/index.ts, which becomes an import of the package itself (a self-reference through
// "exports"); any deeper import into the core, or Angular reaching the core, fails the build.
const coreEntry = path.resolve('lib/index.ts');
const angularDir = path.resolve('lib/angular') + path.sep;
const angularUsesCoreByName = {
  name: 'angular-uses-core-by-name',
  setup(build) {
    build.onResolve({ filter: /^@angular\// }, (args) => {
      // An import from lib/angular, or the one each bundle makes (see one-import-per-package.mjs).
      if (args.importer.startsWith(angularDir) || args.namespace === 'one-import') return undefined;
      return { errors: [{ text: `the core must not import Angular (${args.path} in ${args.importer})` }] };
    });
    build.onResolve({ filter: /^\.\.?\// }, (args) => {
      if (!args.importer.startsWith(angularDir)) return undefined;
      const target = path.resolve(args.resolveDir, args.path);
      if (target === coreEntry.slice(0, -'.ts'.length) || target === coreEntry)
        return { path: 'rxjs-auth-http', external: true };
      if (target.startsWith(angularDir)) return undefined;
      return { errors: [{ text: `lib/angular may import the core only through '../index', not ${args.path}` }] };
    });
  },
};

// The Node entry bundles what it needs of the transport helpers, but the error classes and
// anything it takes from '../index' come from the core by name, in a build of its own (esbuild
// resolves a module once per build, and in the core's build these stay in the core).
const errorClass = new RegExp(`^${escape(path.resolve('lib/errors'))}${escape(path.sep)}[\\w-]+-error\\.ts$`);
const nodeUsesCoreByName = {
  name: 'node-uses-core-by-name',
  setup(build) {
    build.onResolve({ filter: /^\.\.?\// }, (args) => {
      const target = path.resolve(args.resolveDir, args.path);
      const file = target.endsWith('.ts') ? target : `${target}.ts`;
      if (file === coreEntry || errorClass.test(file)) return { path: 'rxjs-auth-http', external: true };
      return undefined;
    });
  },
};

// The testing kit is two entries so that neither drags the other's world into a test: the Node
// server's node:http would break an Angular test bundled for a browser, and Angular in the server
// would break Node tests of apps without it. These keep it so.
function forbidImports(filter, why) {
  return {
    name: 'forbid-imports',
    setup(build) {
      build.onResolve({ filter }, (args) => ({ errors: [{ text: `${why} (${args.path} in ${args.importer})` }] }));
    },
  };
}

function escape(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// name: the file name in dist/esm and dist/cjs; browser: also build name.browser.* with the
// browser variants of modules swapped in (see browser-variants.mjs).
const entries = [
  { name: 'index', source: 'lib/index.ts', platform: 'neutral', plugins: [angularUsesCoreByName], browser: true },
  { name: 'angular', source: 'lib/angular/index.ts', platform: 'neutral', plugins: [angularUsesCoreByName] },
  { name: 'node', source: 'lib/node/index.ts', platform: 'node', plugins: [nodeUsesCoreByName] },
  // Like the Node entry, DPoP takes the core's error classes by name: one RequestError across entries.
  { name: 'dpop', source: 'lib/dpop/index.ts', platform: 'neutral', plugins: [nodeUsesCoreByName] },
  { name: 'redis', source: 'lib/redis/index.ts', platform: 'node', plugins: [nodeUsesCoreByName] },
  // Tabs take RefreshLockError from the core by name, like DPoP its errors.
  { name: 'tabs', source: 'lib/tabs/index.ts', platform: 'neutral', plugins: [nodeUsesCoreByName] },
  // Imports nothing from `firebase` (an optional peer): it reads the SDK's objects by shape.
  { name: 'firebase', source: 'lib/firebase/index.ts', platform: 'neutral', plugins: [nodeUsesCoreByName] },
  // Test tooling, never in an app's bundle: a Node server on node:http alone, and Angular helpers
  // that take the HttpTestingController they drive (types only from Angular, nothing from Node).
  {
    name: 'testing',
    source: 'lib/testing/index.ts',
    platform: 'node',
    plugins: [
      forbidImports(/^(@angular\/|rxjs)/, 'the Node test server runs on node: modules alone'),
      nodeUsesCoreByName,
    ],
  },
  {
    name: 'testing-angular',
    source: 'lib/testing/angular/index.ts',
    platform: 'neutral',
    plugins: [forbidImports(/^node:/, 'the Angular test helpers must run in a browser too'), nodeUsesCoreByName],
  },
];

rmSync('dist', { recursive: true, force: true });
const oneImport = oneImportPerPackage(path.resolve('lib') + path.sep);
const builds = [];
for (const format of ['esm', 'cjs']) {
  const extension = format === 'esm' ? '.mjs' : '.cjs';
  for (const entry of entries) {
    const variants = entry.browser
      ? [
          [entry.name, []],
          [`${entry.name}.browser`, [browserVariants]],
        ]
      : [[entry.name, []]];
    for (const [name, extraPlugins] of variants) {
      builds.push(
        build({
          entryPoints: { [name]: entry.source },
          outdir: `dist/${format}`,
          outExtension: { '.js': extension },
          bundle: true,
          format,
          platform: entry.platform,
          target: 'es2022',
          external,
          plugins: [...extraPlugins, ...entry.plugins, oneImport],
          sourcemap: true,
          logLevel: 'warning',
        }),
      );
    }
  }
}
await Promise.all(builds);
execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
writeModuleTypes('dist/types');
console.log('built dist/esm, dist/cjs and dist/types');
