// Measures that need no network, each in a fresh process started with --expose-gc:
// - `coordination`: CPU per request of the auth layer alone, over a transport that answers at
//   once (`of(value)`), so the figure is the layer's own cost and nothing else's;
// - `parked`: the heap that 10,000 requests take while they all wait on one slow refresh.
import { of, Subject } from 'rxjs';
import {
  authInterceptor,
  chainInterceptors,
  createAuthSession,
  createHttpClient,
  MemoryTokenStore,
  type AuthTokens,
  type HttpRequest,
  type HttpResponse,
} from '../lib/index';
import { resolveRetryOptions } from '../lib/retry/retry-options';

export interface CoordinationResult {
  /** `session.authorize(() => of(value))`, per request, in µs of CPU. */
  readonly authorizeMicros: number;
  /** The same through `authInterceptor` (token attach, origin check) and the interceptor chain. */
  readonly interceptorMicros: number;
  /** `of(value)` alone: what the two figures above include that is not the auth layer's. */
  readonly baselineMicros: number;
}

export interface ParkedResult {
  readonly requests: number;
  readonly heapDeltaBytes: number;
  readonly rssDeltaBytes: number;
  /** How many refresh calls the parked requests made between them: must be 1. */
  readonly refreshCalls: number;
  /** How many requests ended (all with the refresh's failure) once the refresh was released. */
  readonly settled: number;
}

const farFuture = () => Date.now() + 3_600_000;

function coordination(ops: number): CoordinationResult {
  const tokens: AuthTokens = { accessToken: 'access-1', refreshToken: 'refresh-1', expiresAt: farFuture() };
  const session = createAuthSession({
    store: new MemoryTokenStore(tokens),
    refresh: () => of({ ...tokens, expiresAt: farFuture() }),
    allowedOrigins: ['http://127.0.0.1'],
  });
  const response: HttpResponse<unknown> = { status: 200, headers: {}, url: 'http://127.0.0.1/api/sized', body: null };
  const request: HttpRequest = {
    method: 'GET',
    url: 'http://127.0.0.1/api/sized',
    headers: {},
    body: undefined,
    responseType: 'json',
    timeout: 0,
    auth: true,
    retry: resolveRetryOptions(false),
  };
  const handle = chainInterceptors([authInterceptor(session)], () => of(response));
  let sink = 0;
  const count = () => sink++;
  const attempt = (token: string | null) => of(token);

  const baselineMicros = cpuPerOp(ops, () => of(response).subscribe(count));
  const authorizeMicros = cpuPerOp(ops, () => session.authorize(attempt).subscribe(count));
  const interceptorMicros = cpuPerOp(ops, () => handle(request).subscribe(count));
  if (sink < ops * 3) throw new Error(`only ${sink} of ${ops * 3} requests answered: the measurement is void`);
  return { authorizeMicros, interceptorMicros, baselineMicros };
}

// Median of several batches after a warm-up batch: the JIT and the machine's neighbours both
// disturb single batches.
function cpuPerOp(ops: number, op: () => void): number {
  const batch = Math.max(1000, Math.floor(ops / 6));
  const perOp: number[] = [];
  for (let b = 0; b < 7; b++) {
    const before = process.cpuUsage();
    for (let i = 0; i < batch; i++) op();
    const used = process.cpuUsage(before);
    if (b > 0) perOp.push((used.user + used.system) / batch);
  }
  perOp.sort((x, y) => x - y);
  return perOp[Math.floor(perOp.length / 2)] as number;
}

async function parked(requests: number, baseUrl: string): Promise<ParkedResult> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  const release = new Subject<AuthTokens>();
  let refreshCalls = 0;
  const client = createHttpClient({
    baseUrl,
    auth: {
      // Known to be expired: every request waits for the refresh before it is sent.
      store: new MemoryTokenStore({ accessToken: 'stale', refreshToken: 'refresh-1', expiresAt: Date.now() - 1000 }),
      refresh: () => {
        refreshCalls++;
        return release;
      },
    },
  });
  let settled = 0;
  const settle = () => settled++;
  gc();
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const rssBefore = process.memoryUsage().rss;
  for (let i = 0; i < requests; i++) client.get('/api/sized?bytes=200').subscribe({ next: settle, error: settle });
  gc();
  gc();
  const heapDeltaBytes = process.memoryUsage().heapUsed - heapBefore;
  const rssDeltaBytes = process.memoryUsage().rss - rssBefore;
  // Failing the refresh ends every parked request without a byte on the network.
  release.error(new Error('released by the bench'));
  await new Promise((resolve) => setImmediate(resolve));
  return { requests, heapDeltaBytes, rssDeltaBytes, refreshCalls, settled };
}

async function main(): Promise<void> {
  const [mode, size, baseUrl] = process.argv.slice(2);
  const result =
    mode === 'coordination' ? coordination(Number(size)) : await parked(Number(size), baseUrl ?? 'http://127.0.0.1:9');
  await new Promise<void>((resolve) => process.send?.(result, () => resolve()) ?? resolve());
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
