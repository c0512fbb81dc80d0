namespace Enrichflow.Server.Dashboard;

/// <summary>The form a browser logs in to the dashboard with: the key travels in a POST body, never in a URL.</summary>
internal static class DashboardLoginPage
{
    public const string Html = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <title>Enrichflow: work units dashboard</title>
        <style>
          body { font-family: system-ui, sans-serif; margin: 4rem auto; max-width: 28rem; color: #222; }
          input[type=password] { width: 100%; padding: .4rem; margin: .5rem 0 1rem; box-sizing: border-box; }
          .error { color: #c62828; }
        </style>
        </head>
        <body>
        <h1>Work units dashboard</h1>
        {message}
        <form method="post" action="/hangfire/login">
          <label for="api_key">API key of an organization allowed to open the dashboard (Dashboard:Orgs)</label>
          <input type="password" id="api_key" name="api_key" autocomplete="off" required autofocus>
          <button type="submit">Open the dashboard</button>
        </form>
        </body>
        </html>
        """;
}
