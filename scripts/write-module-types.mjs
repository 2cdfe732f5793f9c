// tsc writes one .d.ts tree. Without "type": "module", TypeScript under node16 and nodenext reads a
// .d.ts as CommonJS, yet the `import` condition serves ES modules: types that say the wrong format
// make default imports type-check that fail at run time. So each condition gets its own tree,
// written next to the .d.ts one (which stays for node10 resolution, through "typesVersions"):
// - .d.mts for `import`: relative specifiers get the `.mjs` that ESM resolution requires
//   (`./x` becomes `./x.mjs` or `./x/index.mjs`, which TypeScript maps to the .d.mts);
// - .d.cts for `require`: `.cjs` likewise, and imports of ESM-only peers (Angular) say
//   `resolution-mode: import`, or a CommonJS consumer without skipLibCheck gets TS1479 in our files.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const RELATIVE_SPECIFIER = /(\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)(["'])(\.\.?\/[^"']*)\2/g;
const ESM_ONLY_IMPORT = /^import (?:type )?(\{[^}]*\}) from (["'])(@angular\/[^"']+)\2;$/gm;

/** Writes `x.d.mts` and `x.d.cts` next to every `x.d.ts` under `dir`. */
export function writeModuleTypes(dir) {
  for (const file of declarationFiles(dir)) {
    const source = readFileSync(file, 'utf8');
    writeFileSync(file.replace(/\.d\.ts$/, '.d.mts'), withExtensions(source, file, '.mjs'));
    const cjs = withExtensions(source, file, '.cjs').replace(ESM_ONLY_IMPORT, typeOnlyEsmImport);
    writeFileSync(file.replace(/\.d\.ts$/, '.d.cts'), cjs);
  }
}

// `import type` takes no inline `type` modifiers: `{ A, type B }` becomes `{ A, B }`.
function typeOnlyEsmImport(_, names, quote, specifier) {
  const bare = names.replace(/\btype\s+/g, '');
  return `import type ${bare} from ${quote}${specifier}${quote} with { 'resolution-mode': 'import' };`;
}

function withExtensions(source, file, extension) {
  return source.replace(
    RELATIVE_SPECIFIER,
    (_, keyword, quote, specifier) => `${keyword}${quote}${withExtension(file, specifier, extension)}${quote}`,
  );
}

function withExtension(file, specifier, extension) {
  const target = path.resolve(path.dirname(file), specifier);
  if (isFile(`${target}.d.ts`)) return `${specifier}${extension}`;
  if (isFile(path.join(target, 'index.d.ts'))) return `${specifier.replace(/\/$/, '')}/index${extension}`;
  throw new Error(`write-module-types: ${file} imports ${specifier}, which has no .d.ts`);
}

function declarationFiles(dir) {
  return readdirSync(dir, { recursive: true })
    .map((name) => path.join(dir, name))
    .filter((file) => file.endsWith('.d.ts') && isFile(file));
}

function isFile(file) {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}
