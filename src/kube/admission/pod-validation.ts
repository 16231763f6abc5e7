import { parseQuantity } from '../quantity.js';
import type { FieldErrors } from './field-errors.js';
import { validateLabels } from './meta.js';
import { configKey, dns1123Label, dns1123Subdomain, envVarName, portName } from './names.js';

/**
 * Validation of pod specs and pod templates, after pkg/apis/core/validation: the checks a
 * learner's manifest can trip over (names, images, ports, env, volumes and mounts, resources,
 * probes, policies), with the same field paths and messages.
 */
// biome-ignore lint/suspicious/noExplicitAny: Kubernetes object bodies are open JSON.
type Obj = Record<string, any>;

const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];

export function validatePodTemplate(template: Obj | undefined, path: string, errors: FieldErrors): void {
  if (!template || typeof template !== 'object') {
    errors.required(path);
    return;
  }
  validateLabels(template.metadata?.labels, `${path}.metadata.labels`, errors);
  validatePodSpec(template.spec ?? {}, `${path}.spec`, errors);
}

export function validatePodSpec(spec: Obj, path: string, errors: FieldErrors): void {
  const volumes = new Set<string>();
  (spec.volumes ?? []).forEach((v: Obj, i: number) => {
    const at = `${path}.volumes[${i}]`;
    if (!v?.name) errors.required(`${at}.name`);
    else {
      for (const p of dns1123Label(v.name)) errors.invalid(`${at}.name`, v.name, p);
      if (volumes.has(v.name)) errors.duplicate(`${at}.name`, v.name);
      volumes.add(v.name);
    }
    const sources = Object.keys(v ?? {}).filter((k) => k !== 'name');
    if (sources.length === 0) errors.required(at, 'must specify a volume type');
    else if (sources.length > 1) errors.forbidden(at, 'may not specify more than 1 volume type');
    if (v?.persistentVolumeClaim && !v.persistentVolumeClaim.claimName)
      errors.required(`${at}.persistentVolumeClaim.claimName`);
    if (v?.configMap && !v.configMap.name) errors.required(`${at}.configMap.name`);
    if (v?.secret && !v.secret.secretName) errors.required(`${at}.secret.secretName`);
    if (v?.hostPath && !v.hostPath.path) errors.required(`${at}.hostPath.path`);
  });

  const containers: Obj[] = spec.containers ?? [];
  if (containers.length === 0) errors.required(`${path}.containers`);
  const names = new Set<string>();
  const check = (list: Obj[], field: string) => {
    list.forEach((c, i) => {
      validateContainer(c ?? {}, `${path}.${field}[${i}]`, volumes, names, errors);
    });
  };
  check(spec.initContainers ?? [], 'initContainers');
  check(containers, 'containers');

  if (spec.restartPolicy !== undefined && !RESTART_POLICIES.includes(spec.restartPolicy))
    errors.notSupported(`${path}.restartPolicy`, spec.restartPolicy, RESTART_POLICIES);
  if (spec.dnsPolicy !== undefined && !DNS_POLICIES.includes(spec.dnsPolicy))
    errors.notSupported(`${path}.dnsPolicy`, spec.dnsPolicy, DNS_POLICIES);
  if (typeof spec.terminationGracePeriodSeconds === 'number' && spec.terminationGracePeriodSeconds < 0)
    errors.invalid(
      `${path}.terminationGracePeriodSeconds`,
      spec.terminationGracePeriodSeconds,
      'must be >= 0',
    );
  if (typeof spec.activeDeadlineSeconds === 'number' && spec.activeDeadlineSeconds <= 0)
    errors.invalid(
      `${path}.activeDeadlineSeconds`,
      spec.activeDeadlineSeconds,
      'must be between 1 and 2147483647, inclusive',
    );
  if (spec.serviceAccountName)
    for (const p of dns1123Subdomain(spec.serviceAccountName))
      errors.invalid(`${path}.serviceAccountName`, spec.serviceAccountName, p);
  for (const [key, value] of Object.entries(spec.nodeSelector ?? {})) {
    if (typeof value !== 'string') errors.invalid(`${path}.nodeSelector`, key, 'must be a string');
  }
}

function validateContainer(
  c: Obj,
  at: string,
  volumes: Set<string>,
  names: Set<string>,
  errors: FieldErrors,
): void {
  if (!c.name) errors.required(`${at}.name`);
  else {
    for (const p of dns1123Label(c.name)) errors.invalid(`${at}.name`, c.name, p);
    if (names.has(c.name)) errors.duplicate(`${at}.name`, c.name);
    names.add(c.name);
  }
  if (!c.image || String(c.image).trim() === '') errors.required(`${at}.image`);
  if (c.imagePullPolicy !== undefined && !PULL_POLICIES.includes(c.imagePullPolicy))
    errors.notSupported(`${at}.imagePullPolicy`, c.imagePullPolicy, PULL_POLICIES);

  const portNames = new Set<string>();
  (c.ports ?? []).forEach((p: Obj, i: number) => {
    const pat = `${at}.ports[${i}]`;
    if (p?.containerPort === undefined) errors.required(`${pat}.containerPort`);
    else if (!isPort(p.containerPort))
      errors.invalid(`${pat}.containerPort`, p.containerPort, 'must be between 1 and 65535, inclusive');
    if (p?.hostPort !== undefined && p.hostPort !== 0 && !isPort(p.hostPort))
      errors.invalid(`${pat}.hostPort`, p.hostPort, 'must be between 1 and 65535, inclusive');
    if (p?.protocol !== undefined && !PROTOCOLS.includes(p.protocol))
      errors.notSupported(`${pat}.protocol`, p.protocol, PROTOCOLS);
    if (p?.name) {
      for (const problem of portName(p.name)) errors.invalid(`${pat}.name`, p.name, problem);
      if (portNames.has(p.name)) errors.duplicate(`${pat}.name`, p.name);
      portNames.add(p.name);
    }
  });

  (c.env ?? []).forEach((e: Obj, i: number) => {
    const eat = `${at}.env[${i}]`;
    if (!e?.name) errors.required(`${eat}.name`);
    else for (const p of envVarName(e.name)) errors.invalid(`${eat}.name`, e.name, p);
    const from = e?.valueFrom;
    if (from) {
      if (e.value !== undefined && e.value !== '')
        errors.invalid(`${eat}.valueFrom`, '', 'may not be specified when `value` is not empty');
      const sources = ['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef'].filter(
        (k) => from[k],
      );
      if (sources.length === 0)
        errors.invalid(
          `${eat}.valueFrom`,
          '',
          'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`',
        );
      if (sources.length > 1)
        errors.invalid(`${eat}.valueFrom`, '', 'may not have more than one field specified at a time');
      for (const ref of ['configMapKeyRef', 'secretKeyRef']) {
        if (!from[ref]) continue;
        if (!from[ref].key) errors.required(`${eat}.valueFrom.${ref}.key`);
        else
          for (const p of configKey(from[ref].key))
            errors.invalid(`${eat}.valueFrom.${ref}.key`, from[ref].key, p);
      }
      if (from.fieldRef && !from.fieldRef.fieldPath) errors.required(`${eat}.valueFrom.fieldRef.fieldPath`);
    }
  });

  const mountPaths = new Set<string>();
  (c.volumeMounts ?? []).forEach((m: Obj, i: number) => {
    const mat = `${at}.volumeMounts[${i}]`;
    if (!m?.name) errors.required(`${mat}.name`);
    else if (!volumes.has(m.name)) errors.notFound(`${mat}.name`, m.name);
    if (!m?.mountPath) errors.required(`${mat}.mountPath`);
    else {
      if (mountPaths.has(m.mountPath)) errors.invalid(`${mat}.mountPath`, m.mountPath, 'must be unique');
      mountPaths.add(m.mountPath);
    }
    if (typeof m?.subPath === 'string' && (m.subPath.startsWith('/') || m.subPath.split('/').includes('..')))
      errors.invalid(
        `${mat}.subPath`,
        m.subPath,
        m.subPath.startsWith('/') ? 'must be a relative path' : "must not contain '..'",
      );
  });

  validateResources(c.resources, `${at}.resources`, errors);
  validateProbe(c.livenessProbe, `${at}.livenessProbe`, errors, true);
  validateProbe(c.startupProbe, `${at}.startupProbe`, errors, true);
  validateProbe(c.readinessProbe, `${at}.readinessProbe`, errors, false);
}

const isPort = (n: unknown) => typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 65535;

function validateResources(resources: Obj | undefined, at: string, errors: FieldErrors): void {
  if (!resources) return;
  const limits: Obj = resources.limits ?? {};
  const requests: Obj = resources.requests ?? {};
  for (const [kind, values] of [
    ['limits', limits],
    ['requests', requests],
  ] as const) {
    for (const [name, value] of Object.entries(values)) {
      const n = parseQuantity(value);
      if (n !== undefined && n < 0)
        errors.invalid(`${at}.${kind}[${name}]`, String(value), 'must be greater than or equal to 0');
    }
  }
  for (const [name, value] of Object.entries(requests)) {
    const limit = limits[name];
    if (limit === undefined) continue;
    const r = parseQuantity(value);
    const l = parseQuantity(limit);
    if (r !== undefined && l !== undefined && r > l)
      errors.invalid(
        `${at}.requests`,
        String(value),
        `must be less than or equal to ${name} limit of ${limit}`,
      );
  }
}

function validateProbe(
  probe: Obj | undefined,
  at: string,
  errors: FieldErrors,
  mustSucceedOnce: boolean,
): void {
  if (!probe || typeof probe !== 'object') return;
  const handlers = ['exec', 'httpGet', 'tcpSocket', 'grpc'].filter((h) => probe[h]);
  if (handlers.length === 0) errors.required(at, 'must specify a handler type');
  else if (handlers.length > 1)
    errors.forbidden(`${at}.${handlers[1]}`, 'may not specify more than 1 handler type');
  for (const field of [
    'initialDelaySeconds',
    'timeoutSeconds',
    'periodSeconds',
    'successThreshold',
    'failureThreshold',
  ]) {
    const value = probe[field];
    if (typeof value === 'number' && value < 0)
      errors.invalid(`${at}.${field}`, value, 'must be greater than or equal to 0');
  }
  if (mustSucceedOnce && typeof probe.successThreshold === 'number' && probe.successThreshold !== 1)
    errors.invalid(`${at}.successThreshold`, probe.successThreshold, 'must be 1');
  const port = probe.httpGet?.port ?? probe.tcpSocket?.port;
  const handler = probe.httpGet ? 'httpGet' : 'tcpSocket';
  if ((probe.httpGet || probe.tcpSocket) && port === undefined) errors.required(`${at}.${handler}.port`);
  else if (typeof port === 'number' && !isPort(port))
    errors.invalid(`${at}.${handler}.port`, port, 'must be between 1 and 65535, inclusive');
  else if (typeof port === 'string')
    for (const p of portName(port)) errors.invalid(`${at}.${handler}.port`, port, p);
  if (probe.exec && (!Array.isArray(probe.exec.command) || probe.exec.command.length === 0))
    errors.required(`${at}.exec.command`);
}
