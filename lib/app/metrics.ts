import { MetricUnit, Metrics as PowertoolsMetrics } from '@aws-lambda-powertools/metrics';
import type { Metrics } from '../core/ports/metrics';

/** CloudWatch namespace of every metric of this service. */
export const METRICS_NAMESPACE = 'StorageService';

/** The metrics port plus what the Lambda shell needs: publishing once per invocation. */
export interface InvocationMetrics extends Metrics {
  /** Writes the invocation's metrics as one EMF line on stdout (CloudWatch extracts them from the log) and clears them. */
  publish(): void;
  /** Emits Powertools' `ColdStart` metric (dimension `function_name`) on this process's first invocation only. */
  captureColdStart(functionName: string): void;
}

/**
 * The metrics port on Powertools for AWS Lambda (Metrics): embedded metric format
 * in namespace `StorageService`, dimensions `service` and `stage`. A count with
 * its own dimensions (`UploadsRejected` by `status`) is published at once as a
 * single metric, since one EMF line shares one dimension set.
 *
 * Off (nothing printed) under `POWERTOOLS_DEV` (the local stack) or
 * `POWERTOOLS_METRICS_DISABLED=true` (tests), unless `POWERTOOLS_METRICS_DISABLED=false`.
 */
export function createMetrics(stage: string): InvocationMetrics {
  const metrics = new PowertoolsMetrics({ namespace: METRICS_NAMESPACE, serviceName: 'storage', defaultDimensions: { stage } });
  return {
    count(name, value = 1, dimensions) {
      if (!dimensions || Object.keys(dimensions).length === 0) {
        metrics.addMetric(name, MetricUnit.Count, value);
        return;
      }
      const single = metrics.singleMetric();
      single.addDimensions({ ...dimensions });
      single.addMetric(name, MetricUnit.Count, value);
    },
    timing: (name, ms) => metrics.addMetric(name, MetricUnit.Milliseconds, ms),
    bytes: (name, n) => metrics.addMetric(name, MetricUnit.Bytes, n),
    publish() {
      // An invocation that counted nothing writes nothing (and Powertools would warn about it).
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    },
    // Powertools tracks the cold start itself: only the first call emits.
    captureColdStart: (functionName) => metrics.captureColdStartMetric(functionName),
  };
}
