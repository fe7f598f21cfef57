/**
 * The hub's structured logger: Powertools Logger, with every line scrubbed of personal data before
 * it is printed. In AWS lines go to stdout (CloudWatch Logs); the embedded runtime points them at a
 * file in its data folder (`KOTO_LOG_FILE`) so the console stays readable.
 */
import { appendFileSync } from 'node:fs';
import { Logger } from '@aws-lambda-powertools/logger';
import type { ConstructorOptions } from '@aws-lambda-powertools/logger/types';
import type { LogItem } from '@aws-lambda-powertools/logger';
import { currentContext } from '#lib/context';
import { scrubValue } from '#lib/pii';

export class HubLogger extends Logger {
  protected override createLogger(options?: ConstructorOptions): HubLogger {
    return new HubLogger(options);
  }

  protected override printLog(logLevel: number, log: LogItem): void {
    log.prepareForPrint();
    const context = currentContext();
    log.setAttributes(scrubValue({ ...log.getAttributes(), ...context }) as Record<string, unknown>);
    const file = process.env.KOTO_LOG_FILE;
    if (!file) return super.printLog(logLevel, log);
    appendFileSync(file, `${JSON.stringify(log.getAttributes())}\n`);
  }
}

export const logger = new HubLogger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'koto-hub' });
