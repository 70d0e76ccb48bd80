/**
 * What `tkube up --nodes N` creates on the host — the list `tkube down` uses to clean up
 * after a crash (kill the processes first: a netns lives on while a process is inside).
 *
 *   network namespaces   tkube-cp            the control plane; holds the underlay bridge
 *                        tkube-node-<i>      one per node, i = 1..N
 *   links (all inside those namespaces; none in the root netns)
 *                        tkube-ul            bridge in tkube-cp, 10.213.0.1/24
 *                        tkube-ul<i>         veth in tkube-cp, enslaved to tkube-ul
 *                        eth0                its peer in tkube-node-<i>, 10.213.0.(10+i)/24
 *                        tkube0, veth*       each node's CNI bridge and pod veths, in tkube-node-<i>
 *                        flannel-like vxlan  whatever the network agent creates, in tkube-node-<i>
 *   pod network namespaces  /run/netns/tkube-node-<i>-<sandbox id>   (the runtime's, per node prefix)
 *   cgroups              /sys/fs/cgroup/<controller>/tkube-node-<i>/...   (each node runtime's cgroup root)
 *   iptables             only inside the node namespaces (CNI masquerade chains): gone with them
 *   mounts               container rootfs, shm and netns bind mounts live in each node's own mount
 *                        namespace (ip netns exec): gone when its last process exits
 *   processes            the `tkube up` process; under it `ip netns exec … tkube init` (etcd,
 *                        apiserver, controller-manager, scheduler) and one `… tkube join` per node
 *                        (runtime, kubelet, network-agent), plus conmon and containers
 *   listening socket     127.0.0.1:<port> in the root netns (the `up` process forwarding to the API)
 *   files                $TKUBE_HOME/kubeconfig, $TKUBE_HOME/logs, $TKUBE_HOME/run/apiserver.sock,
 *                        $TKUBE_HOME/cp (etcd data, control-plane logs), $TKUBE_HOME/nodes/node-<i>
 */
export const CP_NETNS = 'tkube-cp';
export const UNDERLAY_BRIDGE = 'tkube-ul';
export const UNDERLAY_PREFIX_LENGTH = 24;
export const UNDERLAY_GATEWAY = '10.213.0.1';

export function nodeNetns(i: number): string {
  return `tkube-node-${i}`;
}

export function nodeName(i: number): string {
  return `tkube-node-${i}`;
}

/** The veth end in tkube-cp, on the bridge. */
export function underlayPort(i: number): string {
  return `tkube-ul${i}`;
}

/** The node's end of the veth, inside its netns. */
export const NODE_UNDERLAY_IF = 'eth0';

export function nodeAddress(i: number): string {
  if (!Number.isInteger(i) || i < 1 || i > 200) throw new Error(`node index ${i} is out of range (1-200)`);
  return `10.213.0.${10 + i}`;
}

/** Names of the node netns that may exist (to remove leftovers up to this index). */
export const MAX_NODES = 200;
