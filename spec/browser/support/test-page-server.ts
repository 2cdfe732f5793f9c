import http from 'node:http';
import type { AddressInfo } from 'node:net';
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
 * global XMLHttpRequest.
 */
export async function bundleTestPage(): Promise<PageBundle> {
  const result = await build({
    entryPoints: [ENTRY],
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
 * Serves the test page from its own loopback port, so the page's origin differs from the API's and
 * every call it makes is a real cross-origin (CORS) request.
 */
export class TestPageServer {
  private readonly server: http.Server;

  private constructor(bundle: PageBundle) {
    const html = '<!doctype html><meta charset="utf-8"><title>rxjs-auth-http in the browser</title><script src="/browser-suite.js"></script>';
    this.server = http.createServer((req, res) => {
      if (req.url === '/') res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
      else if (req.url === '/browser-suite.js') res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(bundle.code);
      else res.writeHead(404).end();
    });
  }

  static async start(bundle: PageBundle): Promise<TestPageServer> {
    const page = new TestPageServer(bundle);
    await new Promise<void>((resolve, reject) => {
      page.server.once('error', reject);
      page.server.listen(0, '127.0.0.1', () => resolve());
    });
    return page;
  }

  /** `http://127.0.0.1:<port>/` */
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
