import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

/**
 * Serves a built single-page app from its own loopback port, as any static host would: its files,
 * and index.html for every other path. The API runs on another port, so every API call is cross-origin.
 */
export class StaticAppServer {
  private readonly server: http.Server;

  private constructor(root: string) {
    this.server = http.createServer((req, res) => {
      const pathname = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
      const file = path.join(root, path.normalize(pathname));
      const served = file.startsWith(root + path.sep) && path.extname(file) !== '' ? file : path.join(root, 'index.html');
      readFile(served).then(
        (body) => res.writeHead(200, { 'content-type': CONTENT_TYPES[path.extname(served)] ?? 'application/octet-stream' }).end(body),
        () => res.writeHead(404).end(),
      );
    });
  }

  static async start(root: string): Promise<StaticAppServer> {
    const app = new StaticAppServer(path.resolve(root));
    await new Promise<void>((resolve, reject) => {
      app.server.once('error', reject);
      app.server.listen(0, '127.0.0.1', () => resolve());
    });
    return app;
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
