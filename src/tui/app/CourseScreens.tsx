import { Text } from 'ink';
import { lazy, type ReactNode, useCallback, useState } from 'react';
import { type Lab, SIM_CONTEXT } from '../../lab.js';
import { Welcome } from '../screens/welcome/Welcome.js';
import { useUi } from './ui.js';

export type Route =
  | { screen: 'welcome' }
  | { screen: 'preflight'; exercise: string }
  | { screen: 'environment'; exercise: string }
  | { screen: 'exercise'; exercise: string }
  | { screen: 'quiz'; quiz: string };

// The course map is the first frame; the other screens (and grading, execa, the cluster code they
// bring along) load when the learner first opens one.
const Preflight = lazy(async () => ({
  default: (await import('../screens/preflight/Preflight.js')).Preflight,
}));
const Environment = lazy(async () => ({
  default: (await import('../screens/environment/Environment.js')).Environment,
}));
const Exercise = lazy(async () => ({ default: (await import('../screens/exercise/Exercise.js')).Exercise }));
const Incident = lazy(async () => ({
  default: (await import('../screens/incident/Incident.js')).Incident,
}));
const Quiz = lazy(async () => ({ default: (await import('../screens/quiz/Quiz.js')).Quiz }));

export function simulatedLab(lab: Lab): Lab {
  return { ...lab, target: { context: SIM_CONTEXT, kubeconfig: lab.paths.simKubeconfig }, simulated: true };
}

/**
 * The way through the course: the map, then (once per session) the preflight and the lab
 * environment, then the exercises in order and the quiz. `only` shows one screen and ends the app
 * when it is left (`churn-labs quiz` in a terminal).
 */
export function CourseScreens(props: { lab: Lab; simulate: boolean; only?: Route; onQuit: () => void }) {
  const { only, onQuit } = props;
  const { setTyping } = useUi();
  const [lab, setLab] = useState(() => (props.simulate ? simulatedLab(props.lab) : props.lab));
  const [simulate, setSimulate] = useState(props.simulate);
  const [ready, setReady] = useState(false);
  const [route, setRoute] = useState<Route>(only ?? { screen: 'welcome' });

  const back = useCallback(() => {
    setTyping(false);
    if (only) onQuit();
    else setRoute({ screen: 'welcome' });
  }, [only, onQuit, setTyping]);

  // Next and previous go through the exercises; incidents are opened from the map, in any order.
  const exercises = lab.course.exercises.filter((e) => !e.incident);
  const incidents = lab.course.exercises.filter((e) => e.incident);
  const openExercise = useCallback(
    (id: string) =>
      setRoute(
        ready
          ? { screen: 'exercise', exercise: id }
          : // A classroom learner needs no Docker or kind: the class cluster is the instructor's.
            { screen: lab.classroom ? 'environment' : 'preflight', exercise: id },
      ),
    [ready, lab.classroom],
  );
  const neighbour = (id: string, step: 1 | -1) => {
    const index = exercises.findIndex((e) => e.id === id) + step;
    if (index < 0) return setRoute({ screen: 'welcome' });
    const next = exercises[index];
    if (next) return setRoute({ screen: 'exercise', exercise: next.id });
    const quiz = lab.course.quizzes[0];
    setRoute(quiz ? { screen: 'quiz', quiz: quiz.id } : { screen: 'welcome' });
  };

  let screen: ReactNode;
  switch (route.screen) {
    case 'welcome':
      screen = (
        <Welcome
          lab={lab}
          simulate={simulate}
          onOpen={(item) =>
            item.type === 'quiz' ? setRoute({ screen: 'quiz', quiz: item.id }) : openExercise(item.id)
          }
          onQuit={onQuit}
        />
      );
      break;
    case 'preflight':
      screen = (
        <Preflight
          simulate={simulate}
          onContinue={() => setRoute({ screen: 'environment', exercise: route.exercise })}
          onSimulate={() => {
            setSimulate(true);
            setLab(simulatedLab(lab));
            setRoute({ screen: 'environment', exercise: route.exercise });
          }}
          onBack={back}
        />
      );
      break;
    case 'environment':
      screen = (
        <Environment
          lab={lab}
          simulate={simulate}
          next={lab.course.exercises.find((e) => e.id === route.exercise)?.title ?? route.exercise}
          onUp={(readyLab) => {
            setLab(readyLab);
            setReady(true);
          }}
          onStart={() => setRoute({ screen: 'exercise', exercise: route.exercise })}
          onBack={back}
        />
      );
      break;
    case 'exercise': {
      const exercise = exercises.find((e) => e.id === route.exercise);
      const incident = incidents.find((e) => e.id === route.exercise);
      screen = incident ? (
        <Incident
          key={incident.id}
          lab={lab}
          incident={incident}
          number={incidents.indexOf(incident) + 1}
          total={incidents.length}
          onBack={back}
        />
      ) : exercise ? (
        <Exercise
          key={exercise.id}
          lab={lab}
          exercise={exercise}
          number={exercises.indexOf(exercise) + 1}
          total={exercises.length}
          onNext={() => neighbour(exercise.id, 1)}
          onPrevious={() => neighbour(exercise.id, -1)}
          onBack={back}
        />
      ) : (
        <Text color="red">There is no exercise {route.exercise}.</Text>
      );
      break;
    }
    case 'quiz': {
      const quiz = lab.course.quizzes.find((q) => q.id === route.quiz);
      screen = quiz ? (
        <Quiz key={quiz.id} lab={lab} quiz={quiz} onBack={back} />
      ) : (
        <Text color="red">There is no quiz {route.quiz}.</Text>
      );
      break;
    }
  }

  return screen;
}
