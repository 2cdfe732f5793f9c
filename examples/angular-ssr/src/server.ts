import {
  AngularNodeAppEngine,
  createNodeRequestHandler,
  isMainModule,
  writeResponseToNodeResponse,
} from '@angular/ssr/node';
import express from 'express';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { RenderContext } from './app/render-context';

const browserDistFolder = join(import.meta.dirname, '../browser');

const app = express();
const angularApp = new AngularNodeAppEngine();
// The API this app calls; the browser learns it from the server through TransferState.
const context: RenderContext = {
  apiOrigin: process.env['API_ORIGIN'] ?? 'http://127.0.0.1:3000',
  sharedStoreMistake: process.env['SHARED_STORE_MISTAKE'] === '1',
};

app.use(express.static(browserDistFolder, { maxAge: '1y', index: false, redirect: false }));

// Every other request renders the app, in an app instance of its own, with this request's cookie.
app.use((req, res, next) => {
  angularApp
    .handle(req, context)
    .then((response) => (response ? writeResponseToNodeResponse(response, res) : next()))
    .catch(next);
});

if (isMainModule(import.meta.url) || process.env['pm_id']) {
  const server = app.listen(Number(process.env['PORT'] ?? 4000), '127.0.0.1', (error) => {
    if (error) throw error;
    console.log(`listening on http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  });
}

/** Used by the Angular CLI (dev server, build) to render. */
export const reqHandler = createNodeRequestHandler(app);
