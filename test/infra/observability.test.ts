/**
 * The dashboard and the alarms of the stack (issue 4, "Metrics and alarms in AWS"): the dashboard
 * has a row per flow and per external system, a widget per queue and per function; each alarm
 * exists with its threshold and sends to the AlarmTopicArn topic, and to nothing else.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import {
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
  type FunctionName,
  type QueueName,
} from '#infra/topology';
import { entryPath } from '#infra/cdk/bundling';
import { ERROR_RATE_PERCENT, functionWidgetTitle, queueWidgetTitle, systemWidgetTitles } from '#infra/cdk/constructs/observability';
import { buildStack } from './build-stack.ts';

interface CfnResource {
  readonly Type: string;
  readonly Properties: Record<string, unknown>;
}
interface Widget {
  readonly type: string;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly properties: { title?: string; markdown?: string; metrics?: unknown[][]; alarms?: string[]; annotations?: { horizontal?: { value: number }[] } };
}

const outdir = mkdtempSync(path.join(tmpdir(), 'koto-hub-observability-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

const { stack, logicalId } = buildStack({ outdir });
const json = Template.fromStack(stack).toJSON() as { Resources: Record<string, CfnResource>; Parameters: Record<string, { Type: string; AllowedPattern: string }> };
const ofType = (type: string) => Object.entries(json.Resources).filter(([, r]) => r.Type === type);

/**
 * The dashboard body with every CloudFormation reference written as `${Ref}` or `${Id.Attribute}`,
 * so that it parses as the JSON CloudWatch will get.
 */
const dashboardBody = (): { widgets: Widget[] } => {
  const dashboards = ofType('AWS::CloudWatch::Dashboard');
  expect(dashboards).toHaveLength(1);
  const body = dashboards[0]![1].Properties.DashboardBody as { 'Fn::Join': [string, unknown[]] };
  const text = body['Fn::Join'][1]
    .map((part) => {
      if (typeof part === 'string') return part;
      const ref = part as { Ref?: string; 'Fn::GetAtt'?: string[] };
      if (ref.Ref) return `\${${ref.Ref}}`;
      if (ref['Fn::GetAtt']) return `\${${ref['Fn::GetAtt'].join('.')}}`;
      throw new Error(`unexpected part of the dashboard body: ${JSON.stringify(part)}`);
    })
    .join('');
  return JSON.parse(text) as { widgets: Widget[] };
};

const { widgets } = dashboardBody();
const titled = (title: string): Widget => {
  const found = widgets.filter((w) => w.properties.title === title);
  expect(found, `one widget titled "${title}"`).toHaveLength(1);
  return found[0]!;
};
/** Whether a widget graphs `metricName` of `namespace` with the dimension value given. */
const graphs = (widget: Widget, namespace: string, metricName: string, dimensionValue: string): boolean =>
  (widget.properties.metrics ?? []).some((m) => m[0] === namespace && m[1] === metricName && m.includes(dimensionValue));

const queueRef = (name: QueueName) => `\${${logicalId(stack.queues[name].queue)}.QueueName}`;
const dlqRef = (name: QueueName) => `\${${logicalId(stack.queues[name].dlq)}.QueueName}`;
const functionRef = (name: FunctionName) => `\${${logicalId(stack.functions[name].function)}}`;

/** The heading widget of a row, and the rows below it until the next heading. */
const rowOf = (heading: string): Widget[] => {
  const headings = widgets.filter((w) => w.type === 'text' && w.properties.markdown?.startsWith('## ')).sort((a, b) => a.y - b.y);
  const index = headings.findIndex((w) => w.properties.markdown!.split('\n')[0] === `## ${heading}`);
  expect(index, `a row headed "${heading}"`).toBeGreaterThanOrEqual(0);
  const top = headings[index]!.y;
  const bottom = headings[index + 1]?.y ?? Infinity;
  return widgets.filter((w) => w.y > top && w.y < bottom);
};

describe('dashboard', () => {
  it('every widget lies on the 24-unit grid and none overlaps another', () => {
    const cells = new Set<string>();
    for (const w of widgets) {
      expect(w.x + w.width).toBeLessThanOrEqual(24);
      for (let x = w.x; x < w.x + w.width; x++) {
        for (let y = w.y; y < w.y + w.height; y++) {
          const cell = `${x},${y}`;
          expect(cells.has(cell), `cell ${cell} of "${w.properties.title ?? w.properties.markdown}"`).toBe(false);
          cells.add(cell);
        }
      }
    }
  });

  it.each(flowNames)('flow %s has a row with the widgets of its queues and functions', (flow) => {
    const row = rowOf(flows[flow].title).map((w) => w.properties.title);
    const expected = [
      ...queueNames.filter((q) => flowOfQueue(q) === flow).map(queueWidgetTitle),
      ...functionNames.filter((f) => flowOfFunction(f) === flow).map(functionWidgetTitle),
    ];
    expect(expected.length).toBeGreaterThan(0);
    expect(row).toEqual(expected);
  });

  it('every queue and function of the topology is in a flow', () => {
    expect(queueNames.filter((q) => !flowOfQueue(q))).toEqual([]);
    expect(functionNames.filter((f) => !flowOfFunction(f))).toEqual([]);
  });

  it('the flows the issue names have their rows: referral intake, outreach run, single decisions', () => {
    for (const flow of ['referral-intake', 'outreach-run', 'single-decisions'] as const) expect(rowOf(flows[flow].title).length).toBeGreaterThan(0);
  });

  it.each(queueNames)('queue %s has a widget: visible, in flight, oldest age against its maxAgeSeconds, DLQ depth', (name) => {
    const widget = titled(queueWidgetTitle(name));
    expect(graphs(widget, 'AWS/SQS', 'ApproximateNumberOfMessagesVisible', queueRef(name))).toBe(true);
    expect(graphs(widget, 'AWS/SQS', 'ApproximateNumberOfMessagesNotVisible', queueRef(name))).toBe(true);
    expect(graphs(widget, 'AWS/SQS', 'ApproximateAgeOfOldestMessage', queueRef(name))).toBe(true);
    expect(graphs(widget, 'AWS/SQS', 'ApproximateNumberOfMessagesVisible', dlqRef(name))).toBe(true);
    expect(widget.properties.annotations?.horizontal).toContainEqual(expect.objectContaining({ value: queueSpec(name).maxAgeSeconds }));
  });

  it.each(functionNames)('function %s has a widget: invocations, errors, throttles, duration, and its records if queue-fed', (name) => {
    const widget = titled(functionWidgetTitle(name));
    for (const metric of ['Invocations', 'Errors', 'Throttles', 'Duration']) {
      expect(graphs(widget, 'AWS/Lambda', metric, functionRef(name)), metric).toBe(true);
    }
    const { records } = hubMetrics;
    for (const metric of [records.processed, records.failed, records.retried, records.deadLettered]) {
      expect(graphs(widget, hubMetrics.namespace, metric, name), metric).toBe(functionSpec(name).consumes !== undefined);
    }
  });

  it.each(Object.keys(externalSystems) as ExternalSystem[])('external system %s has a row: latency and failures by kind', (system) => {
    const [latency, failures] = systemWidgetTitles(system);
    expect(rowOf(`External system ${system}`).map((w) => w.properties.title)).toEqual([latency, failures]);
    expect(graphs(titled(latency), hubMetrics.namespace, hubMetrics.externalLatency, system)).toBe(true);
    const failureMetrics = titled(failures).properties.metrics ?? [];
    for (const kind of ['transient', 'permanent']) {
      expect(failureMetrics.some((m) => m[1] === hubMetrics.externalFailures && m.includes(system) && m.includes(kind)), kind).toBe(true);
    }
  });

  it('shows the state of every alarm', () => {
    const alarms = ofType('AWS::CloudWatch::Alarm').map(([id]) => `\${${id}.Arn}`);
    expect([...(titled('Alarms').properties.alarms ?? [])].sort()).toEqual(alarms.sort());
  });
});

describe('alarms', () => {
  const alarms = ofType('AWS::CloudWatch::Alarm').map(([id, r]) => ({ id, ...r.Properties }) as Record<string, unknown> & { id: string });
  const topic = { Ref: 'AlarmTopicArn' };
  const dimensionsOf = (alarm: Record<string, unknown>) => alarm.Dimensions as { Name: string; Value: unknown }[] | undefined;
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

  /** The one alarm on `metricName` (a metric of its own, not math) whose dimension `name` is `value`. */
  const alarmOn = (metricName: string, name: string, value: unknown) => {
    const found = alarms.filter(
      (a) => a.MetricName === metricName && (dimensionsOf(a) ?? []).some((d) => d.Name === name && same(d.Value, value)),
    );
    expect(found, `one alarm on ${metricName} of ${JSON.stringify(value)}`).toHaveLength(1);
    return found[0]!;
  };

  it('the alarm topic is a parameter: the ARN of an SNS topic', () => {
    const parameter = json.Parameters.AlarmTopicArn!;
    expect(parameter.Type).toBe('String');
    const pattern = new RegExp(parameter.AllowedPattern);
    expect(pattern.test('arn:aws:sns:eu-north-1:123456789012:koto-hub-alarms')).toBe(true);
    expect(['', 'koto-hub-alarms', 'arn:aws:sqs:eu-north-1:123456789012:q', 'arn:aws:sns:eu-north-1:1234:x'].some((v) => pattern.test(v))).toBe(false);
  });

  it('every alarm notifies the topic when it fires and when it clears, and nothing else', () => {
    // Two per queue and per function, a stalled outreach run, a burst of refusals at the door, one per register (its breaker).
    expect(alarms.length).toBe(2 * queueNames.length + 2 * functionNames.length + 2 + Object.keys(externalSystems).length);
    for (const alarm of alarms) {
      expect(alarm.AlarmActions, alarm.id).toEqual([topic]);
      expect(alarm.OKActions, alarm.id).toEqual([topic]);
      expect(alarm.TreatMissingData, alarm.id).toBe('notBreaching');
    }
  });

  it.each(queueNames)('queue %s: its DLQ alarms at one visible message', (name) => {
    const alarm = alarmOn('ApproximateNumberOfMessagesVisible', 'QueueName', { 'Fn::GetAtt': [logicalId(stack.queues[name].dlq), 'QueueName'] });
    expect(alarm).toMatchObject({
      Namespace: 'AWS/SQS',
      Statistic: 'Maximum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      AlarmActions: [topic],
    });
  });

  it.each(queueNames)('queue %s: alarms when its oldest message is older than its maxAgeSeconds', (name) => {
    const alarm = alarmOn('ApproximateAgeOfOldestMessage', 'QueueName', { 'Fn::GetAtt': [logicalId(stack.queues[name].queue), 'QueueName'] });
    expect(alarm).toMatchObject({
      Namespace: 'AWS/SQS',
      Statistic: 'Maximum',
      Threshold: queueSpec(name).maxAgeSeconds,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [topic],
    });
  });

  it.each(functionNames)(`function %s: alarms when more than ${ERROR_RATE_PERCENT}% of its invocations fail in 5 minutes`, (name) => {
    const fn = { Ref: logicalId(stack.functions[name].function) };
    const found = alarms.filter((a) => {
      const metrics = (a.Metrics ?? []) as { Id: string; Expression?: string; MetricStat?: { Metric: { MetricName: string; Dimensions: unknown[] } } }[];
      return metrics.some((m) => m.MetricStat?.Metric.MetricName === 'Errors' && same(m.MetricStat.Metric.Dimensions, [{ Name: 'FunctionName', Value: fn }]));
    });
    expect(found).toHaveLength(1);
    const alarm = found[0]!;
    expect(alarm).toMatchObject({ Threshold: ERROR_RATE_PERCENT, ComparisonOperator: 'GreaterThanThreshold', AlarmActions: [topic] });
    const metrics = alarm.Metrics as { Id: string; Expression?: string; ReturnData?: boolean; MetricStat?: { Metric: { MetricName: string }; Period: number; Stat: string } }[];
    const expression = metrics.find((m) => m.ReturnData !== false);
    expect(expression?.Expression).toBe('IF(invocations > 0, 100 * errors / invocations, 0)');
    expect(metrics.find((m) => m.Id === 'errors')?.MetricStat).toMatchObject({ Metric: { MetricName: 'Errors' }, Period: 300, Stat: 'Sum' });
    expect(metrics.find((m) => m.Id === 'invocations')?.MetricStat).toMatchObject({ Metric: { MetricName: 'Invocations' }, Period: 300, Stat: 'Sum' });
  });

  it.each(functionNames)('function %s: alarms at one throttle', (name) => {
    const alarm = alarmOn('Throttles', 'FunctionName', { Ref: logicalId(stack.functions[name].function) });
    expect(alarm).toMatchObject({ Namespace: 'AWS/Lambda', Statistic: 'Sum', Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
  });

  it.each(Object.keys(externalSystems))('register %s: alarms while its breaker opens or holds work back', (system) => {
    type Query = { Id: string; Expression?: string; ReturnData?: boolean; MetricStat?: { Metric: { MetricName: string; Dimensions: { Name: string; Value: string }[] }; Stat: string } };
    const found = alarms.filter((a) =>
      ((a.Metrics ?? []) as Query[]).some((m) => m.MetricStat?.Metric.MetricName === hubMetrics.breakerDeferred && m.MetricStat.Metric.Dimensions.some((d) => d.Name === 'system' && d.Value === system)),
    );
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', AlarmActions: [topic] });
    const metrics = found[0]!.Metrics as Query[];
    expect(metrics.find((m) => m.ReturnData !== false)?.Expression).toBe('FILL(opened, 0) + FILL(deferred, 0)');
    expect(metrics.find((m) => m.Id === 'opened')?.MetricStat).toMatchObject({
      Metric: {
        MetricName: hubMetrics.breakerTransitions,
        Dimensions: expect.arrayContaining([{ Name: 'system', Value: system }, { Name: 'state', Value: 'open' }, { Name: 'service', Value: hubMetrics.service }]),
      },
      Stat: 'Sum',
    });
    expect(metrics.find((m) => m.Id === 'deferred')?.MetricStat).toMatchObject({ Metric: { MetricName: hubMetrics.breakerDeferred }, Stat: 'Sum' });
  });

  it('an outreach run stalled: alarms when the watchdog counts one', () => {
    const stall = hubMetrics.outreachRunsStalled;
    const found = alarms.filter((a) =>
      ((a.Metrics ?? []) as { MetricStat?: { Metric: { MetricName: string } } }[]).some((m) => m.MetricStat?.Metric.MetricName === stall.name),
    );
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', AlarmActions: [topic] });
    const [metric] = found[0]!.Metrics as { MetricStat: { Metric: Record<string, unknown>; Stat: string } }[];
    expect(metric!.MetricStat.Metric).toEqual({
      Namespace: hubMetrics.namespace,
      MetricName: stall.name,
      Dimensions: [
        { Name: 'function', Value: stall.emittedBy },
        { Name: 'service', Value: hubMetrics.service },
      ],
    });
    expect(metric!.MetricStat.Stat).toBe('Maximum');
    // The watchdog is a scheduled function of the topology: its metrics carry its name as `function`,
    // and its handler writes the metric the alarm reads.
    expect(functionSpec(stall.emittedBy).schedule).toBeDefined();
    const handler = readFileSync(entryPath(functionSpec(stall.emittedBy).entry), 'utf8');
    expect(handler.includes(`'${stall.name}'`) || handler.includes('hubMetrics.outreachRunsStalled.name')).toBe(true);
  });
});
