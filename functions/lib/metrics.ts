/** Powertools metrics (CloudWatch EMF). Dimensions never carry personal data: function and type only. */
import { Metrics } from '@aws-lambda-powertools/metrics';

export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'KotoHub',
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'koto-hub',
});

export { MetricUnit } from '@aws-lambda-powertools/metrics';
