namespace Enrichflow.Blocks.RowOps;

/// <summary>
/// What a sequence of operations does to the columns: the input columns it reads (not those it wrote itself
/// first), the columns it adds and the ones it removes.
/// </summary>
internal sealed class ColumnEffects
{
    private readonly List<string> _reads = [];
    private readonly List<string> _adds = [];
    private readonly List<string> _removes = [];
    private readonly List<string> _drops = [];

    public IReadOnlyList<string> Reads => _reads;

    public IReadOnlyList<string> Adds => _adds;

    public IReadOnlyList<string> Removes => _removes;

    /// <summary>Input columns the operations drop without reading them (not those they wrote themselves first).</summary>
    public IReadOnlyList<string> Drops => _drops;

    public void Read(string column)
    {
        if (!_adds.Contains(column) && !_reads.Contains(column) && !_removes.Contains(column))
        {
            _reads.Add(column);
        }
    }

    public void Write(string column)
    {
        _removes.Remove(column);
        if (!_adds.Contains(column))
        {
            _adds.Add(column);
        }
    }

    public void Remove(string column)
    {
        if (!_adds.Contains(column) && !_reads.Contains(column) && !_removes.Contains(column) && !_drops.Contains(column))
        {
            _drops.Add(column);
        }

        _adds.Remove(column);
        if (!_removes.Contains(column))
        {
            _removes.Add(column);
        }
    }
}
