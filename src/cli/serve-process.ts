/**
 * serve's side of the process: the start-up steps, the signals (SIGINT/SIGTERM stop,
 * a second one leaves at once, SIGHUP reloads) and the process seam tests replace.
 */
import type { Appliance } from '../appliance/index.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';

/** The start-up steps of serve, in order (a stop request is honoured at each). */
export const SERVE_STEPS = ['signals', 'interfaces', 'probe', 'preflight', 'serving'] as const;
/** One start-up step. */
export type ServeStep = (typeof SERVE_STEPS)[number];

/** The process facilities serve needs: signals, and leaving at once on a second Ctrl-C. */
export interface ServeProcess {
  /** Subscribes to a signal; returns the unsubscribe function. */
  onSignal(signal: 'SIGHUP' | 'SIGINT' | 'SIGTERM', handler: () => void): () => void;
  /** Ends the process now with `code` (a second stop signal, after undoing what can be undone). */
  exit(code: number): void;
  /**
   * Called as each start-up step is reached, and awaited (tests send a signal there and
   * resolve once it is handled, as if it had come during that step; the real process
   * has none). The probe step is not awaited: the probe is cut short by the stop itself.
   */
  step?(step: ServeStep): void | Promise<void>;
}

/** The real process. */
export function systemServeProcess(): ServeProcess {
  return {
    onSignal(signal, handler) {
      process.on(signal, handler);
      return () => process.off(signal, handler);
    },
    exit(code) {
      process.exit(code);
    },
  };
}

/** Exit code of a run ended by a second stop signal (128 + SIGINT, as shells report it). */
export const FORCED_EXIT_CODE = 130;
/** How long the forced exit waits for a temporary address to be removed. */
export const FORCED_CLEANUP_MS = 3000;

/**
 * SIGINT/SIGTERM stop the run (the first: `stopping` aborts, so a probe ends at once
 * and every start-up step returns; the second: `onForce` leaves at once), SIGHUP
 * reloads the running appliance.
 */
export class ServeSignals {
  stopSignal: string | undefined;
  appliance: Appliance | undefined;
  private readonly stopping = new AbortController();
  private wake: (() => void) | undefined;
  private readonly offs: (() => void)[];

  constructor(
    proc: ServeProcess,
    private readonly logger: Logger,
    private readonly onForce: () => void,
  ) {
    this.offs = [
      proc.onSignal('SIGINT', () => this.requestStop('SIGINT')),
      proc.onSignal('SIGTERM', () => this.requestStop('SIGTERM')),
      proc.onSignal('SIGHUP', () => this.reload()),
    ];
  }

  private requestStop(signal: string): void {
    if (this.stopSignal !== undefined) {
      this.logger.warn('second stop signal: leaving now (a temporary address is still removed; ACKed leases are on disk)', { signal });
      this.onForce();
      return;
    }
    this.stopSignal = signal;
    this.logger.info('signal received, stopping', { signal });
    this.stopping.abort();
    this.wake?.();
  }

  /** Aborts at the first stop signal. */
  get abort(): AbortSignal {
    return this.stopping.signal;
  }

  private reload(): void {
    const running = this.appliance;
    if (!running) {
      this.logger.info('SIGHUP before the server started: nothing to reload yet');
      return;
    }
    this.logger.info('SIGHUP: reloading scopes');
    running.reload().catch((err: unknown) => this.logger.debug('reload failed (already logged)', { err: errorMessage(err) }));
  }

  /** Resolves when a stop signal arrives (at once if one already did). */
  untilStop(): Promise<void> {
    return this.stopSignal !== undefined ? Promise.resolve() : new Promise<void>((r) => (this.wake = r));
  }

  dispose(): void {
    for (const off of this.offs) off();
  }
}
