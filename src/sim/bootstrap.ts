import { randomUUID } from 'node:crypto';
import { cpus, release, totalmem } from 'node:os';
import type { KubeObject } from '../kube/objects.js';
import { bootstrapClusterRoleBindings, bootstrapClusterRoles } from '../kube/rbac/bootstrap.js';
import { KUBERNETES_VERSION } from './server/discovery.js';
import { now, type Store } from './store.js';

/**
 * What a fresh kind cluster has before anyone applies anything: the system namespaces, one node
 * `churn-labs-control-plane`, the `standard` StorageClass of kind's local-path provisioner (the
 * default class, WaitForFirstConsumer) and the `kubernetes` Service. Created when absent, so a
 * restarted simulator keeps what the learner changed.
 */
export const NODE_NAME = 'churn-labs-control-plane';
export const NODE_IP = '172.18.0.2';

const namespace = (name: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name, labels: { 'kubernetes.io/metadata.name': name } },
  spec: { finalizers: ['kubernetes'] },
  status: { phase: 'Active' },
});

/** The node advertises at least a laptop's worth of room, so the course's replicas all fit. */
function node(): KubeObject {
  const cpu = String(Math.max(cpus().length, 4));
  const memory = `${Math.floor(Math.max(totalmem(), 8 * 1024 ** 3) / 1024)}Ki`;
  const resources = {
    cpu,
    'ephemeral-storage': '102626232Ki',
    'hugepages-1Gi': '0',
    'hugepages-2Mi': '0',
    memory,
    pods: '110',
  };
  const at = now();
  const condition = (type: string, status: string, reason: string, message: string) => ({
    type,
    status,
    reason,
    message,
    lastHeartbeatTime: at,
    lastTransitionTime: at,
  });
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: NODE_NAME,
      labels: {
        'beta.kubernetes.io/arch': 'amd64',
        'beta.kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'kubernetes.io/hostname': NODE_NAME,
        'kubernetes.io/os': 'linux',
        'node-role.kubernetes.io/control-plane': '',
      },
      annotations: {
        'kubeadm.alpha.kubernetes.io/cri-socket': 'unix:///run/containerd/containerd.sock',
        'node.alpha.kubernetes.io/ttl': '0',
        'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
      },
    },
    spec: {
      podCIDR: '10.244.0.0/24',
      podCIDRs: ['10.244.0.0/24'],
      providerID: `kind://docker/churn-labs/${NODE_NAME}`,
    },
    status: {
      addresses: [
        { type: 'InternalIP', address: NODE_IP },
        { type: 'Hostname', address: NODE_NAME },
      ],
      allocatable: resources,
      capacity: resources,
      conditions: [
        condition(
          'MemoryPressure',
          'False',
          'KubeletHasSufficientMemory',
          'kubelet has sufficient memory available',
        ),
        condition('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
        condition('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
        condition('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        architecture: 'amd64',
        bootID: randomUUID(),
        containerRuntimeVersion: 'containerd://1.7.24',
        kernelVersion: release(),
        kubeProxyVersion: KUBERNETES_VERSION.gitVersion,
        kubeletVersion: KUBERNETES_VERSION.gitVersion,
        machineID: randomUUID().replace(/-/g, ''),
        operatingSystem: 'linux',
        osImage: 'Debian GNU/Linux 12 (bookworm)',
        systemUUID: randomUUID(),
      },
    },
  };
}

const storageClass = (): KubeObject => ({
  apiVersion: 'storage.k8s.io/v1',
  kind: 'StorageClass',
  metadata: { name: 'standard', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
  provisioner: 'rancher.io/local-path',
  reclaimPolicy: 'Delete',
  volumeBindingMode: 'WaitForFirstConsumer',
});

const kubernetesService = (): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: {
    name: 'kubernetes',
    namespace: 'default',
    labels: { component: 'apiserver', provider: 'kubernetes' },
  },
  spec: {
    clusterIP: '10.96.0.1',
    clusterIPs: ['10.96.0.1'],
    internalTrafficPolicy: 'Cluster',
    ipFamilies: ['IPv4'],
    ipFamilyPolicy: 'SingleStack',
    ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }],
    sessionAffinity: 'None',
    type: 'ClusterIP',
  },
  status: { loadBalancer: {} },
});

const kubernetesEndpoints = (): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Endpoints',
  metadata: {
    name: 'kubernetes',
    namespace: 'default',
    labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' },
  },
  subsets: [{ addresses: [{ ip: NODE_IP }], ports: [{ name: 'https', port: 6443, protocol: 'TCP' }] }],
});

/** The node's heartbeat, as kubectl describe node reads it. */
const nodeLease = (): KubeObject => ({
  apiVersion: 'coordination.k8s.io/v1',
  kind: 'Lease',
  metadata: { name: NODE_NAME, namespace: 'kube-node-lease' },
  spec: {
    holderIdentity: NODE_NAME,
    leaseDurationSeconds: 40,
    renewTime: new Date().toISOString().replace('Z', '000Z'),
  },
});

export function bootstrap(store: Store): void {
  const ensure = (kind: string, object: KubeObject) => {
    if (!store.get(kind, object.metadata.namespace, object.metadata.name)) store.create(kind, object);
  };
  for (const name of ['default', 'kube-node-lease', 'kube-public', 'kube-system'])
    ensure('Namespace', namespace(name));
  ensure('Node', node());
  ensure('StorageClass', storageClass());
  ensure('Service', kubernetesService());
  ensure('Endpoints', kubernetesEndpoints());
  ensure('Lease', nodeLease());
  for (const role of bootstrapClusterRoles()) ensure('ClusterRole', role);
  for (const binding of bootstrapClusterRoleBindings()) ensure('ClusterRoleBinding', binding);
}
