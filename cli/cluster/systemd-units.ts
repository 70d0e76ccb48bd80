/**
 * The component plan as systemd units: one `tkube-<name>.service` per component,
 * restarted always, ordered with After=/Wants= on the components it needs. Installing
 * them (write, daemon-reload, enable --now) needs systemd as the init system; without it
 * `tkube init`/`join` tell the user to run with --foreground instead.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { PlannedComponent } from './component-plan.js';

const run = promisify(execFile);

export const SYSTEMD_UNIT_DIR = '/etc/systemd/system';

export function unitName(component: string): string {
  return `tkube-${component}.service`;
}

/**
 * One word of ExecStart=: quoted when it has whitespace, quotes or backslashes (or is
 * empty); `%` and `$` doubled so systemd expands neither specifiers nor variables.
 */
export function quoteExecArg(arg: string): string {
  const escaped = arg.replace(/%/g, '%%').replace(/\$/g, '$$$$');
  if (escaped !== '' && !/[\s"'\\;]/.test(escaped)) return escaped;
  return `"${escaped.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export function renderUnit(c: PlannedComponent): string {
  const deps = (c.after ?? []).map(unitName);
  const lines = [
    '# Written by tkube (cli/cluster/systemd-units.ts); `tkube init`/`tkube join` rewrite it.',
    '[Unit]',
    `Description=tkube: ${c.description}`,
    `After=network-online.target${deps.map((d) => ` ${d}`).join('')}`,
    `Wants=network-online.target${deps.map((d) => ` ${d}`).join('')}`,
    '',
    '[Service]',
    `ExecStart=${[c.command, ...c.args].map(quoteExecArg).join(' ')}`,
    ...Object.entries(c.env ?? {})
      .filter((e): e is [string, string] => e[1] !== undefined)
      .map(([k, v]) => `Environment=${quoteExecArg(`${k}=${v}`)}`),
    'Restart=always',
    'RestartSec=2',
    'LimitNOFILE=1048576',
    ...(c.killModeProcess ? ['# The runtime restarts without taking its containers (conmon, runc) down with it.', 'KillMode=process'] : []),
    ...(c.delegate ? ['Delegate=yes'] : []),
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ];
  return lines.join('\n');
}

/** Whether systemd is the running init system (what sd_booted() checks). */
export function systemdIsRunning(): boolean {
  return existsSync('/run/systemd/system');
}

/** The one line `init`/`join` print when asked for units on a machine without systemd. */
export function noSystemdMessage(command: 'init' | 'join'): string {
  const what = command === 'init' ? 'the control plane' : 'the node';
  return `systemd is not running on this machine (PID 1 is not systemd), so \`tkube ${command}\` cannot install units: add --foreground to run ${what} in this terminal`;
}

/** Writes the units, reloads systemd and enables and starts them; returns the unit names. */
export async function installUnits(plan: PlannedComponent[], dir = SYSTEMD_UNIT_DIR): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const names = plan.map((c) => unitName(c.name));
  for (const c of plan) writeFileSync(join(dir, unitName(c.name)), renderUnit(c), { mode: 0o644 });
  await run('systemctl', ['daemon-reload']);
  await run('systemctl', ['enable', '--now', ...names]);
  return names;
}
