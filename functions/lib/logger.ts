/**
 * The hub's structured logger: Powertools Logger, with every line scrubbed of personal data before
 * it is printed. In AWS lines go to stdout (CloudWatch Logs); the embedded runtime points them at a
 * file in its data folder (`KOTO_LOG_FILE`) so the console stays readable.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { closeSync, openSync, writeSync } from 'node:fs';
import type { Context } from 'aws-lambda';
import { Logger } from '@aws-lambda-powertools/logger';
import type { ConstructorOptions } from '@aws-lambda-powertools/logger/types';
import type { LogItem } from '@aws-lambda-powertools/logger';
import { currentContext } from '#lib/context';
import { scrubValue } from '#lib/pii';

/**
 * The Lambda context of the invocation a line is written in, when the embedded runtime runs it.
 * In AWS a process runs one function, and Powertools keeps the context on the logger; on the
 * embedded runtime every function shares this process and this logger, so the context one
 * invocation adds would otherwise label another's lines (the poller's lines named the watchdog).
 */
const invocation = new AsyncLocalStorage<Readonly<Record<string, unknown>>>();

/** Runs one invocation so that every line it logs carries its own function's Lambda context. */
export const runWithLambdaContext = <T>(context: Context, invoke: () => T): T =>
  invocation.run(
    {
      function_name: context.functionName,
      function_arn: context.invokedFunctionArn,
      function_memory_size: Number(context.memoryLimitInMB),
      function_request_id: context.awsRequestId,
    },
    invoke,
  );

export class HubLogger extends Logger {
  protected override createLogger(options?: ConstructorOptions): HubLogger {
    return new HubLogger(options);
  }

  protected override printLog(logLevel: number, log: LogItem): void {
    log.prepareForPrint();
    const context = currentContext();
    log.setAttributes(scrubValue({ ...log.getAttributes(), ...invocation.getStore(), ...context }) as Record<string, unknown>);
    const file = process.env.KOTO_LOG_FILE;
    if (!file) return super.printLog(logLevel, log);
    writeSync(logFile(file), `${JSON.stringify(log.getAttributes())}\n`);
  }
}

/**
 * The open log file: opened once for appending, not once a line (an open and a close for each of
 * the tens of thousands of lines of a run). Lines stay synchronous writes, in order, and survive a
 * crash of the process. Another file (a test's own data folder) closes the one before it.
 */
let open: { readonly path: string; readonly fd: number } | undefined;
const logFile = (path: string): number => {
  if (open?.path === path) return open.fd;
  closeLogFile();
  open = { path, fd: openSync(path, 'a') };
  return open.fd;
};

/** Closes the open log file; the next line opens it again (a runtime starting on a folder made anew at the same path). */
export const closeLogFile = (): void => {
  if (open) closeSync(open.fd);
  open = undefined;
};

export const logger = new HubLogger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'koto-hub' });
