namespace Enrichflow.Blocks.Sources;

/// <summary>Column names from a header record: trimmed, a BOM dropped, empty names numbered, repeats suffixed.</summary>
internal static class CsvHeader
{
    /// <summary>Builds the names: an empty one becomes <c>column_&lt;n&gt;</c> (1-based), a repeat gets <c>_2</c>, <c>_3</c>, ...</summary>
    public static string[] Names(IReadOnlyList<string> raw)
    {
        var names = new string[raw.Count];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < raw.Count; i++)
        {
            var name = raw[i].Trim().TrimStart('\uFEFF').Trim();
            if (name.Length == 0)
            {
                name = $"column_{i + 1}";
            }

            if (!seen.Add(name))
            {
                var suffix = 2;
                while (!seen.Add($"{name}_{suffix}"))
                {
                    suffix++;
                }

                name = $"{name}_{suffix}";
            }

            names[i] = name;
        }

        return names;
    }
}
