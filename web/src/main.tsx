/**
 * facevault's web page: asks for the API key once (kept in sessionStorage: this tab only, gone
 * when it closes), then Search, Enroll, Compare, Subjects and Indexes, each a page of its own
 * behind a hash route (#/search ...) so that Back and bookmarks work. Every request goes through
 * {@link Api}; a refused key (401) brings the key form back, saying so.
 */
import { render } from 'preact';
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { Api, type ApiError } from './api.js';
import { ErrorNotice } from './components/notice.js';
import { ComparePage } from './pages/compare.js';
import { EnrollPage } from './pages/enroll.js';
import { IndexesPage } from './pages/indexes.js';
import { SearchPage } from './pages/search.js';
import { SubjectsPage } from './pages/subjects.js';
import type { GalleriesResponse } from './types.js';

const KEY_STORAGE = 'facevault.apiKey';
const GALLERY_STORAGE = 'facevault.gallery';

const PAGES = [
  ['search', 'Search'],
  ['enroll', 'Enroll'],
  ['compare', 'Compare'],
  ['subjects', 'Subjects'],
  ['indexes', 'Indexes'],
] as const;
type PageName = (typeof PAGES)[number][0];

function pageOf(hash: string): PageName {
  const name = hash.replace(/^#\/?/, '');
  return PAGES.find(([page]) => page === name)?.[0] ?? 'search';
}

function App() {
  const [key, setKey] = useState<string | undefined>(() => sessionStorage.getItem(KEY_STORAGE) ?? undefined);
  const [refused, setRefused] = useState<ApiError | undefined>(undefined);
  const [page, setPage] = useState<PageName>(() => pageOf(location.hash));
  const [gallery, setGallery] = useState(() => sessionStorage.getItem(GALLERY_STORAGE) ?? 'default');

  useEffect(() => {
    const onHash = () => setPage(pageOf(location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  const forget = useCallback((error?: ApiError) => {
    sessionStorage.removeItem(KEY_STORAGE);
    setKey(undefined);
    setRefused(error);
  }, []);

  const api = useMemo(() => (key === undefined ? undefined : new Api(key, forget)), [key, forget]);

  useEffect(() => {
    document.title = `${PAGES.find(([name]) => name === page)?.[1]} · facevault`;
  }, [page]);

  if (!api) {
    return (
      <KeyForm
        refused={refused}
        onKey={(accepted) => {
          sessionStorage.setItem(KEY_STORAGE, accepted);
          setRefused(undefined);
          setKey(accepted);
        }}
      />
    );
  }

  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header>
        <h1>facevault</h1>
        <nav aria-label="Pages">
          {PAGES.map(([name, title]) => (
            <a key={name} href={`#/${name}`} aria-current={page === name ? 'page' : undefined}>
              {title}
            </a>
          ))}
        </nav>
        <div class="header-tools">
          <GalleryPicker
            api={api}
            gallery={gallery}
            onGallery={(name) => {
              sessionStorage.setItem(GALLERY_STORAGE, name);
              setGallery(name);
            }}
          />
          <button type="button" class="secondary" onClick={() => forget()}>
            Forget key
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {page === 'search' && <SearchPage api={api} gallery={gallery} />}
        {page === 'enroll' && <EnrollPage api={api} gallery={gallery} />}
        {page === 'compare' && <ComparePage api={api} />}
        {page === 'subjects' && <SubjectsPage api={api} gallery={gallery} />}
        {page === 'indexes' && <IndexesPage api={api} />}
      </main>
    </>
  );
}

/** The API key, asked once per tab and checked against the server before the pages open. */
function KeyForm({ refused, onKey }: { refused: ApiError | undefined; onKey: (key: string) => void }) {
  const [value, setValue] = useState('');
  const [error, setError] = useState<unknown>(refused);
  const [busy, setBusy] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    const key = value.trim();
    if (key === '') return;
    setBusy(true);
    setError(undefined);
    try {
      // Any authenticated read that loads no model: the gallery list.
      await new Api(key).get<GalleriesResponse>('/galleries');
      onKey(key);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }

  return (
    <main id="main" class="key-page">
      <form class="stack key-form" onSubmit={submit}>
        <h1>facevault</h1>
        <p>
          Enter this server's API key. The page keeps it for this tab only (it is forgotten when the tab closes) and sends it with every request.
        </p>
        <label>
          API key
          <input type="password" name="api-key" autocomplete="current-password" required autofocus value={value} onInput={(e) => setValue(e.currentTarget.value)} />
        </label>
        <ErrorNotice error={error} />
        <button type="submit" disabled={busy}>
          {busy ? 'Checking…' : 'Open'}
        </button>
        <p class="muted">The server's keys are set with FACEVAULT_API_KEYS (or --api-key) when it starts.</p>
      </form>
    </main>
  );
}

function GalleryPicker({ api, gallery, onGallery }: { api: Api; gallery: string; onGallery: (name: string) => void }) {
  const [names, setNames] = useState<readonly string[]>([]);
  const [value, setValue] = useState(gallery);
  useEffect(() => {
    api.get<GalleriesResponse>('/galleries').then(
      (reply) => setNames([...new Set(['default', ...reply.galleries.map((g) => g.name)])]),
      () => setNames(['default']),
    );
  }, [api, gallery]);
  return (
    <form
      class="gallery-picker"
      onSubmit={(event) => {
        event.preventDefault();
        if (value.trim() !== '') onGallery(value.trim());
      }}
    >
      <label>
        Gallery
        <input name="gallery" list="galleries" value={value} onInput={(e) => setValue(e.currentTarget.value)} onChange={(e) => e.currentTarget.value.trim() && onGallery(e.currentTarget.value.trim())} />
      </label>
      <datalist id="galleries">
        {names.map((name) => (
          <option key={name} value={name} />
        ))}
      </datalist>
    </form>
  );
}

const root = document.getElementById('app');
if (root) {
  root.textContent = '';
  render(<App />, root);
}
