import type { KubeObject } from '../../kube/objects.js';
import type { Store } from '../store.js';
import type { ImageDefinition } from './images.js';
import type { PodAddresses } from './network.js';
import type { ProcessSupervisor } from './processes.js';
import type { ServiceProxies } from './service-proxy.js';
import type { UsageMonitor } from './usage.js';

/** What every pod worker of the node shares. */
export interface NodeContext {
  store: Store;
  nodeName: string;
  dirs: {
    /** `<stateDir>/pods`: one folder per pod uid (root, volumes). */
    pods: string;
    /** `<stateDir>/logs`: container log files. */
    logs: string;
    /** `<stateDir>/node`: the node's own disk (PV folders, hostPath volumes). */
    node: string;
    /** The folder with the `churn-mlops` shim, first on every container's PATH. */
    shim: string;
  };
  images: Record<string, ImageDefinition>;
  backoff: { initialMs: number; maxMs: number };
  /** How long an idle container (one the node does not run) takes to stop at most. */
  idleGraceMs: number;
  supervisor: ProcessSupervisor;
  usage: UsageMonitor;
  proxies: ServiceProxies;
  addresses: PodAddresses;
  hostIP(): string;
  allocatable(): { cpu: number; memory: number };
  event(object: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): void;
}
