// An esbuild plugin for the builds of dist/: each external package below is imported once per
// bundle, not once per module of lib/ that uses it. esbuild writes one import statement for every
// module that imports a package it leaves external, each renaming the same functions anew (the
// core's browser bundle had 24 statements importing rxjs); an app bundled with rxjs external pays
// for every one. Here every such import from lib/ goes through one module per package that
// re-exports the names lib/ takes from it, so the bundle has one statement per package.
// rxjs/operators joins rxjs: since rxjs 7.2, 'rxjs' exports the same operators (checked below).
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const PACKAGES = ['rxjs', 'rxjs/operators', 'rxjs/ajax', '@angular/core', '@angular/common', '@angular/common/http'];
const SAME_AS = { 'rxjs/operators': 'rxjs' };
// At the start of a line: an import in a TSDoc example (` * import ...`) is not one.
const NAMED_IMPORT = /^import\s*\{([^}]*)\}\s*from\s*'([^']+)'/gm;

/** The plugin for the sources under `libDir`. */
export function oneImportPerPackage(libDir) {
  const imported = namesImported(libDir);
  checkSameExports(imported);
  // What each package's module re-exports: its own names and those of the packages joining it.
  const names = new Map();
  for (const [from, list] of imported) {
    const target = SAME_AS[from] ?? from;
    names.set(target, new Set([...(names.get(target) ?? []), ...list]));
  }
  return {
    name: 'one-import-per-package',
    setup(build) {
      build.onResolve({ filter: /./ }, (args) => {
        if (args.namespace === 'one-import') return { path: args.path, external: true };
        if (!PACKAGES.includes(args.path) || !args.importer.startsWith(libDir)) return undefined;
        return { path: SAME_AS[args.path] ?? args.path, namespace: 'one-import' };
      });
      build.onLoad({ filter: /./, namespace: 'one-import' }, (args) => ({
        contents: `export { ${[...(names.get(args.path) ?? [])].join(', ')} } from '${args.path}';`,
        loader: 'js',
      }));
    },
  };
}

// The values (not types) lib/ imports, by the package it names.
function namesImported(libDir) {
  const names = new Map();
  for (const file of readdirSync(libDir, { recursive: true })) {
    if (!file.endsWith('.ts')) continue;
    for (const [statement, list, from] of readFileSync(path.join(libDir, file), 'utf8').matchAll(NAMED_IMPORT)) {
      if (!PACKAGES.includes(from) || statement.startsWith('import type')) continue;
      if (!names.has(from)) names.set(from, new Set());
      for (const item of list.split(',').map((part) => part.trim())) {
        if (item !== '' && !item.startsWith('type ')) names.get(from).add(item.split(/\s+as\s+/)[0]);
      }
    }
  }
  return names;
}

// A name that two joined packages both export but mean differently (merge, zip...) must not be joined.
function checkSameExports(imported) {
  const require = createRequire(import.meta.url);
  for (const [from, target] of Object.entries(SAME_AS)) {
    const source = require(from);
    const joined = require(target);
    for (const name of imported.get(from) ?? []) {
      if (source[name] !== joined[name])
        throw new Error(`one-import-per-package: '${from}' and '${target}' export different ${name}`);
    }
  }
}
