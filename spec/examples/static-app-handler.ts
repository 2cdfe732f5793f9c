import { readFile } from 'node:fs/promises';
import type http from 'node:http';
import path from 'node:path';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

/**
 * Serves a built single-page app as any static host would: its files, and index.html for every
 * path without a file extension (the app's own routes). Serve it with `LoopbackPageServer`.
 */
export function staticAppHandler(directory: string): http.RequestListener {
  const root = path.resolve(directory);
  return (req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const file = path.join(root, path.normalize(pathname));
    const served = file.startsWith(root + path.sep) && path.extname(file) !== '' ? file : path.join(root, 'index.html');
    readFile(served).then(
      (body) =>
        res
          .writeHead(200, { 'content-type': CONTENT_TYPES[path.extname(served)] ?? 'application/octet-stream' })
          .end(body),
      () => res.writeHead(404).end(),
    );
  };
}
