using System.Text.RegularExpressions;

namespace Enrichflow.Core.Definitions;

/// <summary>
/// The one pattern of ids a user chooses (workflow ids, block ids): 1 to 128 letters, digits, <c>_</c>, <c>.</c> and
/// <c>-</c>, so an id is safe in a URL, a file name (<c>&lt;sequence&gt;_&lt;block_id&gt;.csv</c>) and a blob key.
/// </summary>
public static partial class Identifiers
{
    /// <summary>What a valid id is, in the words error messages use.</summary>
    public const string Rule = "1 to 128 characters of letters, digits, '_', '.' and '-'";

    public static bool IsValid(string? id) => id is not null && Pattern().IsMatch(id);

    /// <summary>The id as an error message shows it: at most 64 characters.</summary>
    public static string Shown(string id) => id.Length > 64 ? id[..64] + "..." : id;

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,128}$")]
    private static partial Regex Pattern();
}
