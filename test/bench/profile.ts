/**
 * Reads the V8 CPU profiles that `node --cpu-prof` leaves (bench --profile) and
 * lists where benchboot spent its time: self time per function, heaviest first, so
 * the owners of the hot path see which functions to look at.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Table } from './section.js';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly hitCount?: number;
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples?: readonly number[];
  readonly timeDeltas?: readonly number[];
}

/** One function's share of a profile. */
export interface HotFunction {
  readonly fn: string;
  readonly selfMs: number;
  readonly percent: number;
}

function label(node: ProfileNode, root: string): string {
  const f = node.callFrame;
  const name = f.functionName || '(anonymous)';
  if (!f.url) return name;
  const url = f.url.replace('file://', '').replace(root, '').replace(/^.*benchboot-bench-build-[^/]+\//, '');
  return `${name} ${url}:${f.lineNumber + 1}`;
}

/** Self time per function of one .cpuprofile, heaviest first (at most `top`). */
export function hotFunctions(path: string, root: string, top = 20): { totalMs: number; busyMs: number; functions: HotFunction[] } {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<string, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const node = byId.get(samples[i] ?? -1);
    if (!node) continue;
    const key = label(node, root);
    selfUs.set(key, (selfUs.get(key) ?? 0) + Math.max(0, deltas[i + 1] ?? deltas[i] ?? 0));
  }
  const totalUs = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const busyUs = totalUs - (selfUs.get('(idle)') ?? 0);
  const functions = [...selfUs.entries()]
    .filter(([k]) => k !== '(idle)')
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([fn, us]) => ({ fn, selfMs: us / 1000, percent: busyUs > 0 ? (100 * us) / busyUs : NaN }));
  return { totalMs: totalUs / 1000, busyMs: busyUs / 1000, functions };
}

/** Tables of hot functions for the largest profile of each kind (`dir`/dhcp, `dir`/tftp). */
export function profileTables(dir: string, root: string): Table[] {
  const tables: Table[] = [];
  for (const kind of ['dhcp', 'tftp']) {
    if (!existsSync(join(dir, kind))) continue;
    const mine = readdirSync(join(dir, kind))
      .filter((f) => f.endsWith('.cpuprofile'))
      .map((f) => join(dir, kind, f));
    const largest = mine.sort((a, b) => statSync(b).size - statSync(a).size)[0];
    if (!largest) continue;
    const { totalMs, busyMs, functions } = hotFunctions(largest, root);
    tables.push({
      caption: `benchboot ${kind.toUpperCase()} server, ${kind}/${basename(largest)} (largest of ${mine.length}): self time; ${(busyMs / 1000).toFixed(1)} s busy of ${(totalMs / 1000).toFixed(1)} s sampled`,
      header: ['function', 'self ms', '% of busy time'],
      rows: functions.map((f) => [f.fn, f.selfMs.toFixed(0), f.percent.toFixed(1)]),
    });
  }
  return tables;
}
