import { describe, expect, it } from 'vitest';
import { controlPlanePlan, nodePlan } from './component-plan.js';
import { kubeletSecurityOf } from './node-credentials.js';
import { quoteExecArg, renderUnit, unitName } from './systemd-units.js';

const exe = { node: '/usr/bin/node', tkubeJs: '/opt/tkube/dist/cli/tkube.js' };

function unitFor(plan: ReturnType<typeof nodePlan>, name: string): string {
  const c = plan.find((p) => p.name === name);
  if (!c) throw new Error(`no ${name} in the plan`);
  return renderUnit(c);
}

function field(unit: string, key: string): string[] {
  return unit.split('\n').filter((l) => l.startsWith(`${key}=`)).map((l) => l.slice(key.length + 1));
}

describe('systemd units from the component plan', () => {
  const cp = controlPlanePlan({
    ...exe,
    home: '/var/lib/tkube',
    etcdBinary: '/usr/bin/etcd',
    etcdClientPort: 2379,
    etcdPeerPort: 2380,
    bindAddress: '0.0.0.0',
    port: 6443,
    pkiDir: '/var/lib/tkube/pki',
    controllerManagerKubeconfig: '/var/lib/tkube/controller-manager.kubeconfig',
    schedulerKubeconfig: '/var/lib/tkube/scheduler.kubeconfig',
    podNetworkCidr: '10.244.0.0/16',
  });
  const node = nodePlan({
    ...exe,
    home: '/var/lib/tkube',
    kubeconfig: '/var/lib/tkube/kubelet.kubeconfig',
    kubeletSecurity: kubeletSecurityOf('/var/lib/tkube'),
    nodeName: 'worker-1',
    nodeIp: '192.168.56.11',
    kubeletPort: 10250,
    namePrefix: 'tkube-',
    networkMode: 'vxlan',
    networkInterface: 'eth1',
    networkAgent: true,
  });

  it('renders the control plane: etcd first, the apiserver after it, the controllers after the apiserver', () => {
    expect(cp.map((c) => unitName(c.name))).toEqual(['tkube-etcd.service', 'tkube-apiserver.service', 'tkube-controller-manager.service', 'tkube-scheduler.service']);
    const etcd = unitFor(cp, 'etcd');
    expect(field(etcd, 'ExecStart')[0]).toMatch(/^\/usr\/bin\/etcd --name tkube --data-dir \/var\/lib\/tkube\/etcd --listen-client-urls http:\/\/127\.0\.0\.1:2379 /);
    const api = unitFor(cp, 'apiserver');
    expect(field(api, 'ExecStart')).toEqual([
      '/usr/bin/node /opt/tkube/dist/cli/tkube.js apiserver --etcd-servers http://127.0.0.1:2379 --bind-address 0.0.0.0 --port 6443' +
        ' --tls-cert-file /var/lib/tkube/pki/apiserver.crt --tls-private-key-file /var/lib/tkube/pki/apiserver.key --client-ca-file /var/lib/tkube/pki/ca.crt' +
        ' --authorization-mode Node,RBAC --enable-bootstrap-token-auth' +
        ' --service-account-signing-key-file /var/lib/tkube/pki/sa.key --service-account-key-file /var/lib/tkube/pki/sa.pub' +
        ' --service-account-issuer https://kubernetes.default.svc.cluster.local' +
        ' --kubelet-client-certificate /var/lib/tkube/pki/apiserver-kubelet-client.crt --kubelet-client-key /var/lib/tkube/pki/apiserver-kubelet-client.key' +
        ' --kubelet-certificate-authority /var/lib/tkube/pki/ca.crt',
    ]);
    expect(field(api, 'After')).toEqual(['network-online.target tkube-etcd.service']);
    expect(field(api, 'Wants')).toEqual(['network-online.target tkube-etcd.service']);
    expect(field(api, 'Restart')).toEqual(['always']);
    const cm = field(unitFor(cp, 'controller-manager'), 'ExecStart')[0];
    expect(cm).toContain('controller-manager --kubeconfig /var/lib/tkube/controller-manager.kubeconfig --metrics-port 0 --cluster-cidr 10.244.0.0/16');
    expect(cm).toContain('--cluster-signing-cert-file /var/lib/tkube/pki/ca.crt --cluster-signing-key-file /var/lib/tkube/pki/ca.key --root-ca-file /var/lib/tkube/pki/ca.crt');
    expect(field(unitFor(cp, 'scheduler'), 'ExecStart')[0]).toContain('scheduler --kubeconfig /var/lib/tkube/scheduler.kubeconfig');
    expect(field(unitFor(cp, 'scheduler'), 'After')).toEqual(['network-online.target tkube-apiserver.service']);
    expect(api).toContain('[Install]\nWantedBy=multi-user.target\n');
  });

  it('renders the node: the runtime keeps its containers across restarts and manages cgroups', () => {
    const rt = unitFor(node, 'runtime');
    expect(field(rt, 'KillMode')).toEqual(['process']);
    expect(field(rt, 'Delegate')).toEqual(['yes']);
    expect(field(rt, 'ExecStart')[0]).toContain('runtime --socket /var/lib/tkube/run/runtime.sock');
    const kubelet = unitFor(node, 'kubelet');
    expect(field(kubelet, 'KillMode')).toEqual([]);
    expect(field(kubelet, 'After')).toEqual(['network-online.target tkube-runtime.service']);
    expect(field(kubelet, 'ExecStart')[0]).toContain('--node-name worker-1 --container-runtime-endpoint unix:///var/lib/tkube/run/runtime.sock');
    expect(field(kubelet, 'ExecStart')[0]).toContain('--node-ip 192.168.56.11 --address 192.168.56.11 --port 10250');
    expect(field(kubelet, 'ExecStart')[0]).toContain(
      '--kubeconfig /var/lib/tkube/kubelet.kubeconfig --node-name worker-1',
    );
    expect(field(kubelet, 'ExecStart')[0]).toContain(
      '--bootstrap-kubeconfig /var/lib/tkube/bootstrap-kubelet.kubeconfig --client-ca-file /var/lib/tkube/pki/ca.crt --cert-dir /var/lib/tkube/kubelet/pki',
    );
    expect(field(unitFor(node, 'network-agent'), 'ExecStart')).toEqual([
      '/usr/bin/node /opt/tkube/dist/cli/tkube.js network-agent --kubeconfig /var/lib/tkube/kubelet.kubeconfig --node-name worker-1 --mode vxlan --interface eth1',
    ]);
  });

  it('writes environment and quotes what systemd would split or expand', () => {
    const unit = renderUnit({ name: 'x', description: 'x', command: '/bin/echo', args: ['a b', '50%', '$HOME', 'say "hi"', ''], env: { TKUBE_LOG_LEVEL: 'debug' } });
    expect(field(unit, 'ExecStart')).toEqual(['/bin/echo "a b" 50%% $$HOME "say \\"hi\\"" ""']);
    expect(field(unit, 'Environment')).toEqual(['TKUBE_LOG_LEVEL=debug']);
    expect(quoteExecArg('back\\slash')).toBe('"back\\\\slash"');
  });
});
