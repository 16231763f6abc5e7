import { Text } from 'ink';
import type { Progress } from '../../course/progress.js';
import { updateProgress } from '../../files/progress-store.js';
import type { Lab } from '../../lab.js';
import { useUi } from './ui.js';

/**
 * Saves a change to the progress file as the learner goes (the app quits only once it is written),
 * and prints what went wrong, if anything, instead of losing it silently.
 */
export function useSaveProgress(lab: Lab) {
  const { print, session } = useUi();
  return (change: (progress: Progress) => Progress, what = 'Your progress') =>
    session.track(updateProgress(lab.paths.progress, change)).then(
      ({ warning }) => warning && print(<Text color="yellow">{warning}</Text>),
      (error: unknown) =>
        print(
          <Text color="red">
            {what} could not be saved: {(error as Error).message}
          </Text>,
        ),
    );
}
