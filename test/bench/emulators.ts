/**
 * Starts the benchmark's emulators — dynalite, local-aws-sqs and the mock registers over a generated
 * population — in a child process (`emulator-process.ts`), so that the benchmark's process measures
 * what would be Lambda: the runner, the functions and ingress.
 */
import { fork } from 'node:child_process';
import { setPriority } from 'node:os';
import type { CountyEndpointV1 } from '#contracts/wellbeing/endpoint';

export interface EmulatorOptions {
  readonly persons: number;
  readonly municipality: string;
  /** Every municipality the population is spread over (default: `municipality` alone). */
  readonly municipalities?: readonly string[];
  /**
   * What the child runs: `all` (default), or `aws` (dynalite, local-aws-sqs) and `registers` (the
   * mocks behind the security server) in two children, so that a register counts arrivals on an
   * event loop no table or queue work holds up, as a real register would.
   */
  readonly part?: 'all' | 'aws' | 'registers';
  readonly seed: number;
  readonly asOf: string;
  /**
   * The hub's data folder: the security-server stand-in takes its certificate from the folder's
   * local CA and admits the hub's X-Road certificate there, as the runtime on that folder expects.
   */
  readonly dataDir: string;
}

export interface EmulatorReady {
  readonly kind: 'ready';
  readonly sqsEndpoint: string;
  readonly dynamodbEndpoint: string;
  readonly securityServerUrl: string;
  /**
   * Each mock register's own URL (its `/__faults` and `/__stats` admin endpoints), by system; a
   * wellbeing services county's as `wellbeing:<county>` (https for a county reached directly).
   */
  readonly mockUrls: Readonly<Record<string, string>>;
  /** How the hub reaches each county mock: the runtime's `countyEndpoints`. */
  readonly countyEndpoints: readonly CountyEndpointV1[];
}

export type EmulatorMessage =
  | EmulatorReady
  | { readonly kind: 'stop' }
  | { readonly kind: 'stopped'; readonly peakRssMb: number }
  | { readonly kind: 'cpu?' }
  | { readonly kind: 'cpu'; readonly cpuMs: number };

/** This process's CPU time so far (user and system, every thread), in ms. */
export const cpuMs = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

export interface Emulators extends Omit<EmulatorReady, 'kind'> {
  /** With `separateRegisters`: how the registers' process was put first on the CPU (`registersFirst`). */
  readonly priority?: string;
  /** The CPU time the emulators have used so far, in ms. */
  cpuMs(): Promise<number>;
  /** Stops the child; resolves with its peak RSS in MB. */
  stop(): Promise<{ peakRssMb: number }>;
}

/** This process's peak resident memory so far, in MB. */
export const peakRssMb = (): number => Math.round(process.resourceUsage().maxRSS / 1024);

/** The emulators hold every register and table in memory: a 100,000-person run needs more than V8's default heap. */
const CHILD_HEAP_MB = 8192;

/** Niceness steps between the registers' process and the rest (Linux: -20 … 19). */
const REGISTERS_AHEAD = 10;

/**
 * The registers stand for machines of their own, and a register counts an arrival when its event
 * loop reads it: on a two-core machine, with the hub and the AWS stand-ins busy, that came up to
 * 140 ms late, in bunches, and the pacing margin measured the test rig rather than the way to a
 * register. So the registers' process gets the CPU first: raised where the process may (root, or
 * CAP_SYS_NICE), otherwise the hub's (this process) and the AWS stand-ins' lowered by as much.
 */
const registersFirst = (registers: number, others: readonly number[]): string => {
  try {
    setPriority(registers, -REGISTERS_AHEAD);
    return `registers' process at niceness -${REGISTERS_AHEAD}`;
  } catch {
    const lowered = others.filter((pid) => {
      try {
        setPriority(pid, REGISTERS_AHEAD);
        return true;
      } catch {
        return false;
      }
    });
    return lowered.length === others.length ? `hub and AWS stand-ins at niceness ${REGISTERS_AHEAD}` : 'all at the same priority (not permitted to change it)';
  }
};

const forkEmulators = (options: EmulatorOptions): Promise<Emulators & { readonly pid: number }> => {
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
      pid: child.pid!,
      async cpuMs() {
        const answer = next('cpu');
        child.send({ kind: 'cpu?' } satisfies EmulatorMessage);
        return ((await answer) as { cpuMs: number }).cpuMs;
      },
      async stop() {
        const stopped = next('stopped');
        child.send({ kind: 'stop' } satisfies EmulatorMessage);
        const { peakRssMb: childPeak } = (await stopped) as { peakRssMb: number };
        return { peakRssMb: childPeak };
      },
    };
  });
};

/** The emulators in one child, or (`separateRegisters`) the AWS stand-ins and the registers in one each. */
export const startEmulators = async (options: EmulatorOptions & { readonly separateRegisters?: boolean }): Promise<Emulators> => {
  const { separateRegisters, ...rest } = options;
  if (!separateRegisters) return forkEmulators({ ...rest, part: 'all' });
  const [aws, registers] = await Promise.all([forkEmulators({ ...rest, part: 'aws' }), forkEmulators({ ...rest, part: 'registers' })]);
  return {
    priority: registersFirst(registers.pid, [process.pid, aws.pid]),
    sqsEndpoint: aws.sqsEndpoint,
    dynamodbEndpoint: aws.dynamodbEndpoint,
    securityServerUrl: registers.securityServerUrl,
    mockUrls: registers.mockUrls,
    countyEndpoints: registers.countyEndpoints,
    cpuMs: async () => (await aws.cpuMs()) + (await registers.cpuMs()),
    async stop() {
      const [a, r] = await Promise.all([aws.stop(), registers.stop()]);
      return { peakRssMb: a.peakRssMb + r.peakRssMb };
    },
  };
};
