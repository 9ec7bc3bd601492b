/**
 * `benchboot serve` (the arguments after this script) under a process that sends
 * itself a real SIGINT when one start-up step is reached, for the e2e test of
 * Ctrl-C at every step (serve-signals.test.ts): BB_SIGNAL_AT names the step
 * (src/cli/serve.ts SERVE_STEPS), BB_SIGNAL_COUNT=2 sends a second SIGINT as soon as
 * serve has handled the first. Every step reached is written to stderr as
 * `step NAME`; the exit code is serve's (or the forced exit's).
 */
import yargs from 'yargs';
import { createLogger } from '../../src/log.js';
import { runServe } from '../../src/cli/serve-run.js';
import { SERVE_STEPS, systemServeProcess, type ServeProcess, type ServeStep } from '../../src/cli/serve.js';
import { SERVE_OPTIONS, type ServeArgs } from '../../src/cli/serve-options.js';

const at = process.env.BB_SIGNAL_AT;
const count = Number(process.env.BB_SIGNAL_COUNT ?? '1');
if (!SERVE_STEPS.includes(at as ServeStep)) throw new Error(`BB_SIGNAL_AT must be one of ${SERVE_STEPS.join(', ')}`);

const real = systemServeProcess();
let handled = 0;
let onHandled: (() => void) | undefined;
const proc: ServeProcess = {
  onSignal(signal, handler) {
    return real.onSignal(signal, () => {
      handler();
      onHandled?.();
      // The second signal goes out once the first is handled, so the two never merge into one.
      if (signal === 'SIGINT' && ++handled < count) setImmediate(() => process.kill(process.pid, 'SIGINT'));
    });
  },
  exit: (code) => real.exit(code),
  step(step) {
    process.stderr.write(`step ${step}\n`);
    if (step !== at) return undefined;
    // Resolves once serve has handled the signal: it arrived during this step. (Signal
    // watchers do not keep Node's loop alive; the interval does until then.)
    const keepAlive = setInterval(() => undefined, 1000);
    const handledNow = new Promise<void>((resolve) => (onHandled = resolve)).finally(() => clearInterval(keepAlive));
    process.kill(process.pid, 'SIGINT');
    return handledNow;
  },
};

const parsed = yargs(process.argv.slice(2)).options(SERVE_OPTIONS).strict().parseSync();
const args = { ...parsed, json: true, 'log-level': 'info', 'log-file': undefined } as unknown as ServeArgs;
const io = { stdout: process.stdout, stderr: process.stderr, env: process.env };
process.exitCode = await runServe(args, { io, logger: () => createLogger({ level: 'info', json: true, stream: process.stderr }) }, proc);
