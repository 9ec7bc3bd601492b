/**
 * Who serve's unprivileged part runs as, when serve is started as root:
 *
 * 1. `--user NAME` (a name or a numeric uid), when given;
 * 2. the invoking user under sudo (`SUDO_UID`, `SUDO_GID`), so the files it writes in
 *    the technician's directories stay theirs;
 * 3. otherwise (plain root: CI, a service manager) {@link DEFAULT_SERVE_USER}.
 *
 * Never root: `--user root` (or uid 0) is refused, as is a user that does not exist.
 */
import { readFile } from 'node:fs/promises';

/** The user serve runs as when started as plain root without `--user` or `SUDO_UID`. */
export const DEFAULT_SERVE_USER = 'nobody';

/** A resolved user. */
export interface ServeUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  /** Where it came from, for the log. */
  readonly from: '--user' | 'sudo' | 'default';
}

/** Why no user could be chosen: the message, with what to do. */
export class ServeUserError extends Error {
  override readonly name = 'ServeUserError';
}

/** One /etc/passwd line's name, uid and gid. */
interface PasswdEntry {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

/** Parses passwd(5) text. */
export function parsePasswd(text: string): PasswdEntry[] {
  const out: PasswdEntry[] = [];
  for (const line of text.split('\n')) {
    const [name, , uid, gid] = line.split(':');
    if (!name || uid === undefined || gid === undefined || !/^\d+$/.test(uid) || !/^\d+$/.test(gid)) continue;
    out.push({ name, uid: Number(uid), gid: Number(gid) });
  }
  return out;
}

function isId(text: string | undefined): text is string {
  return text !== undefined && /^\d{1,10}$/.test(text) && Number(text) < 2 ** 32 - 1;
}

/** Picks the user (see the module comment). `passwd` is the text of /etc/passwd. */
export function chooseServeUser(option: string | undefined, env: Readonly<Record<string, string | undefined>>, passwd: string): ServeUser {
  const entries = parsePasswd(passwd);
  const never = (who: string): ServeUserError =>
    new ServeUserError(`--user ${who}: serve never runs its packet and file code as root; leave --user out (the default is ${DEFAULT_SERVE_USER}) or name an unprivileged user`);
  if (option !== undefined) {
    const byName = entries.find((e) => e.name === option);
    const found = byName ?? (isId(option) ? (entries.find((e) => e.uid === Number(option)) ?? { name: option, uid: Number(option), gid: Number(option) }) : undefined);
    if (!found) throw new ServeUserError(`--user ${option}: no such user; create one (e.g. "sudo useradd --system --no-create-home benchboot") or name an existing one`);
    if (found.uid === 0) throw never(option);
    return { ...found, from: '--user' };
  }
  const sudoUid = env['SUDO_UID'];
  const sudoGid = env['SUDO_GID'];
  if (isId(sudoUid) && Number(sudoUid) !== 0) {
    const uid = Number(sudoUid);
    const gid = isId(sudoGid) ? Number(sudoGid) : (entries.find((e) => e.uid === uid)?.gid ?? uid);
    return { name: env['SUDO_USER'] ?? entries.find((e) => e.uid === uid)?.name ?? String(uid), uid, gid, from: 'sudo' };
  }
  const fallback = entries.find((e) => e.name === DEFAULT_SERVE_USER);
  if (!fallback) throw new ServeUserError(`started as root without sudo, serve runs as the user "${DEFAULT_SERVE_USER}", which this system does not have; pass --user NAME (an unprivileged user)`);
  return { ...fallback, from: 'default' };
}

/** Reads /etc/passwd (users from a directory service are named with `--user UID`). */
export function readPasswd(): Promise<string> {
  return readFile('/etc/passwd', 'utf8');
}
