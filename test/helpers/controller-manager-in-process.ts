/**
 * A real apiserver + etcd with an in-process controller-manager running the named
 * controllers under the controller-manager's own identity (so its RBAC role is tested too).
 */
import pino from 'pino';
import type { KubeClient } from '../../api/client/kube-client.js';
import { startControllerManager, type ControllerManager } from '../../controllers/manager.js';
import { startControlPlane, type TestControlPlane } from './control-plane.js';

export interface ControllersOnControlPlane {
  cp: TestControlPlane;
  manager: ControllerManager;
  stop(): Promise<void>;
}

export async function startControllersOnControlPlane(controllers: string[]): Promise<ControllersOnControlPlane> {
  const cp = await startControlPlane();
  let cmClient: KubeClient | undefined;
  try {
    cmClient = await cp.clientFor('controller-manager');
    const manager = await startControllerManager({
      client: cmClient,
      logger: pino({ level: process.env.TKUBE_TEST_LOG ?? 'silent' }),
      controllers,
      leaderElect: false,
    });
    const client = cmClient;
    return {
      cp,
      manager,
      async stop() {
        await manager.stop();
        client.close();
        await cp.stop();
      },
    };
  } catch (err) {
    cmClient?.close();
    await cp.stop();
    throw err;
  }
}
