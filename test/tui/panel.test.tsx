import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { NamespacePanel } from '../../src/tui/components/NamespacePanel.js';
import { type NamespaceReading, summariseNamespace } from '../../src/tui/live/namespace.js';

const reading: NamespaceReading = {
  ok: true,
  view: {
    namespace: 'churn-mlops',
    exists: true,
    deployments: [{ name: 'churn-api', ready: 10, desired: 10 }],
    autoscalers: [],
    cronJobs: [],
    jobs: Array.from({ length: 8 }, (_, i) => ({
      name: `churn-batch-score-${i}`,
      succeeded: 1,
      completions: 1,
      failed: 0,
      active: 0,
    })),
    pods: Array.from({ length: 10 }, (_, i) => ({
      name: `churn-api-${i}`,
      ready: '1/1',
      status: 'Running',
      restarts: 0,
      tone: 'good' as const,
    })),
  },
};

describe('the namespace panel', () => {
  it('lists fewer pods and jobs on a short terminal, saying how many more there are', () => {
    const lines = (rows: number) => {
      const { lastFrame, unmount } = render(<NamespacePanel reading={reading} rows={rows} />);
      const frame = lastFrame() ?? '';
      unmount();
      return frame.split('\n');
    };
    const tall = lines(40);
    expect(tall.filter((l) => l.includes('pod churn-api-'))).toHaveLength(6);
    expect(tall).toContain('  … 4 more pods');
    expect(tall.filter((l) => l.includes('job churn-batch-score-'))).toHaveLength(6);
    const short = lines(24);
    expect(short.filter((l) => l.includes('pod churn-api-'))).toHaveLength(6);
    expect(short.filter((l) => l.includes('job churn-batch-score-'))).toHaveLength(4);
    const tiny = lines(20);
    expect(tiny.filter((l) => l.includes('pod churn-api-'))).toHaveLength(2);
    expect(tiny).toContain('  … 8 more pods');
    expect(tiny.filter((l) => l.includes('job churn-batch-score-'))).toHaveLength(2);
    expect(tiny).toContain('  … 6 more jobs');
    expect(tiny.length).toBeLessThan(tall.length);
  });

  it('lists CronJobs with their schedule, last run and whether they are suspended', () => {
    const view = summariseNamespace(
      'churn-mlops',
      [
        {
          apiVersion: 'batch/v1',
          kind: 'CronJob',
          metadata: { name: 'churn-batch-score', namespace: 'churn-mlops' },
          spec: { schedule: '0 2 * * *', suspend: true },
          status: { lastScheduleTime: '2026-12-07T02:00:00Z' },
        },
        {
          apiVersion: 'batch/v1',
          kind: 'CronJob',
          metadata: { name: 'churn-retrain', namespace: 'churn-mlops' },
          spec: { schedule: '0 3 * * 0' },
        },
      ],
      true,
      Date.parse('2026-12-07T02:03:00Z'),
    );
    const { lastFrame, unmount } = render(<NamespacePanel reading={{ ok: true, view }} rows={24} />);
    const frame = lastFrame() ?? '';
    unmount();
    expect(frame).toContain('cronjob churn-batch-score 0 2 * * * · suspended · last run 3m ago');
    expect(frame).toContain('cronjob churn-retrain 0 3 * * 0 · last run never');
    expect(frame).not.toContain('empty');
  });
});
