namespace Enrichflow.Browser.Tests.Infrastructure;

/// <summary>One server and one browser for the browser tests, which run one after another (one collection).</summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public DashboardServer Server { get; private set; } = null!;

    public Browser Browser { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Server = await DashboardServer.StartAsync(TestContext.Current.CancellationToken);
        Browser = Browser.Start();
    }

    public async ValueTask DisposeAsync()
    {
        Browser?.Dispose();
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
    }

    /// <summary>Opens the dashboard in a fresh session and signs in with the server's key; waits for the workflow list.</summary>
    public void SignIn()
    {
        OpenSignedOut();
        Browser.Type("api-key", Server.ApiKey);
        Browser.Click("login-submit");
        Browser.Id("wf-title");
    }

    /// <summary>The dashboard with no key in the session: the login form.</summary>
    public void OpenSignedOut()
    {
        Browser.GoTo(Server.BaseUrl + "/");
        Browser.Driver.ExecuteScript("sessionStorage.clear();");
        Browser.GoTo(Server.BaseUrl + "/#/workflows");
        Browser.Driver.Navigate().Refresh();
        Browser.Id("login-form");
    }

    public void GoTo(string hash) => Browser.GoTo(Server.BaseUrl + "/" + hash);
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "Browser";
}

/// <summary>Files of the repository (docs/images for the screenshots the README shows).</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Enrichflow.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Enrichflow.slnx not found above " + AppContext.BaseDirectory);
    }
}
