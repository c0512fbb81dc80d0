// The Enrichflow dashboard: log in with an API key (kept in sessionStorage), then workflows, runs, notebooks,
// schedules, providers and usage, each a hash route over the public HTTP API (docs/api.md).
import { html, render, useState, useEffect } from './html.js';
import { session, whenUnauthorized, request } from './api.js';
import { WorkflowList, WorkflowEditor } from './workflows.js';
import { RunList, StartRun, RunPage } from './runs.js';
import { Notebooks, Schedules, Providers, Usage } from './more.js';

const NAV = [['#/workflows', 'Workflows'], ['#/runs', 'Runs'], ['#/notebooks', 'Notebooks'], ['#/schedules', 'Schedules'], ['#/providers', 'Providers'], ['#/usage', 'Usage']];

function useRoute() {
  const read = () => {
    const hash = location.hash || '#/workflows';
    const [path, query] = hash.slice(1).split('?');
    return { parts: path.split('/').filter(Boolean).map(decodeURIComponent), params: new URLSearchParams(query || ''), hash };
  };
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const on = () => setRoute(read());
    window.addEventListener('hashchange', on);
    window.addEventListener('popstate', on);
    return () => { window.removeEventListener('hashchange', on); window.removeEventListener('popstate', on); };
  }, []);
  return route;
}

function Page({ route }) {
  const [a, b] = route.parts;
  // One editor for new and saved workflows, so saving a new one keeps the editor (and its status) as the id appears.
  if (a === 'workflows' && b) return html`<${WorkflowEditor} key="editor" workflowId=${b === 'new' ? undefined : b} />`;
  if (a === 'runs' && b === 'new') return html`<${StartRun} params=${route.params} />`;
  if (a === 'runs' && b) return html`<${RunPage} key=${b} runId=${b} />`;
  if (a === 'runs') return html`<${RunList} params=${route.params} />`;
  if (a === 'notebooks') return html`<${Notebooks} />`;
  if (a === 'schedules') return html`<${Schedules} />`;
  if (a === 'providers') return html`<${Providers} />`;
  if (a === 'usage') return html`<${Usage} />`;
  return html`<${WorkflowList} />`;
}

function Login({ onLogin, message }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState(message || null);
  const [busy, setBusy] = useState(false);
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true); setError(null);
    try {
      await request('GET', '/workflows', { key: key.trim() });
      session.set(key.trim());
      onLogin();
    } catch (err) {
      setError(err.status === 401 ? `That API key was not accepted (${err.message}). Check the key and try again.` : `The server could not be reached or answered an error: ${err.message}`);
    } finally { setBusy(false); }
  };
  return html`<main class="login" id="main">
    <form class="card" onSubmit=${submit} aria-labelledby="login-title" id="login-form">
      <h1 id="login-title">Enrichflow</h1>
      <p>Sign in with an API key (<code>enrichflow keys create</code>, or the one <code>enrichflow serve</code> printed first).
        It is kept in this browser tab only, and sent as the <code>x-api-key</code> header.</p>
      <div class="field"><label for="api-key">API key</label>
        <input id="api-key" type="password" autocomplete="off" required value=${key} onInput=${(e) => setKey(e.target.value)}
          aria-invalid=${!!error} aria-describedby=${error ? 'login-error' : undefined} autofocus /></div>
      ${error && html`<p class="error-box" id="login-error" role="alert">${error}</p>`}
      <button type="submit" class="primary" id="login-submit" disabled=${busy}>${busy ? 'Checking…' : 'Sign in'}</button>
    </form></main>`;
}

function App() {
  const [signedIn, setSignedIn] = useState(!!session.key());
  const [expired, setExpired] = useState(null);
  const route = useRoute();
  useEffect(() => {
    whenUnauthorized(() => { session.clear(); setExpired('The API key is no longer accepted (Invalid API key). Sign in again.'); setSignedIn(false); });
  }, []);
  useEffect(() => { document.getElementById('main')?.focus(); }, [route.hash]);
  if (!signedIn) return html`<${Login} message=${expired} onLogin=${() => { setExpired(null); setSignedIn(true); }} />`;
  const current = '#/' + (route.parts[0] || 'workflows');
  return html`<a class="skip" href="#main" onClick=${(e) => { e.preventDefault(); document.getElementById('main').focus(); }}>Skip to content</a>
    <header class="top"><a class="brand" href="#/workflows">Enrichflow</a>
      <nav aria-label="Main"><ul>${NAV.map(([href, label]) => html`<li><a href=${href} aria-current=${current === href ? 'page' : undefined}>${label}</a></li>`)}</ul></nav>
      <div class="session"><a href="/docs">API reference</a>
        <button type="button" id="sign-out" onClick=${() => { session.clear(); setSignedIn(false); }}>Sign out</button></div></header>
    <main id="main" tabindex="-1"><${Page} route=${route} /></main>`;
}

const root = document.getElementById('app');
root.textContent = '';
render(html`<${App} />`, root);
