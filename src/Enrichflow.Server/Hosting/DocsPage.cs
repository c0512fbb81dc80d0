namespace Enrichflow.Server.Hosting;

/// <summary>A self-contained API reference page that renders <c>/openapi/v1.json</c> (no external scripts).</summary>
public static class DocsPage
{
    /// <summary><c>GET /docs</c>.</summary>
    public static ContentHttpResult Get() => TypedResults.Content(Html, "text/html; charset=utf-8");

    public const string Html = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <title>Enrichflow API reference</title>
        <style>
          body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; color: #222; }
          h1 { font-size: 1.6rem; } h2 { font-size: 1.1rem; margin-top: 2rem; border-bottom: 1px solid #ddd; }
          .op { margin: .4rem 0; } .m { display: inline-block; width: 4.5rem; font-weight: bold; }
          .get { color: #1565c0; } .post { color: #2e7d32; } .delete { color: #c62828; }
          code { background: #f4f4f4; padding: 0 .2rem; }
        </style>
        </head>
        <body>
        <h1>Enrichflow API reference</h1>
        <p>Every request carries <code>x-api-key</code>. The machine-readable document is at <a href="/openapi/v1.json">/openapi/v1.json</a>.</p>
        <div id="ops">Loading…</div>
        <script>
        fetch('/openapi/v1.json').then(r => r.json()).then(doc => {
          const byTag = {};
          for (const [path, item] of Object.entries(doc.paths || {}))
            for (const [method, op] of Object.entries(item)) {
              const tag = (op.tags && op.tags[0]) || 'Other';
              (byTag[tag] = byTag[tag] || []).push({ method, path, op });
            }
          const root = document.getElementById('ops'); root.textContent = '';
          for (const [tag, ops] of Object.entries(byTag)) {
            const h = document.createElement('h2'); h.textContent = tag; root.appendChild(h);
            for (const { method, path, op } of ops) {
              const d = document.createElement('div'); d.className = 'op';
              const m = document.createElement('span'); m.className = 'm ' + method; m.textContent = method.toUpperCase();
              const p = document.createElement('code'); p.textContent = path;
              d.append(m, p);
              if (op.summary) d.append(' — ' + op.summary);
              root.appendChild(d);
            }
          }
        });
        </script>
        </body>
        </html>
        """;
}
