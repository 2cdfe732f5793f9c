import type http from 'node:http';
import path from 'node:path';
import { build, type Metafile } from 'esbuild';

const PAGES = path.join(__dirname, '..', 'page');

/** The page's script: the library, rxjs and the scenarios in one file, as an app would ship them. */
export interface PageBundle {
  readonly code: string;
  /** Every source file esbuild put in the bundle, relative to the repository. */
  readonly inputs: readonly string[];
}

/**
 * Bundles a test page (a file of spec/browser/page) for the browser. `platform: 'browser'` makes esbuild follow package
 * "browser" fields, which is what keeps xhr2 (a Node http client) out: its browser build is the
 * global XMLHttpRequest.
 */
export async function bundleTestPage(page = 'browser-suite.ts'): Promise<PageBundle> {
  const result = await build({
    entryPoints: [path.join(PAGES, page)],
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

/**
 * Answers the test pages' requests: `/` loads `bundle`; `/<name>` loads `more[name]`, on the same
 * origin (tabs of one app share its storage). Serve it with {@link LoopbackPageServer}.
 */
export function testPageHandler(
  bundle: PageBundle,
  more: Readonly<Record<string, PageBundle>> = {},
): http.RequestListener {
  const html = (script: string) =>
    `<!doctype html><meta charset="utf-8"><title>rxjs-auth-http in the browser</title><body></body><script src="${script}"></script>`;
  const pages = new Map<string, string>([['/', html('/browser-suite.js')]]);
  const scripts = new Map<string, string>([['/browser-suite.js', bundle.code]]);
  for (const [name, page] of Object.entries(more)) {
    pages.set(`/${name}`, html(`/${name}.js`));
    scripts.set(`/${name}.js`, page.code);
  }
  return (req, res) => {
    const url = req.url ?? '/';
    const page = pages.get(url);
    const script = scripts.get(url);
    if (page !== undefined) res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
    else if (script !== undefined) res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(script);
    else res.writeHead(404).end();
  };
}
