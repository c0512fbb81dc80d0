using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Enrichflow.Core.Storage;
using Enrichflow.Hosting;
using Enrichflow.Server.Auth;
using Microsoft.Extensions.Options;

namespace Enrichflow.Server.Dashboard;

/// <summary>
/// Lets a request under <c>/hangfire</c> through to the dashboard only with an API key of an organization in
/// <c>Dashboard:Orgs</c> (docs/api.md §9): in the <c>x-api-key</c> header (scripts, curl), or through the session cookie
/// that <c>POST /hangfire/login</c> sets for a browser, which cannot send a header on a page load. Anything else gets
/// 401 (403 for a valid key of another organization) and never dashboard content. A key is never taken from a URL.
/// </summary>
public sealed class DashboardGate(RequestDelegate next, IAccountStore accounts, DashboardSessions sessions, IOptions<DashboardOptions> options)
{
    public const string PathPrefix = "/hangfire";

    /// <summary>Set on a request the gate let through; the dashboard's own authorization filter asks for it.</summary>
    internal static readonly object Admitted = new();

    public async Task InvokeAsync(HttpContext http)
    {
        var path = http.Request.Path.Value ?? "";
        var rest = path.Length > PathPrefix.Length ? path[PathPrefix.Length..] : "";
        if (rest is "/login")
        {
            await LoginAsync(http);
            return;
        }

        if (rest is "/logout" && HttpMethods.IsPost(http.Request.Method))
        {
            http.Response.Cookies.Delete(DashboardSessions.CookieName, Cookie(http, TimeSpan.Zero));
            http.Response.Redirect(PathPrefix + "/login", permanent: false);
            http.Response.StatusCode = StatusCodes.Status303SeeOther;
            return;
        }

        var (status, detail) = http.Request.Headers.ContainsKey(ApiKeyFilter.Header)
            ? await CheckKeyAsync(http.Request.Headers[ApiKeyFilter.Header].ToString(), http.RequestAborted)
            : await CheckSessionAsync(http.Request.Cookies[DashboardSessions.CookieName], http.RequestAborted);
        if (status != StatusCodes.Status200OK)
        {
            await DenyAsync(http, status, detail);
            return;
        }

        http.Items[Admitted] = true;
        http.Response.Headers.CacheControl = "no-store";
        await next(http);
    }

    /// <summary>GET: the login form. POST: the key from the form's <c>api_key</c> field (or the header) opens a session cookie scoped to /hangfire.</summary>
    private async Task LoginAsync(HttpContext http)
    {
        if (HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method))
        {
            await WritePageAsync(http, StatusCodes.Status200OK, null);
            return;
        }

        if (!HttpMethods.IsPost(http.Request.Method))
        {
            http.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            return;
        }

        var key = http.Request.Headers[ApiKeyFilter.Header].ToString();
        if (string.IsNullOrEmpty(key) && http.Request.HasFormContentType)
        {
            key = (await http.Request.ReadFormAsync(http.RequestAborted))["api_key"].ToString().Trim();
        }

        var record = await FindKeyAsync(key, http.RequestAborted);
        var (status, detail) = Admit(record);
        if (status != StatusCodes.Status200OK)
        {
            await WritePageAsync(http, status, detail);
            return;
        }

        var lifetime = TimeSpan.FromMinutes(options.Value.SessionMinutes);
        http.Response.Cookies.Append(DashboardSessions.CookieName, sessions.Issue(record!.Id, lifetime), Cookie(http, lifetime));
        http.Response.Headers.Location = PathPrefix + "/";
        http.Response.StatusCode = StatusCodes.Status303SeeOther;
    }

    private async Task<(int Status, string Detail)> CheckKeyAsync(string key, CancellationToken cancellationToken) =>
        Admit(await FindKeyAsync(key, cancellationToken));

    /// <summary>A session is as good as its key: a key revoked (or an organization dropped from Dashboard:Orgs) since the login ends it at once.</summary>
    private async Task<(int Status, string Detail)> CheckSessionAsync(string? token, CancellationToken cancellationToken)
    {
        if (sessions.Verify(token) is not { } keyId)
        {
            return (StatusCodes.Status401Unauthorized, "Invalid API key");
        }

        var keys = await accounts.ListApiKeysAsync(cancellationToken);
        return Admit(keys.FirstOrDefault(k => k.Id == keyId));
    }

    private async Task<ApiKeyRecord?> FindKeyAsync(string key, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(key))
        {
            return null;
        }

        var hash = ApiKeys.Hash(key);
        var record = await accounts.FindApiKeyAsync(hash, cancellationToken);
        return record is not null && CryptographicOperations.FixedTimeEquals(record.Hash, hash) ? record : null;
    }

    private (int Status, string Detail) Admit(ApiKeyRecord? record)
    {
        if (record is null || record.RevokedAt is not null)
        {
            return (StatusCodes.Status401Unauthorized, "Invalid API key");
        }

        return options.Value.AllowedOrgs.Contains(record.OrgId, StringComparer.Ordinal)
            ? (StatusCodes.Status200OK, "")
            : (StatusCodes.Status403Forbidden, $"The dashboard shows every organization's work units: only keys of the organizations in {DashboardOptions.Section}:Orgs open it (this key is of '{record.OrgId}').");
    }

    private static CookieOptions Cookie(HttpContext http, TimeSpan lifetime) => new()
    {
        HttpOnly = true,
        Secure = http.Request.IsHttps,
        SameSite = SameSiteMode.Strict,
        Path = PathPrefix,
        MaxAge = lifetime,
        IsEssential = true,
    };

    /// <summary>A browser (asking for HTML) gets the login form; anything else the API's JSON error.</summary>
    private static async Task DenyAsync(HttpContext http, int status, string detail)
    {
        if (http.Request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase))
        {
            await WritePageAsync(http, status, detail);
            return;
        }

        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(JsonSerializer.Serialize(new { detail }), http.RequestAborted);
    }

    private static async Task WritePageAsync(HttpContext http, int status, string? detail)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "text/html; charset=utf-8";
        http.Response.Headers.CacheControl = "no-store";
        var message = detail is null ? "" : $"<p class=\"error\">{WebUtility.HtmlEncode(detail)}</p>";
        await http.Response.WriteAsync(DashboardLoginPage.Html.Replace("{message}", message, StringComparison.Ordinal), http.RequestAborted);
    }
}
