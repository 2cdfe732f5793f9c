// `npm run bench`: every client side by side in one run, then docs/benchmarks.md and .svg.
// Loopback only, bounded in count and time: each cell has a deadline, a new round is not started
// past the time budget, and every child process is ended before this one exits.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  benchPlan,
  cellTask,
  inTurn,
  CONCURRENCIES,
  REFRESHING_VARIANTS,
  VARIANT_LABELS,
  VARIANTS,
  type BenchPlan,
  type Scenario,
  type Variant,
} from './bench-plan';
import { buildChildren, runClient, runMicro, ServerProcess } from './child-processes';
import type { CoordinationResult, ParkedResult } from './micro-process';
import type { CellRecord } from './cells';
import { fixed, median, perRequest } from './figures';
import { LAYER_PAIRS, measureLayerInSlices, type LayerSlices } from './layer-slices';
import { summarize } from './summarize';
import { benchmarksMarkdown, benchmarksSvg, sizeTableOf } from './write-report';

// A quick smoke run's rough figures must not replace the real ones in docs/.
const outputDir = (quick: boolean) =>
  quick ? path.join(os.tmpdir(), 'rxjs-auth-http-bench-quick') : path.resolve(__dirname, '..', 'docs');

async function main(): Promise<void> {
  const plan = benchPlan(process.env['BENCH_QUICK'] === '1');
  const startedAt = performance.now();
  const elapsed = () => performance.now() - startedAt;
  const bundles = await buildChildren();
  const server = await ServerProcess.start(bundles['server-process']);
  const cells: CellRecord[] = [];
  const layerSlices: LayerSlices[] = [];
  let rounds = 0;
  try {
    for (let round = 1; round <= plan.rounds; round++) {
      if (round > 1 && elapsed() > plan.budgetMs) {
        console.log(`time budget of ${plan.budgetMs / 1000} s reached: stopping after ${rounds} round(s)`);
        break;
      }
      rounds = round;
      const order = inTurn(VARIANTS, round);
      for (const concurrency of CONCURRENCIES) {
        for (const variant of order)
          cells.push(await runCell(plan, bundles['client-process'], server, round, 'throughput', variant, concurrency));
        for (const variant of order.filter((v) => REFRESHING_VARIANTS.includes(v))) {
          cells.push(await runCell(plan, bundles['client-process'], server, round, 'expiry', variant, concurrency));
        }
      }
    }
    for (const [layered, bare] of LAYER_PAIRS) {
      const slices = await measureLayerInSlices(plan, bundles['client-process'], server, layered, bare);
      console.log(
        `layer in ${slices.differences.length} interleaved pairs: ${VARIANT_LABELS[layered]} minus ${VARIANT_LABELS[bare]} ` +
          `${fixed(median(slices.differences), 1)} µs user CPU per request (failed ${slices.failed})`,
      );
      layerSlices.push(slices);
    }
  } finally {
    server.stop();
  }

  const coordination = await runMicro<CoordinationResult>(
    bundles['micro-process'],
    ['coordination', String(plan.coordinationOps)],
    120_000,
  );
  const parked = await runMicro<ParkedResult>(
    bundles['micro-process'],
    ['parked', String(plan.parkedRequests)],
    120_000,
  );
  const summary = summarize(cells, layerSlices, coordination, parked);
  const runSeconds = elapsed() / 1000;

  const out = outputDir(plan.quick);
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, 'benchmarks.svg'), benchmarksSvg(summary));
  // The size table is npm run size's (size-limit): carried over as it is.
  const sizeTable = sizeTableOf(readFileSync(path.resolve(__dirname, '../docs/benchmarks.md'), 'utf8'));
  writeFileSync(path.join(out, 'benchmarks.md'), benchmarksMarkdown(summary, plan, runSeconds, rounds, sizeTable));
  console.log('');
  for (const goal of summary.goals)
    console.log(`${goal.result.padEnd(8)}${goal.name}: ${goal.measured} (target ${goal.target})`);
  console.log(`\nwrote ${path.join(out, 'benchmarks.md')} and benchmarks.svg in ${runSeconds.toFixed(0)} s`);
}

async function runCell(
  plan: BenchPlan,
  bundle: string,
  server: ServerProcess,
  round: number,
  scenario: Scenario,
  variant: Variant,
  concurrency: number,
): Promise<CellRecord> {
  const task = cellTask(plan, { scenario, variant, concurrency, baseUrl: server.url });
  const expiries = scenario === 'expiry' ? plan.expiry.expiries : 0;
  const limitMs = 2 * plan.drainMs + plan.warmupMaxMs + task.windowMs + 20_000;
  const client = await runClient(
    bundle,
    task,
    {
      onWarm: () => server.begin(expiries, plan.expiry.periodMs, scenario === 'expiry' ? plan.expiry.tokenDelayMs : 0),
      onWindowClosed: () => server.stopExpiring(),
    },
    limitMs,
  );
  const measured = await server.end();
  const rps = client.completed / (client.windowMs / 1000);
  const expiryNote =
    scenario === 'expiry'
      ? `  refresh ${measured.refreshCalls}/${measured.expiries} expiries, 401s ${measured.unauthorized}, reuse ${measured.refreshTokenReuse}`
      : '';
  console.log(
    `round ${round} ${scenario.padEnd(10)} ${VARIANT_LABELS[variant].padEnd(34)} c=${String(concurrency).padEnd(3)} ` +
      `${rps.toFixed(0).padStart(6)} req/s  p99 ${fixed(client.p99Ms, 1).padStart(6)} ms  ` +
      `${fixed(perRequest(client.cpuMicros, client.completed), 0).padStart(4)} µs CPU/req ` +
      `(user ${fixed(perRequest(client.userCpuMicros, client.completed), 0)}, ` +
      `server ${fixed(perRequest(measured.cpuMicros, client.completed), 0)}; ` +
      `waits/req ${fixed(client.contextSwitches.voluntary / client.completed, 2)}, ` +
      `preempted/req ${fixed(client.contextSwitches.involuntary / client.completed, 3)})  ` +
      `failed ${client.failed}${expiryNote}`,
  );
  if (
    client.failureSamples.length > 0 &&
    (scenario === 'throughput' || variant === 'full-chain' || variant === 'full-chain-node')
  )
    console.log(`  failures: ${client.failureSamples.join(' | ')}`);
  return { round, scenario, variant, concurrency, client, server: measured };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
