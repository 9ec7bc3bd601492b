/**
 * The appliance's event sink: protocol wiring (dhcp.ts, tftp.ts) and reloads hand
 * it {@link ApplianceEvent}s, and it passes each to the listener (live view, tests).
 * A listener that throws is logged and never stops the server.
 */
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { ApplianceEvent } from '../ui/events.js';

export type { ApplianceEvent } from '../ui/events.js';

/** Passes appliance events to one optional listener, logging its failures. */
export class EventSink {
  constructor(
    private readonly listener: ((event: ApplianceEvent) => void) | undefined,
    private readonly log: Logger,
  ) {}

  /** Hands `event` to the listener; a failure is logged with BB_INTERNAL. */
  emit(event: ApplianceEvent): void {
    try {
      this.listener?.(event);
    } catch (err) {
      this.log.error('event listener failed', { code: 'BB_INTERNAL', event: event.kind, err: errorMessage(err) });
    }
  }
}
