// Reads a V8 CPU profile (the .cpuprofile format that `node --cpu-prof` and Chrome DevTools use)
// bottom-up: the time each function ran itself, not counting its callees. Functions of the bench's
// bundle are mapped back through its source map to the lib/ or bench/ file they came from.
import type { SourceMap } from 'node:module';
import path from 'node:path';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
  readonly columnNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}

export interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Who owns the code that ran: ours, a package, Node, or V8 itself. */
export type Owner =
  | 'rxjs-auth-http'
  | 'bench harness'
  | 'rxjs'
  | 'xhr2'
  | 'other packages'
  | 'node internals'
  | 'V8 built-ins'
  | 'garbage collector'
  | 'idle';

/** Time of one function over the whole profile, in µs. */
export interface FunctionTime {
  /** `name (file:line)`, the same for the same function in every profile of the same bundle. */
  readonly key: string;
  readonly owner: Owner;
  /** Time it ran itself. */
  readonly selfMicros: number;
  /** Time it was on the stack: itself and everything it called (counted once under recursion). */
  readonly totalMicros: number;
}

export interface BottomUp {
  readonly totalMicros: number;
  readonly functions: readonly FunctionTime[];
}

/** Sums each function's self time; `bundleMap` maps the bundle's positions to its sources. */
export function bottomUp(profile: CpuProfile, bundleMap: SourceMap | null, root: string): BottomUp {
  const selfById = new Map<number, number>();
  // timeDeltas[i] is the time from sample i-1 to sample i: it belongs to what ran at i-1.
  for (let i = 0; i < profile.samples.length - 1; i++) {
    const id = profile.samples[i] as number;
    selfById.set(id, (selfById.get(id) ?? 0) + (profile.timeDeltas[i + 1] as number));
  }
  const parentOf = new Map<number, number>();
  const nodeById = new Map<number, ProfileNode>();
  for (const node of profile.nodes) {
    nodeById.set(node.id, node);
    for (const child of node.children ?? []) parentOf.set(child, node.id);
  }
  const byKey = new Map<string, { owner: Owner; selfMicros: number; totalMicros: number }>();
  const entryOf = (node: ProfileNode) => {
    const { key, owner } = describe(node.callFrame, bundleMap, root);
    let entry = byKey.get(key);
    if (!entry) byKey.set(key, (entry = { owner, selfMicros: 0, totalMicros: 0 }));
    return entry;
  };
  for (const [id, micros] of selfById) {
    const node = nodeById.get(id) as ProfileNode;
    entryOf(node).selfMicros += micros;
    const onStack = new Set<{ totalMicros: number }>();
    for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) {
      onStack.add(entryOf(nodeById.get(at) as ProfileNode));
    }
    for (const entry of onStack) entry.totalMicros += micros;
  }
  const functions = [...byKey].map(([key, entry]) => ({ key, ...entry }));
  functions.sort((a, b) => b.selfMicros - a.selfMicros);
  return { totalMicros: functions.reduce((sum, f) => sum + f.selfMicros, 0), functions };
}

function describe(frame: CallFrame, bundleMap: SourceMap | null, root: string): { key: string; owner: Owner } {
  const name = frame.functionName || '(anonymous)';
  if (!frame.url) {
    if (name === '(garbage collector)') return { key: name, owner: 'garbage collector' };
    if (name === '(idle)') return { key: name, owner: 'idle' };
    // (program) is V8 outside any JS function: compiling, IC misses, runtime calls.
    return { key: name, owner: 'V8 built-ins' };
  }
  if (frame.url.startsWith('node:'))
    return { key: `${name} (${frame.url}:${frame.lineNumber + 1})`, owner: 'node internals' };
  let file = frame.url.replace(/^file:\/\//, '');
  let line = frame.lineNumber + 1;
  if (bundleMap && file.endsWith('.cjs')) {
    const entry = bundleMap.findEntry(frame.lineNumber, frame.columnNumber) as {
      originalSource?: string;
      originalLine?: number;
    };
    if (entry.originalSource) {
      file = path.resolve(path.dirname(file), entry.originalSource.replace(/^file:\/\//, ''));
      line = (entry.originalLine ?? 0) + 1;
    }
  }
  // From the project's own top folder on: the same key in a worktree whose node_modules is a link.
  const relative = path.relative(root, file).replace(/^(\.\.\/)+[^/]+\/(?=(lib|bench|test-server|node_modules)\/)/, '');
  const key = `${name} (${relative}:${line})`;
  if (relative.startsWith('lib/')) return { key, owner: 'rxjs-auth-http' };
  if (relative.startsWith('bench/') || relative.startsWith('test-server/')) return { key, owner: 'bench harness' };
  if (relative.includes('node_modules/rxjs/')) return { key, owner: 'rxjs' };
  if (relative.includes('node_modules/xhr2/')) return { key, owner: 'xhr2' };
  return { key, owner: 'other packages' };
}

interface HeapNode {
  readonly callFrame: CallFrame;
  readonly selfSize: number;
  readonly children: readonly HeapNode[];
}

/** A sampling heap profile (.heapprofile): a call tree whose nodes hold the bytes they allocated. */
export interface HeapProfile {
  readonly head: HeapNode;
}

/** Bytes each function allocated itself (V8's estimate from its samples), by the same keys as {@link bottomUp}. */
export function allocationsBottomUp(
  profile: HeapProfile,
  bundleMap: SourceMap | null,
  root: string,
): Map<string, { owner: Owner; bytes: number }> {
  const byKey = new Map<string, { owner: Owner; bytes: number }>();
  const visit = (node: HeapNode) => {
    if (node.selfSize > 0) {
      const { key, owner } = describe(node.callFrame, bundleMap, root);
      const entry = byKey.get(key) ?? { owner, bytes: 0 };
      entry.bytes += node.selfSize;
      byKey.set(key, entry);
    }
    node.children.forEach(visit);
  };
  visit(profile.head);
  return byKey;
}
