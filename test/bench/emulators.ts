/**
 * Starts the benchmark's emulators — dynalite, local-aws-sqs and the mock registers over a generated
 * population — in a child process (`emulator-process.ts`), so that the benchmark's process measures
 * what would be Lambda: the runner, the functions and ingress.
 */
import { fork } from 'node:child_process';

export interface EmulatorOptions {
  readonly persons: number;
  readonly municipality: string;
  readonly seed: number;
  readonly asOf: string;
}

export interface EmulatorReady {
  readonly kind: 'ready';
  readonly sqsEndpoint: string;
  readonly dynamodbEndpoint: string;
  readonly securityServerUrl: string;
}

export type EmulatorMessage = EmulatorReady | { readonly kind: 'stop' } | { readonly kind: 'stopped'; readonly peakRssMb: number };

export interface Emulators extends Omit<EmulatorReady, 'kind'> {
  /** Stops the child; resolves with its peak RSS in MB. */
  stop(): Promise<{ peakRssMb: number }>;
}

/** This process's peak resident memory so far, in MB. */
export const peakRssMb = (): number => Math.round(process.resourceUsage().maxRSS / 1024);

/** The emulators hold every register and table in memory: a 100,000-person run needs more than V8's default heap. */
const CHILD_HEAP_MB = 8192;

export const startEmulators = (options: EmulatorOptions): Promise<Emulators> => {
  const child = fork(new URL('./emulator-process.ts', import.meta.url), [JSON.stringify(options)], {
    execArgv: [...process.execArgv, `--max-old-space-size=${CHILD_HEAP_MB}`],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = (kind: EmulatorMessage['kind']) =>
    new Promise<EmulatorMessage>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`the emulator process exited (${code ?? 'signal'}) before it was ${kind}`));
      child.once('exit', onExit);
      child.on('message', function onMessage(message: EmulatorMessage) {
        if (message.kind !== kind) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(message);
      });
    });
  return next('ready').then((ready) => {
    const { kind: _kind, ...endpoints } = ready as EmulatorReady;
    return {
      ...endpoints,
      async stop() {
        const stopped = next('stopped');
        child.send({ kind: 'stop' } satisfies EmulatorMessage);
        const { peakRssMb: childPeak } = (await stopped) as { peakRssMb: number };
        return { peakRssMb: childPeak };
      },
    };
  });
};
