// Resolves a container user ("uid", "uid:gid", "name", "name:group") against the
// rootfs's /etc/passwd and /etc/group, as runc/libcontainer's user package does.
import { promises as fs } from 'node:fs';
import path from 'node:path';

export interface ResolvedUser { uid: number; gid: number; additionalGids: number[] }

interface PasswdEntry { name: string; uid: number; gid: number }
interface GroupEntry { name: string; gid: number; members: string[] }

export function parsePasswd(text: string): PasswdEntry[] {
  const out: PasswdEntry[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length < 4 || line.startsWith('#')) continue;
    out.push({ name: f[0] ?? '', uid: Number(f[2]), gid: Number(f[3]) });
  }
  return out;
}

export function parseGroup(text: string): GroupEntry[] {
  const out: GroupEntry[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length < 3 || line.startsWith('#')) continue;
    out.push({ name: f[0] ?? '', gid: Number(f[2]), members: (f[3] ?? '').split(',').filter((m) => m !== '') });
  }
  return out;
}

async function readOptional(file: string): Promise<string> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch {
    return '';
  }
}

const isNumeric = (s: string): boolean => /^\d+$/.test(s);

/** Resolves `spec` in the rootfs; names that cannot be resolved are an error, numbers never are. */
export async function resolveUser(rootfs: string, spec: string): Promise<ResolvedUser> {
  const [userPart = '', groupPart] = spec === '' ? ['0'] : spec.split(':');
  const passwd = parsePasswd(await readOptional(path.join(rootfs, 'etc/passwd')));
  const groups = parseGroup(await readOptional(path.join(rootfs, 'etc/group')));

  let uid: number;
  let gid = 0;
  let name: string | undefined;
  const pw = isNumeric(userPart) ? passwd.find((p) => p.uid === Number(userPart)) : passwd.find((p) => p.name === userPart);
  if (isNumeric(userPart)) {
    uid = Number(userPart);
  } else if (pw) {
    uid = pw.uid;
  } else {
    throw new Error(`unable to find user ${userPart}: no matching entries in passwd file`);
  }
  if (pw) {
    gid = pw.gid;
    name = pw.name;
  }
  if (groupPart !== undefined && groupPart !== '') {
    if (isNumeric(groupPart)) gid = Number(groupPart);
    else {
      const g = groups.find((e) => e.name === groupPart);
      if (!g) throw new Error(`unable to find group ${groupPart}: no matching entries in group file`);
      gid = g.gid;
    }
  }
  const additionalGids = name ? groups.filter((g) => g.members.includes(name) && g.gid !== gid).map((g) => g.gid) : [];
  return { uid, gid, additionalGids };
}
