/**
 * A small DHCP prober for the e2e tests, run inside a lab namespace with
 * `ip netns exec`:
 *
 *   relay   --server IP --giaddr IP --mac MAC [--option82 HEX] [--timeout-ms N]
 *           Acts as a BOOTP relay agent (RFC 2131 §4.1, RFC 3046): binds 0.0.0.0:67,
 *           sends a DISCOVER with giaddr and option 82 to the server, then REQUESTs
 *           the offer; prints one JSON line per answer (`from`, `type`, `yiaddr`,
 *           `giaddr`, `siaddr`, `option82`, `serverId`). Exit 0 when ACKed.
 *   garbage --server IP [--count N] [--port 67]
 *           Sends N malformed datagrams (truncated headers, option lengths past the
 *           end, no End option, random bytes) to the server. Exit 0.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { DHCP_MESSAGE_TYPE, OPTION } from '../../src/dhcp/constants.js';
import { encodeDhcpPacket, getMessageType, getOption, getOptionIpv4 } from '../../src/dhcp/packet.js';
import { fromHex, toHex } from '../../src/net/bytes.js';
import { parseIpv4, parseMac } from '../../src/net/ipv4.js';
import { bindUdp } from '../../src/net/udp.js';
import { buildRequest, DhcpTestClient, DhcpTestPort } from './dhcp-client.js';

/** Malformed datagrams of several kinds, `count` in all. */
export function malformedDatagrams(count: number): Uint8Array[] {
  const valid = encodeDhcpPacket(buildRequest(DHCP_MESSAGE_TYPE.DISCOVER, { mac: parseMac('02:ee:00:00:00:01') }));
  const out: Uint8Array[] = [];
  for (let i = 0; out.length < count; i++) {
    switch (i % 4) {
      case 0: // truncated inside the fixed header
        out.push(valid.subarray(0, 1 + (i % 235)));
        break;
      case 1: {
        // an option length that runs past the end
        const b = Uint8Array.from(valid.subarray(0, 244));
        b[240] = OPTION.HOST_NAME;
        b[241] = 200;
        out.push(b);
        break;
      }
      case 2: {
        // options with no End option (cut right after the message type)
        out.push(valid.subarray(0, 243));
        break;
      }
      default:
        out.push(randomBytes(1 + (i % 600)));
    }
  }
  return out;
}

async function relay(values: Record<string, string | undefined>): Promise<number> {
  const server = parseIpv4(values.server ?? '');
  const giaddr = parseIpv4(values.giaddr ?? '');
  const mac = parseMac(values.mac ?? '');
  const timeoutMs = Number(values['timeout-ms'] ?? 2000);
  const endpoint = await bindUdp({ address: '0.0.0.0', port: 67 });
  const port = new DhcpTestPort(endpoint, { address: server, port: 67 });
  const option82 = values.option82 ? fromHex(values.option82) : undefined;
  const client = new DhcpTestClient(port, { mac, giaddr, ...(option82 ? { relayAgentInfo: option82 } : {}) }, { timeoutMs, attempts: 2 });
  const report = (packet: Awaited<ReturnType<DhcpTestClient['discover']>>): void => {
    if (!packet) return;
    const o82 = getOption(packet, OPTION.RELAY_AGENT_INFO);
    process.stdout.write(
      `${JSON.stringify({
        type: getMessageType(packet),
        yiaddr: packet.yiaddr,
        giaddr: packet.giaddr,
        siaddr: packet.siaddr,
        serverId: getOptionIpv4(packet, OPTION.SERVER_ID),
        option82: o82 ? toHex(o82) : null,
      })}\n`,
    );
  };
  try {
    const offer = await client.discover();
    report(offer);
    if (!offer) return 1;
    const ack = await client.select(offer);
    report(ack);
    return ack && getMessageType(ack) === DHCP_MESSAGE_TYPE.ACK ? 0 : 1;
  } finally {
    await endpoint.close();
  }
}

async function garbage(values: Record<string, string | undefined>): Promise<number> {
  const server = parseIpv4(values.server ?? '');
  const count = Number(values.count ?? 200);
  const port = Number(values.port ?? 67);
  const endpoint = await bindUdp({ address: '0.0.0.0', port: 0 });
  try {
    for (const d of malformedDatagrams(count)) await endpoint.send(d, { address: server, port });
  } finally {
    await endpoint.close();
  }
  process.stdout.write(`${JSON.stringify({ sent: count })}\n`);
  return 0;
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    options: {
      server: { type: 'string' },
      giaddr: { type: 'string' },
      mac: { type: 'string' },
      option82: { type: 'string' },
      'timeout-ms': { type: 'string' },
      count: { type: 'string' },
      port: { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (positionals[0] === 'relay') return relay(values);
  if (positionals[0] === 'garbage') return garbage(values);
  throw new Error(`unknown command ${positionals[0] ?? '(none)'}; use relay or garbage`);
}

if (process.argv[1]?.endsWith('dhcp-probe-main.js')) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`dhcp-probe-main: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 2;
    },
  );
}
