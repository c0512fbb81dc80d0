namespace Enrichflow.Blocks.Sources;

/// <summary>
/// Guesses a CSV file's delimiter among <c>,</c> <c>;</c> tab <c>|</c> from its first records: the candidate
/// whose count per record (outside quotes) matches the header's on the most records wins, then the one the
/// header holds most of, then the earlier in that list. A file with none of them is comma-separated.
/// </summary>
internal static class CsvSniffer
{
    public static readonly char[] Candidates = [',', ';', '\t', '|'];

    private const int MaxRecords = 50;

    /// <param name="start">The first bytes of the file.</param>
    /// <param name="isWholeFile">True when <paramref name="start"/> is the whole file, so its last record is complete.</param>
    public static char Sniff(ReadOnlySpan<byte> start, bool isWholeFile)
    {
        Span<int> header = stackalloc int[Candidates.Length];
        Span<int> current = stackalloc int[Candidates.Length];
        Span<int> matches = stackalloc int[Candidates.Length];
        var records = 0;
        var inQuotes = false;
        var recordHasContent = false;
        for (var i = 0; i < start.Length && records < MaxRecords; i++)
        {
            var b = start[i];
            if (b == (byte)'"')
            {
                inQuotes = !inQuotes;
            }
            else if (!inQuotes && b is (byte)'\n' or (byte)'\r')
            {
                if (recordHasContent)
                {
                    EndRecord(records++, header, current, matches);
                }

                recordHasContent = false;
                continue;
            }
            else if (!inQuotes)
            {
                var candidate = Array.IndexOf(Candidates, (char)b);
                if (candidate >= 0)
                {
                    current[candidate]++;
                }
            }

            recordHasContent = true;
        }

        if (recordHasContent && isWholeFile && !inQuotes && records < MaxRecords)
        {
            EndRecord(records, header, current, matches);
        }

        var best = -1;
        for (var c = 0; c < Candidates.Length; c++)
        {
            if (header[c] > 0 && (best < 0 || matches[c] > matches[best] || matches[c] == matches[best] && header[c] > header[best]))
            {
                best = c;
            }
        }

        return best < 0 ? ',' : Candidates[best];
    }

    private static void EndRecord(int record, Span<int> header, Span<int> current, Span<int> matches)
    {
        for (var c = 0; c < current.Length; c++)
        {
            if (record == 0)
            {
                header[c] = current[c];
            }
            else if (current[c] == header[c])
            {
                matches[c]++;
            }

            current[c] = 0;
        }
    }
}
