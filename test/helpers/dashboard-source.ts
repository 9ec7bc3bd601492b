/** A DashboardSource for dashboard tests that need no appliance: empty, with what a test overrides. */
import type { DashboardSource } from '../../src/web/source.js';

export function fakeDashboardSource(overrides: Partial<DashboardSource> = {}): DashboardSource {
  return {
    devices: () => [],
    device: () => undefined,
    resetDevice: () => Promise.resolve(),
    leases: () => [],
    scopes: () => [],
    transfers: () => [],
    counters: () => ({ reloads: { ok: 0, rejected: 0 } }),
    uploadDir: () => undefined,
    now: () => Date.now(),
    subscribe: () => () => undefined,
    ...overrides,
  };
}
