/**
 * The UDP ceiling's two ends, run as separate processes in the bench namespaces:
 *
 *   node udp-blast.js sink  BIND_IP PORT MODE          (client side, like a TFTP client)
 *   node udp-blast.js source PEER_IP PORT MODE SIZE SECONDS   (server side, like a TFTP server)
 *
 * MODE "stream": the source sends SIZE-byte datagrams as fast as the socket takes
 * them (at most 64 sends in flight); the sink counts what arrives and, 500 ms after
 * the last datagram, prints {bytes, packets, seconds} as JSON.
 * MODE "lockstep": the source sends one datagram and waits for the sink's 4-byte
 * answer before the next (TFTP windowsize 1 without any file or protocol work); the
 * source prints its figures. A lost datagram is resent after 200 ms.
 */
import { createSocket } from 'node:dgram';

function out(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

function sink(bindIp: string, port: number, mode: string): void {
  const sock = createSocket('udp4');
  let bytes = 0;
  let packets = 0;
  let first = 0;
  let last = 0;
  let idle: NodeJS.Timeout | undefined;
  const ack = Buffer.from([0, 4, 0, 0]);
  sock.on('message', (msg, rinfo) => {
    const now = performance.now();
    if (packets === 0) first = now;
    last = now;
    packets++;
    bytes += msg.length;
    if (mode === 'lockstep') {
      sock.send(ack, rinfo.port, rinfo.address, (err) => {
        if (err) process.stderr.write(`sink send: ${err.message}\n`);
      });
    }
    if (idle) clearTimeout(idle);
    idle = setTimeout(() => {
      out({ bytes, packets, seconds: (last - first) / 1000 });
      sock.close();
    }, 500);
  });
  sock.bind(port, bindIp, () => {
    sock.setRecvBufferSize(4 * 1024 * 1024);
    process.stdout.write('ready\n');
  });
  setTimeout(() => {
    out({ bytes, packets, seconds: (last - first) / 1000, timedOut: true });
    process.exit(1);
  }, 120_000).unref();
}

function source(peerIp: string, port: number, mode: string, size: number, seconds: number): void {
  const sock = createSocket('udp4');
  const payload = Buffer.alloc(size, 0x5a);
  const start = performance.now();
  const end = start + seconds * 1000;
  let sent = 0;
  let acked = 0;
  let inFlight = 0;
  let stopped = false;
  const finish = (): void => {
    if (stopped) return;
    stopped = true;
    const elapsed = (performance.now() - start) / 1000;
    out({ bytes: (mode === 'lockstep' ? acked : sent) * size, packets: mode === 'lockstep' ? acked : sent, seconds: elapsed });
    sock.close();
  };
  sock.bind(0, () => {
    sock.setSendBufferSize(4 * 1024 * 1024);
    if (mode === 'stream') {
      const pump = (): void => {
        while (inFlight < 64 && !stopped) {
          if (performance.now() >= end) {
            if (inFlight === 0) finish();
            return;
          }
          inFlight++;
          sock.send(payload, port, peerIp, (err) => {
            inFlight--;
            if (err) process.stderr.write(`source send: ${err.message}\n`);
            else sent++;
            pump();
          });
        }
      };
      pump();
      return;
    }
    let retry: NodeJS.Timeout | undefined;
    const next = (): void => {
      if (performance.now() >= end) {
        finish();
        return;
      }
      sock.send(payload, port, peerIp, (err) => {
        if (err) process.stderr.write(`source send: ${err.message}\n`);
      });
      if (retry) clearTimeout(retry);
      retry = setTimeout(next, 200);
    };
    sock.on('message', () => {
      acked++;
      next();
    });
    next();
  });
}

const [role, ip, portText, mode, sizeText, secondsText] = process.argv.slice(2);
const port = Number(portText);
if (ip === undefined || !Number.isInteger(port) || (mode !== 'stream' && mode !== 'lockstep')) {
  process.stderr.write('usage: udp-blast.js sink BIND_IP PORT stream|lockstep | source PEER_IP PORT stream|lockstep SIZE SECONDS\n');
  process.exit(2);
}
if (role === 'sink') sink(ip, port, mode);
else if (role === 'source') source(ip, port, mode, Number(sizeText), Number(secondsText));
else {
  process.stderr.write(`unknown role ${role}\n`);
  process.exit(2);
}
