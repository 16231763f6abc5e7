import { deriveSeed, Random } from './random.js';

/** The model's inputs, in the order of every row, weight vector and CSV file. */
export const FEATURES = [
  'logins_7d',
  'sessions_7d',
  'tenure_days',
  'support_tickets_30d',
  'days_since_last_login',
] as const;
export type FeatureName = (typeof FEATURES)[number];
export const FEATURE_COUNT = FEATURES.length;

/**
 * Users as columns of numbers rather than objects: a million users fit in a few typed arrays,
 * whose memory lives outside the JavaScript heap, so a batch that outgrows its container's limit
 * is OOMKilled by the kernel (what the resources exercise shows) rather than stopped by V8.
 */
export interface Dataset {
  rows: number;
  /** Row-major: row i is features[i * FEATURE_COUNT .. + FEATURE_COUNT]. */
  features: Float64Array;
  /** 1 = the user churned. */
  labels: Uint8Array;
  userId(row: number): string;
}

/** `training` is what the baseline learns from; `recent` is later activity, shifted so drift shows. */
export type Cohort = 'training' | 'recent';

export const syntheticUserId = (row: number) => `user_${String(row + 1).padStart(6, '0')}`;

export function generateUsers(rows: number, seed: number, cohort: Cohort): Dataset {
  const random = new Random(deriveSeed(seed, cohort));
  const features = new Float64Array(rows * FEATURE_COUNT);
  const labels = new Uint8Array(rows);
  const recent = cohort === 'recent';
  for (let row = 0; row < rows; row++) {
    // One hidden "engagement" drives the activity features, so they move together as in real usage;
    // the recent cohort is less engaged and files more tickets (covariate drift) ...
    const engagement = random.normal() - (recent ? 0.8 : 0);
    const logins = random.poisson(Math.max(0.1, 6 * Math.exp(0.55 * engagement)));
    const sessions = logins + random.poisson(0.5 * logins + 1);
    const tenure = Math.min(2500, Math.round(14 + random.exponential(recent ? 300 : 420)));
    const tickets = random.poisson((recent ? 1.0 : 0.5) * Math.exp(0.4 * random.normal()));
    let daysSince = Math.round(random.exponential(1.2 * Math.exp(-0.8 * engagement)));
    if (logins === 0) daysSince = Math.max(7, daysSince + 7);
    const base = row * FEATURE_COUNT;
    features[base] = logins;
    features[base + 1] = sessions;
    features[base + 2] = tenure;
    features[base + 3] = tickets;
    features[base + 4] = Math.min(daysSince, 90);
    // ... and for it, support tickets weigh more and tenure protects less (concept drift),
    // which is what gives a retrained candidate something to beat production on.
    const logit =
      0.2 -
      0.17 * logins -
      0.05 * sessions +
      0.11 * Math.min(daysSince, 90) -
      (recent ? 0.0006 : 0.0018) * tenure +
      (recent ? 0.85 : 0.3) * tickets +
      0.4 * random.normal();
    labels[row] = random.next() < 1 / (1 + Math.exp(-logit)) ? 1 : 0;
  }
  return { rows, features, labels, userId: syntheticUserId };
}

/** A fixed, seeded 80/20 split: the same rows are held out whenever the same data is evaluated. */
export function splitRows(rows: number, seed: number): { train: Uint32Array; heldOut: Uint32Array } {
  const order = new Uint32Array(rows);
  for (let i = 0; i < rows; i++) order[i] = i;
  const random = new Random(deriveSeed(seed, 'split'));
  for (let i = rows - 1; i > 0; i--) {
    const j = Math.floor(random.next() * (i + 1));
    const swap = order[i]!;
    order[i] = order[j]!;
    order[j] = swap;
  }
  const heldOutCount = Math.max(1, Math.round(rows * 0.2));
  return { heldOut: order.slice(0, heldOutCount).sort(), train: order.slice(heldOutCount).sort() };
}

export function featureColumn(data: Dataset, feature: number, rows?: ArrayLike<number>): Float64Array {
  const count = rows ? rows.length : data.rows;
  const column = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const row = rows ? rows[i]! : i;
    column[i] = data.features[row * FEATURE_COUNT + feature]!;
  }
  return column;
}
