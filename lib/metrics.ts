/**
 * CloudWatch metrics in the Embedded Metric Format: one JSON line on stdout,
 * which Lambda's log agent turns into a metric, without an API call
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html).
 */
export const METRICS_NAMESPACE = 'StorageService';

export type MetricUnit = 'Count' | 'Milliseconds' | 'Bytes' | 'Seconds';

/**
 * The EMF line for `values` (metric name → value, all of `unit`) in
 * `namespace`, with `dimensions` (name → value) as the one dimension set.
 * Alarms must name exactly these dimensions to see the metric.
 */
export function emfLine(
  namespace: string,
  values: Record<string, number>,
  dimensions: Record<string, string>,
  unit: MetricUnit = 'Count',
  timestamp: Date = new Date(),
): string {
  return JSON.stringify({
    _aws: {
      Timestamp: timestamp.getTime(),
      CloudWatchMetrics: [
        {
          Namespace: namespace,
          Dimensions: [Object.keys(dimensions)],
          Metrics: Object.keys(values).map((name) => ({ Name: name, Unit: unit })),
        },
      ],
    },
    ...dimensions,
    ...values,
  });
}

/** Prints the EMF line of `values` to stdout (namespace StorageService, dimension `Stage`). */
export function publishMetrics(stage: string, values: Record<string, number>, write: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): void {
  write(emfLine(METRICS_NAMESPACE, values, { Stage: stage }));
}
