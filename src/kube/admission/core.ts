import { badRequest, forbidden } from '../errors.js';
import { hasOwn, setOwn } from '../own.js';
import { parseQuantity } from '../quantity.js';
import { configKey, dns1123Label } from './names.js';
import { type KindRules, type Obj, same } from './rules.js';

/** Namespaces, ConfigMaps, Secrets, PVCs, PVs, StorageClasses and the kinds with little to check. */
const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];
const DEFAULT_CLASS = 'storageclass.kubernetes.io/is-default-class';
const PVC_PROTECTION = 'kubernetes.io/pvc-protection';

export const namespaceRules: KindRules = {
  name: dns1123Label,
  defaults(ns) {
    ns.metadata.labels = { ...(ns.metadata.labels ?? {}), 'kubernetes.io/metadata.name': ns.metadata.name };
  },
  prepareCreate(ns) {
    ns.spec = { finalizers: ['kubernetes'] };
    ns.status = { phase: 'Active' };
  },
  prepareUpdate(ns, old) {
    // Finalizers change only through the finalize subresource.
    ns.spec = old.spec;
  },
};

function validateDataKeys(object: Obj, errors: import('./field-errors.js').FieldErrors): void {
  for (const field of ['data', 'binaryData', 'stringData']) {
    for (const key of Object.keys(object[field] ?? {})) {
      for (const p of configKey(key)) errors.invalid(`${field}[${key}]`, key, p);
    }
  }
  for (const key of Object.keys(object.binaryData ?? {})) {
    if (hasOwn(object.data, key))
      errors.invalid(`data[${key}]`, key, 'duplicate of key present in binaryData');
  }
}

function validateImmutableData(object: Obj, old: Obj, errors: import('./field-errors.js').FieldErrors): void {
  if (old.immutable !== true) return;
  if (object.immutable !== true) errors.forbidden('immutable', 'field is immutable when `immutable` is set');
  if (!same(object.data, old.data)) errors.forbidden('data', 'field is immutable when `immutable` is set');
  if (!same(object.binaryData, old.binaryData))
    errors.forbidden('binaryData', 'field is immutable when `immutable` is set');
}

/** The most a ConfigMap's or a Secret's data may hold, as the API server counts it (core.MaxSecretSize). */
export const MAX_DATA_BYTES = 1024 * 1024;

const dataBytes = (values: Record<string, unknown> | undefined, decode: (v: string) => number) =>
  Object.values(values ?? {}).reduce<number>((sum, v) => sum + (typeof v === 'string' ? decode(v) : 0), 0);

export const configMapRules: KindRules = {
  validate(cm, errors) {
    validateDataKeys(cm, errors);
    const total =
      dataBytes(cm.data, (v) => Buffer.byteLength(v)) +
      dataBytes(cm.binaryData, (v) => Buffer.from(v, 'base64').length);
    if (total > MAX_DATA_BYTES) errors.tooLong('', MAX_DATA_BYTES);
  },
  validateUpdate: (cm, old, errors) => validateImmutableData(cm, old, errors),
};

export const secretRules: KindRules = {
  defaults(secret) {
    secret.type ??= 'Opaque';
    for (const [key, value] of Object.entries(secret.data ?? {})) {
      if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 === 1) {
        const at = typeof value === 'string' ? Math.max(0, value.search(/[^A-Za-z0-9+/=]/)) : 0;
        throw badRequest(
          `Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte ${at} (data[${key}])`,
        );
      }
    }
  },
  prepareCreate(secret) {
    foldStringData(secret);
  },
  prepareUpdate(secret) {
    foldStringData(secret);
  },
  validate(secret, errors) {
    validateDataKeys(secret, errors);
    const data = secret.data ?? {};
    if (dataBytes(data, (v) => Buffer.from(v, 'base64').length) > MAX_DATA_BYTES)
      errors.tooLong('data', MAX_DATA_BYTES);
    if (secret.type === 'kubernetes.io/tls') {
      for (const key of ['tls.crt', 'tls.key']) if (!(key in data)) errors.required(`data[${key}]`);
    }
    if (secret.type === 'kubernetes.io/dockerconfigjson' && !('.dockerconfigjson' in data))
      errors.required('data[.dockerconfigjson]');
    // The token controller fills the rest; the ServiceAccount it is for must be named.
    if (
      secret.type === 'kubernetes.io/service-account-token' &&
      !secret.metadata?.annotations?.['kubernetes.io/service-account.name']
    )
      errors.required('metadata.annotations[kubernetes.io/service-account.name]');
  },
  validateUpdate(secret, old, errors) {
    if (secret.type !== old.type) errors.immutable('type', secret.type);
    validateImmutableData(secret, old, errors);
  },
};

/** `stringData` is a write-only convenience: it lands base64-encoded in `data`. */
function foldStringData(secret: Obj): void {
  if (!secret.stringData) return;
  secret.data ??= {};
  for (const [key, value] of Object.entries(secret.stringData)) {
    setOwn(secret.data, key, Buffer.from(String(value), 'utf8').toString('base64'));
  }
  delete secret.stringData;
}

export const pvcRules: KindRules = {
  defaults(pvc) {
    pvc.spec ??= {};
    pvc.spec.volumeMode ??= 'Filesystem';
  },
  prepareCreate(pvc, { store }) {
    if (pvc.spec.storageClassName === undefined) {
      const defaults = store
        .list('StorageClass')
        .filter((sc) => sc.metadata.annotations?.[DEFAULT_CLASS] === 'true')
        .sort((a, b) =>
          String(b.metadata.creationTimestamp).localeCompare(String(a.metadata.creationTimestamp)),
        );
      if (defaults[0]) pvc.spec.storageClassName = defaults[0].metadata.name;
    }
    // The StorageObjectInUseProtection admission plugin: a claim a pod uses is not removed when
    // deleted, only marked, until no pod uses it (the PV controller then lets it go).
    const finalizers: string[] = pvc.metadata.finalizers ?? [];
    if (!finalizers.includes(PVC_PROTECTION)) pvc.metadata.finalizers = [...finalizers, PVC_PROTECTION];
    pvc.status = { phase: 'Pending' };
  },
  validate(pvc, errors) {
    const spec = pvc.spec ?? {};
    const modes: unknown[] = spec.accessModes ?? [];
    if (modes.length === 0) errors.required('spec.accessModes', 'at least 1 access mode is required');
    for (const mode of modes)
      if (!ACCESS_MODES.includes(String(mode))) errors.notSupported('spec.accessModes', mode, ACCESS_MODES);
    const storage = spec.resources?.requests?.storage;
    if (storage === undefined) errors.required('spec.resources[storage]');
    else if ((parseQuantity(storage) ?? 0) <= 0)
      errors.invalid('spec.resources[storage]', String(storage), 'must be greater than zero');
    if (spec.volumeMode !== undefined && !['Block', 'Filesystem'].includes(spec.volumeMode))
      errors.notSupported('spec.volumeMode', spec.volumeMode, ['Block', 'Filesystem']);
  },
  validateUpdate(pvc, old, errors, { store }) {
    const mutable = (spec: Obj | undefined) => {
      const copy = structuredClone(spec ?? {});
      delete copy.resources;
      delete copy.volumeAttributesClassName;
      if (!old.spec?.volumeName) delete copy.volumeName;
      return copy;
    };
    if (!same(mutable(pvc.spec), mutable(old.spec))) {
      errors.forbidden(
        'spec',
        'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims',
      );
      return;
    }
    const before = parseQuantity(old.spec?.resources?.requests?.storage) ?? 0;
    const after = parseQuantity(pvc.spec?.resources?.requests?.storage) ?? 0;
    if (after === before) return;
    if (old.status?.phase !== 'Bound') {
      errors.forbidden(
        'spec',
        'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims',
      );
      return;
    }
    if (after < before) {
      errors.forbidden('spec.resources.requests.storage', 'field can not be less than previous value');
      return;
    }
    const sc = pvc.spec?.storageClassName
      ? store.get('StorageClass', undefined, pvc.spec.storageClassName)
      : undefined;
    if (!sc?.allowVolumeExpansion)
      throw forbidden(
        `persistentvolumeclaims "${pvc.metadata.name}" is forbidden: only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize`,
      );
  },
};

export const pvRules: KindRules = {
  defaults(pv) {
    pv.spec ??= {};
    pv.spec.persistentVolumeReclaimPolicy ??= 'Retain';
    pv.spec.volumeMode ??= 'Filesystem';
    if (pv.spec.hostPath) pv.spec.hostPath.type ??= '';
  },
  prepareCreate(pv) {
    pv.status = { phase: 'Pending' };
  },
  validate(pv, errors) {
    const spec = pv.spec ?? {};
    if (spec.capacity?.storage === undefined) errors.required('spec.capacity');
    if (!(spec.accessModes ?? []).length) errors.required('spec.accessModes');
    const sources = [
      'hostPath',
      'local',
      'nfs',
      'csi',
      'iscsi',
      'fc',
      'rbd',
      'cephfs',
      'flexVolume',
      'gcePersistentDisk',
      'awsElasticBlockStore',
      'azureDisk',
      'azureFile',
    ].filter((k) => spec[k]);
    if (sources.length === 0) errors.required('spec', 'must specify a volume type');
    if (!['Retain', 'Recycle', 'Delete'].includes(spec.persistentVolumeReclaimPolicy))
      errors.notSupported('spec.persistentVolumeReclaimPolicy', spec.persistentVolumeReclaimPolicy, [
        'Delete',
        'Recycle',
        'Retain',
      ]);
  },
};

export const storageClassRules: KindRules = {
  defaults(sc) {
    sc.reclaimPolicy ??= 'Delete';
    sc.volumeBindingMode ??= 'Immediate';
  },
  validate(sc, errors) {
    if (!sc.provisioner) errors.required('provisioner');
    if (!['Delete', 'Retain'].includes(sc.reclaimPolicy))
      errors.notSupported('reclaimPolicy', sc.reclaimPolicy, ['Delete', 'Retain']);
    if (!['Immediate', 'WaitForFirstConsumer'].includes(sc.volumeBindingMode))
      errors.notSupported('volumeBindingMode', sc.volumeBindingMode, ['Immediate', 'WaitForFirstConsumer']);
  },
  validateUpdate(sc, old, errors) {
    if (!same(sc.parameters, old.parameters))
      errors.forbidden('parameters', 'updates to parameters are forbidden.');
    if (sc.provisioner !== old.provisioner)
      errors.forbidden('provisioner', 'updates to provisioner are forbidden.');
    if (sc.reclaimPolicy !== old.reclaimPolicy)
      errors.forbidden('reclaimPolicy', 'updates to reclaimPolicy are forbidden.');
    if (sc.volumeBindingMode !== old.volumeBindingMode)
      errors.immutable('volumeBindingMode', sc.volumeBindingMode);
  },
};

export const endpointSliceRules: KindRules = {
  validate(slice, errors) {
    const types = ['IPv4', 'IPv6', 'FQDN'];
    if (!slice.addressType) errors.required('addressType');
    else if (!types.includes(slice.addressType)) errors.notSupported('addressType', slice.addressType, types);
  },
};

export const eventRules: KindRules = {
  // Event names carry dots and hex; any path segment will do, as on a real cluster.
  name: (name) => (name.includes('/') || name === '.' || name === '..' ? ["may not contain '/'"] : []),
  validate(event, errors) {
    const involved = event.involvedObject ?? {};
    if (involved.namespace && event.metadata.namespace && involved.namespace !== event.metadata.namespace)
      errors.invalid('involvedObject.namespace', involved.namespace, 'does not match event.namespace');
  },
};

export const nodeRules: KindRules = {
  prepareCreate(node) {
    node.status ??= {};
  },
};
