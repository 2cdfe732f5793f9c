// Builds dist/: one ES module and one CommonJS bundle per entry point, plus .d.ts files from tsc.
// Runtime dependencies stay external so the app's own copies (rxjs above all) are used.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';

const entries = { index: 'lib/index.ts', angular: 'lib/angular/index.ts' };
const external = ['rxjs', 'rxjs/*', 'xhr2', '@angular/*', 'node:*'];

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
      if (args.importer.startsWith(angularDir)) return undefined;
      return { errors: [{ text: `the core must not import Angular (${args.path} in ${args.importer})` }] };
    });
    build.onResolve({ filter: /^\.\.?\// }, (args) => {
      if (!args.importer.startsWith(angularDir)) return undefined;
      const target = path.resolve(args.resolveDir, args.path);
      if (target === coreEntry.slice(0, -'.ts'.length) || target === coreEntry) return { path: 'rxjs-auth-http', external: true };
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

function escape(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

rmSync('dist', { recursive: true, force: true });
for (const [format, dir] of [
  ['esm', 'dist/esm'],
  ['cjs', 'dist/cjs'],
]) {
  await build({
    entryPoints: entries,
    outdir: dir,
    outExtension: { '.js': format === 'esm' ? '.mjs' : '.cjs' },
    bundle: true,
    format,
    platform: 'neutral',
    target: 'es2022',
    external,
    plugins: [angularUsesCoreByName],
    sourcemap: true,
    logLevel: 'warning',
  });
  await build({
    entryPoints: { node: 'lib/node/index.ts', redis: 'lib/redis/index.ts' },
    outdir: dir,
    outExtension: { '.js': format === 'esm' ? '.mjs' : '.cjs' },
    bundle: true,
    format,
    platform: 'node',
    target: 'es2022',
    external,
    plugins: [nodeUsesCoreByName],
    sourcemap: true,
    logLevel: 'warning',
  });
}
execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
console.log('built dist/esm, dist/cjs and dist/types');
