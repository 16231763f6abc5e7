import { isIP } from 'node:net';
import { type FieldErrors, GoLiteral } from './field-errors.js';
import { dns1035Label, dns1123Subdomain, portName } from './names.js';
import type { KindRules, Obj } from './rules.js';

/** networking.k8s.io/v1 Ingress: stored and validated as pkg/apis/networking/validation does; no controller. */
const PATH_TYPES = ['Exact', 'ImplementationSpecific', 'Prefix'];
const BAD_SEQUENCES = ['//', '/./', '/../', '%2f', '%2F'];
const BAD_SUFFIXES = ['/..', '/.'];
const WILDCARD = /^\*\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function wildcardSubdomain(host: string): string[] {
  const problems: string[] = [];
  if (host.length > 253) problems.push('must be no more than 253 characters');
  if (!WILDCARD.test(host))
    problems.push(
      "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', regex used for validation is '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    );
  return problems;
}

function validateBackend(backend: Obj, path: string, errors: FieldErrors): void {
  const service = backend?.service;
  const resource = backend?.resource;
  if (service && resource) {
    errors.invalid(path, '', 'cannot set both resource and service backends');
    return;
  }
  if (resource) {
    if (!resource.kind) errors.required(`${path}.resource.kind`, 'kind is required');
    if (!resource.name) errors.required(`${path}.resource.name`, 'name is required');
    return;
  }
  if (!service) {
    errors.invalid(path, '', 'resource or service backend is required');
    return;
  }
  if (!service.name) errors.required(`${path}.service.name`);
  else for (const p of dns1035Label(service.name)) errors.invalid(`${path}.service.name`, service.name, p);
  const name = service.port?.name ?? '';
  const number = service.port?.number ?? 0;
  if (name && number) errors.invalid(path, '', 'cannot set both port name & port number');
  else if (name) for (const p of portName(name)) errors.invalid(`${path}.service.port.name`, name, p);
  else if (number) {
    if (number < 1 || number > 65535)
      errors.invalid(`${path}.service.port.number`, number, 'must be between 1 and 65535, inclusive');
  } else errors.required(path, 'port name or number is required');
}

function validatePath(entry: Obj, path: string, errors: FieldErrors): void {
  const type = entry?.pathType;
  if (type === undefined || type === null) {
    errors.required(`${path}.pathType`, 'pathType must be specified');
    return;
  }
  const value: string = entry.path ?? '';
  if (type === 'Exact' || type === 'Prefix') {
    if (!value.startsWith('/')) errors.invalid(`${path}.path`, value, 'must be an absolute path');
    for (const seq of BAD_SEQUENCES)
      if (value.includes(seq)) errors.invalid(`${path}.path`, value, `must not contain '${seq}'`);
    for (const suffix of BAD_SUFFIXES)
      if (value.endsWith(suffix)) errors.invalid(`${path}.path`, value, `cannot end with '${suffix}'`);
  } else if (type === 'ImplementationSpecific') {
    if (value && !value.startsWith('/')) errors.invalid(`${path}.path`, value, 'must be an absolute path');
  } else errors.notSupported(`${path}.pathType`, type, PATH_TYPES);
  validateBackend(entry.backend, `${path}.backend`, errors);
}

function validateRules(rules: Obj[], errors: FieldErrors): void {
  rules.forEach((rule, i) => {
    const at = `spec.rules[${i}]`;
    const host: string = rule?.host ?? '';
    if (host) {
      if (isIP(host)) errors.invalid(`${at}.host`, host, 'must be a DNS name, not an IP address');
      const problems = host.includes('*') ? wildcardSubdomain(host) : dns1123Subdomain(host);
      for (const p of problems) errors.invalid(`${at}.host`, host, p);
    }
    const http = rule?.http;
    if (!http) return;
    const paths: Obj[] = Array.isArray(http.paths) ? http.paths : [];
    if (paths.length === 0) errors.required(`${at}.http.paths`);
    for (const [j, p] of paths.entries()) validatePath(p, `${at}.http.paths[${j}]`, errors);
  });
}

export const ingressRules: KindRules = {
  prepareCreate(ing) {
    ing.status = { loadBalancer: {} };
  },
  validate(ing, errors) {
    const spec = ing.spec ?? {};
    const rules: Obj[] = Array.isArray(spec.rules) ? spec.rules : [];
    if (rules.length === 0 && !spec.defaultBackend)
      errors.invalid(
        'spec',
        new GoLiteral(
          Array.isArray(spec.rules) ? '[]networking.IngressRule{}' : '[]networking.IngressRule(nil)',
        ),
        'either `defaultBackend` or `rules` must be specified',
      );
    if (spec.defaultBackend) validateBackend(spec.defaultBackend, 'spec.defaultBackend', errors);
    validateRules(rules, errors);
    (Array.isArray(spec.tls) ? spec.tls : []).forEach((tls: Obj, i: number) => {
      (Array.isArray(tls?.hosts) ? tls.hosts : []).forEach((host: string, j: number) => {
        const problems = String(host).includes('*') ? wildcardSubdomain(host) : dns1123Subdomain(host);
        for (const p of problems) errors.invalid(`spec.tls[${i}].hosts[${j}]`, host, p);
      });
      if (tls?.secretName)
        for (const p of dns1123Subdomain(tls.secretName))
          errors.invalid(`spec.tls[${i}].secretName`, tls.secretName, p);
    });
    if (typeof spec.ingressClassName === 'string')
      for (const p of dns1123Subdomain(spec.ingressClassName))
        errors.invalid('spec.ingressClassName', spec.ingressClassName, p);
    const annotated = ing.metadata.annotations?.['kubernetes.io/ingress.class'];
    if (
      annotated !== undefined &&
      typeof spec.ingressClassName === 'string' &&
      annotated !== spec.ingressClassName
    )
      errors.invalid(
        'annotations.kubernetes.io/ingress.class',
        annotated,
        'must match `ingressClassName` when both are specified',
      );
  },
};
