/** `tkctl scale --replicas=N TYPE NAME`: writes the scale subresource. */
import type { CliIO } from './io.js';
import { CliError } from './io.js';
import { parseTypeAndNames, typePrefix } from './resource-types.js';
import type { Session } from './session.js';

export async function runScale(session: Session, args: string[], o: { replicas: number }, io: CliIO): Promise<void> {
  if (o.replicas < 0) throw new CliError('The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0');
  for (const { def, names } of parseTypeAndNames(args)) {
    if (!def.scale) throw new CliError(`cannot scale ${def.plural}: it has no scale subresource`);
    if (names.length === 0) throw new CliError('resource(s) were provided, but no name was specified');
    const rc = session.client.resource(def, def.namespaced ? session.namespace : undefined);
    for (const name of names) {
      const scale = await rc.getScale(name);
      await rc.updateScale(name, { ...scale, spec: { ...scale.spec, replicas: o.replicas } });
      io.stdout.write(`${typePrefix(def)}/${name} scaled\n`);
    }
  }
}
