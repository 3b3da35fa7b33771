/**
 * Counters, histograms and gauges in Prometheus' text exposition format, version 0.0.4
 * (https://prometheus.io/docs/instrumenting/exposition_formats/) — the few lines a server needs,
 * without a client library.
 */

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

type Labels = readonly string[];

/** `{a="x",b="y"}` with Prometheus' escaping of backslash, quote and newline. */
function labelSet(names: Labels, values: Labels, extra = ''): string {
  const pairs = names.map((name, i) => `${name}="${escapeLabel(values[i] ?? '')}"`);
  if (extra) pairs.push(extra);
  return pairs.length > 0 ? `{${pairs.join(',')}}` : '';
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function header(name: string, help: string, type: string): string {
  return `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n`;
}

export class Counter {
  private readonly series = new Map<string, { labels: Labels; value: number }>();

  constructor(
    readonly name: string,
    private readonly help: string,
    private readonly labelNames: Labels,
  ) {}

  inc(labels: Labels, by = 1): void {
    const key = labels.join('\u0000');
    const entry = this.series.get(key);
    if (entry) entry.value += by;
    else this.series.set(key, { labels: [...labels], value: by });
  }

  render(): string {
    let text = header(this.name, this.help, 'counter');
    for (const { labels, value } of this.series.values()) text += `${this.name}${labelSet(this.labelNames, labels)} ${value}\n`;
    return text;
  }
}

export class Histogram {
  private readonly series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();

  /** @param buckets upper bounds, ascending; `+Inf` is implied. */
  constructor(
    readonly name: string,
    private readonly help: string,
    private readonly labelNames: Labels,
    private readonly buckets: readonly number[],
  ) {}

  observe(labels: Labels, value: number): void {
    const key = labels.join('\u0000');
    let entry = this.series.get(key);
    if (!entry) {
      entry = { labels: [...labels], counts: new Array<number>(this.buckets.length).fill(0), sum: 0, count: 0 };
      this.series.set(key, entry);
    }
    // Per-bucket counts here; the cumulative sums Prometheus wants are formed at render time.
    const bucket = this.buckets.findIndex((bound) => value <= bound);
    if (bucket >= 0) entry.counts[bucket] = (entry.counts[bucket] ?? 0) + 1;
    entry.sum += value;
    entry.count += 1;
  }

  render(): string {
    let text = header(this.name, this.help, 'histogram');
    for (const { labels, counts, sum, count } of this.series.values()) {
      let cumulative = 0;
      this.buckets.forEach((bound, i) => {
        cumulative += counts[i] ?? 0;
        text += `${this.name}_bucket${labelSet(this.labelNames, labels, `le="${bound}"`)} ${cumulative}\n`;
      });
      text += `${this.name}_bucket${labelSet(this.labelNames, labels, 'le="+Inf"')} ${count}\n`;
      text += `${this.name}_sum${labelSet(this.labelNames, labels)} ${sum}\n`;
      text += `${this.name}_count${labelSet(this.labelNames, labels)} ${count}\n`;
    }
    return text;
  }
}

/** A gauge whose samples are read when scraped. */
export function renderGauge(name: string, help: string, labelNames: Labels, samples: readonly { labels: Labels; value: number }[]): string {
  let text = header(name, help, 'gauge');
  for (const { labels, value } of samples) text += `${name}${labelSet(labelNames, labels)} ${value}\n`;
  return text;
}
