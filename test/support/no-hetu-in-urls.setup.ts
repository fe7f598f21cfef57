/**
 * Setup of every test file (vitest.config.ts); acts in test/integration only. Records every request
 * the mock registers and the security-server stand-in of the file's process receive, and after the
 * file's own teardown fails it if any URL held anything HETU-shaped, or if mock servers started and
 * the whole file ran yet not one request was recorded (the recorder would be checking nothing).
 * A child process (a CLI starting its own runtime) is not seen.
 */
import { afterAll, expect } from 'vitest';
import { recordMockUrls, requestsWithHetu, type MockUrlRecorder } from './mock-urls.ts';

type Task = { readonly mode: string; readonly tasks?: readonly Task[] };
const allTestsRan = (task: Task): boolean => (task.tasks ? task.tasks.every(allTestsRan) : task.mode === 'run');

const file = expect.getState().testPath ?? '';
if (/[\\/]test[\\/]integration[\\/]/.test(file)) {
  const recorder: MockUrlRecorder = recordMockUrls();
  // Registered before the file's hooks, so it runs after them (hooks unwind as a stack): teardown requests count too.
  // eslint-disable-next-line no-empty-pattern
  afterAll(({}, suite) => {
    recorder.stop();
    expect(requestsWithHetu(recorder.requests), 'requests to the mocks with a HETU-shaped URL').toEqual([]);
    if (recorder.started.length > 0 && allTestsRan(suite as Task)) {
      expect(recorder.requests.length, `mock servers started (${recorder.started.join(', ')}) but no request was recorded`).toBeGreaterThan(0);
    }
  });
}
