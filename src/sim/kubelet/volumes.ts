import { copyFile, lstat, mkdir, readdir, rm, symlink } from 'node:fs/promises';
import { dirname, join, posix, relative } from 'node:path';
import { writeFileAtomic } from '../../files/atomic.js';
import type { KubeObject } from '../../kube/objects.js';
import { setOwn } from '../../kube/own.js';
import type { Store } from '../store.js';
import { fieldValue, resourceValue } from './env.js';
import type { Container, DownwardItem, KeyToPath, PodSpec, Volume } from './types.js';

/**
 * The pod's filesystem. Each pod has a root folder (`<stateDir>/pods/<uid>/root`) standing for the
 * container's `/` (the workload resolves absolute paths under it through CHURN_MLOPS_FS_ROOT);
 * each volumeMount appears at its mountPath as a symlink to the volume's folder (or to a subPath
 * inside it):
 *
 * - persistentVolumeClaim: the bound PV's folder on the node, `<stateDir>/node/<PV hostPath>`,
 *   created on first use and kept after the pod (like local-path on a kind node);
 * - configMap / secret / downwardAPI / projected: files written from the objects, in
 *   `<stateDir>/pods/<uid>/volumes/<name>`, rewritten when the object changes. A subPath mount of
 *   one file is a copy made at container start, which does not follow later changes (as in
 *   Kubernetes);
 * - emptyDir: `<stateDir>/pods/<uid>/volumes/<name>`, deleted with the pod;
 * - hostPath: `<stateDir>/node/<path>`.
 *
 * All containers of a pod share its root, so two containers mounting different volumes at one path
 * see the last one. `readOnly` is not enforced: symlinks cannot make a folder read-only.
 */
export interface PodPaths {
  podDir: string;
  rootDir: string;
  nodeDir: string;
}

export interface VolumeSource {
  dir: string;
  /** Files written by the node from API objects (a subPath of one is copied, not linked). */
  generated: boolean;
}

export type VolumeCheck = { ready: true } | { ready: false; message: string };

/** Whether every volume can be set up now: claims bound to an existing PV, referenced objects present. */
export function checkVolumes(store: Store, pod: KubeObject): VolumeCheck {
  const namespace = pod.metadata.namespace ?? 'default';
  for (const volume of (pod.spec as PodSpec).volumes ?? []) {
    const fail = (why: string): VolumeCheck => ({
      ready: false,
      message: `MountVolume.SetUp failed for volume "${volume.name}" : ${why}`,
    });
    if (volume.persistentVolumeClaim) {
      const name = volume.persistentVolumeClaim.claimName;
      const claim = store.get('PersistentVolumeClaim', namespace, name);
      if (!claim) return fail(`persistentvolumeclaim "${name}" not found`);
      const pvName = claim.spec?.volumeName as string | undefined;
      if (claim.status?.phase !== 'Bound' || !pvName) return fail(`PVC ${namespace}/${name} is not bound`);
      if (!store.get('PersistentVolume', undefined, pvName))
        return fail(`persistentvolume "${pvName}" not found`);
    }
    if (volume.configMap && !volume.configMap.optional) {
      if (!store.get('ConfigMap', namespace, volume.configMap.name))
        return fail(`configmap "${volume.configMap.name}" not found`);
    }
    if (volume.secret && !volume.secret.optional) {
      if (!store.get('Secret', namespace, volume.secret.secretName))
        return fail(`secret "${volume.secret.secretName}" not found`);
    }
  }
  return { ready: true };
}

/** The folder of a PersistentVolume on the simulated node. */
export function persistentVolumeDir(nodeDir: string, pv: KubeObject): string {
  const path = (pv.spec?.hostPath?.path ?? pv.spec?.local?.path) as string | undefined;
  return path ? join(nodeDir, safeRelative(path)) : join(nodeDir, 'volumes', pv.metadata.name);
}

/** Creates every volume's folder (and its files) for the pod. */
export async function prepareVolumes(
  store: Store,
  pod: KubeObject,
  paths: PodPaths,
  addresses: { podIP: string; hostIP: string; allocatable: { cpu: number; memory: number } },
): Promise<Map<string, VolumeSource>> {
  const namespace = pod.metadata.namespace ?? 'default';
  const sources = new Map<string, VolumeSource>();
  for (const volume of (pod.spec as PodSpec).volumes ?? []) {
    const own = join(paths.podDir, 'volumes', volume.name);
    let source: VolumeSource = { dir: own, generated: false };
    if (volume.persistentVolumeClaim) {
      const claim = store.get('PersistentVolumeClaim', namespace, volume.persistentVolumeClaim.claimName);
      const pv = claim && store.get('PersistentVolume', undefined, claim.spec?.volumeName);
      if (pv) source = { dir: persistentVolumeDir(paths.nodeDir, pv), generated: false };
    } else if (volume.hostPath) {
      source = { dir: join(paths.nodeDir, safeRelative(volume.hostPath.path)), generated: false };
    } else if (volume.configMap || volume.secret || volume.downwardAPI || volume.projected) {
      source = { dir: own, generated: true };
    }
    await mkdir(source.dir, { recursive: true });
    if (source.generated) await writeGeneratedVolume(store, pod, volume, source.dir, addresses);
    sources.set(volume.name, source);
  }
  return sources;
}

/** Rewrites the files of the pod's configMap/secret/downwardAPI volumes (after an object changed). */
export async function refreshGeneratedVolumes(
  store: Store,
  pod: KubeObject,
  sources: Map<string, VolumeSource>,
  addresses: { podIP: string; hostIP: string; allocatable: { cpu: number; memory: number } },
): Promise<void> {
  for (const volume of (pod.spec as PodSpec).volumes ?? []) {
    const source = sources.get(volume.name);
    if (source?.generated) await writeGeneratedVolume(store, pod, volume, source.dir, addresses);
  }
}

/** Whether a volume of the pod is made from this ConfigMap or Secret. */
export function usesObject(pod: KubeObject, kind: string, name: string): boolean {
  return ((pod.spec as PodSpec).volumes ?? []).some((v) => {
    const sources = [
      { configMap: v.configMap, secret: v.secret ? { name: v.secret.secretName } : undefined },
      ...(v.projected?.sources ?? []),
    ];
    return sources.some((s) => (kind === 'ConfigMap' ? s.configMap?.name : s.secret?.name) === name);
  });
}

/** Makes the container's volumeMounts appear under the pod's root. */
export async function mountVolumes(
  rootDir: string,
  container: Container,
  sources: Map<string, VolumeSource>,
): Promise<void> {
  for (const mount of container.volumeMounts ?? []) {
    const source = sources.get(mount.name);
    if (!source) continue;
    const target = join(rootDir, safeRelative(mount.mountPath));
    const from = mount.subPath ? join(source.dir, safeRelative(mount.subPath)) : source.dir;
    await clearMountPoint(target);
    await mkdir(dirname(target), { recursive: true });
    if (mount.subPath && source.generated && (await isFile(from))) {
      await copyFile(from, target);
      continue;
    }
    // Kubernetes creates a missing subPath folder in the volume.
    if (!(await exists(from))) await mkdir(from, { recursive: true });
    await symlink(from, target);
  }
}

async function writeGeneratedVolume(
  store: Store,
  pod: KubeObject,
  volume: Volume,
  dir: string,
  addresses: { podIP: string; hostIP: string; allocatable: { cpu: number; memory: number } },
): Promise<void> {
  const namespace = pod.metadata.namespace ?? 'default';
  const files = new Map<string, Buffer>();
  const fromObject = (kind: 'ConfigMap' | 'Secret', name: string, items: KeyToPath[] | undefined) => {
    const object = store.get(kind, namespace, name);
    if (!object) return;
    const data = kind === 'Secret' ? secretBytes(object) : configMapBytes(object);
    const wanted = items ?? Object.keys(data).map((key) => ({ key, path: key }));
    for (const { key, path } of wanted) if (data[key]) files.set(path, data[key]!);
  };
  const fromDownward = (items: DownwardItem[] | undefined) => {
    for (const item of items ?? []) {
      const spec = pod.spec as PodSpec;
      const value = item.fieldRef
        ? fieldValue(pod, item.fieldRef.fieldPath, addresses.podIP, addresses.hostIP)
        : item.resourceFieldRef
          ? resourceValue(spec, spec.containers[0]!, item.resourceFieldRef, addresses.allocatable)
          : undefined;
      if (value !== undefined) files.set(item.path, Buffer.from(value));
    }
  };
  if (volume.configMap) fromObject('ConfigMap', volume.configMap.name, volume.configMap.items);
  if (volume.secret) fromObject('Secret', volume.secret.secretName, volume.secret.items);
  if (volume.downwardAPI) fromDownward(volume.downwardAPI.items);
  for (const source of volume.projected?.sources ?? []) {
    if (source.configMap) fromObject('ConfigMap', source.configMap.name, source.configMap.items);
    if (source.secret) fromObject('Secret', source.secret.name, source.secret.items);
    if (source.downwardAPI) fromDownward(source.downwardAPI.items);
    // A placeholder, not a token the API server takes: the simulated pods never call it.
    if (source.serviceAccountToken)
      files.set(source.serviceAccountToken.path, Buffer.from('simulated-service-account-token'));
  }
  for (const [path, content] of files) await writeFileAtomic(join(dir, safeRelative(path)), content);
  await removeStale(dir, new Set([...files.keys()].map((p) => safeRelative(p))));
}

async function removeStale(dir: string, keep: Set<string>, base = dir): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const rel = relative(base, path);
    if (entry.isDirectory()) {
      if (![...keep].some((k) => k.startsWith(`${rel}/`))) await rm(path, { recursive: true, force: true });
      else await removeStale(path, keep, base);
    } else if (!keep.has(rel)) await rm(path, { force: true });
  }
}

// Keys are the learner's (a ConfigMap may hold one named __proto__): own properties, always.
function configMapBytes(map: KubeObject): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  for (const [k, v] of Object.entries((map.data as Record<string, string>) ?? {}))
    setOwn(out, k, Buffer.from(v));
  for (const [k, v] of Object.entries((map.binaryData as Record<string, string>) ?? {}))
    setOwn(out, k, Buffer.from(v, 'base64'));
  return out;
}

function secretBytes(secret: KubeObject): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  for (const [k, v] of Object.entries((secret.data as Record<string, string>) ?? {}))
    setOwn(out, k, Buffer.from(v, 'base64'));
  for (const [k, v] of Object.entries((secret.stringData as Record<string, string>) ?? {}))
    setOwn(out, k, Buffer.from(v));
  return out;
}

/** A container path as a path relative to a root folder; `..` cannot climb out of it. */
export function safeRelative(path: string): string {
  return posix.normalize(`/${path}`).replace(/^\/+/, '');
}

async function clearMountPoint(target: string): Promise<void> {
  try {
    const stat = await lstat(target);
    // What the image layer had at a mount point is hidden by the mount; here it is replaced.
    await rm(target, { recursive: stat.isDirectory(), force: true });
  } catch {
    // Nothing there yet.
  }
}

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}

async function isFile(path: string): Promise<boolean> {
  return lstat(path).then(
    (s) => s.isFile(),
    () => false,
  );
}
