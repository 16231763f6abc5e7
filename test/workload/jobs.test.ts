import { readdir, readFile, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasetToCsv } from '../../src/workload/csv.js';
import { generateUsers } from '../../src/workload/dataset.js';
import { buildWorkload, runJob, tempVolume, type Volume } from './helpers.js';

let bin: string;
let cleanupBin: () => Promise<void>;
const volumes: Volume[] = [];

beforeAll(async () => {
  ({ bin, cleanup: cleanupBin } = await buildWorkload());
});
afterAll(async () => {
  await Promise.all(volumes.map((v) => v.cleanup()));
  await cleanupBin();
});

async function volume(config?: string): Promise<Volume> {
  const v = await tempVolume(config);
  volumes.push(v);
  return v;
}

const REGISTRY = '/app/artifacts/registry/model_registry.json';
const listFiles = async (v: Volume, dir: string) => (await readdir(v.at(dir)).catch(() => [])).sort();

describe('seed-model', () => {
  it('generates the data, trains the baseline, registers it as production; a second run changes nothing', async () => {
    const v = await volume();
    const first = await runJob(bin, ['seed-model'], v.env);
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/Registered baseline_\d{8} as the production model/);
    expect(await listFiles(v, '/app/data/raw')).toEqual(['recent.csv', 'training.csv']);
    const training = (await readFile(v.at('/app/data/raw/training.csv'), 'utf8')).trim().split('\n');
    expect(training[0]).toBe(
      'user_id,logins_7d,sessions_7d,tenure_days,support_tickets_30d,days_since_last_login,churned',
    );
    expect(training).toHaveLength(2001);

    const registry = await v.readJson(REGISTRY);
    expect(registry.models).toHaveLength(1);
    const [baseline] = registry.models;
    expect(baseline).toMatchObject({
      kind: 'baseline',
      status: 'production',
      trained_on: '/app/data/raw/training.csv',
    });
    expect(baseline.version).toMatch(/^baseline_\d{8}$/);
    expect(baseline.metrics.auc).toBeGreaterThan(0.7);
    const model = await v.readJson(`/app/artifacts/${baseline.file}`);
    expect(model).toMatchObject({ kind: 'logistic_regression', version: baseline.version });
    const evaluation = await v.readJson(`/app/artifacts/${baseline.evaluation_file}`);
    expect(evaluation.metrics).toEqual(baseline.metrics);
    expect(Object.keys(evaluation.metrics).sort()).toEqual(['accuracy', 'auc', 'log_loss', 'rows']);

    const second = await runJob(bin, ['seed-model'], v.env);
    expect(second.exitCode).toBe(0);
    expect(second.stdout).toContain(
      `Production model ${baseline.version} is already registered; nothing to do.`,
    );
    expect((await v.readJson(REGISTRY)).models).toHaveLength(1);
  });

  it('is deterministic: two volumes with the same seed get the same data and model', async () => {
    const [a, b] = [await volume(), await volume()];
    await Promise.all([runJob(bin, ['seed-model'], a.env), runJob(bin, ['seed-model'], b.env)]);
    const csv = async (v: Volume) => readFile(v.at('/app/data/raw/recent.csv'), 'utf8');
    expect(await csv(a)).toBe(await csv(b));
    const weights = async (v: Volume) => {
      const entry = (await v.readJson(REGISTRY)).models[0];
      return (await v.readJson(`/app/artifacts/${entry.file}`)).weights;
    };
    expect(await weights(a)).toEqual(await weights(b));
  });
});

describe('jobs without the model they need', () => {
  it('batch-score and promote-model exit 1 with one sentence, writing nothing', async () => {
    const v = await volume();
    const score = await runJob(bin, ['batch-score'], v.env);
    expect(score.exitCode).toBe(1);
    expect(score.stderr.trim()).toMatch(
      /^churn-mlops batch-score: no production model in \S+model_registry\.json: run seed-model first \(in a pod, the volume that holds it must be mounted there\)\.$/,
    );
    const promote = await runJob(bin, ['promote-model'], v.env);
    expect(promote.exitCode).toBe(1);
    expect(promote.stderr.trim()).toBe(
      'churn-mlops promote-model: no candidate model: run train-candidate first.',
    );
    expect(await listFiles(v, '/app/data/predictions')).toEqual([]);
  });
});

describe('batch-score', () => {
  it('scores every recent user into a predictions file', async () => {
    const v = await volume();
    await runJob(bin, ['seed-model'], v.env);
    const result = await runJob(bin, ['batch-score'], v.env);
    expect(result.exitCode, result.stderr).toBe(0);
    const files = await listFiles(v, '/app/data/predictions');
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^predictions_\d{8}-\d{6}\.csv$/);
    expect(result.stdout).toContain(`Scored 2000 users`);
    expect(result.stdout).toContain(`wrote /app/data/predictions/${files[0]}`);
    const lines = (await readFile(v.at(`/app/data/predictions/${files[0]}`), 'utf8')).trim().split('\n');
    expect(lines[0]).toBe('user_id,churn_probability,will_churn,model_version');
    expect(lines).toHaveLength(2001);
    const version = (await v.readJson(REGISTRY)).models[0].version;
    let churners = 0;
    for (const line of lines.slice(1)) {
      const [user, probability, willChurn, model] = line.split(',');
      expect(user).toMatch(/^user_\d{6}$/);
      const p = Number(probability);
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThanOrEqual(1);
      expect(willChurn).toBe(String(p >= 0.5));
      expect(model).toBe(version);
      if (willChurn === 'true') churners++;
    }
    expect(churners).toBeGreaterThan(0);
    expect(churners).toBeLessThan(2000);
    expect(result.stdout).toContain(`${churners} likely to churn`);
  });

  it('with --users N scores N users held in memory, and refuses a bad N with exit 2', async () => {
    const v = await volume();
    await runJob(bin, ['seed-model'], v.env);
    const result = await runJob(bin, ['batch-score', '--users', '30000'], v.env);
    expect(result.exitCode, result.stderr).toBe(0);
    const [file] = await listFiles(v, '/app/data/predictions');
    const text = await readFile(v.at(`/app/data/predictions/${file}`), 'utf8');
    expect(text.trim().split('\n')).toHaveLength(30001);
    const bad = await runJob(bin, ['batch-score', '--users', 'many'], v.env);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('--users must be a whole number');
  });
});

describe('check-drift', () => {
  it('finds the shift of the recent data and writes a PSI report', async () => {
    const v = await volume('data:\n  users: 4000\n');
    const result = await runJob(bin, ['check-drift'], v.env);
    expect(result.exitCode, result.stderr).toBe(0);
    const [file] = await listFiles(v, '/app/artifacts/metrics');
    expect(file).toMatch(/^drift_\d{8}-\d{6}\.json$/);
    const report = await v.readJson(`/app/artifacts/metrics/${file}`);
    expect(report.verdict).toBe('drift_detected');
    expect(report.threshold).toBe(0.2);
    expect(report.features.logins_7d.psi).toBeGreaterThan(0.2);
    expect(report.drifted_features).toContain('logins_7d');
    expect(report.drifted_features).not.toContain('tenure_days');
    expect(result.stdout).toMatch(/Drift detected in \d feature\(s\): .*logins_7d/);
  });

  it('reports no drift when recent data comes from the same population, and honours the threshold', async () => {
    const v = await volume('data:\n  users: 4000\ndrift:\n  psi_threshold: 0.1\n');
    const sameWorld = generateUsers(4000, 1234, 'training');
    await runJob(bin, ['seed-model'], v.env);
    await writeFile(v.at('/app/data/raw/recent.csv'), datasetToCsv(sameWorld));
    const result = await runJob(bin, ['check-drift'], v.env);
    expect(result.exitCode, result.stderr).toBe(0);
    const [file] = (await listFiles(v, '/app/artifacts/metrics')).filter((f) => f.startsWith('drift_'));
    const report = await v.readJson(`/app/artifacts/metrics/${file}`);
    expect(report.verdict).toBe('no_drift');
    expect(report.threshold).toBe(0.1);
    for (const { psi } of Object.values<{ psi: number }>(report.features)) expect(psi).toBeLessThan(0.05);
    expect(result.stdout).toContain('No drift');
  });
});

describe('train-candidate and promote-model', () => {
  it('promotes a candidate that beats production, keeps production when it does not, and records why', async () => {
    const v = await volume();
    await runJob(bin, ['seed-model'], v.env);
    const trained = await runJob(bin, ['train-candidate'], v.env);
    expect(trained.exitCode, trained.stderr).toBe(0);
    let registry = await v.readJson(REGISTRY);
    const baseline = registry.models[0];
    const first = registry.models[1];
    expect(first).toMatchObject({
      kind: 'candidate',
      status: 'candidate',
      trained_on: '/app/data/raw/recent.csv',
    });
    expect(first.version).toMatch(/^candidate_\d{8}-\d{6}/);

    const promoted = await runJob(bin, ['promote-model'], v.env);
    expect(promoted.exitCode, promoted.stderr).toBe(0);
    expect(promoted.stdout).toMatch(
      new RegExp(
        `Promoted ${first.version} to production: candidate AUC 0\\.\\d{4} vs production ${baseline.version} AUC 0\\.\\d{4}`,
      ),
    );
    registry = await v.readJson(REGISTRY);
    const byVersion = Object.fromEntries(registry.models.map((m: { version: string }) => [m.version, m]));
    expect(byVersion[baseline.version]).toMatchObject({ status: 'retired' });
    expect(byVersion[baseline.version].retired_at).toBeTruthy();
    expect(byVersion[first.version]).toMatchObject({ status: 'production' });
    const decision = byVersion[first.version].decision;
    expect(decision.promoted).toBe(true);
    expect(decision.candidate_auc - decision.production_auc).toBeGreaterThanOrEqual(0.005);

    // The same data trains the same model again: no improvement, so production stays.
    await runJob(bin, ['train-candidate'], v.env);
    const kept = await runJob(bin, ['promote-model'], v.env);
    expect(kept.exitCode, kept.stderr).toBe(0);
    expect(kept.stdout).toMatch(
      new RegExp(`Kept ${first.version} in production; .* \\+0\\.0000 is below the required \\+0\\.0050`),
    );
    registry = await v.readJson(REGISTRY);
    expect(registry.models.map((m: { status: string }) => m.status)).toEqual([
      'retired',
      'production',
      'candidate',
    ]);
    expect(registry.models[2].decision).toMatchObject({ promoted: false, production_version: first.version });
  });

  it('keeps production when min_improvement asks for more than the candidate gains', async () => {
    const v = await volume('data:\n  users: 2000\ntraining:\n  min_improvement: 0.5\n');
    await runJob(bin, ['seed-model'], v.env);
    await runJob(bin, ['train-candidate'], v.env);
    const result = await runJob(bin, ['promote-model'], v.env);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/Kept baseline_\d{8} in production; .* is below the required \+0\.5000/);
    expect((await v.readJson(REGISTRY)).models.map((m: { status: string }) => m.status)).toEqual([
      'production',
      'candidate',
    ]);
  });

  it('registers every candidate when several jobs write the registry at once', async () => {
    const v = await volume();
    await runJob(bin, ['seed-model'], v.env);
    const runs = await Promise.all([1, 2, 3].map(() => runJob(bin, ['train-candidate'], v.env)));
    for (const run of runs) expect(run.exitCode, run.stderr).toBe(0);
    const registry = await v.readJson(REGISTRY);
    expect(registry.models).toHaveLength(4);
    expect(new Set(registry.models.map((m: { version: string }) => m.version)).size).toBe(4);
  });
});

describe('configuration and usage', () => {
  it('refuses a config with a wrong type, naming the key, exit 2', async () => {
    const v = await volume('drift:\n  psi_threshold: high\n');
    const result = await runJob(bin, ['check-drift'], v.env);
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('invalid value for drift.psi_threshold');
  });

  it('uses the defaults with one warning when the config file is missing, and reads paths from it', async () => {
    const v = await volume();
    const missing = await runJob(bin, ['check-drift'], {
      ...v.env,
      CHURN_MLOPS_CONFIG: '/app/config/nope.yaml',
    });
    expect(missing.exitCode).toBe(0);
    expect(missing.stderr).toContain(
      'config file /app/config/nope.yaml not found; using the default settings',
    );
    await v.writeConfig('paths:\n  data: /pvc/data\n  artifacts: /pvc/artifacts\ndata:\n  users: 500\n');
    const moved = await runJob(bin, ['check-drift'], v.env);
    expect(moved.exitCode, moved.stderr).toBe(0);
    expect(await listFiles(v, '/pvc/data/raw')).toEqual(['recent.csv', 'training.csv']);
    expect(moved.stdout).toContain('Report: /pvc/artifacts/metrics/drift_');
  });

  it('answers --help, --version, and an unknown command with exit 2', async () => {
    const help = await runJob(bin, ['--help'], {});
    expect(help.exitCode).toBe(0);
    for (const command of [
      'api',
      'seed-model',
      'batch-score',
      'check-drift',
      'train-candidate',
      'promote-model',
      'load',
    ]) {
      expect(help.stdout).toContain(`  ${command} `);
    }
    const version = await runJob(bin, ['--version'], { CHURN_MLOPS_VERSION: '0.2.0' });
    expect(version.stdout.trim()).toBe('churn-mlops 0.2.0');
    const unknown = await runJob(bin, ['retrain'], {});
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain('unknown command "retrain"');
    const badOption = await runJob(bin, ['seed-model', '--fast'], {});
    expect(badOption.exitCode).toBe(2);
    expect(badOption.stderr).toContain("Unknown option '--fast'");
  });
});
