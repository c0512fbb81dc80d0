using System.Text;
using System.Text.Json.Nodes;
using CsCheck;

namespace Enrichflow.Server.Tests.Fuzz;

/// <summary>
/// CsCheck generators of the inputs a careless or hostile client sends: JSON of any shape, strings that break
/// parsers (formulas, quotes, control characters, lone surrogates, huge numbers, path and SQL tricks), CSV, JSON and
/// NDJSON files, and workflow definitions built from the catalogue's own examples and then damaged.
/// </summary>
internal static class FuzzGen
{
    /// <summary>Strings chosen because they broke something somewhere once.</summary>
    private static readonly string[] Nasty =
    [
        "", " ", "null", "true", "0", "-0", "1e400", "-1e400", "NaN", "Infinity", "9223372036854775808", "-9223372036854775809",
        "0x1F", "1_000", "\u0000", "\t", "\r\n", "\n", "\"", "'", "\\", "\\u0000", "{", "[", "]]", "{}", "[]", "{{domain}}",
        "=cmd|' /C calc'!A0", "+1", "-1", "@SUM(1)", "../../../etc/passwd", "..\\..\\boot.ini", "/", "//", "%00", "%2e%2e%2f",
        "'; DROP TABLE runs; --", "\" OR 1=1 --", "<script>alert(1)</script>", "${jndi:ldap://127.0.0.1/a}", "[email] = 'a'",
        "[", "[a", "[a] +", "([a]", "[a] == ", "'unterminated", "[score] >= 50", "len([x]) > 1000000", "\ud800", "\udfff",
        "\ufeff", "\u202e", "é", "ß", "日本語", "😀", "𝒜", "a\u0301", new string('a', 5000), new string('[', 2000),
        new string('(', 3000), "__create_new__", "input", "block_1", "webhook", "read_csv", "merge", "email", "country",
    ];

    private static readonly string[] ColumnNames =
    [
        "email", "name", "full_name", "first_name", "last_name", "company", "company_name", "domain", "website", "phone",
        "country", "city", "title", "linkedin", "score", "id", "", " ", "Email", "e-mail", "=HYPERLINK(\"x\")", "a,b", "a\"b",
        "a\nb", "日本", "__proto__", "constructor",
    ];

    public static readonly Gen<string> Text = Gen.Frequency(
        (3, Gen.OneOf(Nasty)),
        (2, Gen.String[Gen.Char.AlphaNumeric, 0, 12]),
        (2, Gen.String[0, 40]),
        (1, Gen.String[Gen.Char["\"',\r\n\\[]{}=+-@ \t;|"], 0, 20]));

    public static readonly Gen<string> Column = Gen.Frequency((3, Gen.OneOf(ColumnNames)), (1, Text));

    private static readonly Gen<JsonNode?> Scalar = Gen.Frequency(
        (1, Gen.Bool.Select(_ => (JsonNode?)null)),
        (1, Gen.Bool.Select(b => (JsonNode?)JsonValue.Create(b))),
        (2, Gen.Long.Select(l => (JsonNode?)JsonValue.Create(l))),
        (1, Gen.Int[-3, 1000].Select(i => (JsonNode?)JsonValue.Create(i))),
        (1, Gen.Double.Where(double.IsFinite).Select(d => (JsonNode?)JsonValue.Create(d))),
        (1, Gen.Decimal.Select(d => (JsonNode?)JsonValue.Create(d))),
        (4, Text.Select(s => (JsonNode?)JsonValue.Create(s))));

    /// <summary>Any JSON value, nested at most <paramref name="depth"/> levels.</summary>
    public static Gen<JsonNode?> Json(int depth = 3) => depth <= 0
        ? Scalar
        : Gen.Frequency(
            (5, Scalar),
            (1, Json(depth - 1).List[0, 5].Select(items => (JsonNode?)new JsonArray([.. items]))),
            (2, Object(depth - 1).Select(o => (JsonNode?)o)));

    public static Gen<JsonObject> Object(int depth) =>
        Gen.Select(Column, Json(depth)).List[0, 6].Select(pairs =>
        {
            var result = new JsonObject();
            foreach (var (key, value) in pairs)
            {
                result[key] = value;
            }

            return result;
        });

    /// <summary>A row as a webhook payload carries it: mostly flat, with the columns blocks read.</summary>
    public static readonly Gen<JsonNode?> Row = Gen.Frequency(
        (6, Object(1).Select(o => (JsonNode?)o)),
        (1, Json(2)));

    /// <summary>A webhook payload: usually a list of rows, sometimes anything at all.</summary>
    public static readonly Gen<JsonNode?> Payload = Gen.Frequency(
        (6, Row.List[0, 30].Select(rows => (JsonNode?)new JsonArray([.. rows]))),
        (1, Json(3)));

    /// <summary>A CSV file: a header of likely and unlikely names, ragged rows, quotes, line breaks, a BOM or not.</summary>
    public static readonly Gen<byte[]> Csv = Gen.Select(
        Column.List[0, 8],
        Text.List[0, 10].List[0, 40],
        Gen.OneOf("\n", "\r\n", "\r"),
        Gen.OneOf(",", ";", "\t", "|"),
        Gen.Int[0, 9],
        (header, rows, newline, delimiter, flavour) =>
        {
            var text = new StringBuilder();
            if (flavour == 0)
            {
                text.Append('\ufeff');
            }

            foreach (var line in rows.Prepend(header))
            {
                text.AppendJoin(delimiter, line.Select(cell => flavour < 6 && (cell.Contains('"') || cell.Contains(delimiter) || cell.Contains('\n') || cell.Contains('\r'))
                    ? "\"" + cell.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
                    : cell)).Append(newline);
            }

            if (flavour == 9)
            {
                text.Append("\"an open quote that never ends,");
            }

            return Encoding.UTF8.GetBytes(text.ToString());
        });

    /// <summary>A JSON array file (or some other JSON document where an array belongs).</summary>
    public static readonly Gen<byte[]> JsonFile = Payload.Select(p => Encoding.UTF8.GetBytes(p?.ToJsonString() ?? "null"));

    /// <summary>NDJSON: one row per line, with blank, broken and non-object lines among them.</summary>
    public static readonly Gen<byte[]> NdjsonFile = Gen.Frequency(
        (5, Row.Select(r => r?.ToJsonString() ?? "null")),
        (1, Text),
        (1, Gen.OneOf("", "{", "{\"a\": 1", "[1,2]", "\"text\"", "{\"a\": 1}{\"b\": 2}"))).List[0, 40].Select(lines => Encoding.UTF8.GetBytes(string.Join('\n', lines)));

    public static readonly Gen<byte[]> Bytes = Gen.Byte.Array[0, 2000];

    /// <summary>An upload: a file name (extension true, wrong or missing) and content of any of the formats.</summary>
    public static readonly Gen<(string Name, byte[] Content)> Upload = Gen.Select(
        Gen.OneOf("leads.csv", "leads.CSV", "leads.json", "leads.jsonl", "leads.ndjson", "leads.txt", "leads", ".csv", "a b.csv", "../x.csv", "x.csv.exe", "日本.csv"),
        Gen.Frequency((4, Csv), (2, JsonFile), (2, NdjsonFile), (1, Bytes)));

    /// <summary>Ids and path segments: real-looking, empty, too long, full of reserved characters.</summary>
    public static readonly Gen<string> Id = Gen.Frequency(
        (3, Gen.String[Gen.Char.AlphaNumeric, 1, 20]),
        (1, Gen.Guid.Select(g => g.ToString("N"))),
        (1, Gen.Int[0, 129].Select(n => new string('x', n))),
        (3, Text));

    /// <summary>
    /// A workflow definition: blocks drawn from the catalogue with their example specs (kept, damaged or replaced),
    /// ids and sequence numbers that may repeat or be of the wrong type, edges between known and unknown ids, and now
    /// and then a definition whose shape is wrong throughout.
    /// </summary>
    public static Gen<JsonNode?> Definition(IReadOnlyList<CatalogueBlock> catalogue)
    {
        var block = Gen.Select(Gen.Int[0, catalogue.Count - 1], Gen.Int[0, 12], Specs(catalogue), Gen.Int[0, 9], Text,
            (index, id, specs, flavour, text) =>
            {
                var entry = catalogue[index];
                var result = new JsonObject
                {
                    ["sequence_number"] = flavour == 0 ? JsonValue.Create(text) : JsonValue.Create(id + 1),
                    ["block_name"] = flavour == 1 ? JsonValue.Create(text) : JsonValue.Create(entry.Name),
                    ["block_id"] = flavour == 2 ? JsonValue.Create(text) : JsonValue.Create($"b{id}"),
                    ["specs"] = specs(index),
                };
                if (flavour == 3)
                {
                    result.Remove("block_name");
                    result["block_type"] = entry.Name;
                }
                else if (flavour == 4)
                {
                    result.Remove("sequence_number");
                }

                return (JsonNode)result;
            });
        var source = Gen.Select(Gen.OneOf("webhook", "read_csv", "read_notebook"), Specs(catalogue),
            (name, specs) => (JsonNode)new JsonObject
            {
                ["sequence_number"] = 0,
                ["block_name"] = name,
                ["block_id"] = "src",
                ["specs"] = specs(catalogue.Select((b, i) => (b, i)).First(p => p.b.Name == name).i),
            });
        var edgeEnd = Gen.Frequency((6, Gen.Int[0, 12].Select(i => $"b{i}")), (2, Gen.OneOf("src")), (1, Text));
        var edge = Gen.Select(edgeEnd, edgeEnd, Gen.Frequency((5, Gen.Const<string?>(() => null)), (1, Text.Select(t => (string?)t)), (1, Gen.OneOf<string?>("[country] = 'DE'", "[score] >", "len([email]) > 3"))),
            (from, to, condition) =>
            {
                var result = new JsonObject { ["from_block_id"] = from, ["to_block_id"] = to };
                if (condition is not null)
                {
                    result["condition"] = condition;
                }

                return (JsonNode)result;
            });
        var chain = Gen.Select(source, block.List[0, 8], Gen.Bool, edge.List[0, 4],
            (src, blocks, linked, extra) =>
            {
                var edges = new JsonArray();
                if (linked)
                {
                    var previous = "src";
                    foreach (var b in blocks)
                    {
                        var id = b!["block_id"]?.ToString() ?? "";
                        edges.Add(new JsonObject { ["from_block_id"] = previous, ["to_block_id"] = id });
                        previous = id;
                    }
                }

                foreach (var e in extra)
                {
                    edges.Add(e);
                }

                return (JsonNode?)new JsonObject { ["blocks"] = new JsonArray([src, .. blocks]), ["edges"] = edges };
            });
        // Mostly sound: a webhook and a few catalogue blocks in a line, with their examples, so runs happen too.
        var sound = Gen.Int[0, catalogue.Count - 1].List[1, 4].Select(picks =>
        {
            var blocks = new JsonArray(new JsonObject { ["sequence_number"] = 0, ["block_name"] = "webhook", ["block_id"] = "src", ["specs"] = new JsonObject() });
            var edges = new JsonArray();
            var previous = "src";
            foreach (var (pick, at) in picks.Where(p => catalogue[p].Role == "row").Select((p, i) => (p, i)))
            {
                var id = $"s{at}";
                blocks.Add(new JsonObject { ["sequence_number"] = at + 1, ["block_name"] = catalogue[pick].Name, ["block_id"] = id, ["specs"] = catalogue[pick].Example?.DeepClone() ?? new JsonObject() });
                edges.Add(new JsonObject { ["from_block_id"] = previous, ["to_block_id"] = id });
                previous = id;
            }

            return (JsonNode?)new JsonObject { ["blocks"] = blocks, ["edges"] = edges };
        });
        return Gen.Frequency(
            (6, sound),
            (12, chain),
            (1, Json(3)),
            (1, Gen.Select(block.List[0, 4], Json(2), (blocks, edges) => (JsonNode?)new JsonObject { ["blocks"] = new JsonArray([.. blocks]), ["edges"] = edges })),
            (1, Json(2).Select(blocks => (JsonNode?)new JsonObject { ["blocks"] = blocks })));
    }

    /// <summary>Specs for the block at an index: its example as it is, with a key removed, changed or added, or anything at all.</summary>
    private static Gen<Func<int, JsonNode?>> Specs(IReadOnlyList<CatalogueBlock> catalogue) =>
        Gen.Select(Gen.Int[0, 9], Gen.Int[0, 50], Column, Json(2),
            (flavour, pick, key, value) => (Func<int, JsonNode?>)(index =>
            {
                var example = catalogue[index].Example?.DeepClone() as JsonObject ?? [];
                var keys = example.Select(p => p.Key).ToList();
                switch (flavour)
                {
                    case < 4:
                        return example;
                    case 4 when keys.Count > 0:
                        example.Remove(keys[pick % keys.Count]);
                        return example;
                    case 5 or 6 when keys.Count > 0:
                        example[keys[pick % keys.Count]] = value?.DeepClone();
                        return example;
                    case 7:
                        example[key] = value?.DeepClone();
                        return example;
                    case 8:
                        return value?.DeepClone();
                    default:
                        return new JsonObject();
                }
            }));

    /// <summary>Shortens what CsCheck prints of a failing example.</summary>
    public static string Print(object? value)
    {
        var text = value switch
        {
            JsonNode node => node.ToJsonString(),
            byte[] bytes => Encoding.UTF8.GetString(bytes),
            _ => value?.ToString() ?? "null",
        };
        return text.Length <= 4000 ? text : text[..4000] + $"... ({text.Length} chars)";
    }
}

/// <summary>A block of <c>GET /workflows/blocks</c>: its name, role (source, row or merge) and its specs schema's example.</summary>
internal sealed record CatalogueBlock(string Name, string Role, JsonNode? Example);
