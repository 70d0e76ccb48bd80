import { describe, expect, it } from 'vitest';
import { Registry } from './metrics.js';

describe('metrics registry', () => {
  it('renders counters and gauges with labels in Prometheus text format', () => {
    const r = new Registry();
    const c = r.counter('tkube_errors_total', 'Errors.');
    c.inc({ controller: 'rs' });
    c.inc({ controller: 'rs' }, 2);
    c.inc({ controller: 'dep"x' });
    const g = r.gauge('tkube_depth', 'Depth.');
    g.set({ name: 'q' }, 7);
    g.dec({ name: 'q' });
    expect(r.render()).toBe(
      [
        '# HELP tkube_errors_total Errors.',
        '# TYPE tkube_errors_total counter',
        'tkube_errors_total{controller="rs"} 3',
        'tkube_errors_total{controller="dep\\"x"} 1',
        '# HELP tkube_depth Depth.',
        '# TYPE tkube_depth gauge',
        'tkube_depth{name="q"} 6',
        '',
      ].join('\n'),
    );
    expect(c.get({ controller: 'rs' })).toBe(3);
  });

  it('renders cumulative histogram buckets, sum and count', () => {
    const r = new Registry();
    const h = r.histogram('tkube_duration_seconds', 'Duration.', [0.1, 1]);
    h.observe({ c: 'a' }, 0.05);
    h.observe({ c: 'a' }, 0.5);
    h.observe({ c: 'a' }, 5);
    expect(r.render().split('\n')).toEqual([
      '# HELP tkube_duration_seconds Duration.',
      '# TYPE tkube_duration_seconds histogram',
      'tkube_duration_seconds_bucket{c="a",le="0.1"} 1',
      'tkube_duration_seconds_bucket{c="a",le="1"} 2',
      'tkube_duration_seconds_bucket{c="a",le="+Inf"} 3',
      'tkube_duration_seconds_sum{c="a"} 5.55',
      'tkube_duration_seconds_count{c="a"} 3',
      '',
    ]);
  });

  it('returns the same metric for the same name and rejects a type clash', () => {
    const r = new Registry();
    expect(r.counter('x_total', 'x')).toBe(r.counter('x_total', 'x'));
    expect(() => r.gauge('x_total', 'x')).toThrow(/already registered/);
    expect(() => r.counter('bad name', 'x')).toThrow(/invalid/);
  });
});
