/**
 * The HTTP storm's client: one Node process (in the client namespace) that starts
 * `count` downloads of the same file at the same moment, each on its own connection,
 * reads every body to the end and checks its length. Prints one JSON line:
 * { count, ok, failed, bytes, lastFinishMs, errors }.
 *
 *   node http-storm-client.js '{"url":"http://10.80.0.1:8080/f.bin","bytes":8388608,"count":500,"deadlineMs":120000}'
 */
import { get } from 'node:http';

interface Plan {
  readonly url: string;
  readonly bytes: number;
  readonly count: number;
  readonly deadlineMs: number;
}

function one(plan: Plan, t0: number): Promise<{ ok: boolean; bytes: number; ms: number; error?: string }> {
  return new Promise((resolve) => {
    const req = get(plan.url, { agent: false, timeout: plan.deadlineMs }, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => (bytes += c.length));
      res.on('end', () => resolve({ ok: res.statusCode === 200 && bytes === plan.bytes, bytes, ms: Date.now() - t0, ...(res.statusCode === 200 && bytes === plan.bytes ? {} : { error: `status ${res.statusCode}, ${bytes} bytes` }) }));
      res.on('error', (err) => resolve({ ok: false, bytes, ms: Date.now() - t0, error: err.message }));
    });
    req.on('timeout', () => req.destroy(new Error('deadline')));
    req.on('error', (err) => resolve({ ok: false, bytes: 0, ms: Date.now() - t0, error: err.message }));
  });
}

async function main(): Promise<void> {
  const plan = JSON.parse(process.argv[2] ?? '{}') as Plan;
  const t0 = Date.now();
  const all = await Promise.all(Array.from({ length: plan.count }, () => one(plan, t0)));
  const ok = all.filter((r) => r.ok).length;
  const errors = [...new Set(all.flatMap((r) => (r.error === undefined ? [] : [r.error])))].slice(0, 10);
  console.log(JSON.stringify({ count: plan.count, ok, failed: plan.count - ok, bytes: all.reduce((s, r) => s + r.bytes, 0), lastFinishMs: Math.max(...all.map((r) => r.ms)), errors }));
}

void main();
