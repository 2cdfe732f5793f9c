// Measures what the library adds to a browser app: the public entry bundled and minified for the
// browser, rxjs left out (the app ships it anyway), gzipped as a server would send it; and what the
// DPoP entry adds on top of it (with jose, its one dependency), from its build in dist/. Prints the
// numbers and keeps the lines between the bundle-size markers in README.md up to date.
//
//   npm run size   (builds dist/ first)
import { build } from 'esbuild';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { browserVariants } from './browser-variants.mjs';

const ENTRY = 'lib/index.ts';
const README = 'README.md';
const START = '<!-- bundle-size:start -->';
const END = '<!-- bundle-size:end -->';

const result = await build({
  entryPoints: [ENTRY],
  bundle: true,
  minify: true,
  format: 'esm',
  // What the package's `browser` condition serves: the core built with its browser variants, so
  // neither xhr2 nor our Node fixes to it are in (see browser-variants.mjs).
  platform: 'browser',
  plugins: [browserVariants],
  target: 'es2022',
  external: ['rxjs', 'rxjs/*'],
  write: false,
  metafile: true,
  logLevel: 'warning',
});

const inputs = Object.keys(result.metafile.inputs);
const nodeOnly = inputs.filter(
  (input) =>
    input.includes('xhr2') || input.endsWith('node-xhr.ts') || input.startsWith('node:') || /(^|\/)rxjs\//.test(input),
);
if (nodeOnly.length > 0) {
  console.error(`bundle-size: the browser bundle must not contain ${nodeOnly.join(', ')}`);
  process.exit(1);
}

const code = result.outputFiles[0].contents;
const minified = code.byteLength;
const gzipped = gzipSync(code, { level: 9 }).byteLength;
const kB = (bytes) => `${(bytes / 1000).toFixed(1)} kB`;

// The DPoP entry as an app bundles it: its build, with the core and rxjs left out (already counted).
const dpop = await build({
  entryPoints: ['dist/esm/dpop.mjs'],
  bundle: true,
  minify: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  external: ['rxjs', 'rxjs/*', 'rxjs-auth-http'],
  write: false,
  logLevel: 'warning',
});
const dpopCode = dpop.outputFiles[0].contents;
const dpopGzipped = gzipSync(dpopCode, { level: 9 }).byteLength;
const line = [
  `Browser bundle: ${kB(minified)} minified, ${kB(gzipped)} gzipped (rxjs excluded), measured by \`npm run size\`.`,
  `The \`rxjs-auth-http/dpop\` entry adds ${kB(dpopCode.byteLength)} minified, ${kB(dpopGzipped)} gzipped (with jose), only to apps that import it.`,
].join('\n');

console.log(`${ENTRY}: ${minified} bytes minified, ${gzipped} bytes gzipped (rxjs external, browser build: no xhr2)`);
console.log(
  `lib/dpop/index.ts: ${dpopCode.byteLength} bytes minified, ${dpopGzipped} bytes gzipped (core and rxjs external)`,
);
writeReadmeLine(line);
console.log(`${README}: ${line}`);

// Only the text between the markers is ours; the rest of the README is left exactly as it is.
function writeReadmeLine(text) {
  const readme = existsSync(README) ? readFileSync(README, 'utf8') : '';
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  const section = `${START}\n${text}\n${END}`;
  let next;
  if (start !== -1 && end > start) {
    next = readme.slice(0, start) + section + readme.slice(end + END.length);
  } else if (start === -1 && end === -1) {
    next = `${readme}${readme === '' || readme.endsWith('\n') ? '' : '\n'}\n${section}\n`;
  } else {
    console.error(`bundle-size: ${README} has one bundle-size marker without the other; fix it by hand`);
    process.exit(1);
  }
  if (next !== readme) writeFileSync(README, next);
}
