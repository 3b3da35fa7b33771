/**
 * Indexes: the store's indexes as Pinecone's control plane lists them (GET /indexes), each with
 * its statistics from the data plane (describe_index_stats): dimension, metric, default engine,
 * record count and namespaces (a face gallery is a namespace of its model's index).
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { seg, type Api } from '../api.js';
import { ErrorNotice } from '../components/notice.js';
import type { IndexList, IndexStats } from '../types.js';

type Described = IndexList['indexes'][number] & { stats?: IndexStats; error?: unknown };

export function IndexesPage({ api }: { api: Api }) {
  const [indexes, setIndexes] = useState<readonly Described[] | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);

  const load = useCallback(async () => {
    setError(undefined);
    try {
      const { indexes: listed } = await api.get<IndexList>('/indexes');
      const described = await Promise.all(
        listed.map(async (index): Promise<Described> => {
          try {
            return { ...index, stats: await api.post<IndexStats>(`/indexes/${seg(index.name)}/describe_index_stats`, {}) };
          } catch (err) {
            return { ...index, error: err };
          }
        }),
      );
      setIndexes(described.sort((a, b) => a.name.localeCompare(b.name)));
    } catch (err) {
      setError(err);
    }
  }, [api]);

  useEffect(() => {
    void load();
  }, [load]);

  return (
    <section aria-labelledby="indexes-title">
      <div class="row spread">
        <h2 id="indexes-title">Indexes</h2>
        <button type="button" class="secondary" onClick={() => void load()}>
          Refresh
        </button>
      </div>
      <p class="muted">Every index of the store, as Pinecone clients see them. Face galleries live in the faces-&lt;model&gt; indexes, one namespace each.</p>
      <ErrorNotice error={error} />
      {indexes === undefined && !error && <p class="muted">Loading…</p>}
      {indexes && indexes.length === 0 && <p>The store has no index yet: enrolling a face creates its model's index.</p>}
      <div class="cards">
        {indexes?.map((index) => (
          <article class="card" key={index.name} data-index={index.name}>
            <h3>{index.name}</h3>
            <dl>
              <dt>Dimension</dt>
              <dd>{index.dimension}</dd>
              <dt>Metric</dt>
              <dd>{index.metric}</dd>
              <dt>Engine</dt>
              <dd>{index.engine ?? '—'}</dd>
              <dt>Records</dt>
              <dd>{index.stats ? index.stats.totalVectorCount.toLocaleString('en') : '—'}</dd>
            </dl>
            <ErrorNotice error={index.error} context="Statistics unavailable" />
            {index.stats && (
              <table class="namespaces">
                <caption>Namespaces</caption>
                <thead>
                  <tr>
                    <th scope="col">Namespace</th>
                    <th scope="col">Records</th>
                  </tr>
                </thead>
                <tbody>
                  {Object.entries(index.stats.namespaces).map(([name, { vectorCount }]) => (
                    <tr key={name}>
                      <td>{name === '' || name === '__default__' ? '(default)' : name}</td>
                      <td>{vectorCount.toLocaleString('en')}</td>
                    </tr>
                  ))}
                  {Object.keys(index.stats.namespaces).length === 0 && (
                    <tr>
                      <td colSpan={2}>none</td>
                    </tr>
                  )}
                </tbody>
              </table>
            )}
          </article>
        ))}
      </div>
    </section>
  );
}
