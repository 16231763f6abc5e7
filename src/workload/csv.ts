import { readFile } from 'node:fs/promises';
import { UserError } from '../errors.js';
import { type Dataset, FEATURE_COUNT, FEATURES } from './dataset.js';

const HEADER = ['user_id', ...FEATURES, 'churned'];

/** The raw data files (raw/training.csv, raw/recent.csv): one user per line, the label last. */
export function datasetToCsv(data: Dataset): string {
  const lines = [HEADER.join(',')];
  for (let row = 0; row < data.rows; row++) {
    const values = data.features.subarray(row * FEATURE_COUNT, (row + 1) * FEATURE_COUNT);
    lines.push(`${data.userId(row)},${Array.from(values).join(',')},${data.labels[row]}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Reads a raw data file; `shown` is its path as the container sees it, for the error message. */
export async function readDatasetCsv(file: string, shown: string): Promise<Dataset> {
  const text = await readFile(file, 'utf8');
  return parseDatasetCsv(text, shown);
}

export function parseDatasetCsv(text: string, shown: string): Dataset {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  const header = lines[0]?.trim();
  if (header !== HEADER.join(',')) {
    throw new UserError(
      `${shown} does not have the expected header "${HEADER.join(',')}"; delete it and the job will regenerate it.`,
      1,
    );
  }
  const rows = lines.length - 1;
  const features = new Float64Array(rows * FEATURE_COUNT);
  const labels = new Uint8Array(rows);
  const ids: string[] = new Array(rows);
  for (let row = 0; row < rows; row++) {
    const cells = lines[row + 1]!.trim().split(',');
    const values = cells.slice(1).map(Number);
    const label = values[FEATURE_COUNT];
    if (
      cells.length !== HEADER.length ||
      !cells[0] ||
      values.some((value) => !Number.isFinite(value) || value < 0) ||
      (label !== 0 && label !== 1)
    ) {
      throw new UserError(
        `${shown} line ${row + 2} is not a valid user row; fix or delete the file and the job will regenerate it.`,
        1,
      );
    }
    ids[row] = cells[0];
    features.set(values.slice(0, FEATURE_COUNT), row * FEATURE_COUNT);
    labels[row] = label;
  }
  return { rows, features, labels, userId: (row) => ids[row]! };
}
