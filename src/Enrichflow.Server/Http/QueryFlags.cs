namespace Enrichflow.Server.Http;

/// <summary>Boolean query parameters read as FastAPI reads them, so Sixtyfour clients' spellings work.</summary>
public static class QueryFlags
{
    private static readonly string[] TrueSpellings = ["true", "1", "yes", "on", "t", "y"];

    /// <summary>True for <c>true</c>, <c>1</c>, <c>yes</c>, <c>on</c>, <c>t</c>, <c>y</c> (any case); false for anything else or none.</summary>
    public static bool IsTrue(string? value) =>
        value is not null && TrueSpellings.Contains(value.Trim(), StringComparer.OrdinalIgnoreCase);
}
