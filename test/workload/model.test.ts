import { describe, expect, it } from 'vitest';
import { featureRow, parsePredictRequest } from '../../src/workload/api/predict.js';
import { parseConfig } from '../../src/workload/config.js';
import {
  FEATURE_COUNT,
  FEATURES,
  featureColumn,
  generateUsers,
  splitRows,
} from '../../src/workload/dataset.js';
import { psi } from '../../src/workload/drift.js';
import { auc } from '../../src/workload/evaluate.js';
import { churnProbability, evaluateOn, train } from '../../src/workload/model.js';

const feature = (name: string) => FEATURES.indexOf(name as (typeof FEATURES)[number]);

describe('the synthetic data and the model', () => {
  const data = generateUsers(4000, 19, 'training');
  const split = splitRows(data.rows, 19);
  const model = train(data, split.train, { seed: 19 });

  it('generates the same users from the same seed, and other users from another', () => {
    expect(generateUsers(200, 19, 'training').features).toEqual(generateUsers(200, 19, 'training').features);
    expect(generateUsers(200, 20, 'training').features).not.toEqual(
      generateUsers(200, 19, 'training').features,
    );
    expect(data.userId(0)).toBe('user_000001');
    const churnRate = data.labels.reduce((sum, y) => sum + y, 0) / data.rows;
    expect(churnRate).toBeGreaterThan(0.1);
    expect(churnRate).toBeLessThan(0.45);
  });

  it('holds out a fixed fifth of the rows, disjoint from the training rows', () => {
    expect(split.heldOut.length).toBe(800);
    const train = new Set(split.train);
    expect(split.heldOut.every((row) => !train.has(row))).toBe(true);
    expect(splitRows(data.rows, 19).heldOut).toEqual(split.heldOut);
  });

  it('learns that inactive users churn more', () => {
    // Activity lowers the logit; days away raise it.
    expect(model.weights[feature('logins_7d')]).toBeLessThan(0);
    expect(model.weights[feature('days_since_last_login')]).toBeGreaterThan(0);
    const active = [20, 30, 400, 0, 0];
    const inactive = [0, 1, 400, 0, 21];
    expect(churnProbability(model, inactive)).toBeGreaterThan(0.7);
    expect(churnProbability(model, active)).toBeLessThan(0.2);
  });

  it('ranks churners well on held-out users, far better than chance', () => {
    const metrics = evaluateOn(model, data, split.heldOut, 0.5);
    expect(metrics.auc).toBeGreaterThan(0.72);
    expect(metrics.accuracy).toBeGreaterThan(0.7);
    expect(metrics.log_loss).toBeLessThan(0.55);
    expect(metrics.rows).toBe(800);
  });

  it('computes AUC by ranks, ties sharing their rank', () => {
    expect(auc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBe(0.75);
    expect(auc([0.9, 0.1], [0, 1])).toBe(0);
    expect(auc([0.5, 0.5], [0, 1])).toBe(0.5);
  });
});

describe('PSI drift', () => {
  const training = generateUsers(5000, 19, 'training');
  const sameWorld = generateUsers(5000, 77, 'training');
  const recent = generateUsers(5000, 19, 'recent');
  const column = (data: typeof training, name: string) => featureColumn(data, feature(name));

  it('is low for a fresh sample of the same population', () => {
    for (const name of FEATURES)
      expect(psi(column(training, name), column(sameWorld, name))).toBeLessThan(0.05);
  });

  it('exceeds the 0.2 threshold for the shifted recent activity', () => {
    expect(psi(column(training, 'logins_7d'), column(recent, 'logins_7d'))).toBeGreaterThan(0.25);
    expect(psi(column(training, 'sessions_7d'), column(recent, 'sessions_7d'))).toBeGreaterThan(0.2);
  });

  it('is zero for identical data and grows with the shift', () => {
    const base = Float64Array.from({ length: 1000 }, (_, i) => i);
    expect(psi(base, base)).toBe(0);
    const small = base.map((v) => v + 50);
    const large = base.map((v) => v + 300);
    expect(psi(base, large)).toBeGreaterThan(psi(base, small));
  });
});

describe('/predict request validation', () => {
  it('accepts the course example and imputes the missing features with training means', () => {
    const parsed = parsePredictRequest(
      '{"user_id": "user123", "features": {"logins_7d": 15, "sessions_7d": 20}}',
    );
    expect(parsed).toEqual({
      ok: true,
      value: { userId: 'user123', given: { logins_7d: 15, sessions_7d: 20 } },
    });
    const means = [1, 2, 3, 4, 5];
    expect(Array.from(featureRow({ logins_7d: 15, sessions_7d: 20 }, means))).toEqual([15, 20, 3, 4, 5]);
    expect(featureRow({}, means)).toHaveLength(FEATURE_COUNT);
  });

  it.each([
    ['', 400, 'empty'],
    ['{"user_id":', 400, 'not valid JSON'],
    ['[1,2]', 422, 'JSON object'],
    ['{"features": {"logins_7d": 1}}', 422, 'user_id is missing'],
    ['{"user_id": 7, "features": {"logins_7d": 1}}', 422, 'user_id must be a non-empty string'],
    ['{"user_id": "u"}', 422, 'features is missing'],
    ['{"user_id": "u", "features": [1]}', 422, 'features must be an object'],
    ['{"user_id": "u", "features": {}}', 422, 'features is empty'],
    ['{"user_id": "u", "features": {"logins": 3}}', 422, 'Unknown feature "logins"'],
    ['{"user_id": "u", "features": {"logins_7d": "15"}}', 422, 'logins_7d must be a number'],
    ['{"user_id": "u", "features": {"logins_7d": -1}}', 422, 'logins_7d cannot be negative'],
  ])('refuses %s with %i naming the problem', (body, status, message) => {
    const parsed = parsePredictRequest(body);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.status).toBe(status);
      expect(parsed.error).toContain(message);
    }
  });
});

describe('the config file', () => {
  it('fills every key with its default', () => {
    const { config, warnings } = parseConfig('', 'c.yaml');
    expect(config).toEqual({
      app: { name: 'churn-mlops', log_level: 'info' },
      paths: { data: '/app/data', artifacts: '/app/artifacts' },
      api: { max_body_bytes: 65536, model_poll_seconds: 2 },
      model: { threshold: 0.5 },
      data: { users: 5000, seed: 19 },
      drift: { psi_threshold: 0.2 },
      training: { min_improvement: 0.005 },
    });
    expect(warnings).toEqual([]);
  });

  it('keeps the given values and warns about unknown keys', () => {
    const { config, warnings } = parseConfig('model:\n  threshold: 0.7\n  thresold: 1\nextra: 1\n', 'c.yaml');
    expect(config.model.threshold).toBe(0.7);
    expect(config.api.max_body_bytes).toBe(65536);
    expect(warnings[0]).toContain('model.thresold, extra');
  });

  it('refuses a wrong type with one sentence naming the key', () => {
    expect(() => parseConfig('api:\n  max_body_bytes: lots\n', '/app/config/config.yaml')).toThrow(
      /config file \/app\/config\/config\.yaml has an invalid value for api\.max_body_bytes: expected a number/,
    );
    expect(() => parseConfig('model:\n  threshold: 2\n', 'c.yaml')).toThrow(
      /model\.threshold: expected at most 1\./,
    );
    expect(() => parseConfig('data:\n  users: 12.5\n', 'c.yaml')).toThrow(
      /data\.users: expected a whole number/,
    );
    expect(() => parseConfig('app:\n  log_level: loud\n', 'c.yaml')).toThrow(
      /app\.log_level: expected one of debug, info/,
    );
  });

  it('refuses YAML that does not parse, with its line', () => {
    expect(() => parseConfig('app:\n  name: [unclosed\n', 'c.yaml')).toThrow(
      /c\.yaml is not valid YAML at line \d/,
    );
    expect(() => parseConfig('- a\n- b\n', 'c.yaml')).toThrow(/must be a YAML mapping/);
  });
});
