import { mkdir, readFile } from 'node:fs/promises';
import { dirname, posix } from 'node:path';
import * as z from 'zod/mini';
import { UserError } from '../errors.js';
import { writeFileAtomic } from '../files/atomic.js';
import { withLock } from '../files/lock.js';
import type { Layout } from './layout.js';
import { type ModelFile, readModelFile } from './model.js';

const metricsSchema = z.object({
  auc: z.number(),
  accuracy: z.number(),
  log_loss: z.number(),
  rows: z.number(),
});

const decisionSchema = z.object({
  at: z.string(),
  promoted: z.boolean(),
  reason: z.string(),
  candidate_auc: z.number(),
  production_auc: z.nullable(z.number()),
  production_version: z.nullable(z.string()),
});

const entrySchema = z.object({
  version: z.string(),
  kind: z.enum(['baseline', 'candidate']),
  status: z.enum(['production', 'candidate', 'retired']),
  /** The model file, relative to the artifacts folder, so the volume can be mounted anywhere. */
  file: z.string(),
  created_at: z.string(),
  promoted_at: z.nullable(z.string()),
  retired_at: z.nullable(z.string()),
  /** The data it learned from (a container path) and the seed of its held-out split. */
  trained_on: z.string(),
  split_seed: z.number(),
  metrics: metricsSchema,
  evaluation_file: z.string(),
  decision: z.optional(decisionSchema),
});

const registrySchema = z.object({ format: z.literal(1), models: z.array(entrySchema) });

export type RegistryEntry = z.infer<typeof entrySchema>;
export type Registry = z.infer<typeof registrySchema>;
export type Decision = z.infer<typeof decisionSchema>;

/** The registry on the volume; no file yet means no models. */
export async function readRegistry(layout: Layout): Promise<Registry> {
  let text: string;
  try {
    text = await readFile(layout.disk(layout.registryFile), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { format: 1, models: [] };
    throw new UserError(
      `Cannot read the model registry ${layout.registryFile}: ${(error as Error).message}.`,
      1,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const result = registrySchema.safeParse(parsed);
  if (!result.success) {
    throw new UserError(
      `The model registry ${layout.registryFile} is not a valid registry file; move it aside and run seed-model again.`,
      1,
    );
  }
  return result.data;
}

/**
 * Read-modify-write under a lock, written atomically: two jobs registering at once (a CronJob and
 * a hand-triggered copy of it) both land, and a killed job leaves the old registry intact.
 */
export async function updateRegistry<T>(
  layout: Layout,
  change: (registry: Registry) => T | Promise<T>,
): Promise<T> {
  const file = layout.disk(layout.registryFile);
  await mkdir(dirname(file), { recursive: true });
  return withLock(file, async () => {
    const registry = await readRegistry(layout);
    const result = await change(registry);
    await writeFileAtomic(file, `${JSON.stringify(registry, null, 2)}\n`);
    return result;
  });
}

export const productionModel = (registry: Registry) => registry.models.find((m) => m.status === 'production');

export function newestCandidate(registry: Registry): RegistryEntry | undefined {
  const candidates = registry.models.filter((m) => m.status === 'candidate');
  return candidates.sort((a, b) => a.created_at.localeCompare(b.created_at)).at(-1);
}

export function readRegisteredModel(layout: Layout, entry: RegistryEntry): Promise<ModelFile> {
  const file = posix.join(layout.artifactsDir, entry.file);
  return readModelFile(layout.disk(file), file);
}
