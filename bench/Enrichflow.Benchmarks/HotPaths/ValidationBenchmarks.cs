using System.Diagnostics;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Enrichflow.Blocks;
using Enrichflow.Core.Blocks;
using Enrichflow.Core.Definitions;
using Microsoft.Extensions.DependencyInjection;

namespace Enrichflow.Benchmarks.HotPaths;

/// <summary>
/// Validating a chain of N blocks (webhook → N-1 filters, listed last first; issue 11 item 6): linear in blocks + edges.
/// <c>--filter *ValidationBenchmarks*</c> for BenchmarkDotNet, or <c>validate --blocks N</c> for one timed pass.
/// </summary>
[MemoryDiagnoser]
public class ValidationBenchmarks
{
    private WorkflowDefinition _definition = null!;
    private DefinitionValidator _validator = null!;

    [Params(3_000, 30_000)]
    public int Blocks { get; set; }

    [GlobalSetup]
    public void Setup() => (_definition, _validator) = Prepare(Blocks);

    [Benchmark]
    public WorkflowPlan Validate() => ValidateOnce(_definition, _validator);

    public static (WorkflowDefinition Definition, DefinitionValidator Validator) Prepare(int blocks)
    {
        var registry = new BlockRegistry(new ServiceCollection().AddBlocks().BuildServiceProvider().GetServices<BlockType>());
        using var document = JsonDocument.Parse(Chain(blocks));
        var errors = new List<DefinitionError>();
        var definition = DefinitionParser.Parse(document.RootElement, ["body", "workflow_definition"], errors)!;
        var limits = new InputLimits { MaxBlocks = blocks, MaxEdges = blocks };
        return (definition, new DefinitionValidator(registry, limits));
    }

    public static WorkflowPlan ValidateOnce(WorkflowDefinition definition, DefinitionValidator validator)
    {
        var errors = new List<DefinitionError>();
        return validator.Validate(definition, errors) ?? throw new InvalidOperationException(string.Join("; ", errors.Select(e => e.Msg)));
    }

    /// <summary>One validation of an N-block chain, timed after a warm-up on a small chain; prints the milliseconds.</summary>
    public static int RunOnce(int blocks)
    {
        var (small, smallValidator) = Prepare(100);
        ValidateOnce(small, smallValidator);
        var (definition, validator) = Prepare(blocks);
        var watch = Stopwatch.StartNew();
        var plan = ValidateOnce(definition, validator);
        Console.WriteLine($"validate {blocks} blocks: {watch.Elapsed.TotalMilliseconds:F0} ms ({plan.Blocks.Count} planned)");
        return 0;
    }

    private static string Chain(int blocks)
    {
        var json = new StringBuilder("""{"blocks": [""");
        for (var i = blocks - 1; i >= 0; i--)
        {
            json.Append(i == 0
                ? """{"sequence_number": 0, "block_name": "webhook", "block_id": "b0", "specs": {"input_schema": {"score": {"type": "int"}}}}"""
                : $$$"""{"sequence_number": {{{i}}}, "block_name": "filter", "block_id": "b{{{i}}}", "specs": {"expression": "[score] >= 0"}},""");
        }

        json.Append("""], "edges": [""");
        for (var i = 1; i < blocks; i++)
        {
            json.Append(i > 1 ? ", " : "").Append($$"""{"from_block_id": "b{{i - 1}}", "to_block_id": "b{{i}}"}""");
        }

        return json.Append("]}").ToString();
    }
}
