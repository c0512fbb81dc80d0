using System.Diagnostics;
using System.Globalization;
using Enrichflow.Blocks.Validation;
using nietras.SeparatedValues;

namespace Enrichflow.Benchmarks.EndToEnd;

/// <summary>
/// The baseline for the end-to-end figure: one process, one Sep loop doing the pipeline's work in memory per row
/// (email syntax check with the same parser, the same filter, the same transform) and writing CSV. No chunks,
/// no store, no HTTP, no durability.
/// </summary>
public static class BaselineLoop
{
    /// <param name="everyBlockOutput">Also write one CSV per pipeline step, as the engine's result files are (the same output work).</param>
    public static int Run(long rows, string workDirectory, bool everyBlockOutput = false)
    {
        if (everyBlockOutput)
        {
            return RunWithEveryOutput(rows, workDirectory);
        }

        var measured = Measure(rows, workDirectory);
        var bytes = new FileInfo(EndToEndBench.EnsureLeads(rows, workDirectory)).Length;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"baseline Sep loop: {rows:N0} rows in {measured.Seconds:F1} s = {rows / measured.Seconds:N0} rows/s, {bytes / 1e6 / measured.Seconds:F1} MB/s, {measured.Kept:N0} rows out, peak RSS {EndToEndBench.PeakRssBytes(Environment.ProcessId) / 1e6:F0} MB"));
        return 0;
    }

    /// <summary>The loop over the leads file (generated when missing): its time and the rows it kept.</summary>
    public static (double Seconds, long Kept) Measure(long rows, string workDirectory)
    {
        var input = EndToEndBench.EnsureLeads(rows, workDirectory);
        var output = Path.Combine(workDirectory, $"baseline-{rows}.csv");
        var watch = Stopwatch.StartNew();
        long kept = 0;
        using (var reader = Sep.Reader(o => o with { Unescape = true }).FromFile(input))
        using (var writer = Sep.New(',').Writer(o => o with { Escape = true }).ToFile(output))
        {
            var header = reader.Header.ColNames;
            foreach (var row in reader)
            {
                var email = row["email"].ToString();
                var valid = EmailSyntax.TryParse(email, out var parsed);
                if (!valid || row["country"].Span is not "US")
                {
                    continue;
                }

                using var outRow = writer.NewRow();
                foreach (var name in header)
                {
                    var value = row[name].ToString();
                    outRow[name].Set(name switch
                    {
                        "email" => value.ToLowerInvariant(),
                        "country" => value.ToUpperInvariant(),
                        _ => value,
                    });
                }

                outRow["email_status"].Set("valid");
                outRow["email_normalized"].Set(parsed.Normalized);
                outRow["email_domain"].Set(parsed.Domain);
                outRow["full_name"].Set(row["first_name"].ToString() + " " + row["last_name"].ToString());
                kept++;
            }
        }

        watch.Stop();
        return (watch.Elapsed.TotalSeconds, kept);
    }

    private static int RunWithEveryOutput(long rows, string workDirectory)
    {
        Directory.CreateDirectory(workDirectory);
        var input = Path.Combine(workDirectory, $"leads-{rows}.csv");
        if (!File.Exists(input))
        {
            LeadGenerator.Write(input, rows);
        }

        var watch = Stopwatch.StartNew();
        long kept = 0;
        using (var reader = Sep.Reader(o => o with { Unescape = true }).FromFile(input))
        using (var source = Sep.New(',').Writer(o => o with { Escape = true }).ToFile(Path.Combine(workDirectory, "baseline-1-input.csv")))
        using (var validated = Sep.New(',').Writer(o => o with { Escape = true }).ToFile(Path.Combine(workDirectory, "baseline-2-validate.csv")))
        using (var filtered = Sep.New(',').Writer(o => o with { Escape = true }).ToFile(Path.Combine(workDirectory, "baseline-3-filter.csv")))
        using (var shaped = Sep.New(',').Writer(o => o with { Escape = true }).ToFile(Path.Combine(workDirectory, "baseline-4-transform.csv")))
        {
            var header = reader.Header.ColNames;
            foreach (var row in reader)
            {
                var values = new string[header.Count];
                for (var i = 0; i < values.Length; i++)
                {
                    values[i] = row[i].ToString();
                }

                Write(source, header, values);
                var email = row["email"].ToString();
                var valid = EmailSyntax.TryParse(email, out var parsed);
                string[] added = valid ? ["valid", "ok", parsed.Normalized, parsed.Domain] : ["invalid", "bad_syntax", "", ""];
                using (var outRow = validated.NewRow())
                {
                    WriteCells(outRow, header, values);
                    outRow["email_status"].Set(added[0]);
                    outRow["email_reason"].Set(added[1]);
                    outRow["email_normalized"].Set(added[2]);
                    outRow["email_domain"].Set(added[3]);
                }

                if (!valid || row["country"].Span is not "US")
                {
                    continue;
                }

                using (var outRow = filtered.NewRow())
                {
                    WriteCells(outRow, header, values);
                    outRow["email_status"].Set(added[0]);
                    outRow["email_reason"].Set(added[1]);
                    outRow["email_normalized"].Set(added[2]);
                    outRow["email_domain"].Set(added[3]);
                }

                using (var outRow = shaped.NewRow())
                {
                    for (var i = 0; i < header.Count; i++)
                    {
                        outRow[header[i]].Set(header[i] switch
                        {
                            "email" => values[i].ToLowerInvariant(),
                            "country" => values[i].ToUpperInvariant(),
                            _ => values[i],
                        });
                    }

                    outRow["email_status"].Set(added[0]);
                    outRow["email_reason"].Set(added[1]);
                    outRow["email_normalized"].Set(added[2]);
                    outRow["email_domain"].Set(added[3]);
                    outRow["full_name"].Set(row["first_name"].ToString() + " " + row["last_name"].ToString());
                }

                kept++;
            }
        }

        watch.Stop();
        var bytes = new FileInfo(input).Length;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"baseline Sep loop writing every step's CSV: {rows:N0} rows in {watch.Elapsed.TotalSeconds:F1} s = {rows / watch.Elapsed.TotalSeconds:N0} rows/s, {bytes / 1e6 / watch.Elapsed.TotalSeconds:F1} MB/s, {kept:N0} rows out, peak RSS {EndToEndBench.PeakRssBytes(Environment.ProcessId) / 1e6:F0} MB"));
        return 0;
    }

    private static void Write(SepWriter writer, IReadOnlyList<string> header, string[] values)
    {
        using var outRow = writer.NewRow();
        WriteCells(outRow, header, values);
    }

    private static void WriteCells(SepWriter.Row outRow, IReadOnlyList<string> header, string[] values)
    {
        for (var i = 0; i < header.Count; i++)
        {
            outRow[header[i]].Set(values[i]);
        }
    }
}
