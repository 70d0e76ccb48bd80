import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { booleanFlag } from './flag-values.js';

/** The two rotation flags as cli/tkube.ts declares them. */
function parse(args: string[]): { rotateCertificates: boolean; rotateServerCertificates: boolean } {
  const cmd = new Command()
    .exitOverride()
    .configureOutput({ writeErr: () => {} })
    .option('--rotate-certificates [bool]', '', booleanFlag, true)
    .option('--rotate-server-certificates [bool]', '', booleanFlag, true);
  cmd.parse(args, { from: 'user' });
  return cmd.opts();
}

describe('kubelet rotation flags', () => {
  it('default to true, and take the kubelet forms --flag, --flag=true, --flag=false', () => {
    expect(parse([])).toEqual({ rotateCertificates: true, rotateServerCertificates: true });
    expect(parse(['--rotate-certificates=false'])).toEqual({ rotateCertificates: false, rotateServerCertificates: true });
    expect(parse(['--rotate-certificates=false', '--rotate-server-certificates=false'])).toEqual({ rotateCertificates: false, rotateServerCertificates: false });
    expect(parse(['--rotate-certificates=false', '--rotate-certificates'])).toEqual({ rotateCertificates: true, rotateServerCertificates: true });
    expect(parse(['--rotate-server-certificates=true'])).toEqual({ rotateCertificates: true, rotateServerCertificates: true });
  });

  it('refuses anything but true or false', () => {
    expect(() => parse(['--rotate-certificates=yes'])).toThrow(/not true or false/);
  });
});
