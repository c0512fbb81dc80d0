namespace Enrichflow.Engine.Results;

/// <summary>When result files are rendered (configuration section <c>Results</c>, docs/api.md §3.1 and §9).</summary>
public sealed class ResultsOptions
{
    public const string Section = "Results";

    /// <summary>
    /// <c>final</c> (the default): only the files of final blocks (those no edge leaves) are written during the run;
    /// every other block's files and <c>rejects.ndjson</c> are rendered from the run's stored chunks when they are
    /// first downloaded, then kept. <c>all</c>: every file is written during the run.
    /// </summary>
    public string Materialize { get; set; } = "final";

    /// <summary>True when every file is written during the run.</summary>
    public bool All => string.Equals(Materialize, "all", StringComparison.OrdinalIgnoreCase);

    public IEnumerable<string> Validate()
    {
        if (!string.Equals(Materialize, "final", StringComparison.OrdinalIgnoreCase) && !All)
        {
            yield return $"Results:Materialize must be 'final' or 'all' (was '{Materialize}').";
        }
    }
}
