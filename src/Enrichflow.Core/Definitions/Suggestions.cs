namespace Enrichflow.Core.Definitions;

/// <summary>"Did you mean ...?" for a name that is not one of the known ones: the nearest by edit distance, when near enough to be a typo.</summary>
public static class Suggestions
{
    /// <summary>
    /// The candidate nearest to <paramref name="name"/> (case ignored; a swap of two neighbouring letters counts as one
    /// edit), when it is near enough to be a typo: one edit for a name of up to 3 letters, else two or a third of the
    /// letters, whichever is more (<c>emial</c> finds <c>email</c>, <c>tooo</c> finds <c>to</c>); null when none is that near.
    /// </summary>
    public static string? Nearest(string name, IEnumerable<string> candidates)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(candidates);
        var limit = name.Length < 4 ? 1 : Math.Max(2, name.Length / 3);
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            if (string.Equals(candidate, name, StringComparison.Ordinal))
            {
                continue;
            }

            var distance = Distance(name.ToLowerInvariant(), candidate.ToLowerInvariant());
            if (distance <= limit && distance < bestDistance)
            {
                (best, bestDistance) = (candidate, distance);
            }
        }

        return best;
    }

    /// <summary><c>" (did you mean 'x'?)"</c>, or an empty text when no candidate is near.</summary>
    public static string DidYouMean(string name, IEnumerable<string> candidates) =>
        Nearest(name, candidates) is { } nearest ? $" (did you mean '{nearest}'?)" : "";

    /// <summary>Edits (insert, delete, replace, swap of neighbours) that turn <paramref name="a"/> into <paramref name="b"/>.</summary>
    internal static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}
