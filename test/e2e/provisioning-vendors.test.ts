/**
 * Bench provisioning end to end, the cases provisioning.test.ts leaves out (issue 12):
 * a YAML inventory driving the renders, a Polycom phone, and unknown phones of three
 * vendors getting their profile's default file. One lab for the file:
 *
 *   srv ─ bridge 10.30.0.1/24 ─┬─ poly1   udhcpc -V Polycom-VVX410, the MAC of a YAML inventory row; curl
 *                              ├─ poly2   udhcpc -V Polycom-VVX410, a MAC no row lists
 *                              ├─ poly3   udhcpc -V Polycom-VVX410, a YAML row without display_name
 *                              ├─ stray   udhcpc -V "Cisco Systems, Inc. IP Phone CP-8841", no row
 *                              └─ yea     udhcpc -V yealink, no row
 *
 * `benchboot serve` runs the phone-bench example's scope and templates with a YAML
 * inventory and no `--default-file` rule, so what an unknown phone gets is its
 * profile's default file: Cisco's XMLDefault.cnf.xml (a template in the example),
 * Polycom's 000000000000.cfg and Yealink's y000000000000.cfg (static files here).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openLab, e2eSkip, collectOutput, exitOf, waitFor, type Netns } from './netns.js';
import { readDump, runUdhcpcOnce } from '../helpers/dhcp-e2e.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = join(REPO, 'bin', 'benchboot.js');
const skip = e2eSkip({ programs: ['udhcpc', 'tftp', 'curl'] });
const SERVER = '10.30.0.1';

const PHONES = {
  poly1: { mac: '00:04:f2:aa:00:01', vendorClass: 'Polycom-VVX410' },
  poly2: { mac: '00:04:f2:aa:00:02', vendorClass: 'Polycom-VVX410' },
  poly3: { mac: '00:04:f2:aa:00:03', vendorClass: 'Polycom-VVX410' },
  stray: { mac: '00:1b:d4:99:00:07', vendorClass: 'Cisco Systems, Inc. IP Phone CP-8841' },
  yea: { mac: '80:5e:c0:11:22:77', vendorClass: 'yealink' },
} as const;
type PhoneName = keyof typeof PHONES;

// Inventory in YAML: a `devices:` list, MAC spelled the Cisco way, values kept as typed (ext 0042).
const INVENTORY_YAML = `# Polycom desk phones, one map per device.
devices:
  - mac: 0004.f2aa.0001
    hostname: poly1
    ext: "0042"
    display_name: Lab Polycom
    sip_password: s3cret-poly
  # No display_name: the template's render fails for this phone.
  - mac: 00-04-F2-AA-00-03
    hostname: poly3
    ext: "0043"
    sip_password: s3cret-three
`;

interface Lab {
  readonly srv: Netns;
  readonly phones: Map<PhoneName, { readonly ns: Netns; readonly ifname: string }>;
  readonly work: string;
}

async function openPhoneLab(t: { after(fn: () => Promise<void>): void }): Promise<{ lab: Lab; bridge: string; tftpRoot: string; scopes: string; inventory: string }> {
  const { lab, work } = await openLab(t);
  const srv = await lab.addNamespace('srv');
  const bridge = await lab.bridge(srv, `${SERVER}/24`);
  const phones = new Map<PhoneName, { ns: Netns; ifname: string }>();
  for (const [name, p] of Object.entries(PHONES) as [PhoneName, (typeof PHONES)[PhoneName]][]) {
    const ns = await lab.addNamespace(name);
    const [a, b] = await lab.link(srv, ns);
    await lab.enslave(srv, a.ifname, bridge);
    await ns.execOk('ip', ['link', 'set', b.ifname, 'address', p.mac]);
    phones.set(name, { ns, ifname: b.ifname });
  }
  const tftpRoot = join(work, 'tftp');
  await cp(join(REPO, 'examples', 'phone-bench', 'tftp'), tftpRoot, { recursive: true });
  await writeFile(join(tftpRoot, '000000000000.cfg'), '<!-- Polycom master config: no phone of its own -->\n<APPLICATION CONFIG_FILES="" />\n');
  await writeFile(join(tftpRoot, 'y000000000000.cfg'), '#!version:1.0.0.1\n## Yealink common config: no phone of its own\n');
  const scopes = join(work, 'scopes');
  await cp(join(REPO, 'scopes'), scopes, { recursive: true });
  const scopeFile = join(scopes, 'phone-bench.yaml');
  const text = (await readFile(scopeFile, 'utf8')).replace(/^interface: eth\d\n/m, `interface: ${bridge}\n`).replace(/10\.10\.0\./g, '10.30.0.');
  await writeFile(scopeFile, text);
  const inventory = join(work, 'inventory.yaml');
  await writeFile(inventory, INVENTORY_YAML);
  return { lab: { srv, phones, work }, bridge, tftpRoot, scopes, inventory };
}

function phone(lab: Lab, name: PhoneName): { readonly ns: Netns; readonly ifname: string } {
  const p = lab.phones.get(name);
  assert.ok(p, name);
  return p;
}

/** udhcpc once with the phone's vendor class, also asking for 12 and 160; the env its script got at `bound`. */
async function lease(lab: Lab, name: PhoneName): Promise<Record<string, string>> {
  const p = phone(lab, name);
  const dir = join(lab.work, `udhcpc-${name}`);
  const r = await runUdhcpcOnce(p.ns, p.ifname, dir, name, ['-V', PHONES[name].vendorClass, '-O', '12', '-O', '160']);
  assert.equal(r.code, 0, r.stderr);
  const env = await readDump(dir, name, 'bound');
  assert.ok(env, `udhcpc ${name} ran its bound hook:\n${r.stderr}`);
  return env;
}

/** A file fetched over TFTP with tftp-hpa from the phone's namespace: its text, or the client's error output. */
async function fetch(lab: Lab, name: PhoneName, file: string): Promise<{ ok: boolean; text: string; output: string }> {
  const out = join(lab.work, `got-${name}-${file}`);
  const r = await phone(lab, name).ns.exec('tftp', [SERVER, '-m', 'binary', '-c', 'get', file, out], 20_000);
  const text = await readFile(out, 'utf8').catch(() => '');
  await rm(out, { force: true });
  const output = r.stdout + r.stderr;
  return { ok: r.code === 0 && !/Error code/.test(output), text, output };
}

async function mustFetch(lab: Lab, name: PhoneName, file: string): Promise<string> {
  const got = await fetch(lab, name, file);
  assert.ok(got.ok, `tftp get ${file} from ${name}: ${got.output}`);
  return got.text;
}

const hex = (s: string): string => Buffer.from(s, 'ascii').toString('hex');

test('Polycom phones with a YAML inventory, and unknown Polycom, Cisco and Yealink phones on their profile defaults', { skip, timeout: 240_000 }, async (t) => {
  const { lab, bridge, tftpRoot, scopes, inventory } = await openPhoneLab(t);
  const state = join(lab.work, 'state');
  const child = lab.srv.spawn(process.execPath, [BIN, 'serve', '--json', '--no-live', '--probe-timeout', '1', '--scopes', scopes, '--interface', bridge, '--tftp-root', tftpRoot, '--inventory', inventory, '--leases', state], { cwd: lab.work, maxMs: 240_000 });
  const log = collectOutput(child);
  assert.ok((await waitFor(() => log().includes('benchboot is serving') || child.exitCode !== null, 30_000)) && child.exitCode === null, `serve did not start:\n${log()}`);
  t.after(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await exitOf(child, 10_000);
  });

  await t.test('a Polycom VVX410 gets option 160 and option 66 naming the HTTP server, then <mac>.cfg rendered from its YAML row from that URL', async () => {
    const env = await lease(lab, 'poly1');
    assert.match(env.ip ?? '', /^10\.30\.0\.1\d\d$/);
    // serve answers HTTP on port 80 by default, so the phone is pointed at it rather than at TFTP.
    const url = `http://${SERVER}/`;
    assert.equal(env.opt160, hex(url), 'option 160: the provisioning server URL');
    // Option 66 carries the same URL; busybox checks 66 as a host name and hands its script
    // "bad" for a URL (provisioning.test.ts reads the URL itself with dhclient for a Yealink).
    assert.equal(env.tftp, 'bad', 'option 66: a URL, not the bare server address');
    assert.equal(env.hostname, 'poly1', 'option 12 from the YAML row');
    const got = await phone(lab, 'poly1').ns.exec('curl', ['-sS', '-f', '--max-time', '15', `${url}0004f2aa0001.cfg`], 20_000);
    assert.equal(got.code, 0, `curl from poly1: ${got.stderr}`);
    const cfg = got.stdout;
    assert.equal(await mustFetch(lab, 'poly1', '0004f2aa0001.cfg'), cfg, 'the same render over TFTP');
    assert.match(cfg, /^## poly1 \(00:04:f2:aa:00:01\)/m);
    assert.match(cfg, /^account\.1\.user_name = 0042$/m, 'a YAML value is kept as typed');
    assert.match(cfg, /^account\.1\.label = Lab Polycom$/m);
    assert.match(cfg, /^account\.1\.sip_server\.1\.address = 10\.30\.0\.1$/m);
  });

  await t.test('an unknown Polycom asking for its <mac>.cfg gets the profile default 000000000000.cfg', async () => {
    await lease(lab, 'poly2');
    assert.match(await mustFetch(lab, 'poly2', '0004f2aa0002.cfg'), /Polycom master config/);
    assert.match((await fetch(lab, 'poly2', '0004f2aa0002-phone.cfg')).output, /Error code 1/, 'a normal miss stays a miss');
  });

  await t.test('an unknown Cisco phone asking for SEP<MAC>.cnf.xml gets XMLDefault.cnf.xml rendered, without a --default-file rule', async () => {
    const env = await lease(lab, 'stray');
    assert.equal(env.opt150, '0a1e0001', 'option 150');
    const xml = await mustFetch(lab, 'stray', 'SEP001BD4990007.cnf.xml');
    assert.match(xml, /<Default>/);
    assert.match(xml, /no inventory row/);
    assert.match(xml, /<processNodeName>10\.30\.0\.1<\/processNodeName>/);
  });

  await t.test('an unknown Yealink asking for its <mac>.cfg gets y000000000000.cfg', async () => {
    await lease(lab, 'yea');
    assert.match(await mustFetch(lab, 'yea', '805ec0112277.cfg'), /Yealink common config/);
  });

  await t.test('a row missing a variable: TFTP error 1, and devices show files a render error naming template, line and variable, no secret', async () => {
    await lease(lab, 'poly3');
    const got = await fetch(lab, 'poly3', '0004f2aa0003.cfg');
    assert.match(got.output, /Error code 1/);
    assert.equal(got.text, '', 'never a half-rendered file');
    const want = 'template render failed for 0004f2aa0003.cfg: template {mac}.cfg.liquid line 4: missing variable device.display_name';
    let out = '';
    const shown = async (): Promise<boolean> => {
      const r = await lab.srv.exec(process.execPath, [BIN, 'devices', 'show', PHONES.poly3.mac, '--leases', state], 15_000);
      assert.equal(r.code, 0, r.stderr);
      out = r.stdout;
      return out.includes(want);
    };
    assert.ok(await waitFor(shown, 10_000, 200), out);
    assert.match(out, /0004f2aa0003\.cfg render-error: template \{mac\}\.cfg\.liquid line 4: missing variable device\.display_name/);
    assert.match(out, /stuck: template render failed/);
    assert.doesNotMatch(out, /not-found|s3cret/);
  });

  await t.test('benchboot devices: the known Polycom is provisioned, each unknown phone stuck on the default config', async () => {
    type Row = { mac: string; status: string; diagnosis?: string; profile?: string };
    let by = new Map<string, Row>();
    const query = async (): Promise<boolean> => {
      const r = await lab.srv.exec(process.execPath, [BIN, 'devices', '--json', '--leases', state], 15_000);
      assert.equal(r.code, 0, r.stderr);
      by = new Map((JSON.parse(r.stdout) as { devices: Row[] }).devices.map((d) => [d.mac, d]));
      return by.get(PHONES.yea.mac)?.status === 'stuck';
    };
    // The last transfer is filed when the server has the client's final ACK, which may come after tftp exits: wait for it (bounded).
    await waitFor(query, 10_000, 200);
    assert.equal(by.get(PHONES.poly1.mac)?.status, 'provisioned', JSON.stringify(by.get(PHONES.poly1.mac)));
    const stuck: [PhoneName, string, string][] = [
      ['poly2', 'polycom', '0004f2aa0002.cfg'],
      ['stray', 'cisco-phone', 'SEP001BD4990007.cnf.xml'],
      ['yea', 'yealink', '805ec0112277.cfg'],
    ];
    for (const [name, profile, file] of stuck) {
      const d = by.get(PHONES[name].mac);
      assert.equal(d?.profile, profile, name);
      assert.equal(d.status, 'stuck', `${name}: ${JSON.stringify(d)}`);
      assert.equal(d.diagnosis, `got the default config ${file}: no inventory row`, name);
    }
  });

  child.kill('SIGTERM');
  assert.equal(await exitOf(child, 20_000), 0, log());
});
