/**
 * The static token file of kube-apiserver's --token-auth-file: CSV lines
 * `token,user,uid[,"group1,group2"]`. Tokens are read once at start.
 */
import { readFileSync } from 'node:fs';
import type { Authenticator, UserInfo } from '../types.js';
import { bearerToken, withAuthenticatedGroup } from './credentials.js';

/** Parses the file's text into token → user. Throws with the line number on a malformed line. */
export function parseTokenFile(text: string): Map<string, UserInfo> {
  const tokens = new Map<string, UserInfo>();
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '' || line.trimStart().startsWith('#')) return;
    const fields = parseCsvLine(line, i + 1);
    const [token, name, uid, groups] = fields.map((f) => f.trim());
    if (!token || !name || fields.length < 3) throw new Error(`token file line ${i + 1}: want token,user,uid[,"group1,group2"]`);
    const user: UserInfo = { name, groups: (groups ?? '').split(',').map((g) => g.trim()).filter(Boolean) };
    if (uid) user.uid = uid;
    tokens.set(token, user);
  });
  return tokens;
}

export function loadTokenFile(path: string): Map<string, UserInfo> {
  return parseTokenFile(readFileSync(path, 'utf8'));
}

export function createTokenFileAuthenticator(tokens: Map<string, UserInfo>): Authenticator {
  return {
    async authenticate(req) {
      const token = bearerToken(req);
      const user = token === undefined ? undefined : tokens.get(token);
      return user && { ...user, groups: withAuthenticatedGroup(user.groups) };
    },
  };
}

/** One CSV record: commas separate fields, double quotes enclose a field, "" is a quote. */
function parseCsvLine(line: string, lineNo: number): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else field += c;
  }
  if (quoted) throw new Error(`token file line ${lineNo}: unterminated quote`);
  fields.push(field);
  return fields;
}
