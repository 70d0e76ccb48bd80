/**
 * tkctl: a kubectl-like CLI for tkube. `runTkctl(argv, io)` runs one command and returns
 * its exit code (tests call it in-process); run as a program it uses the real process.
 * Every failure is one line on stderr, `error: ...`, and exit code 1.
 */
import { pathToFileURL } from 'node:url';
import { Command, CommanderError, Option } from 'commander';
import { runApply, runCreate } from './cmd-apply.js';
import { runDelete } from './cmd-delete.js';
import { runDescribe } from './cmd-describe.js';
import { runEdit } from './cmd-edit.js';
import { runExec } from './cmd-exec.js';
import { runGet } from './cmd-get.js';
import { runLogs } from './cmd-logs.js';
import { runRollout } from './cmd-rollout.js';
import { runScale } from './cmd-scale.js';
import { runSetImage } from './cmd-set-image.js';
import { errorLine } from './errors.js';
import { CliError, ExitCode, type CliIO } from './io.js';
import { openSession, type GlobalOptions, type Session } from './session.js';

const collect = (value: string, previous: string[]) => [...previous, value];

function intOption(name: string) {
  return (value: string): number => {
    if (!/^-?\d+$/.test(value)) throw new CliError(`invalid argument "${value}" for "${name}" flag: must be an integer`);
    return Number(value);
  };
}

export function buildProgram(io: CliIO, sessions: Session[]): Command {
  const program = new Command('tkctl')
    .description('tkctl controls a tkube cluster (a kubectl-like CLI)')
    .option('--kubeconfig <path>', 'kubeconfig file (default: $KUBECONFIG, then $TKUBE_HOME/kubeconfig)')
    .option('--context <name>', 'kubeconfig context to use')
    .option('-n, --namespace <ns>', 'namespace of the request')
    .exitOverride()
    .showHelpAfterError(false)
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });

  const session = (): Session => {
    const s = openSession(program.opts<GlobalOptions>(), io);
    sessions.push(s);
    return s;
  };
  const fileOpts = (cmd: Command) =>
    cmd
      .option('-f, --filename <path>', 'file, directory or - for stdin (repeatable)', collect, [] as string[])
      .option('-R, --recursive', 'process directories recursively');

  fileOpts(program.command('apply').description('apply a configuration to resources (client-side apply)')).action(async (o) => {
    await runApply(session(), o, io);
  });
  fileOpts(program.command('create').description('create resources from files'))
    .option('--save-config', 'record the configuration for later `apply`')
    .action(async (o) => {
    await runCreate(session(), o, io);
  });

  program
    .command('get')
    .description('display resources')
    .argument('[args...]', 'TYPE[,TYPE...] [NAME...] or TYPE/NAME...')
    .option('-o, --output <format>', 'yaml|json|name|wide|jsonpath=TEMPLATE')
    .option('-l, --selector <selector>', 'label selector')
    .option('--field-selector <selector>', 'field selector')
    .option('-A, --all-namespaces', 'list across all namespaces')
    .option('-w, --watch', 'watch for changes after listing')
    .option('--no-headers', 'do not print headers')
    .option('--request-timeout <duration>', 'with -w: stop watching after this long')
    .action(async (args: string[], o) => {
      await runGet(session(), args, { ...o, noHeaders: o.headers === false }, io);
    });

  program
    .command('describe')
    .description('show details of resources with their events')
    .argument('<args...>', 'TYPE [NAME...] or TYPE/NAME')
    .option('-l, --selector <selector>', 'label selector')
    .option('-A, --all-namespaces', 'across all namespaces')
    .action(async (args: string[], o) => {
      await runDescribe(session(), args, o, io);
    });

  fileOpts(program.command('delete').description('delete resources'))
    .argument('[args...]', 'TYPE NAME... or TYPE/NAME...')
    .option('--all', 'delete all resources of the type in the namespace')
    .option('-l, --selector <selector>', 'label selector')
    .option('-A, --all-namespaces', 'across all namespaces')
    .addOption(new Option('--cascade <policy>', 'background|orphan|foreground').default('background'))
    .option('--grace-period <seconds>', 'seconds given to the object to terminate', intOption('grace-period'))
    .option('--force', 'delete immediately (with --grace-period=0)')
    .option('--wait', 'wait for the objects to be gone (the default)')
    .option('--no-wait', 'do not wait for the objects to be gone (also --wait=false)')
    .option('--ignore-not-found', 'do not fail on objects that do not exist')
    .option('--timeout <duration>', 'how long to wait for deletion')
    .action(async (args: string[], o) => {
      await runDelete(session(), args, { ...o, wait: o.wait !== false }, io);
    });

  program
    .command('scale')
    .description('set a new size for a deployment or replica set')
    .argument('<args...>', 'TYPE NAME or TYPE/NAME')
    .requiredOption('--replicas <n>', 'the new number of replicas', intOption('replicas'))
    .action(async (args: string[], o) => {
      await runScale(session(), args, o, io);
    });

  program
    .command('set')
    .description('set specific features on objects')
    .command('image')
    .description('update the image of containers in a pod template or pod')
    .argument('<args...>', 'TYPE NAME CONTAINER=IMAGE... or TYPE/NAME CONTAINER=IMAGE...')
    .action(async (args: string[]) => {
      await runSetImage(session(), args, io);
    });

  const rollout = program.command('rollout').description('manage the rollout of a deployment');
  for (const sub of ['status', 'history', 'undo', 'pause', 'resume', 'restart'] as const) {
    const cmd = rollout.command(sub).argument('<args...>', 'deployment/NAME or deployment NAME');
    if (sub === 'status') cmd.option('--timeout <duration>', 'give up after this long (0 = never)').option('-w, --watch', 'watch until done (the default)').option('--no-watch', 'print the status once (also --watch=false)');
    if (sub === 'history') cmd.option('--revision <n>', 'show the details of one revision', intOption('revision'));
    if (sub === 'undo') cmd.option('--to-revision <n>', 'the revision to roll back to (default: the previous one)', intOption('to-revision'));
    cmd.action(async (args: string[], o) => {
      await runRollout(session(), sub, args, o, io);
    });
  }

  program
    .command('logs')
    .description('print the logs of a container of a pod')
    .argument('<pod>', 'POD or pod/POD')
    .argument('[container]', 'container name')
    .option('-c, --container <name>', 'container name')
    .option('-f, --follow', 'stream the logs')
    .option('-p, --previous', 'logs of the previous instance of the container')
    .option('--tail <lines>', 'lines of recent logs to show', intOption('tail'))
    .option('--timestamps', 'prefix each line with its timestamp')
    .action(async (pod: string, container: string | undefined, o) => {
      await runLogs(session(), pod, { ...o, container: o.container ?? container }, io);
    });

  program
    .command('exec')
    .description('run a command in a container')
    .argument('<pod>', 'POD or pod/POD')
    .argument('<command...>', 'the command (after --)')
    .option('-c, --container <name>', 'container name')
    .option('-i, --stdin', 'pass stdin to the container')
    .option('-t, --tty', 'stdin is a TTY')
    .action(async (pod: string, command: string[], o) => {
      await runExec(session(), pod, command, o, io);
    });

  program
    .command('edit')
    .description('edit a resource in $EDITOR and update it')
    .argument('<args...>', 'TYPE NAME or TYPE/NAME')
    .action(async (args: string[]) => {
      await runEdit(session(), args, io);
    });

  return program;
}

/** Flags that default to true: kubectl spells turning them off `--flag=false`. */
const NEGATABLE = new Set(['wait', 'watch', 'headers']);

/**
 * kubectl's boolean flag syntax on top of commander's: `--flag=true` is `--flag`, and
 * `--flag=false` is `--no-flag` for flags that default to true (others are just dropped).
 */
export function normalizeBooleanFlags(argv: string[]): string[] {
  const out: string[] = [];
  for (const arg of argv) {
    if (arg === '--') {
      out.push(...argv.slice(argv.indexOf(arg)));
      break;
    }
    const m = /^--([a-z][a-z-]*)=(true|false)$/.exec(arg);
    if (!m) {
      out.push(arg);
      continue;
    }
    const [, name, value] = m;
    if (value === 'true') {
      // --headers has no positive form (only --no-headers): true is its default.
      if (name !== 'headers') out.push(`--${name}`);
    } else if (NEGATABLE.has(name!)) {
      out.push(`--no-${name}`);
    }
  }
  return out;
}

export async function runTkctl(argv: string[], io: CliIO): Promise<number> {
  const sessions: Session[] = [];
  const program = buildProgram(io, sessions);
  try {
    if (argv.length === 0) {
      program.outputHelp();
      return 0;
    }
    await program.parseAsync(normalizeBooleanFlags(argv), { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander printed its own one-line message already (or help, exit code 0).
      return err.exitCode;
    }
    if (err instanceof ExitCode) return err.exitCode;
    if (err instanceof CliError) {
      if (err.message) io.stderr.write(`error: ${err.message}\n`);
      return err.exitCode;
    }
    io.stderr.write(`error: ${errorLine(err)}\n`);
    return 1;
  } finally {
    for (const s of sessions) s.close();
  }
}

/** Runs tkctl on the real process's arguments and streams; sets the exit code. */
export async function main(): Promise<void> {
  const io: CliIO = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, cwd: process.cwd() };
  try {
    process.exitCode = await runTkctl(process.argv.slice(2), io);
  } catch (err) {
    process.stderr.write(`error: ${errorLine(err)}\n`);
    process.exitCode = 1;
  }
  // Streams a command left open (stdin of exec, a finished watch) must not keep the process alive.
  if (!process.stdin.isTTY) process.stdin.unref?.();
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) void main();
