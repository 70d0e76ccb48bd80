/**
 * Flag values spelled the way Kubernetes components accept them (Go's strconv.ParseBool):
 * `--flag`, `--flag=true|false`, also 1/0, t/f, TRUE/FALSE, True/False.
 */
import { InvalidArgumentError } from 'commander';

export function booleanFlag(value: string): boolean {
  if (['true', '1', 't', 'T', 'TRUE', 'True'].includes(value)) return true;
  if (['false', '0', 'f', 'F', 'FALSE', 'False'].includes(value)) return false;
  throw new InvalidArgumentError(`"${value}" is not a boolean: it is not true or false (nor 1/0, t/f)`);
}
