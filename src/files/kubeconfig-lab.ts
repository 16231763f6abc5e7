import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { usageError } from '../errors.js';
import { own } from '../kube/own.js';

/**
 * What a kubeconfig context says about the lab it reaches, in its `churn-labs` extension (which
 * kubectl ignores): `classroom create` writes one into each learner's kubeconfig.
 *
 * ```yaml
 * contexts:
 * - name: churn-labs-ada
 *   context:
 *     cluster: ...
 *     user: ...
 *     namespace: churn-mlops-ada
 *     extensions:
 *     - name: churn-labs
 *       extension: {learner: ada, namespace: churn-mlops-ada, registry: ..., storageClass: ...}
 * ```
 */
export interface LabExtension {
  learner?: string;
  namespace?: string;
  registry?: string;
  storageClass?: string;
}

export interface KubeconfigLab {
  /** The kubeconfig's current-context (the first file that sets one, as kubectl merges them). */
  currentContext?: string;
  /** The churn-labs extension of each context that has one, by context name. */
  extensions: Map<string, LabExtension>;
}

/** A kubeconfig is read by every command: a larger file is not one a person keeps. */
const MAX_BYTES = 4 * 1024 * 1024;
const EXTENSION = 'churn-labs';
/**
 * `name: churn-labs` on its own (YAML or JSON), as the extension's entry is named: not the
 * contexts kind-churn-labs or churn-labs-sim, so that a learner's ~/.kube/config is not parsed.
 */
const NAMES_EXTENSION = /["']?name["']?\s*:\s*["']?churn-labs["']?\s*(?:[,}#\r\n]|$)/;

/** The files kubectl reads: --kubeconfig alone, else each of $KUBECONFIG, else ~/.kube/config. */
export function kubeconfigFiles(
  explicit: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string[] {
  if (explicit !== undefined) return [resolve(explicit)];
  const list = env.KUBECONFIG;
  if (list !== undefined && list.trim() !== '')
    return [...new Set(list.split(delimiter).filter((p) => p.trim() !== ''))].map((p) => resolve(p));
  return [join(homedir(), '.kube', 'config')];
}

const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
// host[:port][/path...], as an image reference starts; these values reach shell commands.
const registryPattern =
  /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/;

/** What each value may be: a namespace and a learner are DNS labels, as Kubernetes names them. */
const FIELDS: Record<keyof LabExtension, { valid: (v: string) => boolean; what: string }> = {
  // churn-mlops-<learner> is a namespace name: 63 characters at most.
  learner: {
    valid: (v) => dnsLabel.test(v) && v.length <= 63 - 'churn-mlops-'.length,
    what: 'a name of lowercase letters, digits and - (at most 51)',
  },
  namespace: {
    valid: (v) => dnsLabel.test(v) && v.length <= 63,
    what: 'a namespace name (lowercase letters, digits and -, at most 63)',
  },
  registry: {
    valid: (v) => registryPattern.test(v) && v.length <= 255,
    what: 'an image registry such as registry.example.com:5000/team',
  },
  storageClass: {
    valid: (v) => dnsSubdomain.test(v) && v.length <= 253,
    what: 'a StorageClass name',
  },
};

/** Checks a churn-labs extension's values, which fill the lab's commands: a bad one is a clear usage error. */
export function labExtension(value: unknown, where: string): LabExtension {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw usageError(
      `${where}: the churn-labs extension must be a mapping (learner, namespace, registry, storageClass).`,
    );
  const extension: LabExtension = {};
  for (const key of Object.keys(FIELDS) as (keyof LabExtension)[]) {
    const field = own(value, key);
    if (field === undefined || field === null) continue;
    const rule = FIELDS[key];
    if (typeof field !== 'string' || !rule.valid(field))
      throw usageError(
        `${where}: the churn-labs extension's ${key} ${JSON.stringify(field)} is not ${rule.what}.`,
      );
    extension[key] = field;
  }
  return extension;
}

/**
 * Reads the churn-labs extensions and the current-context of the given kubeconfig files, merged
 * as kubectl merges them (the first file that names a context or sets current-context wins).
 * Files that do not exist are skipped, as kubectl skips them; a file that names no churn-labs
 * extension is not parsed at all, so that this costs next to nothing for most kubeconfigs.
 */
export async function readKubeconfigLab(files: string[]): Promise<KubeconfigLab> {
  const result: KubeconfigLab = { extensions: new Map() };
  const seen = new Set<string>();
  for (const file of files) {
    const text = readBounded(file);
    if (text === undefined) continue;
    const needsParse = NAMES_EXTENSION.test(text);
    if (!needsParse) {
      // Only the current-context can matter here, and only when no earlier file set one.
      if (result.currentContext === undefined) result.currentContext = quickCurrentContext(text);
      continue;
    }
    const config = await parseKubeconfig(text, file);
    const current = own(config, 'current-context');
    if (result.currentContext === undefined && typeof current === 'string' && current !== '')
      result.currentContext = current;
    const contexts = own(config, 'contexts');
    if (!Array.isArray(contexts)) continue;
    for (const entry of contexts) {
      const name = own(entry, 'name');
      if (typeof name !== 'string' || seen.has(name)) continue;
      seen.add(name);
      const extensions = own(own(entry, 'context'), 'extensions');
      if (!Array.isArray(extensions)) continue;
      const ours = extensions.find((e) => own(e, 'name') === EXTENSION);
      if (ours === undefined) continue;
      result.extensions.set(name, labExtension(own(ours, 'extension'), `${file}, context ${name}`));
    }
  }
  return result;
}

function readBounded(file: string): string | undefined {
  let size: number | undefined;
  try {
    const stat = statSync(file, { throwIfNoEntry: false });
    if (stat === undefined || !stat.isFile()) return undefined;
    size = stat.size;
  } catch {
    return undefined;
  }
  if (size > MAX_BYTES)
    throw usageError(
      `The kubeconfig ${file} is ${Math.round(size / 1024 / 1024)} MB; churn-labs reads kubeconfigs of at most 4 MB. Give a smaller one with --kubeconfig.`,
    );
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw usageError(`Cannot read the kubeconfig ${file}: ${(error as Error).message}.`);
  }
}

/** `current-context: x` at the top level of a file we need not parse. */
function quickCurrentContext(text: string): string | undefined {
  const match = /^current-context:[ \t]*["']?([^"'\s#]+)["']?[ \t]*(#.*)?$/m.exec(text);
  return match?.[1];
}

async function parseKubeconfig(text: string, file: string): Promise<unknown> {
  // Loaded only for a kubeconfig that mentions churn-labs: most commands never need it.
  const { parseYaml } = await import('./yaml-parse.js');
  try {
    return parseYaml(text);
  } catch (error) {
    const reason = (error as Error).message.split('\n')[0];
    throw usageError(
      `The kubeconfig ${file} is not valid YAML (${reason}). Fix it, or give another with --kubeconfig.`,
    );
  }
}
