import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';

/**
 * What {@link echoRequest} answers: the request as the test server received it. A test reads
 * here whether a request carried a token (`headers.authorization`) and what it sent.
 *
 * @example
 * ```ts
 * const echo = await lastValueFrom(client.get<EchoedRequest>('/public/status', { auth: false }));
 * assert.equal(echo.headers['authorization'], undefined);
 * ```
 */
export interface EchoedRequest {
  /** `GET`, `POST`... */
  readonly method: string;
  /** The path, without the query. */
  readonly path: string;
  /** The query parameters, the last value of each name. */
  readonly query: Readonly<Record<string, string>>;
  /** Every header, names in lower case. */
  readonly headers: Readonly<IncomingHttpHeaders>;
  /** The `Content-Type` header, or null. */
  readonly contentType: string | null;
  /** The body as UTF-8 text. */
  readonly body: string;
  /** The body's bytes, base64: for binary uploads. */
  readonly bodyBase64: string;
  /** The body's length in bytes. */
  readonly bodyLength: number;
}

/**
 * The test server's default answer under `/api/` and `/public/`: 200 with the request as an
 * {@link EchoedRequest}. A `handler` of one's own calls it for the paths it does not answer.
 *
 * @example
 * ```ts
 * const server = await startTestAuthServer({
 *   handler: (req, res, body) => {
 *     if (req.url === '/api/orders') res.writeHead(200, { 'content-type': 'application/json' }).end('[]');
 *     else echoRequest(req, res, body);
 *   },
 * });
 * ```
 */
export function echoRequest(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const echo: EchoedRequest = {
    method: req.method ?? 'GET',
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers: req.headers,
    contentType: req.headers['content-type'] ?? null,
    body: body.toString('utf8'),
    bodyBase64: body.toString('base64'),
    bodyLength: body.length,
  };
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(echo));
}
