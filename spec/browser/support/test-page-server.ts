import type http from 'node:http';
import path from 'node:path';
import { build, type Metafile } from 'esbuild';

const ENTRY = path.join(__dirname, '..', 'page', 'browser-suite.ts');

/** The page's script: the library, rxjs and the scenarios in one file, as an app would ship them. */
export interface PageBundle {
  readonly code: string;
  /** Every source file esbuild put in the bundle, relative to the repository. */
  readonly inputs: readonly string[];
}

/**
 * Bundles the test page for the browser. `platform: 'browser'` makes esbuild follow package
 * "browser" fields, which is what keeps xhr2 (a Node http client) out: its browser build is the
 * global XMLHttpRequest. `entry` is the page's script; default the client's scenarios.
 */
export async function bundleTestPage(entry = ENTRY): Promise<PageBundle> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    write: false,
    metafile: true,
    sourcemap: 'inline',
    logLevel: 'silent',
  });
  const output = result.outputFiles[0];
  if (!output) throw new Error('esbuild produced no output for the browser test page');
  return { code: output.text, inputs: inputsOf(result.metafile) };
}

function inputsOf(metafile: Metafile): string[] {
  return Object.keys(metafile.inputs).map((input) => input.split(path.sep).join('/'));
}

/** Answers the test page's two requests: its HTML, and the bundled script. Serve it with {@link LoopbackPageServer}. */
export function testPageHandler(bundle: PageBundle): http.RequestListener {
  const html = '<!doctype html><meta charset="utf-8"><title>rxjs-auth-http in the browser</title><script src="/browser-suite.js"></script>';
  return (req, res) => {
    if (req.url === '/') res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
    else if (req.url === '/browser-suite.js') res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(bundle.code);
    else res.writeHead(404).end();
  };
}
