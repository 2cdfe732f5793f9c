// One cell of the bench in a fresh process: one variant at one concurrency. A fresh process per
// cell keeps one client's heap, sockets and JIT state out of the next one's figures.
// Steps: warm up (for a time and a number of requests, see BenchPlan.warmupRequests), say 'warm', wait for 'go', load for the window, say 'window-closed', drain,
// send the result, exit. With `slices`, the steps from 'go' to the result repeat that many times.
import { writeFileSync } from 'node:fs';
import type { CellTask, ClientMessage, ClientMeasurement } from './bench-plan';
import { quantile } from './figures';
import { startLoad } from './load-driver';
import { createVariant, type SendOne } from './variants';
import { WindowProfiler } from './window-profiler';

async function main(): Promise<void> {
  process.on('disconnect', () => process.exit(1)); // the orchestrator is gone: so is the point
  const task = JSON.parse(process.argv[2] ?? '') as CellTask;
  const send = await createVariant(task.variant, task.baseUrl);

  const warmup = startLoad(send, task.concurrency);
  const warmupStartedAt = performance.now();
  await sleep(task.warmupMs);
  while (warmup.completed < task.warmupRequests && performance.now() - warmupStartedAt < task.warmupMaxMs) {
    await sleep(50);
  }
  await warmup.stop(task.drainMs);
  await tell({ type: 'warm' });

  if (task.slices !== undefined) {
    for (let slice = 0; slice < task.slices; slice++) {
      await nextMessage('go');
      await tell({ type: 'slice', measurement: await measureWindow(task, send) });
    }
  } else {
    await nextMessage('go');
    await tell({ type: 'result', measurement: await measureWindow(task, send) });
  }
  // Keep-alive sockets and timers of the variant must not hold the process open.
  process.exit(0);
}

/** One window of load: its throughput, latency and CPU, then a drain whose CPU is not counted. */
async function measureWindow(task: CellTask, send: SendOne): Promise<ClientMeasurement> {
  const profiler = task.profile ? new WindowProfiler(task.profile.kind) : null;
  await profiler?.start();
  const cpuBefore = process.cpuUsage();
  const usageBefore = process.resourceUsage();
  const startedAt = performance.now();
  const load = startLoad(send, task.concurrency);
  await sleep(task.windowMs);
  // Read before the drain: the window's throughput and CPU, not the stragglers'.
  const completed = load.completed;
  const cpu = process.cpuUsage(cpuBefore);
  const usage = process.resourceUsage();
  const windowMs = performance.now() - startedAt;
  const profile = await profiler?.stop();
  const latencies = load.latencies.slice(0, completed);
  void tell({ type: 'window-closed' });
  const { unfinished } = await load.stop(task.drainMs);
  if (task.profile?.file && profile) writeFileSync(task.profile.file, JSON.stringify(profile.profile));

  return {
    completed,
    failed: load.failed + unfinished,
    unfinished,
    windowMs,
    p50Ms: quantile(latencies, 0.5),
    p99Ms: quantile(latencies, 0.99),
    cpuMicros: cpu.user + cpu.system,
    userCpuMicros: cpu.user,
    systemCpuMicros: cpu.system,
    contextSwitches: {
      voluntary: usage.voluntaryContextSwitches - usageBefore.voluntaryContextSwitches,
      involuntary: usage.involuntaryContextSwitches - usageBefore.involuntaryContextSwitches,
    },
    ...(profile ? { gc: profile.gc } : {}),
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    failureSamples: load.failureSamples,
  };
}

function tell(message: ClientMessage): Promise<void> {
  return new Promise((resolve) => process.send?.(message, () => resolve()) ?? resolve());
}

function nextMessage(type: string): Promise<void> {
  return new Promise((resolve) => {
    const listener = (message: { type?: string }) => {
      if (message?.type !== type) return;
      process.off('message', listener);
      resolve();
    };
    process.on('message', listener);
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

main().catch(async (error: unknown) => {
  await tell({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exit(1);
});
