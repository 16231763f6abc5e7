import type { KubeObject } from '../../kube/objects.js';
import { hasOwn, setOwn } from '../../kube/own.js';
import { parseQuantity } from '../../kube/quantity.js';
import type { Store } from '../store.js';
import type { ResolvedImage } from './images.js';
import type { Container, DownwardItem, PodSpec } from './types.js';

/**
 * A container's environment as the kubelet builds it (makeEnvironmentVariables): service links
 * first, then envFrom sources in order, then env entries in order (each may use `$(VAR)` of what
 * came before); the image's ENV under all of them. On top, what the simulated node itself needs:
 * PATH with the `churn-mlops` shim, HOSTNAME, CHURN_MLOPS_FS_ROOT (the pod's root folder) and PORT
 * (where the first container port really listens). The node's PORT wins over one in the spec: the
 * process must listen where the node routes the container port to.
 */
export interface EnvironmentInput {
  store: Store;
  pod: KubeObject;
  container: Container;
  image: ResolvedImage;
  podIP: string;
  hostIP: string;
  /** `<NAME>_SERVICE_HOST`... for the namespace's Services, pointing at the node's local proxies. */
  serviceLinks: Record<string, string>;
  rootDir: string;
  shimDir: string;
  port: number | undefined;
  nodeAllocatable: { cpu: number; memory: number };
}

export type EnvironmentResult = { env: Record<string, string> } | { error: string };

const BASE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const VALID_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

export function containerEnvironment(input: EnvironmentInput): EnvironmentResult {
  const { store, pod, container } = input;
  const namespace = pod.metadata.namespace ?? 'default';
  const spec = pod.spec as PodSpec;
  const env: Record<string, string> = { ...input.image.env };
  if (spec.enableServiceLinks !== false) Object.assign(env, input.serviceLinks);

  for (const source of container.envFrom ?? []) {
    const prefix = source.prefix ?? '';
    if (source.configMapRef) {
      const map = store.get('ConfigMap', namespace, source.configMapRef.name);
      if (!map) {
        if (source.configMapRef.optional) continue;
        return { error: `configmap "${source.configMapRef.name}" not found` };
      }
      for (const [key, value] of Object.entries(configMapData(map))) {
        if (VALID_NAME.test(prefix + key)) setOwn(env, prefix + key, value);
      }
    }
    if (source.secretRef) {
      const secret = store.get('Secret', namespace, source.secretRef.name);
      if (!secret) {
        if (source.secretRef.optional) continue;
        return { error: `secret "${source.secretRef.name}" not found` };
      }
      for (const [key, value] of Object.entries(secretData(secret))) {
        if (VALID_NAME.test(prefix + key)) setOwn(env, prefix + key, value);
      }
    }
  }

  for (const variable of container.env ?? []) {
    if (variable.value !== undefined || !variable.valueFrom) {
      setOwn(env, variable.name, expandReferences(variable.value ?? '', env));
      continue;
    }
    const from = variable.valueFrom;
    const ref = from.configMapKeyRef ?? from.secretKeyRef;
    if (ref) {
      const isSecret = Boolean(from.secretKeyRef);
      const object = store.get(isSecret ? 'Secret' : 'ConfigMap', namespace, ref.name ?? '');
      if (!object) {
        if (ref.optional) continue;
        return { error: `${isSecret ? 'secret' : 'configmap'} "${ref.name}" not found` };
      }
      const data = isSecret ? secretData(object) : configMapData(object);
      if (!hasOwn(data, ref.key)) {
        if (ref.optional) continue;
        return {
          error: `couldn't find key ${ref.key} in ${isSecret ? 'Secret' : 'ConfigMap'} ${namespace}/${ref.name}`,
        };
      }
      setOwn(env, variable.name, data[ref.key]!);
    } else if (from.fieldRef) {
      const value = fieldValue(pod, from.fieldRef.fieldPath, input.podIP, input.hostIP);
      if (value === undefined) return { error: `unsupported fieldPath: ${from.fieldRef.fieldPath}` };
      setOwn(env, variable.name, value);
    } else if (from.resourceFieldRef) {
      const value = resourceValue(spec, container, from.resourceFieldRef, input.nodeAllocatable);
      if (value === undefined) return { error: `unsupported resource: ${from.resourceFieldRef.resource}` };
      setOwn(env, variable.name, value);
    }
  }

  env.PATH = `${input.shimDir}:${env.PATH ?? BASE_PATH}`;
  env.HOSTNAME ??= pod.metadata.name;
  env.HOME ??= input.image.env.HOME ?? '/root';
  env.CHURN_MLOPS_FS_ROOT = input.rootDir;
  if (input.port !== undefined) env.PORT = String(input.port);
  // A pod's process runs on this machine, not in a network namespace: it listens on loopback only,
  // so that /predict and /admin/drain are not open to the local network.
  env.CHURN_MLOPS_HOST = '127.0.0.1';
  return { env };
}

/** `$(VAR)` => its value when defined, `$$` => `$`, anything else left as written (Kubernetes' expansion rules). */
export function expandReferences(text: string, env: Record<string, string>): string {
  return text.replace(/\$\$|\$\(([^)]*)\)/g, (match, name: string | undefined) => {
    if (match === '$$') return '$';
    return name !== undefined && hasOwn(env, name) ? env[name]! : match;
  });
}

export function configMapData(map: KubeObject): Record<string, string> {
  const data: Record<string, string> = { ...((map.data as Record<string, string>) ?? {}) };
  for (const [key, value] of Object.entries((map.binaryData as Record<string, string>) ?? {})) {
    setOwn(data, key, Buffer.from(value, 'base64').toString('utf8'));
  }
  return data;
}

export function secretData(secret: KubeObject): Record<string, string> {
  const data: Record<string, string> = {};
  for (const [key, value] of Object.entries((secret.data as Record<string, string>) ?? {})) {
    setOwn(data, key, Buffer.from(value, 'base64').toString('utf8'));
  }
  // stringData is write-only in the API; a secret written straight to the store may still carry it.
  for (const [key, value] of Object.entries((secret.stringData as Record<string, string>) ?? {}))
    setOwn(data, key, value);
  return data;
}

/** The downward API's fieldRef values (env and downwardAPI volumes). */
export function fieldValue(pod: KubeObject, path: string, podIP: string, hostIP: string): string | undefined {
  const meta = pod.metadata;
  const spec = pod.spec as PodSpec;
  const keyed = path.match(/^metadata\.(labels|annotations)\['(.+)'\]$/);
  if (keyed) return meta[keyed[1] as 'labels' | 'annotations']?.[keyed[2]!] ?? '';
  const map = (values: Record<string, string> | undefined) =>
    Object.entries(values ?? {})
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${k}="${v}"`)
      .join('\n');
  switch (path) {
    case 'metadata.name':
      return meta.name;
    case 'metadata.namespace':
      return meta.namespace ?? 'default';
    case 'metadata.uid':
      return meta.uid ?? '';
    case 'metadata.labels':
      return map(meta.labels);
    case 'metadata.annotations':
      return map(meta.annotations);
    case 'spec.nodeName':
      return spec.nodeName ?? '';
    case 'spec.serviceAccountName':
      return spec.serviceAccountName ?? 'default';
    case 'status.podIP':
    case 'status.podIPs':
      return podIP;
    case 'status.hostIP':
    case 'status.hostIPs':
      return hostIP;
    default:
      return undefined;
  }
}

/** `limits.memory` with divisor `1Mi` => "512"; an unset limit is the node's allocatable, as in Kubernetes. */
export function resourceValue(
  spec: PodSpec,
  container: Container,
  ref: NonNullable<DownwardItem['resourceFieldRef']>,
  allocatable: { cpu: number; memory: number },
): string | undefined {
  const target = ref.containerName
    ? ([...spec.containers, ...(spec.initContainers ?? [])].find((c) => c.name === ref.containerName) ??
      container)
    : container;
  const [kind, name] = ref.resource.split('.');
  if ((kind !== 'limits' && kind !== 'requests') || (name !== 'cpu' && name !== 'memory')) return undefined;
  const limits = target.resources?.limits ?? {};
  const requests = { ...limits, ...(target.resources?.requests ?? {}) };
  let value = parseQuantity((kind === 'limits' ? limits : requests)[name]);
  if (value === undefined) value = kind === 'limits' ? allocatable[name] : 0;
  const divisor = parseQuantity(ref.divisor ?? 1) || 1;
  return String(Math.ceil(value / divisor));
}
