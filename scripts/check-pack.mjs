// Checks what users get: the packed tarball, not lib/. It removes dist/ first, so a tarball with
// the built files proves that `npm pack` builds on its own (from a clean clone, in CI). Then:
// - @arethetypeswrong/cli finds no problem, publint no error or warning (its one suggestion, an
//   explicit "type": "commonjs", is left out on purpose: with it, the docs check's TypeScript
//   sees two copies of axios's types in docs/migration.md, and the absent field already means
//   CommonJS to Node);
// - a fresh consumer project, with the tarball unpacked into its node_modules as npm would, imports
//   every entry in package.json's "exports", type-checked without skipLibCheck, and runs them:
//   node10 (CommonJS), node16 from CommonJS and from ESM, and bundler resolution bundled by
//   esbuild to ESM and to CommonJS; a default import, which does not exist, must not type-check
//   (the consumer's tsconfig.node16-esm.json says so with @ts-expect-error);
// - bundled for the browser, the core is its browser build: no xhr2, no Node redirect code, none
//   of what only xhr2 needs.
// Run by `npm test`; on its own: `npm run check:pack`.
import { build } from 'esbuild';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { packLibrary } from './pack-library.mjs';

const run = promisify(execFile);
const started = Date.now();
const log = (message) => console.log(`check-pack: ${message} (${Math.round((Date.now() - started) / 1000)} s)`);
const repo = process.cwd();
const bin = (name) => path.join(repo, 'node_modules', '.bin', name);
const manifest = JSON.parse(readFileSync('package.json', 'utf8'));
const entries = Object.keys(manifest.exports)
  .filter((subpath) => subpath !== './package.json')
  .map((subpath) => manifest.name + subpath.slice(1));
// Angular 21's own types resolve only through "exports", so no app can use them under node10; the
// Angular entry's node10 types are tested by examples/angular-16, whose CLI sets that resolution.
const NOT_UNDER_NODE10 = new Set([`${manifest.name}/angular`, `${manifest.name}/testing/angular`]);
// Node-only by design: left out of the browser bundle.
const NODE_ONLY = new Set([`${manifest.name}/node`, `${manifest.name}/redis`, `${manifest.name}/testing`]);
// What the consumer project installs besides the tarball: its dependencies and the peers it uses.
const linkedPackages = ['rxjs', 'xhr2', 'jose', '@angular/core', '@angular/common', '@angular/compiler', '@types/node'];

const work = mkdtempSync(path.join(tmpdir(), 'rxjs-auth-http-pack-'));
try {
  rmSync('dist', { recursive: true, force: true });
  const { tarball, files } = packLibrary(work);
  log(`packed ${path.basename(tarball)}`);
  assert.ok(
    files.includes('dist/esm/index.mjs') && files.includes('dist/types/index.d.mts'),
    `${tarball} holds no built files: ${files.join(', ')}`,
  );

  const [attw, publint] = await Promise.all([
    run(bin('attw'), [tarball, '--format', 'ascii']).catch(failedWith('@arethetypeswrong/cli')),
    run(bin('publint'), ['run', tarball, '--strict']).catch(failedWith('publint')),
  ]);
  assert.match(attw.stdout, /No problems found/, `@arethetypeswrong/cli:\n${attw.stdout}`);
  assert.doesNotMatch(publint.stdout, /Warnings:|Errors:/, `publint:\n${publint.stdout}`);
  log(
    `@arethetypeswrong/cli: no problems; publint: no errors or warnings${publint.stdout.includes('Suggestions:') ? ` (${publint.stdout.split('Suggestions:')[1].trim()})` : ''}`,
  );

  const consumer = makeConsumer(work, tarball);
  await checkConsumer(consumer);
} finally {
  rmSync(work, { recursive: true, force: true });
}

function failedWith(tool) {
  return (error) => {
    throw new Error(`${tool} failed:\n${error.stdout}${error.stderr}`);
  };
}

function makeConsumer(directory, tarball) {
  const consumer = path.join(directory, 'consumer');
  const modules = path.join(consumer, 'node_modules');
  mkdirSync(path.join(modules, '@angular'), { recursive: true });
  mkdirSync(path.join(modules, '@types'), { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '-C', directory]);
  execFileSync('mv', [path.join(directory, 'package'), path.join(modules, manifest.name)]);
  for (const name of linkedPackages)
    symlinkSync(path.join(repo, 'node_modules', name), path.join(modules, name), 'dir');
  writeFileSync(
    path.join(consumer, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'commonjs' }),
  );

  // One program per resolution mode; each imports every entry and prints the names it exports.
  const program = (imported) => {
    const imports = imported.map((entry, index) => `import * as entry${index} from '${entry}';`).join('\n');
    const report = `{ ${imported.map((entry, index) => `'${entry}': Object.keys(entry${index}).sort()`).join(', ')} }`;
    return `${imports}\nimport type { AuthTokens } from '${manifest.name}';\n
const tokens: AuthTokens = { accessToken: 'a', refreshToken: 'r' };
const store = new entry0.MemoryTokenStore(tokens);
if (store.constructor !== entry0.MemoryTokenStore) throw new Error('MemoryTokenStore is not a class');
console.log(JSON.stringify(${report}));\n`;
  };
  const compilerOptions = {
    strict: true,
    skipLibCheck: false,
    target: 'es2022',
    lib: ['es2022', 'dom'],
    types: ['node'],
    outDir: 'out',
  };
  const projects = {
    node10: {
      files: ['node10.ts'],
      entries: entries.filter((entry) => !NOT_UNDER_NODE10.has(entry)),
      options: { module: 'commonjs', moduleResolution: 'node10', esModuleInterop: true },
    },
    'node16-cjs': { files: ['node16-cjs.cts'], options: { module: 'node16', moduleResolution: 'node16' } },
    'node16-esm': {
      files: ['node16-esm.mts', 'default-import.mts'],
      options: { module: 'node16', moduleResolution: 'node16' },
    },
    bundler: { files: ['bundler.ts'], options: { module: 'esnext', moduleResolution: 'bundler', noEmit: true } },
  };
  for (const [name, { files, options, entries: imported = entries }] of Object.entries(projects)) {
    writeFileSync(path.join(consumer, files[0]), program(imported));
    writeFileSync(
      path.join(consumer, `tsconfig.${name}.json`),
      JSON.stringify({ compilerOptions: { ...compilerOptions, ...options }, files }),
    );
  }
  // Bundled for the browser only (by esbuild, which does not type-check it again).
  writeFileSync(path.join(consumer, 'browser.ts'), program(entries.filter((entry) => !NODE_ONLY.has(entry))));
  // Compiled, never run: the type check fails unless TypeScript refuses the default import.
  const defaultImport = `// @ts-expect-error: the ES module has no default export, so this would fail at run time\nimport lib from '${manifest.name}';\nconsole.log(lib);\n`;
  writeFileSync(path.join(consumer, 'default-import.mts'), defaultImport);
  return consumer;
}

async function checkConsumer(consumer) {
  const tsc = (project) =>
    run(bin('tsc'), ['-p', `tsconfig.${project}.json`], { cwd: consumer }).catch(failedWith(`tsc (${project})`));
  await Promise.all(['node10', 'node16-cjs', 'node16-esm', 'bundler'].map(tsc));
  log(`${entries.join(', ')} type-check under node10, node16 (CommonJS, ESM) and bundler, skipLibCheck off`);

  for (const format of ['esm', 'cjs']) {
    await build({
      entryPoints: [path.join(consumer, 'bundler.ts')],
      outfile: path.join(consumer, 'out', `bundler.${format === 'esm' ? 'mjs' : 'cjs'}`),
      bundle: true,
      platform: 'node',
      format,
      packages: 'external',
      logLevel: 'warning',
    });
  }
  const outputs = ['node10.js', 'node16-cjs.cjs', 'node16-esm.mjs', 'bundler.mjs', 'bundler.cjs'];
  // Outside an Angular build, Angular's libraries need its JIT compiler loaded first.
  const printed = await Promise.all(
    outputs.map((file) =>
      run(process.execPath, ['--import', '@angular/compiler', path.join('out', file)], { cwd: consumer }).catch(
        failedWith(`node out/${file}`),
      ),
    ),
  );
  // Every output must see the same names in an entry; and no entry may be empty.
  const seen = new Map();
  printed.forEach(({ stdout }, index) => {
    for (const [entry, names] of Object.entries(JSON.parse(stdout))) {
      assert.ok(names.length > 0, `${entry} exports nothing at run time in out/${outputs[index]}`);
      if (!seen.has(entry)) seen.set(entry, names);
      assert.deepEqual(
        names,
        seen.get(entry),
        `out/${outputs[index]} sees other exports of ${entry} than the outputs before it`,
      );
    }
  });
  assert.deepEqual([...seen.keys()].sort(), [...entries].sort(), 'some entry was never run');
  log(`the same exports at run time from ${outputs.join(', ')}`);

  const browser = await build({
    entryPoints: [path.join(consumer, 'browser.ts')],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    metafile: true,
    external: ['rxjs', '@angular/*'],
    logLevel: 'warning',
  });
  const inputs = Object.keys(browser.metafile.inputs);
  assert.ok(
    inputs.some((input) => input.endsWith('dist/esm/index.browser.mjs')),
    `the browser bundle did not use the browser build: ${inputs.join(', ')}`,
  );
  assert.deepEqual(
    inputs.filter((input) => input.includes('xhr2') || input.endsWith('dist/esm/index.mjs')),
    [],
    'the browser bundle holds Node-only code',
  );
  // What only xhr2 needs (body encoders, the transport-header refusal, connect timeouts) has
  // browser stand-ins (lib/transport/*.browser.ts).
  const bundled = browser.outputFiles[0].text;
  for (const nodeOnly of ['multipart/form-data', 'is set by the transport', 'ERR_CONNECT_TIMEOUT'])
    assert.ok(!bundled.includes(nodeOnly), `the browser bundle holds xhr2's "${nodeOnly}"`);
  log('a browser bundle gets the browser build of the core, without xhr2');
}
