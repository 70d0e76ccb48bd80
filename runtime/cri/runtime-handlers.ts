// CRI RuntimeService: maps each RPC onto the sandbox/container services.
import { promises as fs } from 'node:fs';
import type { RuntimeContext } from '../context.js';
import type { ContainerService } from '../container/container-service.js';
import type { SandboxService } from '../sandbox/sandbox-service.js';
import type { StreamingServer } from '../streaming/server.js';
import { bufferMessages, serveExec, serveLogAttach, servePortForward } from '../streaming/sessions.js';
import { failedPrecondition } from './grpc-errors.js';
import type { RuntimeServiceHandlers } from './types.js';

export const RUNTIME_NAME = 'tkube';
export const RUNTIME_VERSION = '0.1.0';
export const CRI_API_VERSION = 'v1';

export function runtimeHandlers(
  ctx: RuntimeContext,
  sandboxes: SandboxService,
  containers: ContainerService,
  streaming: StreamingServer,
): RuntimeServiceHandlers {
  return {
    async Version() {
      return { version: '0.1.0', runtime_name: RUNTIME_NAME, runtime_version: RUNTIME_VERSION, runtime_api_version: CRI_API_VERSION };
    },
    async RunPodSandbox(req) {
      return { pod_sandbox_id: await sandboxes.run(req.config, req.runtime_handler) };
    },
    async StopPodSandbox(req) {
      await sandboxes.stop(req.pod_sandbox_id);
      return {};
    },
    async RemovePodSandbox(req) {
      await sandboxes.remove(req.pod_sandbox_id);
      return {};
    },
    async PodSandboxStatus(req) {
      const status = sandboxes.status(req.pod_sandbox_id);
      // crictl inspectp shows info.info; keep it to what helps debugging.
      const info: Record<string, string> = {};
      if (req.verbose) {
        const rec = sandboxes.get(req.pod_sandbox_id);
        info.info = JSON.stringify({ pid: rec.pausePid, netns: rec.netnsPath ?? '', cgroup: rec.podCgroup, runtime: ctx.oci.binary });
      }
      return { status, info };
    },
    async ListPodSandbox(req) {
      return { items: sandboxes.list(req.filter) };
    },
    async CreateContainer(req) {
      return { container_id: await containers.create(req.pod_sandbox_id, req.config, req.sandbox_config) };
    },
    async StartContainer(req) {
      await containers.start(req.container_id);
      return {};
    },
    async StopContainer(req) {
      await containers.stop(req.container_id, req.timeout);
      return {};
    },
    async RemoveContainer(req) {
      await containers.remove(req.container_id);
      return {};
    },
    async ListContainers(req) {
      return { containers: await containers.list(req.filter) };
    },
    async ContainerStatus(req) {
      const status = await containers.status(req.container_id);
      const info: Record<string, string> = {};
      if (req.verbose) info.info = JSON.stringify(containers.debugInfo(status.id));
      return { status, info };
    },
    async UpdateContainerResources(req) {
      await containers.updateResources(req.container_id, req.linux);
      return {};
    },
    async ReopenContainerLog(req) {
      await containers.reopenLog(req.container_id);
      return {};
    },
    async ExecSync(req) {
      const r = await containers.execSync(req.container_id, req.cmd, req.timeout);
      return { stdout: r.stdout, stderr: r.stderr, exit_code: r.exitCode };
    },
    async Exec(req) {
      const { rec, proc } = await containers.execProcess(req.container_id, req.cmd);
      const url = streaming.register('exec', (ws) => {
        const takeEarly = bufferMessages(ws);
        void (async () => {
          await fs.mkdir(ctx.paths.execDir, { recursive: true });
          const f = containers.execFiles();
          // No terminal: runc's -t hands the pty master over a console socket with
          // SCM_RIGHTS, which Node cannot receive. A tty request gets pipes, with
          // stderr merged into stdout as CRI specifies for tty sessions.
          const child = await ctx.oci.spawnExec(rec.id, proc, f.processFile, f.pidFile);
          serveExec(ws, child, { stdin: req.stdin, stdout: req.stdout || req.tty, stderr: req.stderr && !req.tty }, async () => {
            await fs.rm(f.processFile, { force: true });
            await fs.rm(f.pidFile, { force: true });
          }, takeEarly());
        })().catch((err: unknown) => {
          ctx.log.warn({ container: rec.id, err: String(err) }, 'exec session failed');
          ws.close(1011);
        });
      });
      return { url };
    },
    async Attach(req) {
      const status = await containers.status(req.container_id);
      if (status.state !== 'CONTAINER_RUNNING') throw failedPrecondition(`container ${status.id} is not running`);
      const url = streaming.register('attach', (ws) =>
        serveLogAttach(ws, status.log_path, { stdin: false, stdout: req.stdout, stderr: req.stderr }, async () => {
          try {
            return (await containers.status(status.id)).state !== 'CONTAINER_RUNNING';
          } catch {
            return true;
          }
        }),
      );
      return { url };
    },
    async PortForward(req) {
      const sb = sandboxes.get(req.pod_sandbox_id);
      if (sb.state !== 'ready' || !sb.netnsPath) throw failedPrecondition(`pod sandbox ${sb.id} has no network namespace to forward into`);
      const netns = sb.netnsPath;
      const url = streaming.register('portforward', (ws) => servePortForward(ws, netns, req.port));
      return { url };
    },
    async UpdateRuntimeConfig() {
      return {};
    },
    async Status() {
      let networkReady = true;
      let reason = '';
      let message = '';
      try {
        const names = await fs.readdir(ctx.opts.cniConfDir);
        if (!names.some((n) => /\.(conflist|conf|json)$/.test(n))) throw new Error(`no network config in ${ctx.opts.cniConfDir}`);
      } catch (e) {
        networkReady = false;
        reason = 'NetworkPluginNotReady';
        message = `cni config uninitialized: ${e instanceof Error ? e.message : String(e)}`;
      }
      return {
        status: {
          conditions: [
            { type: 'RuntimeReady', status: true, reason: '', message: '' },
            { type: 'NetworkReady', status: networkReady, reason, message },
          ],
        },
        info: {},
      };
    },
  };
}
