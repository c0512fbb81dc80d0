namespace Enrichflow.Server.Dashboard;

/// <summary>
/// Section <c>Dashboard</c> (docs/api.md §9): who may open the Hangfire dashboard at <c>/hangfire</c> (served with
/// <c>Dispatch:Kind = hangfire</c> only) and how long a browser session lasts. The dashboard shows the units of every
/// organization, so only the keys of the organizations listed here open it.
/// </summary>
public sealed class DashboardOptions
{
    public const string Section = "Dashboard";

    /// <summary>The organizations whose keys (read-only ones too: the dashboard changes nothing) open the dashboard; null: <c>default</c>, the operator's organization made at first start.</summary>
    public string[]? Orgs { get; set; }

    /// <summary>How long the session cookie a login sets stays valid, in minutes.</summary>
    public int SessionMinutes { get; set; } = 30;

    public IReadOnlyList<string> AllowedOrgs => Orgs ?? ["default"];

    public IEnumerable<string> Validate()
    {
        if (SessionMinutes is < 1 or > 1440)
        {
            yield return $"{Section}:SessionMinutes must be between 1 and 1440 (was {SessionMinutes}).";
        }

        for (var i = 0; i < AllowedOrgs.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(AllowedOrgs[i]))
            {
                yield return $"{Section}:Orgs[{i}] must name an organization.";
            }
        }
    }
}
