/**
 * The live view on a terminal: keeps the reduced state, and redraws it in place
 * with log-update at most a few times a second (a fast transfer reports progress
 * far more often than a person can read). log-update was chosen over ink/React:
 * the view is a handful of text lines from a pure renderer, so a redraw helper is
 * all that is needed, with no UI framework and no JSX.
 */
import { createLogUpdate } from 'log-update';
import type { Writable } from 'node:stream';
import type { Clock, TimerHandle } from '../clock.js';
import type { ApplianceEvent } from './events.js';
import { renderView } from './render.js';
import { initialViewState, reduceView, type ViewState } from './state.js';

/** Minimum time between two redraws. */
export const REDRAW_INTERVAL_MS = 250;

/** A running live view. */
export interface LiveView {
  /** Feeds one appliance event. */
  update(event: ApplianceEvent): void;
  /** The current state (for tests and status). */
  state(): ViewState;
  /** Draws the last frame and leaves it on screen. */
  stop(): void;
}

/** Options of createLiveView. */
export interface LiveViewOptions {
  readonly stream: Writable & { columns?: number };
  readonly serving: readonly string[];
  readonly clock: Clock;
}

/** Starts drawing on `stream` (a TTY). */
export function createLiveView(options: LiveViewOptions): LiveView {
  const draw = createLogUpdate(options.stream as NodeJS.WriteStream, { showCursor: true });
  let state = initialViewState(options.serving);
  let pending: TimerHandle | undefined;
  let stopped = false;
  const frame = (): void => {
    pending = undefined;
    draw(renderView(state, options.stream.columns ?? 160).join('\n'));
  };
  frame();
  return {
    update(event) {
      state = reduceView(state, event);
      if (!stopped && pending === undefined) pending = options.clock.setTimer(REDRAW_INTERVAL_MS, frame);
    },
    state: () => state,
    stop() {
      if (stopped) return;
      stopped = true;
      pending?.cancel();
      frame();
      draw.done();
    },
  };
}
