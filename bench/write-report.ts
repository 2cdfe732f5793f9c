// Writes docs/benchmarks.md and docs/benchmarks.svg from one run's summary. Every number in those
// files comes from here; the one hand-written part, "Where the time goes", is copied in from
// bench/where-the-time-goes.md, so a run never overwrites it.
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { barChartSvg, type BarPanel } from './bar-chart';
import { CONCURRENCIES, VARIANT_LABELS, type BenchPlan, type Variant } from './bench-plan';
import { fixed } from './figures';
import type { BenchSummary, ExpiryRow, ThroughputRow } from './summarize';

const COLORS: Readonly<Record<Variant, string>> = {
  'raw-http': '#9e9e9e',
  'bare-ajax': '#64b5f6',
  'full-chain': '#1565c0',
  'full-chain-node': '#00897b',
  'axios-refresh': '#ef6c00',
  'naive-rxjs': '#8e24aa',
};

export const REPRODUCE = 'npm run bench';

const HAND_WRITTEN = path.join(__dirname, 'where-the-time-goes.md');

/** bench/where-the-time-goes.md as it is (its trailing newlines aside), or nothing if it is gone. */
function handWrittenSection(): string[] {
  return existsSync(HAND_WRITTEN) ? [readFileSync(HAND_WRITTEN, 'utf8').replace(/\n+$/, ''), ''] : [];
}

export function benchmarksSvg(summary: BenchSummary): string {
  const groups = CONCURRENCIES.map((c) => `concurrency ${c}`);
  const series = <R extends { variant: Variant; concurrency: number }>(rows: readonly R[], value: (row: R) => number) =>
    [...new Set(rows.map((row) => row.variant))].map((variant) => ({
      name: VARIANT_LABELS[variant],
      color: COLORS[variant],
      values: CONCURRENCIES.map((c) => {
        const row = rows.find((candidate) => candidate.variant === variant && candidate.concurrency === c);
        return row ? value(row) : NaN;
      }),
    }));
  // The legend is drawn from the first panel, so it lists every variant; the expiry panel has
  // bars only for the variants that can refresh.
  const panels: BarPanel[] = [
    {
      title: 'Requests per second, GET of ~200 bytes of JSON (median; higher is better)',
      groups,
      series: series(summary.throughput, (row) => row.rps),
      format: (v) => v.toFixed(0),
    },
    {
      // User time: the system time of a loopback client is largely the server's TCP work (see the report).
      title: 'Client user CPU per request, µs (median; lower is better)',
      groups,
      series: series(summary.throughput, (row) => row.userMicrosPerRequest),
      format: (v) => v.toFixed(0),
    },
    {
      title: 'Failed requests per token expiry (median; lower is better)',
      groups,
      series: series(summary.throughput, () => NaN).map((item) => {
        const expiry = series(summary.expiry, (row) => row.failedPerExpiry).find(
          (candidate) => candidate.name === item.name,
        );
        return expiry ?? item;
      }),
      format: (v) => v.toFixed(1),
    },
  ];
  return barChartSvg(panels);
}

export function benchmarksMarkdown(
  summary: BenchSummary,
  plan: BenchPlan,
  runSeconds: number,
  rounds: number,
  sizeTable: string,
): string {
  const cpu = os.cpus();
  const lines: string[] = [
    '# Benchmarks',
    '',
    `<!-- Written by bench/run-benchmarks.ts. Do not edit by hand: run \`${REPRODUCE}\` again. The section "Where the time goes" is copied from bench/where-the-time-goes.md: edit it there. -->`,
    '',
    `Reproduce with \`${REPRODUCE}\` (about ${Math.ceil(runSeconds / 60)} minutes here; \`BENCH_QUICK=1 ${REPRODUCE}\` for a smoke run of well under a minute).`,
    '',
    `This run: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${plan.quick ? '**quick smoke run (BENCH_QUICK=1): figures are rough**' : 'full run'}, ${runSeconds.toFixed(0)} s, ` +
      `Node ${process.version}, ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${os.platform()} ${os.release()}.`,
    '',
    '## How it is measured',
    '',
    '- The loopback token + API server (`rxjs-auth-http/testing`, started by `test-server/start-test-server.ts`) runs in a process of its own; every client runs in a fresh process per cell',
    "  (one variant at one concurrency), so one client's heap, sockets and JIT state never touch another's, and the CPU measured is the client's alone.",
    `- Load: a closed loop of 1, 16 or 256 requests in flight, each a GET of \`/api/sized?bytes=200\` (a fixed 200-byte JSON document, bearer token required).`,
    `  Each cell warms up for at least ${plan.throughput.warmupMs} ms and ${plan.warmupRequests.toLocaleString('en-US')} requests (at most ${plan.warmupMaxMs} ms: V8 must have optimized the chain first), then measures for ${plan.throughput.windowMs} ms. ${rounds} round(s); each round runs every variant once, and`,
    '  every figure is the median over rounds. Ratios are taken within a round (neighbours in time on a shared machine), then their median.',
    '- "rxjs-auth-http on node:http" is the same full chain (auth, retry, body parsing) on `nodeHttpTransport()` from `rxjs-auth-http/node`, the opt-in Node',
    '  transport; "rxjs-auth-http (full chain)" uses the default, rxjs/ajax over xhr2, and is the one the goals below are about unless a row says node:http.',
    "- CPU per request: `process.cpuUsage()` of the client process over the window, divided by the requests that succeeded in it. Peak RSS: the client process's `maxRSS`.",
    "  It is shown whole and split into user and system time. On loopback a socket write runs much of the receiving side's TCP work inside the sender's",
    "  system call, so system time moves with the server; user time is the client's own code, and is what the layer's cost is measured on.",
    `- The layer's cost: the full chain and the same transport bare each run in a warm client process of their own, and the bench alternates the two in`,
    `  ${plan.layerSlices.pairs} pairs of ${plan.layerSlices.windowMs} ms windows at concurrency 16 (ABBA order). Its cost is the median of the pairs' differences in bytes allocated`,
    "  per request (V8's GC profiler, which does not move with the machine's load) and in user CPU per request, the latter also as a share of the bare transport's.",
    '  The separate cells of one round lie tens of seconds apart on a machine whose speed drifts; the two windows of a pair lie half a second apart.',
    `- Expiry scenario: the server expires every access token ${plan.expiry.expiries} times in a ${plan.expiry.windowMs} ms window (every ${plan.expiry.periodMs} ms), and its token`,
    `  endpoint answers after ${plan.expiry.tokenDelayMs} ms, as a real one over a network does. Refresh tokens rotate; presenting a used one counts as reuse and is refused.`,
    `  Requests still running when the window closes get up to ${plan.drainMs / 1000} s to finish; those that fail in the window or the drain count as failed.`,
    '- Variants: ' +
      Object.values(VARIANT_LABELS).join('; ') +
      '. Each is written the way its own documentation shows (see `bench/variants.ts`);',
    '  axios-auth-refresh 5.0.2 runs with its default options. Our library is bundled by esbuild (target es2022) as the published package is.',
    '',
    '## Goals',
    '',
    '| Goal | Target | Measured | Result |',
    '| --- | --- | --- | --- |',
    ...summary.goals.map((goal) => `| ${goal.name} | ${goal.target} | ${goal.measured} | **${goal.result}** |`),
    '',
    '![Requests per second, client user CPU per request, failed requests per expiry](benchmarks.svg)',
    '',
    ...handWrittenSection(),
    '## Throughput, latency, CPU and memory (no expiry)',
    '',
    '| Client | Concurrency | req/s | req/s range over rounds | × bare ajax | × raw http | p50 ms | p99 ms | client CPU µs/req | user µs/req | system µs/req | peak RSS MB | server core used | failed |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...summary.throughput.map(throughputLine),
    '',
    '"server core used" is the share of one core the server process used: near 1.00, the server, not the client, set the pace.',
    'The range column shows how far the rounds spread on this shared machine; differences smaller than that spread are noise.',
    '',
    ...baselineCheck(summary),
    '',
    '## Under token expiry',
    '',
    '| Client | Concurrency | req/s | p99 ms | expiries | refresh calls per expiry | 401s per expiry | failed requests | failed per expiry | refresh-token reuse |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...summary.expiry.map(expiryLine),
    '',
    'A 401 per request in flight at the moment of expiry cannot be avoided by any client: those requests were sent with a token that was good when they left.',
    '',
    '## The auth layer alone',
    '',
    `- Coordination CPU per request: \`session.authorize(() => of(value))\` ${us(summary.coordination.authorizeMicros)}; through \`authInterceptor\` and the chain (origin check, token attach) ${us(summary.coordination.interceptorMicros)};`,
    `  \`of(value)\` alone ${us(summary.coordination.baselineMicros)}. Median of six batches after a warm-up batch.`,
    `- ${summary.parked.requests.toLocaleString('en-US')} requests (\`client.get\`) parked on one refresh that has not answered: heap grew ${(summary.parked.heapDeltaBytes / 2 ** 20).toFixed(1)} MB`,
    `  (${Math.round(summary.parked.heapDeltaBytes / summary.parked.requests)} bytes per request; RSS ${(summary.parked.rssDeltaBytes / 2 ** 20).toFixed(1)} MB), measured after \`gc()\`; ${summary.parked.refreshCalls} refresh call(s) in all;`,
    `  ${summary.parked.settled} of them settled when the refresh was then failed.`,
    '',
    '## Browser bundle size',
    '',
    'Written by `npm run size` from the checks in `.size-limit.mjs`, not by this bench: each import set',
    '(the files in `bench/size/`) bundled by esbuild through size-limit as a bundler user gets the',
    'package (its `exports`, browser condition, ES2022, minified), gzipped at level 9; rxjs left out (the',
    'app ships it anyway), and Angular for the adapter. The last three rows are one small app (a bearer',
    'token from memory, one shared refresh_token grant on a 401, then the retry) written with this',
    'library, with ky 2 and a refresh by hand, and with axios + axios-auth-refresh.',
    'Every row of ours also counts the import lines of rxjs that each module of the built package keeps',
    '(about 30, 1.8 kB minified, 0.4 kB gzipped), which a bundler that bundles rxjs merges away.',
    '',
    sizeTable,
    '',
  ];
  return lines.join('\n');
}

// The issue that asked for this bench gave figures seen before on this machine; the same
// comparisons, as this run measured them.
function baselineCheck(summary: BenchSummary): string[] {
  const span = (variant: Variant, pick: (row: ThroughputRow) => number) => {
    const values = summary.throughput.filter((row) => row.variant === variant).map(pick);
    return `${fixed(Math.min(...values))}–${fixed(Math.max(...values))}×`;
  };
  const axios256 = summary.expiry.find((row) => row.variant === 'axios-refresh' && row.concurrency === 256);
  return [
    'Against the figures the benchmark issue expected on this machine:',
    '',
    `- bare rxjs/ajax + xhr2 vs raw node:http: ${span('bare-ajax', (row) => row.vsRaw)} of its req/s (expected 0.76–0.88×);`,
    `- axios + axios-auth-refresh vs raw node:http: ${span('axios-refresh', (row) => row.vsRaw)} (expected 0.30–0.50×);`,
    axios256
      ? `- axios-auth-refresh at concurrency 256 under expiry: ${fixed(axios256.refreshPerExpiry)} refresh calls and ${fixed(axios256.failedPerExpiry, 1)} failed requests per expiry (expected 1 refresh, 255 of 256 failed).`
      : '- axios-auth-refresh did not run under expiry.',
  ];
}

function throughputLine(row: ThroughputRow): string {
  return `| ${VARIANT_LABELS[row.variant]} | ${row.concurrency} | ${fixed(row.rps, 0)} | ${fixed(row.rpsRange[0], 0)}–${fixed(row.rpsRange[1], 0)} | ${ratio(row.vsBare)} | ${ratio(row.vsRaw)} | ${fixed(row.p50Ms)} | ${fixed(row.p99Ms)} | ${fixed(row.cpuMicrosPerRequest, 0)} | ${fixed(row.userMicrosPerRequest, 0)} | ${fixed(row.systemMicrosPerRequest, 0)} | ${fixed(row.peakRssMb, 0)} | ${fixed(row.serverCore)} | ${row.failed} |`;
}

function expiryLine(row: ExpiryRow): string {
  return `| ${VARIANT_LABELS[row.variant]} | ${row.concurrency} | ${fixed(row.rps, 0)} | ${fixed(row.p99Ms, 1)} | ${row.expiries} | ${fixed(row.refreshPerExpiry)} | ${fixed(row.unauthorizedPerExpiry, 1)} | ${row.failed} | ${fixed(row.failedPerExpiry, 1)} | ${row.refreshTokenReuse} |`;
}

const ratio = (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)}×` : '–');
const us = (value: number) => `${value.toFixed(2)} µs`;

/** The size table of a benchmarks.md, markers included, or empty markers when it has none. */
export function sizeTableOf(markdown: string): string {
  const start = '<!-- size-table:start -->';
  const end = '<!-- size-table:end -->';
  const from = markdown.indexOf(start);
  const to = markdown.indexOf(end);
  return from !== -1 && to > from ? markdown.slice(from, to + end.length) : `${start}\n${end}`;
}
