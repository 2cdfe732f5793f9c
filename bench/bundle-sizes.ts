import { build } from 'esbuild';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

/** What a browser app downloads for one client library. */
export interface BundleSize {
  readonly name: string;
  readonly minifiedBytes: number;
  readonly gzippedBytes: number;
}

const root = path.resolve(__dirname, '..');

// Each entry is bundled the way an app's bundler would: for the browser, minified, everything it
// imports included except what the note says. Tree shaking keeps only what the entry uses.
const ENTRIES: ReadonlyArray<{ name: string; code: string; external?: string[] }> = [
  { name: 'rxjs-auth-http (rxjs excluded)', code: `export * from './lib/index';`, external: ['rxjs', 'rxjs/*'] },
  { name: 'rxjs-auth-http + the rxjs it uses', code: `export * from './lib/index';` },
  { name: 'axios', code: `export { default } from 'axios';` },
  {
    name: 'axios + axios-auth-refresh',
    code: `export { default } from 'axios'; export { default as createAuthRefresh } from 'axios-auth-refresh';`,
  },
  { name: 'ky', code: `export { default } from 'ky';` },
];

/** Bundles each library with esbuild (browser, ESM, minified) and gzips the result (level 9). */
export async function measureBundles(): Promise<BundleSize[]> {
  const sizes: BundleSize[] = [];
  for (const entry of ENTRIES) {
    const result = await build({
      stdin: { contents: entry.code, resolveDir: root, loader: 'ts' },
      bundle: true,
      write: false,
      minify: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      external: entry.external ?? [],
      logLevel: 'silent',
      legalComments: 'none',
    });
    const code = result.outputFiles[0]?.contents ?? new Uint8Array();
    sizes.push({
      name: entry.name,
      minifiedBytes: code.byteLength,
      gzippedBytes: gzipSync(code, { level: 9 }).byteLength,
    });
  }
  return sizes;
}
