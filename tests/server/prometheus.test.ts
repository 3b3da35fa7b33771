import { describe, expect, it } from 'vitest';
import { Counter, Histogram, renderGauge } from '../../src/server/prometheus.js';

describe('Prometheus text exposition', () => {
  it('renders counters with escaped labels', () => {
    const counter = new Counter('hits_total', 'Hits.', ['route']);
    counter.inc(['/a']);
    counter.inc(['/a'], 2);
    counter.inc(['say "hi"\\\n']);
    expect(counter.render()).toBe('# HELP hits_total Hits.\n# TYPE hits_total counter\nhits_total{route="/a"} 3\nhits_total{route="say \\"hi\\"\\\\\\n"} 1\n');
  });

  it('renders cumulative histogram buckets, sum and count', () => {
    const histogram = new Histogram('took_seconds', 'Took.', ['m'], [0.1, 1]);
    for (const value of [0.05, 0.1, 0.5, 3]) histogram.observe(['x'], value);
    expect(histogram.render()).toBe(
      [
        '# HELP took_seconds Took.',
        '# TYPE took_seconds histogram',
        'took_seconds_bucket{m="x",le="0.1"} 2',
        'took_seconds_bucket{m="x",le="1"} 3',
        'took_seconds_bucket{m="x",le="+Inf"} 4',
        'took_seconds_sum{m="x"} 3.65',
        'took_seconds_count{m="x"} 4',
        '',
      ].join('\n'),
    );
  });

  it('renders gauges, with and without labels', () => {
    expect(renderGauge('records', 'Records.', ['index'], [{ labels: ['a'], value: 7 }])).toBe('# HELP records Records.\n# TYPE records gauge\nrecords{index="a"} 7\n');
    expect(renderGauge('rss', 'RSS.', [], [{ labels: [], value: 1 }])).toBe('# HELP rss RSS.\n# TYPE rss gauge\nrss 1\n');
  });
});
