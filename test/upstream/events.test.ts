import { IMAGE_PERL, id_field, upstreamFile } from './harness.js';

// test/cmd/events.sh (kubernetes/kubernetes at 083e3f3e0db4).
const t = upstreamFile('events.sh');

// run_kubectl_events_tests, events.sh:21-98. if_has_string checks its second argument only:
// upstream's extra "InvalidSchedule" "Cronjob/pi" arguments are not checked there either.
t.fn(
  'run_kubectl_events_tests',
  {
    lines: 'test/cmd/events.sh:21-98',
    explained: [],
  },
  async (s) => {
    await s.createAndUseNewNamespace();

    // Pre-condition: the test-events namespace does not exist
    await s.getObjectAssert(
      'namespaces',
      `{{range.items}}{{ if eq ${id_field} "test-events" }}found{{end}}{{end}}:`,
      ':',
    );
    await s.kubectl('create namespace test-events');
    await s.getObjectAssert('namespaces/test-events', `{{${id_field}}}`, 'test-events');

    // Pre-condition: event does not exist for Cronjob/pi in any namespace
    let out = await s.run('events -A');
    s.ifHasNotString(out, 'Warning');

    await s.getObjectAssert(
      'cronjob --namespace=test-events',
      `{{range.items}}{{ if eq ${id_field} "pi" }}found{{end}}{{end}}:`,
      ':',
    );
    await s.kubectl([
      'create',
      'cronjob',
      'pi',
      '--schedule=59 23 31 2 *',
      '--namespace=test-events',
      `--image=${IMAGE_PERL}`,
      '--',
      'perl',
      '-Mbignum=bpi',
      '-wle',
      'print bpi(20)',
    ]);
    await s.getObjectAssert('cronjob/pi --namespace=test-events', `{{${id_field}}}`, 'pi');

    // Post-Condition: events --all-namespaces returns event for Cronjob/pi
    out = await s.run('events -A');
    s.ifHasString(out, 'Warning');
    out = await s.run('events -n test-events');
    s.ifHasString(out, 'Warning');
    out = await s.run('events -n test-events --for=Cronjob/pi');
    s.ifHasString(out, 'Warning');
    out = await s.run('events -n test-events --for=Cronjob/pi --watch --request-timeout=1');
    s.ifHasString(out, 'Warning');
    out = await s.run('events -n test-events --for=Cronjob/pi --types=Warning');
    s.ifHasString(out, 'Warning');
    out = await s.run('events -n test-events --for=Cronjob/pi --types=Normal');
    s.ifHasNotString(out, 'Warning');
    out = await s.run('events -n test-events --for=Cronjob/pi --no-headers');
    s.ifHasNotString(out, 'LAST SEEN');
    s.ifHasString(out, 'Warning');
    out = await s.run('events -n test-events --for=Cronjob/pi --output=json');
    s.ifHasString(out, 'Warning');
    out = await s.run('events -n test-events --for=Cronjob/pi --output=yaml');
    s.ifHasString(out, 'Warning');

    await s.kubectl('delete cronjob pi --namespace=test-events');
    await s.kubectl('delete namespace test-events');
  },
);
