import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { writeFileAtomic } from '../../files/atomic.js';
import { MANIFEST_NAMESPACE, type ManifestTarget, renderManifest } from '../../files/render-manifests.js';
import type { PackageSources } from './sources.js';
import type { Step } from './steps.js';

/**
 * The learner's copy of the manifests, `<workspace>/k8s/` (the course text's `kubectl apply -f k8s/`).
 * The learner edits these files in the exercises, so a copy never overwrites an edit silently:
 * a small state file remembers the hash of what was copied, which tells an edit from a file that
 * is merely out of date.
 */
export const WORKSPACE_STATE = '.churn-labs-workspace.json';

/** The folders of manifests/ that belong in the workspace; platform/ is ours, not the learner's. */
const COPIED_FOLDERS = ['hpa', 'exercises'];

interface WorkspaceState {
  version: 1;
  packageVersion: string;
  /** Workspace-relative path (k8s/...) -> sha256 of the package file last copied there. */
  copied: Record<string, string>;
  /** Package files the learner chose not to take, by hash, so that we ask once per new version. */
  declined?: Record<string, string>;
}

/** The package file as this lab needs it (the same bytes for the default lab). */
function rendered(content: Buffer, target: ManifestTarget): Buffer {
  const text = content.toString('utf8');
  const out = renderManifest(text, target);
  return out === text ? content : Buffer.from(out, 'utf8');
}

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

async function readState(path: string): Promise<WorkspaceState | undefined> {
  try {
    const state = JSON.parse(await readFile(path, 'utf8')) as WorkspaceState;
    return state.version === 1 && typeof state.copied === 'object' ? state : undefined;
  } catch {
    return undefined;
  }
}

async function readIfExists(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Every file to copy, as [path in the package, path under the workspace (k8s/...)]. */
async function packageFiles(manifests: string): Promise<[string, string][]> {
  const files: [string, string][] = [];
  const walk = async (dir: string, top: boolean) => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!top || COPIED_FOLDERS.includes(entry.name)) await walk(path, false);
      } else if (entry.isFile()) {
        files.push([path, ['k8s', ...relative(manifests, path).split(sep)].join('/')]);
      }
    }
  };
  await walk(manifests, true);
  return files;
}

/** How the lab wants its manifests: its namespace, registry and class; a classroom leaves the namespace out. */
export interface WorkspaceTarget extends ManifestTarget {
  /** The instructor made the namespace, and a learner may not create one: no k8s/namespace.yaml. */
  classroom?: boolean;
}

/** The top-level manifest a classroom learner does not get: their namespace exists already. */
export const NAMESPACE_MANIFEST = 'k8s/namespace.yaml';

export function workspaceStep(
  workspace: string,
  sources: PackageSources,
  confirmOverwrite?: (files: string[]) => Promise<boolean>,
  /** What to render the files for; a function when an earlier step decides it (the storage class). */
  renderFor: WorkspaceTarget | (() => WorkspaceTarget) = { namespace: MANIFEST_NAMESPACE },
): Step {
  const k8s = join(workspace, 'k8s');
  // Off kind the files are rendered for the cluster (registry, storage class, namespace); what was
  // copied is then the rendered file, and an edit is told from it the same way.
  return {
    id: 'workspace',
    title: 'Workspace manifests',
    command: `copy ${sources.manifests} -> ${k8s}`,
    async run(io) {
      const target = typeof renderFor === 'function' ? renderFor() : renderFor;
      const statePath = join(workspace, WORKSPACE_STATE);
      const state = await readState(statePath);
      const files = (await packageFiles(sources.manifests)).filter(
        ([, rel]) => !(target.classroom && rel === NAMESPACE_MANIFEST),
      );
      if (files.length === 0)
        return { outcome: 'skipped', detail: `the package has no manifests to copy (${sources.manifests})` };
      const next: WorkspaceState = { version: 1, packageVersion: sources.version, copied: {}, declined: {} };
      const toWrite: { rel: string; content: Buffer }[] = [];
      const edited: { rel: string; content: Buffer; hash: string }[] = [];
      for (const [source, rel] of files) {
        const content = /\.ya?ml$/.test(rel)
          ? rendered(await readFile(source), target)
          : await readFile(source);
        const hash = sha256(content);
        const current = await readIfExists(join(workspace, rel));
        const recorded = state?.copied[rel];
        if (current === undefined) toWrite.push({ rel, content });
        else if (current.equals(content)) {
          // Nothing to do.
        } else if (recorded !== undefined && sha256(current) === recorded) toWrite.push({ rel, content });
        else if (recorded === hash) {
          // Edited by the learner, and the package brings nothing new for this file: theirs stays.
          next.copied[rel] = recorded;
          continue;
        } else edited.push({ rel, content, hash });
        next.copied[rel] = hash;
      }

      let kept: string[] = [];
      if (edited.length > 0) {
        const ask = edited.filter((f) => state?.declined?.[f.rel] !== f.hash);
        const names = ask.map((f) => f.rel);
        const yes = ask.length > 0 && confirmOverwrite ? await confirmOverwrite(names) : false;
        for (const file of edited) {
          if (yes && ask.includes(file)) toWrite.push(file);
          else {
            kept.push(file.rel);
            // Keep remembering what we copied before, so the file still reads as the learner's.
            if (state?.copied[file.rel]) next.copied[file.rel] = state.copied[file.rel] as string;
            else delete next.copied[file.rel];
            if (next.declined) next.declined[file.rel] = file.hash;
          }
        }
        kept = kept.sort();
      }

      for (const file of toWrite) await writeFileAtomic(join(workspace, file.rel), file.content);
      await writeFileAtomic(statePath, `${JSON.stringify(next, null, 2)}\n`);
      if (kept.length > 0)
        io.notice(
          `Kept your edited ${kept.join(', ')} in ${workspace}; this version of churn-labs (${sources.version}) has different versions of them in ${sources.manifests}.`,
        );
      if (toWrite.length === 0)
        return {
          outcome: 'skipped',
          detail: `${k8s} is up to date${kept.length > 0 ? ` (kept ${kept.length} edited file${kept.length > 1 ? 's' : ''})` : ''}`,
        };
      return {
        outcome: 'ok',
        detail: `copied ${toWrite.length} file${toWrite.length > 1 ? 's' : ''} to ${k8s}${kept.length > 0 ? `; kept ${kept.length} edited` : ''}`,
      };
    },
  };
}
