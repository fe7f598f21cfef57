/**
 * What IT operations see and are woken by, built by looping over the topology: a CloudWatch
 * dashboard with one row per flow (a widget per queue and per function in it) and one per external
 * system, and the alarms, each with its action (and its return to OK) on the SNS topic given.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import {
  dlqName,
  externalSystems,
  flowNames,
  flowOfFunction,
  flowOfQueue,
  flows,
  functionNames,
  functionSpec,
  hubMetrics,
  queueNames,
  queueSpec,
  type ExternalSystem,
  type FlowName,
  type FunctionName,
  type QueueName,
} from '#infra/topology';
import type { HubFunction } from '#infra/cdk/constructs/hub-function';
import type { QueueWithDlq } from '#infra/cdk/constructs/queue-with-dlq';

/** The period of every alarm and graph. */
export const PERIOD = Duration.minutes(5);

/** Refusals at the door in one period that raise the alarm: more than a client's misconfigured retries. */
export const DOOR_REFUSALS_BURST = 50;
/** Errors per invocations, in percent over one period, above which a function's error-rate alarm fires. */
export const ERROR_RATE_PERCENT = 5;

export type AlarmKind = 'dlq-not-empty' | 'oldest-message' | 'error-rate' | 'throttles' | 'outreach-run-stalled' | 'register-unavailable' | 'door-refusals';

export interface HubAlarm {
  readonly kind: AlarmKind;
  /** The queue, function or flow it watches. */
  readonly subject: string;
  readonly alarm: cloudwatch.Alarm;
}

export interface ObservabilityProps {
  readonly queues: Readonly<Record<QueueName, QueueWithDlq>>;
  readonly functions: Readonly<Record<FunctionName, HubFunction>>;
  /** Where every alarm (and its return to OK) is sent. */
  readonly alarmTopic: sns.ITopic;
}

/** The grid is 24 units wide; widgets of a row beyond that go on the next line. */
const GRID_WIDTH = 24;
const QUEUE_WIDGET = { width: 6, height: 6 } as const;
const FUNCTION_WIDGET = { width: 8, height: 6 } as const;
const SYSTEM_WIDGET = { width: 12, height: 6 } as const;

/** A hub metric (namespace KotoHub) with its dimensions, summed or otherwise over the period. */
const hubMetric = (metricName: string, dimensions: Record<string, string>, statistic: string, label: string): cloudwatch.Metric =>
  new cloudwatch.Metric({
    namespace: hubMetrics.namespace,
    metricName,
    dimensionsMap: { service: hubMetrics.service, ...dimensions },
    statistic,
    period: PERIOD,
    label,
  });

export class Observability extends Construct {
  readonly dashboard: cloudwatch.Dashboard;
  readonly alarms: readonly HubAlarm[];

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    const { queues, functions, alarmTopic } = props;
    const stackName = Stack.of(this).stackName;
    const alarms: HubAlarm[] = [];

    const alarm = (
      kind: AlarmKind,
      subject: string,
      metric: cloudwatch.Metric | cloudwatch.MathExpression,
      options: Omit<cloudwatch.CreateAlarmOptions, 'evaluationPeriods'> & { evaluationPeriods?: number },
    ): void => {
      const created = metric.createAlarm(this, `${kind}-${subject}`, {
        alarmName: `${stackName}-${kind}-${subject}`,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        ...options,
      });
      created.addAlarmAction(new actions.SnsAction(alarmTopic));
      created.addOkAction(new actions.SnsAction(alarmTopic));
      alarms.push({ kind, subject, alarm: created });
    };

    for (const name of queueNames) {
      const { queue, dlq } = queues[name];
      const spec = queueSpec(name);
      alarm('dlq-not-empty', name, dlq.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum' }), {
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        alarmDescription:
          `Messages are waiting in ${dlqName(name)}: they failed for good or too often. ` +
          `See why with "koto-hub dlq show ${name}", fix the cause, then "koto-hub dlq redrive ${name} --all".`,
      });
      alarm('oldest-message', name, queue.metricApproximateAgeOfOldestMessage({ period: PERIOD, statistic: 'Maximum' }), {
        threshold: spec.maxAgeSeconds,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        alarmDescription:
          `A message has waited on queue ${name} longer than ${spec.maxAgeSeconds} s (its maxAgeSeconds in the topology): ` +
          'its consumer is down, throttled or too slow. See "koto-hub status".',
      });
    }

    for (const name of functionNames) {
      const fn = functions[name].function;
      const errorRate = new cloudwatch.MathExpression({
        expression: 'IF(invocations > 0, 100 * errors / invocations, 0)',
        usingMetrics: {
          errors: fn.metricErrors({ period: PERIOD, statistic: 'Sum' }),
          invocations: fn.metricInvocations({ period: PERIOD, statistic: 'Sum' }),
        },
        period: PERIOD,
        label: `${name} errors per invocation (%)`,
      });
      alarm('error-rate', name, errorRate, {
        threshold: ERROR_RATE_PERCENT,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        alarmDescription:
          `More than ${ERROR_RATE_PERCENT}% of the invocations of ${name} failed in ${PERIOD.toMinutes()} minutes ` +
          '(whole invocations; failed records of a batch are counted by the DLQ alarms and the "failed" metric). See its logs.',
      });
      alarm('throttles', name, fn.metricThrottles({ period: PERIOD, statistic: 'Sum' }), {
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        alarmDescription: `Lambda throttled invocations of ${name}: the account's or the function's concurrency is exhausted.`,
      });
    }

    const stall = hubMetrics.outreachRunsStalled;
    alarm(
      'outreach-run-stalled',
      'outreach-run',
      hubMetric(stall.name, { [hubMetrics.dimensions.function]: stall.emittedBy }, 'Maximum', 'stalled outreach runs'),
      {
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        alarmDescription:
          'An outreach run has made no progress for too long (the watchdog raised outreach.run.stalled.v1 with how many ' +
          'candidates are outstanding and where). Follow it with "koto-hub trace <run id>".',
      },
    );
    for (const system of Object.keys(externalSystems) as ExternalSystem[]) {
      // Open for as long as the breaker opens or holds work back in a period: it clears once the register answers.
      const bySystem = { [hubMetrics.dimensions.system]: system };
      const down = new cloudwatch.MathExpression({
        expression: 'FILL(opened, 0) + FILL(deferred, 0)',
        usingMetrics: {
          opened: hubMetric(hubMetrics.breakerTransitions, { ...bySystem, [hubMetrics.dimensions.state]: 'open' }, 'Sum', `${system} breaker opened`),
          deferred: hubMetric(hubMetrics.breakerDeferred, bySystem, 'Sum', `${system} work waiting`),
        },
        period: PERIOD,
        label: `${system} unavailable (breaker openings + messages waiting)`,
      });
      alarm('register-unavailable', system, down, {
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        alarmDescription:
          `${externalSystems[system].description} is not answering: its circuit breaker is open, the adapters do not call it ` +
          'and its work waits on its queue (probed at a growing interval, resumed when it answers). Nothing to redrive; ' +
          'check the register\'s service notices. Past the breaker\'s hold the work dead-letters (see "koto-hub status").',
      });
    }
    alarm('door-refusals', 'ingress', hubMetric(hubMetrics.doorRefusals, {}, 'Sum', 'refusals at the door'), {
      threshold: DOOR_REFUSALS_BURST,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      alarmDescription:
        'A burst of requests refused at the door (401 no or unknown certificate, 403 a rule, 429 over rate): a misconfigured client or ' +
        'someone probing. The audit partition door-refusals#<day> names each client and rule; the metric by kind names the rules.',
    });
    this.alarms = alarms;

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: stackName,
      defaultInterval: Duration.hours(3),
    });
    this.dashboard.addWidgets(
      new cloudwatch.TextWidget({
        markdown: `# koto-hub (${stackName})\nOne row per flow, then one per external system. Every alarm goes to the topic of the stack parameter AlarmTopicArn.`,
        width: GRID_WIDTH,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({
        title: 'Alarms',
        alarms: alarms.map((a) => a.alarm),
        sortBy: cloudwatch.AlarmStatusWidgetSortBy.STATE_UPDATED_TIMESTAMP,
        width: GRID_WIDTH,
        height: 6,
      }),
    );

    const flowRows: (FlowName | undefined)[] = [...flowNames];
    // Anything the topology left without a flow still gets its widgets, in a row of its own.
    if (queueNames.some((q) => !flowOfQueue(q)) || functionNames.some((f) => !flowOfFunction(f))) flowRows.push(undefined);
    for (const flow of flowRows) {
      const rowQueues = queueNames.filter((q) => flowOfQueue(q) === flow);
      const rowFunctions = functionNames.filter((f) => flowOfFunction(f) === flow);
      if (rowQueues.length === 0 && rowFunctions.length === 0) continue;
      const heading = flow ? `## ${flows[flow].title}\n${flows[flow].description}` : '## Other\nQueues and functions the topology puts in no flow';
      this.addRow(new cloudwatch.TextWidget({ markdown: heading, width: GRID_WIDTH, height: 2 }));
      this.addRow(...rowQueues.map((name) => queueWidget(name, queues[name])));
      this.addRow(...rowFunctions.map((name) => functionWidget(name, functions[name])));
    }

    for (const system of Object.keys(externalSystems) as ExternalSystem[]) {
      this.addRow(
        new cloudwatch.TextWidget({
          markdown: `## External system ${system}\n${externalSystems[system].description}; at most ${externalSystems[system].ratePerSecond} requests per second`,
          width: GRID_WIDTH,
          height: 2,
        }),
      );
      this.addRow(...systemWidgets(system));
    }
  }

  /** Adds widgets as rows of the dashboard, a new line whenever the grid is full. */
  private addRow(...widgets: cloudwatch.IWidget[]): void {
    let line: cloudwatch.IWidget[] = [];
    let width = 0;
    for (const widget of widgets) {
      if (width + widget.width > GRID_WIDTH) {
        this.dashboard.addWidgets(...line);
        line = [];
        width = 0;
      }
      line.push(widget);
      width += widget.width;
    }
    if (line.length > 0) this.dashboard.addWidgets(...line);
  }
}

/** Title of the widget of a queue or function: what an operator searches the dashboard for. */
export const queueWidgetTitle = (name: QueueName): string => `queue ${name}`;
export const functionWidgetTitle = (name: FunctionName): string => `function ${name}`;
export const systemWidgetTitles = (system: ExternalSystem): readonly [string, string] => [`${system} latency`, `${system} failures`];

const queueWidget = (name: QueueName, { queue, dlq }: QueueWithDlq): cloudwatch.GraphWidget =>
  new cloudwatch.GraphWidget({
    title: queueWidgetTitle(name),
    ...QUEUE_WIDGET,
    left: [
      queue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum', label: 'visible' }),
      queue.metricApproximateNumberOfMessagesNotVisible({ period: PERIOD, statistic: 'Maximum', label: 'in flight' }),
      dlq.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum', label: 'DLQ depth' }),
    ],
    right: [queue.metricApproximateAgeOfOldestMessage({ period: PERIOD, statistic: 'Maximum', label: 'oldest (s)' })],
    rightAnnotations: [{ value: queueSpec(name).maxAgeSeconds, label: 'oldest-message alarm' }],
    leftYAxis: { label: 'messages', min: 0, showUnits: false },
    rightYAxis: { label: 'seconds', min: 0, showUnits: false },
  });

const functionWidget = (name: FunctionName, { function: fn }: HubFunction): cloudwatch.GraphWidget => {
  const records = hubMetrics.records;
  const dimension = { [hubMetrics.dimensions.function]: name };
  return new cloudwatch.GraphWidget({
    title: functionWidgetTitle(name),
    ...FUNCTION_WIDGET,
    left: [
      fn.metricInvocations({ period: PERIOD, statistic: 'Sum', label: 'invocations' }),
      fn.metricErrors({ period: PERIOD, statistic: 'Sum', label: 'errors' }),
      fn.metricThrottles({ period: PERIOD, statistic: 'Sum', label: 'throttles' }),
      // The records of queue-fed functions, as the batch pipeline counts them.
      ...(functionSpec(name).consumes
        ? [
            hubMetric(records.processed, dimension, 'Sum', 'processed'),
            hubMetric(records.failed, dimension, 'Sum', 'failed'),
            hubMetric(records.retried, dimension, 'Sum', 'retried'),
            hubMetric(records.deadLettered, dimension, 'Sum', 'dead-lettered'),
          ]
        : []),
    ],
    right: [
      fn.metricDuration({ period: PERIOD, statistic: 'Average', label: 'duration avg (ms)' }),
      fn.metricDuration({ period: PERIOD, statistic: 'p99', label: 'duration p99 (ms)' }),
    ],
    leftYAxis: { label: 'count', min: 0, showUnits: false },
    rightYAxis: { label: 'ms', min: 0, showUnits: false },
  });
};

const systemWidgets = (system: ExternalSystem): cloudwatch.GraphWidget[] => {
  const [latencyTitle, failuresTitle] = systemWidgetTitles(system);
  const { dimensions } = hubMetrics;
  const bySystem = { [dimensions.system]: system };
  return [
    new cloudwatch.GraphWidget({
      title: latencyTitle,
      ...SYSTEM_WIDGET,
      left: [
        hubMetric(hubMetrics.externalLatency, bySystem, 'Average', 'average (ms)'),
        hubMetric(hubMetrics.externalLatency, bySystem, 'p99', 'p99 (ms)'),
        hubMetric(hubMetrics.externalLatency, bySystem, 'Maximum', 'maximum (ms)'),
      ],
      right: [hubMetric(hubMetrics.externalLatency, bySystem, 'SampleCount', 'calls')],
      leftYAxis: { label: 'ms', min: 0, showUnits: false },
      rightYAxis: { label: 'calls', min: 0, showUnits: false },
    }),
    new cloudwatch.GraphWidget({
      title: failuresTitle,
      ...SYSTEM_WIDGET,
      stacked: true,
      left: (['transient', 'permanent'] as const).map((kind) =>
        hubMetric(hubMetrics.externalFailures, { ...bySystem, [dimensions.kind]: kind }, 'Sum', kind),
      ),
      leftYAxis: { label: 'failed calls', min: 0, showUnits: false },
    }),
  ];
};
