import { Box, Text } from 'ink';
import type { NamespaceReading, NamespaceView, PodTone } from '../live/namespace.js';

const TONE: Record<PodTone, { color?: string; dim?: boolean }> = {
  good: { color: 'green' },
  busy: { color: 'yellow' },
  bad: { color: 'red' },
  done: { dim: true },
};

/** The most pods to list; more would push the checks off a small terminal. */
const MAX_PODS = 6;
const MAX_JOBS = 6;

const limits = (rows: number) => ({
  maxPods: Math.max(2, Math.min(MAX_PODS, rows - 18)),
  maxJobs: Math.max(2, Math.min(MAX_JOBS, rows - 20)),
});

/** How many lines the full panel takes (as NamespacePanel draws it), for the screen's layout. */
export function panelLines(reading: NamespaceReading | undefined, rows: number, columns: number): number {
  if (!reading) return 1;
  if (!reading.ok) return Math.ceil(reading.reason.length / Math.max(1, columns)) || 1;
  const { view } = reading;
  if (!view.exists) return 2;
  const { maxPods, maxJobs } = limits(rows);
  const items =
    view.pods.length +
    view.deployments.length +
    view.cronJobs.length +
    view.jobs.length +
    view.autoscalers.length;
  return (
    1 +
    (items === 0 ? 1 : 0) +
    view.deployments.length +
    view.autoscalers.length +
    view.cronJobs.length +
    Math.min(view.jobs.length, maxJobs) +
    (view.jobs.length > maxJobs ? 1 : 0) +
    Math.min(view.pods.length, maxPods) +
    (view.pods.length > maxPods ? 1 : 0)
  );
}

/**
 * What is in the lab's namespace now, so the learner sees what their commands did. `rows` is the
 * terminal's height: on a short terminal fewer pods and jobs are listed, so that the live part of
 * the screen stays shorter than the terminal (Ink clears the whole screen otherwise).
 */
export function NamespacePanel({
  reading,
  rows = 40,
  compact = false,
}: {
  reading: NamespaceReading | undefined;
  rows?: number;
  /** One line: what the namespace holds, counted (a short terminal). */
  compact?: boolean;
}) {
  const { maxPods, maxJobs } = limits(rows);
  if (!reading) return <Text dimColor>Reading the namespace…</Text>;
  if (!reading.ok) return <Text color="red">{reading.reason}</Text>;
  const { view } = reading;
  if (compact) return <Text wrap="truncate">{panelSummary(view)}</Text>;
  const title = <Text bold>namespace {view.namespace}</Text>;
  if (!view.exists)
    return (
      <Box flexDirection="column">
        {title}
        <Text dimColor>{'  '}does not exist yet</Text>
      </Box>
    );
  const empty =
    view.pods.length +
      view.deployments.length +
      view.cronJobs.length +
      view.jobs.length +
      view.autoscalers.length ===
    0;
  const width = Math.min(40, Math.max(0, ...view.pods.map((p) => p.name.length)));
  return (
    <Box flexDirection="column">
      {title}
      {empty && <Text dimColor>{'  '}empty</Text>}
      {view.deployments.map((d) => (
        <Text key={`d/${d.name}`}>
          {'  '}deployment {d.name}{' '}
          <Text color={d.ready >= d.desired ? 'green' : 'yellow'}>
            {d.ready}/{d.desired} ready
          </Text>
          {d.image ? <Text dimColor> {d.image}</Text> : null}
        </Text>
      ))}
      {view.autoscalers.map((h) => (
        <Text key={`h/${h.name}`}>
          {'  '}hpa {h.name} {h.targets} · {h.replicas} replicas ({h.min}–{h.max})
        </Text>
      ))}
      {view.cronJobs.map((c) => (
        <Text key={`c/${c.name}`}>
          {'  '}cronjob {c.name} <Text dimColor>{c.schedule}</Text> ·{' '}
          {c.suspended ? <Text color="yellow">suspended</Text> : null}
          {c.suspended ? ' · ' : ''}
          last run {c.lastSchedule === '<none>' ? 'never' : `${c.lastSchedule} ago`}
          {c.active > 0 ? `, ${c.active} running` : ''}
        </Text>
      ))}
      {view.jobs.slice(0, maxJobs).map((j) => (
        <Text key={`j/${j.name}`}>
          {'  '}job {j.name}{' '}
          <Text
            color={j.succeeded >= j.completions ? undefined : j.failed > 0 ? 'red' : 'yellow'}
            dimColor={j.succeeded >= j.completions}
          >
            {j.succeeded}/{j.completions} complete
            {j.active > 0 ? `, ${j.active} running` : ''}
            {j.failed > 0 ? `, ${j.failed} failed` : ''}
          </Text>
        </Text>
      ))}
      {view.jobs.length > maxJobs && <Text dimColor>{`  … ${view.jobs.length - maxJobs} more jobs`}</Text>}
      {view.pods.slice(0, maxPods).map((p) => (
        <Text key={`p/${p.name}`}>
          {'  '}pod {p.name.padEnd(width)} {p.ready}{' '}
          <Text color={TONE[p.tone].color} dimColor={TONE[p.tone].dim}>
            {p.status}
          </Text>
          {p.restarts > 0 ? <Text dimColor> {p.restarts} restarts</Text> : null}
        </Text>
      ))}
      {view.pods.length > maxPods && <Text dimColor>{`  … ${view.pods.length - maxPods} more pods`}</Text>}
    </Box>
  );
}

/** The panel in one line, for a short terminal: "namespace churn-mlops: deployment churn-api 3/3 · 4 pods …". */
export function panelSummary(view: NamespaceView): string {
  if (!view.exists) return `namespace ${view.namespace}: does not exist yet`;
  const parts = [
    ...view.deployments.map((d) => `deployment ${d.name} ${d.ready}/${d.desired}`),
    ...view.autoscalers.map((h) => `hpa ${h.name} ${h.targets}`),
    ...view.cronJobs.map((c) => `cronjob ${c.name}${c.suspended ? ' suspended' : ''}`),
  ];
  if (view.jobs.length > 0) {
    const complete = view.jobs.filter((j) => j.succeeded >= j.completions).length;
    parts.push(`${view.jobs.length} jobs (${complete} complete)`);
  }
  if (view.pods.length > 0) {
    const counts = new Map<string, number>();
    for (const pod of view.pods) counts.set(pod.status, (counts.get(pod.status) ?? 0) + 1);
    const statuses = [...counts].map(([status, n]) => `${n} ${status}`).join(', ');
    parts.push(`${view.pods.length} pods (${statuses})`);
  }
  return `namespace ${view.namespace}: ${parts.length > 0 ? parts.join(' · ') : 'empty'}`;
}
