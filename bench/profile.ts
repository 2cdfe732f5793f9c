// `npm run bench:profile`: where a client's CPU goes per request, with the layer's own share.
// Runs the bench's cell (a closed loop of GETs against the loopback server, one client process per
// cell) for the full chain and the same transport bare, on both transports, and for each:
// - a plain cell, for user and system CPU per request with no profiler running;
// - a cell under V8's CPU profiler: its profile of the window, read bottom-up, and GC per request;
// - a cell under V8's sampling heap profiler: bytes allocated per request, by the allocating function.
// Each is run in every round, in turns; figures are medians over rounds. The .cpuprofile files are
// kept, to open in Chrome DevTools (Performance tab, "Load profile").
//   npm run bench:profile -- [--rounds 3] [--concurrency 16] [--top 25]
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { SourceMap, type SourceMapPayload } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  benchPlan,
  cellTask,
  inTurn,
  VARIANT_LABELS,
  type CellTask,
  type ClientMeasurement,
  type Variant,
} from './bench-plan';
import { buildChildren, runClient, ServerProcess } from './child-processes';
import {
  allocationsBottomUp,
  bottomUp,
  type BottomUp,
  type CpuProfile,
  type HeapProfile,
  type Owner,
} from './cpu-profile';
import { fixed, median, perRequest } from './figures';
import { LAYER_PAIRS } from './layer-slices';

interface Run {
  readonly variant: Variant;
  readonly plain: ClientMeasurement;
  /** The cell under the CPU profiler, which also counted GC and allocated bytes. */
  readonly profiled: ClientMeasurement;
  readonly profile: BottomUp;
  /** The cell under the heap sampler, and what it found. */
  readonly heapProfiled: ClientMeasurement;
  readonly allocations: Map<string, { owner: Owner; bytes: number }>;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rounds: { type: 'string', default: '3' },
      concurrency: { type: 'string', default: '16' },
      top: { type: 'string', default: '25' },
      'window-ms': { type: 'string', default: '3000' },
    },
  });
  const rounds = Number(values.rounds);
  const concurrency = Number(values.concurrency);
  const windowMs = Number(values['window-ms']);
  const plan = benchPlan(false);
  const outDir = path.join(os.tmpdir(), 'rxjs-auth-http-profile');
  mkdirSync(outDir, { recursive: true });
  const root = path.resolve(__dirname, '..');

  const bundles = await buildChildren();
  const bundleMap = new SourceMap(
    JSON.parse(readFileSync(`${bundles['client-process']}.map`, 'utf8')) as SourceMapPayload,
  );
  const server = await ServerProcess.start(bundles['server-process']);
  const variants = LAYER_PAIRS.flat();
  const runs: Run[] = [];
  try {
    for (let round = 1; round <= rounds; round++) {
      for (const variant of inTurn(variants, round)) {
        // Warmed up as the full bench warms up: until V8 has optimized the chain, not for a fixed time.
        const task = cellTask(plan, { scenario: 'throughput', variant, concurrency, baseUrl: server.url, windowMs });
        const run = (cell: CellTask) =>
          runClient(
            bundles['client-process'],
            cell,
            { onWarm: () => server.begin(0, 1, 0), onWindowClosed: async () => {} },
            60_000,
          ).then(async (measurement) => (await server.end(), measurement));
        const plain = await run(task);
        const cpuFile = path.join(outDir, `${variant}-c${concurrency}-round${round}.cpuprofile`);
        const profiled = await run({ ...task, profile: { kind: 'cpu', file: cpuFile } });
        const heapFile = path.join(outDir, `${variant}-c${concurrency}-round${round}.heapprofile`);
        const heapProfiled = await run({ ...task, profile: { kind: 'heap', file: heapFile } });
        runs.push({
          variant,
          plain,
          profiled,
          profile: bottomUp(JSON.parse(readFileSync(cpuFile, 'utf8')) as CpuProfile, bundleMap, root),
          heapProfiled,
          allocations: allocationsBottomUp(JSON.parse(readFileSync(heapFile, 'utf8')) as HeapProfile, bundleMap, root),
        });
        console.error(
          `round ${round} ${VARIANT_LABELS[variant].padEnd(34)} ${fixed(perRequest(plain.userCpuMicros, plain.completed), 1)} µs user ` +
            `${fixed(perRequest(plain.systemCpuMicros, plain.completed), 1)} µs system per request`,
        );
      }
    }
  } finally {
    server.stop();
  }
  const report = profileReport(runs, concurrency, rounds, Number(values.top));
  const reportFile = path.join(outDir, 'report.md');
  writeFileSync(reportFile, report);
  console.log(report);
  console.log(`\nprofiles and this report: ${outDir}`);
}

function profileReport(runs: readonly Run[], concurrency: number, rounds: number, top: number): string {
  const of = (variant: Variant) => runs.filter((run) => run.variant === variant);
  const med = (variant: Variant, value: (run: Run) => number) => median(of(variant).map(value));
  // A function's self time per request in one run, then the median over rounds.
  const selfPerRequest = (variant: Variant, key: string) =>
    med(variant, (run) =>
      perRequest(run.profile.functions.find((f) => f.key === key)?.selfMicros ?? 0, run.profiled.completed),
    );
  const ownerPerRequest = (variant: Variant, owner: Owner) =>
    med(variant, (run) =>
      perRequest(
        run.profile.functions.filter((f) => f.owner === owner).reduce((sum, f) => sum + f.selfMicros, 0),
        run.profiled.completed,
      ),
    );
  const lines: string[] = [
    `# Where the time goes: concurrency ${concurrency}, median of ${rounds} round(s)`,
    '',
    'CPU per request with no profiler running (user and system are the two parts of `process.cpuUsage()`), then GC and allocation measured in the profiled run.',
    '',
    '| Client | req/s | user µs/req | system µs/req | allocated bytes/req | scavenges per 1,000 req | GC pause µs/req |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const variant of LAYER_PAIRS.flat()) {
    lines.push(
      `| ${VARIANT_LABELS[variant]} | ${med(variant, (run) => run.plain.completed / (run.plain.windowMs / 1000)).toFixed(0)} | ` +
        `${fixed(med(variant, (run) => perRequest(run.plain.userCpuMicros, run.plain.completed)))} | ` +
        `${fixed(med(variant, (run) => perRequest(run.plain.systemCpuMicros, run.plain.completed)))} | ` +
        `${fixed(
          med(variant, (run) => perRequest(run.profiled.gc?.allocatedBytes ?? NaN, run.profiled.completed)),
          0,
        )} | ` +
        `${fixed(med(variant, (run) => perRequest((run.profiled.gc?.scavenges ?? NaN) * 1000, run.profiled.completed)))} | ` +
        `${fixed(med(variant, (run) => perRequest((run.profiled.gc?.pauseMs ?? NaN) * 1000, run.profiled.completed)))} |`,
    );
  }
  const owners: Owner[] = [
    'rxjs-auth-http',
    'rxjs',
    'xhr2',
    'other packages',
    'node internals',
    'V8 built-ins',
    'garbage collector',
    'bench harness',
  ];
  for (const [layered, bare] of LAYER_PAIRS) {
    const layerUser =
      med(layered, (run) => perRequest(run.plain.userCpuMicros, run.plain.completed)) -
      med(bare, (run) => perRequest(run.plain.userCpuMicros, run.plain.completed));
    lines.push(
      '',
      `## ${VARIANT_LABELS[layered]} against ${VARIANT_LABELS[bare]}`,
      '',
      `Layer cost (user CPU per request, the difference of the medians): **${fixed(layerUser)} µs**.`,
      '',
      'Profiled self time per request, by owner (the profiler itself adds to every figure):',
      '',
      `| Owner | ${VARIANT_LABELS[bare]} µs | ${VARIANT_LABELS[layered]} µs | difference µs |`,
      '| --- | ---: | ---: | ---: |',
    );
    for (const owner of owners) {
      const a = ownerPerRequest(bare, owner);
      const b = ownerPerRequest(layered, owner);
      lines.push(`| ${owner} | ${fixed(a)} | ${fixed(b)} | ${fixed(b - a)} |`);
    }
    const keys = new Set([...of(layered), ...of(bare)].flatMap((run) => run.profile.functions.map((f) => f.key)));
    const differences = [...keys]
      .filter((key) => key !== '(idle)')
      .map((key) => {
        const owner = [...of(layered), ...of(bare)]
          .flatMap((run) => run.profile.functions)
          .find((f) => f.key === key)?.owner;
        return { key, owner, bare: selfPerRequest(bare, key), layered: selfPerRequest(layered, key) };
      })
      .sort((x, y) => y.layered - y.bare - (x.layered - x.bare));
    lines.push(
      '',
      `Top ${top} functions by what the layer adds (self time per request, bottom-up):`,
      '',
      '| Function | Owner | bare µs | layered µs | added µs |',
      '| --- | --- | ---: | ---: | ---: |',
      ...differences
        .slice(0, top)
        .map(
          (d) =>
            `| \`${d.key}\` | ${d.owner} | ${fixed(d.bare)} | ${fixed(d.layered)} | ${fixed(d.layered - d.bare)} |`,
        ),
    );
  }
  for (const [layered, bare] of LAYER_PAIRS) {
    const bytesPerRequest = (variant: Variant, key: string) =>
      med(variant, (run) => perRequest(run.allocations.get(key)?.bytes ?? 0, run.heapProfiled.completed));
    const keys = new Set([...of(layered), ...of(bare)].flatMap((run) => [...run.allocations.keys()]));
    const rows = [...keys]
      .map((key) => ({ key, bare: bytesPerRequest(bare, key), layered: bytesPerRequest(layered, key) }))
      .sort((x, y) => y.layered - y.bare - (x.layered - x.bare));
    lines.push(
      '',
      `## Allocation: ${VARIANT_LABELS[layered]} against ${VARIANT_LABELS[bare]}`,
      '',
      `Bytes allocated per request by the function that allocated them (V8's sampling estimate), top ${top} by what the layer adds:`,
      '',
      '| Function | bare bytes | layered bytes | added bytes |',
      '| --- | ---: | ---: | ---: |',
      ...rows
        .slice(0, top)
        .map(
          (r) =>
            `| \`${r.key}\` | ${r.bare.toFixed(0)} | ${r.layered.toFixed(0)} | ${(r.layered - r.bare).toFixed(0)} |`,
        ),
    );
  }
  for (const variant of [LAYER_PAIRS[0]![0], LAYER_PAIRS[1]![0]]) {
    const totalPerRequest = (key: string) =>
      med(variant, (run) =>
        perRequest(run.profile.functions.find((f) => f.key === key)?.totalMicros ?? 0, run.profiled.completed),
      );
    const ours = [
      ...new Set(
        of(variant).flatMap((run) =>
          run.profile.functions.filter((f) => f.owner === 'rxjs-auth-http').map((f) => f.key),
        ),
      ),
    ];
    lines.push(
      '',
      `## ${VARIANT_LABELS[variant]}: our functions, top down`,
      '',
      'Total time per request (the function and all it called) and self time, for the functions of lib/:',
      '',
      '| Function | total µs | self µs |',
      '| --- | ---: | ---: |',
      ...ours
        .map((key) => ({ key, total: totalPerRequest(key), self: selfPerRequest(variant, key) }))
        .sort((a, b) => b.total - a.total)
        .slice(0, top)
        .map((f) => `| \`${f.key}\` | ${fixed(f.total)} | ${fixed(f.self)} |`),
    );
  }
  return lines.join('\n') + '\n';
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
