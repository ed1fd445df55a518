import { describe, expect, it } from 'vitest';
import { createServerMetrics, processRegistry } from './server-metrics.js';

// A collector of each kind prom-client starts: the CPU read, the event-loop delay monitor, the GC observer.
const PROCESS_METRICS = [
  'process_cpu_user_seconds_total',
  'nodejs_eventloop_lag_seconds',
  'nodejs_gc_duration_seconds',
];

describe('createServerMetrics', () => {
  it("collects the process's default metrics once per process, not once per server (their GC observer and event-loop monitor never stop)", () => {
    const first = createServerMetrics();
    const second = createServerMetrics();
    for (const name of PROCESS_METRICS) {
      const collector = processRegistry().getSingleMetric(name);
      expect(collector, name).toBeDefined();
      expect(first.served().getSingleMetric(name), name).toBe(collector);
      expect(second.served().getSingleMetric(name), name).toBe(collector);
      // A server's own registry holds none of them: nothing of a closed server is reachable from the process's.
      expect(first.registry.getSingleMetric(name), name).toBeUndefined();
    }
    expect(
      processRegistry()
        .getMetricsAsArray()
        .every((m) => !m.name.startsWith('kirim_')),
    ).toBe(true);
  });

  it("serves each server's own metrics beside the process's, not another server's", () => {
    const first = createServerMetrics();
    const second = createServerMetrics();
    const own = 'kirim_http_requests_total';
    expect(first.served().getSingleMetric(own)).toBe(first.registry.getSingleMetric(own));
    expect(second.served().getSingleMetric(own)).toBe(second.registry.getSingleMetric(own));
    expect(first.served().getSingleMetric(own)).not.toBe(second.served().getSingleMetric(own));
  });
});
