/**
 * What a benchmark section hands to the report: its method in words, the exact
 * commands, tables of figures, the targets marked met or missed, and the raw
 * per-round data for the JSON report.
 */
import type { Bench } from './lab.js';
import type { ServerSpec } from './servers.js';

/** A table of already-formatted cells. */
export interface Table {
  readonly caption: string;
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

/** One target from the issue, judged. `met` is undefined when it could not be measured. */
export interface TargetResult {
  readonly target: string;
  readonly measured: string;
  readonly met: boolean | undefined;
}

/** The outcome of one section. */
export interface SectionResult {
  readonly id: string;
  readonly title: string;
  readonly method: readonly string[];
  readonly commands: readonly string[];
  readonly tables: readonly Table[];
  readonly targets: readonly TargetResult[];
  readonly notes: readonly string[];
  readonly raw: unknown;
  /** When the section finished (set by the runner). */
  readonly ranAt?: string;
}

/** Settings every section receives. */
export interface SectionContext {
  readonly quick: boolean;
  readonly rounds: number;
  /** Progress line on stderr. */
  readonly log: (line: string) => void;
  /** Builds a fresh bench with this veth MTU; the section closes it. */
  readonly bench: (mtu: number) => Promise<Bench>;
  /** The DHCP servers to compare, benchboot first when it is available. */
  readonly dhcpServers: readonly ServerSpec[];
  /** The TFTP servers to compare, benchboot first when it is available. */
  readonly tftpServers: readonly ServerSpec[];
  /** The HTTP servers to compare (benchboot serve's HTTP side, nginx), benchboot first when it is available. */
  readonly httpServers: readonly ServerSpec[];
  /** Why benchboot is missing from the comparison, when it is. */
  readonly benchbootMissing?: string;
}

/** A selectable section. */
export interface Section {
  readonly id: string;
  readonly title: string;
  run(ctx: SectionContext): Promise<SectionResult>;
}

/** Rotates `items` by `round` so that each round starts with a different server. */
export function alternate<T>(items: readonly T[], round: number): T[] {
  const k = items.length === 0 ? 0 : round % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}
