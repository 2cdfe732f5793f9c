// Builds dist/: one ES module and one CommonJS bundle per entry point, plus .d.ts files from tsc.
// Runtime dependencies stay external so the app's own copies (rxjs above all) are used.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';

const entries = { index: 'lib/index.ts' };
const external = ['rxjs', 'rxjs/*', 'xhr2', '@angular/*', 'node:*'];

rmSync('dist', { recursive: true, force: true });
for (const [format, dir] of [['esm', 'dist/esm'], ['cjs', 'dist/cjs']]) {
  await build({
    entryPoints: entries,
    outdir: dir,
    outExtension: { '.js': format === 'esm' ? '.mjs' : '.cjs' },
    bundle: true,
    format,
    platform: 'neutral',
    target: 'es2022',
    external,
    sourcemap: true,
    logLevel: 'warning',
  });
}
execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
console.log('built dist/esm, dist/cjs and dist/types');
