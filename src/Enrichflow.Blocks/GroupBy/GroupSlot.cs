using System.Globalization;
using System.Text.Json.Nodes;
using Enrichflow.Core.Rows;

namespace Enrichflow.Blocks.GroupBy;

/// <summary>
/// One aggregation's running state for one group: built from a chunk's rows, written to a partial, read back and
/// merged with the partials of later chunks (in chunk order, so first, last, list and concat keep row order).
/// </summary>
internal sealed class GroupSlot(GroupAggregation aggregation)
{
    private long _count;
    private double _sum;
    private long _integerSum;
    private bool _integersOnly = true;
    private object? _value;
    private HashSet<string>? _distinct;
    private JsonArray? _list;
    private List<string>? _texts;

    public GroupAggregation Aggregation => aggregation;

    /// <summary>Takes one row's value (absent columns come as null, so a row lacking the column counts as empty).</summary>
    public void Add(object? value)
    {
        if (aggregation.Column is null)
        {
            _count++;
            return;
        }

        if (RowValues.IsEmpty(value))
        {
            return;
        }

        switch (aggregation.Op)
        {
            case GroupOp.Count:
                _count++;
                break;
            case GroupOp.CountDistinct:
                (_distinct ??= new HashSet<string>(StringComparer.Ordinal)).Add(RowValues.ToText(value)!);
                break;
            case GroupOp.Sum or GroupOp.Avg:
                AddNumber(value);
                break;
            case GroupOp.Min or GroupOp.Max:
                TakeBest(value!);
                break;
            case GroupOp.First:
                _value ??= value;
                break;
            case GroupOp.Last:
                _value = value;
                break;
            case GroupOp.List:
                (_list ??= []).Add(ToNode(value));
                break;
            case GroupOp.Concat:
                (_texts ??= []).Add(RowValues.ToText(value)!);
                break;
        }
    }

    /// <summary>Merges the state of the same group from a later chunk.</summary>
    public void Merge(GroupSlot later)
    {
        _count += later._count;
        _sum += later._sum;
        _integersOnly &= later._integersOnly;
        if (_integersOnly)
        {
            try
            {
                _integerSum = checked(_integerSum + later._integerSum);
            }
            catch (OverflowException)
            {
                _integersOnly = false;
            }
        }

        switch (aggregation.Op)
        {
            case GroupOp.CountDistinct when later._distinct is not null:
                (_distinct ??= new HashSet<string>(StringComparer.Ordinal)).UnionWith(later._distinct);
                break;
            case GroupOp.Min or GroupOp.Max when later._value is not null:
                TakeBest(later._value);
                break;
            case GroupOp.First:
                _value ??= later._value;
                break;
            case GroupOp.Last when later._value is not null:
                _value = later._value;
                break;
            case GroupOp.List when later._list is not null:
                _list ??= [];
                var items = later._list.ToList();
                later._list.Clear();
                foreach (var item in items)
                {
                    _list.Add(item);
                }

                break;
            case GroupOp.Concat when later._texts is not null:
                (_texts ??= []).AddRange(later._texts);
                break;
        }
    }

    /// <summary>The value of the group's output column.</summary>
    public object? Result() => aggregation.Op switch
    {
        GroupOp.Count => _count,
        GroupOp.CountDistinct => (long)(_distinct?.Count ?? 0),
        GroupOp.Sum => _integersOnly ? _integerSum : _sum,
        GroupOp.Avg => _count == 0 ? null : _sum / _count,
        GroupOp.List => _list ?? [],
        GroupOp.Concat => _texts is null ? "" : string.Join(aggregation.Separator, _texts),
        _ => _value,
    };

    /// <summary>Writes the state as columns <c>a{i}</c>, <c>b{i}</c>, <c>n{i}</c> of a partial row.</summary>
    public void WriteTo(Row partial, int i)
    {
        switch (aggregation.Op)
        {
            case GroupOp.Count:
                partial[$"a{i}"] = _count;
                break;
            case GroupOp.CountDistinct:
                partial[$"a{i}"] = _distinct is null ? null : new JsonArray([.. _distinct.Select(t => (JsonNode?)JsonValue.Create(t))]);
                break;
            case GroupOp.Sum or GroupOp.Avg:
                partial[$"a{i}"] = _sum;
                partial[$"b{i}"] = _integersOnly ? _integerSum : null;
                partial[$"n{i}"] = _count;
                break;
            case GroupOp.List:
                partial[$"a{i}"] = _list;
                break;
            case GroupOp.Concat:
                partial[$"a{i}"] = _texts is null ? null : new JsonArray([.. _texts.Select(t => (JsonNode?)JsonValue.Create(t))]);
                break;
            default:
                partial[$"a{i}"] = _value;
                break;
        }
    }

    /// <summary>Reads the state written by <see cref="WriteTo"/>.</summary>
    public static GroupSlot ReadFrom(GroupAggregation aggregation, Row partial, int i)
    {
        var slot = new GroupSlot(aggregation);
        partial.TryGetValue($"a{i}", out var a);
        switch (aggregation.Op)
        {
            case GroupOp.Count:
                slot._count = a is long count ? count : 0;
                break;
            case GroupOp.CountDistinct when a is JsonArray distinct:
                slot._distinct = new HashSet<string>(distinct.Select(n => n!.GetValue<string>()), StringComparer.Ordinal);
                break;
            case GroupOp.Sum or GroupOp.Avg:
                slot._sum = a switch { double d => d, long l => l, _ => 0 };
                slot._integersOnly = partial.TryGetValue($"b{i}", out var b) && b is long;
                slot._integerSum = b is long integer ? integer : 0;
                slot._count = partial.TryGetValue($"n{i}", out var n) && n is long numbers ? numbers : 0;
                break;
            case GroupOp.List when a is JsonArray list:
                slot._list = list;
                break;
            case GroupOp.Concat when a is JsonArray texts:
                slot._texts = [.. texts.Select(n => n!.GetValue<string>())];
                break;
            case GroupOp.Min or GroupOp.Max or GroupOp.First or GroupOp.Last:
                slot._value = a;
                break;
        }

        return slot;
    }

    private void AddNumber(object? value)
    {
        switch (value)
        {
            case long l:
                AddInteger(l);
                break;
            case double d:
                _count++;
                _sum += d;
                _integersOnly = false;
                break;
            case string s when long.TryParse(s.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l):
                AddInteger(l);
                break;
            case string s when double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d):
                _count++;
                _sum += d;
                _integersOnly = false;
                break;
        }
    }

    private void AddInteger(long value)
    {
        _count++;
        _sum += value;
        if (!_integersOnly)
        {
            return;
        }

        try
        {
            _integerSum = checked(_integerSum + value);
        }
        catch (OverflowException)
        {
            _integersOnly = false;
        }
    }

    private void TakeBest(object value)
    {
        if (_value is null)
        {
            _value = value;
            return;
        }

        var order = GroupValueOrder.Compare(value, _value);
        if (aggregation.Op == GroupOp.Min ? order < 0 : order > 0)
        {
            _value = value;
        }
    }

    private static JsonNode? ToNode(object? value) => value switch
    {
        JsonNode node => node.DeepClone(),
        string s => JsonValue.Create(s),
        long l => JsonValue.Create(l),
        double d => JsonValue.Create(d),
        bool b => JsonValue.Create(b),
        _ => JsonValue.Create(RowValues.ToText(value)),
    };
}
