using System.Text;
using System.Text.Json;
using Enrichflow.Core.Blocks;
using Enrichflow.Core.Definitions;

namespace Enrichflow.Blocks.Tests;

/// <summary>
/// Definitions are capped (docs/api.md §2.1, <c>Limits:*</c>) with a 400 naming the loc, and validated in time linear in
/// blocks + edges: a 3,000-block chain validates into the right plan (correctness only; the figures are in bench/).
/// </summary>
public sealed class DefinitionCapTests
{
    /// <summary>webhook <c>b0</c> → filter <c>b1</c> → … → filter <c>b{n-1}</c>, the blocks listed last first.</summary>
    internal static string Chain(int blocks, string expression = "[score] >= 0", string? condition = null)
    {
        var json = new StringBuilder("""{"blocks": [""");
        for (var i = blocks - 1; i >= 0; i--)
        {
            json.Append(i == 0
                ? """{"sequence_number": 1, "block_name": "webhook", "block_id": "b0", "specs": {"input_schema": {"score": {"type": "int"}}}}"""
                : $$$"""{"sequence_number": {{{i + 1}}}, "block_name": "filter", "block_id": "b{{{i}}}", "specs": {"expression": {{{JsonSerializer.Serialize(expression)}}}}},""");
        }

        json.Append("""], "edges": [""");
        for (var i = 1; i < blocks; i++)
        {
            json.Append(i > 1 ? ", " : "")
                .Append($$"""{"from_block_id": "b{{i - 1}}", "to_block_id": "b{{i}}"{{(condition is null ? "" : $", \"condition\": {JsonSerializer.Serialize(condition)}")}}}""");
        }

        return json.Append("]}").ToString();
    }

    private static (List<DefinitionError> Errors, WorkflowPlan? Plan) Validate(string json, InputLimits limits)
    {
        using var document = JsonDocument.Parse(json);
        var errors = new List<DefinitionError>();
        var definition = DefinitionParser.Parse(document.RootElement, ["body", "workflow_definition"], errors);
        Assert.Empty(errors);
        var plan = new DefinitionValidator(BlockCatalogKit.Registry, limits).Validate(definition!, errors, []);
        return (errors, plan);
    }

    private static string Loc(DefinitionError error) => string.Join('.', error.Loc);

    [Fact]
    public void A_3000_block_chain_validates_into_the_chain_in_order()
    {
        var (errors, plan) = Validate(Chain(3000), new InputLimits { MaxBlocks = 3000 });

        Assert.Empty(errors);
        Assert.NotNull(plan);
        Assert.Equal(3000, plan.Blocks.Count);
        for (var i = 0; i < 3000; i++)
        {
            Assert.Equal($"b{i}", plan.Blocks[i].Id);
            Assert.Same(plan.Blocks[i], plan[$"b{i}"]);
            Assert.Equal(i == 0 ? [] : [$"b{i - 1}"], plan.Blocks[i].Inputs.Select(e => e.FromBlockId));
        }
    }

    [Fact]
    public void A_chain_with_a_broken_link_far_down_still_names_the_block_that_cannot_be_reached()
    {
        var json = Chain(3000).Replace("""{"from_block_id": "b2499", "to_block_id": "b2500"}""", """{"from_block_id": "b2500", "to_block_id": "b2500"}""", StringComparison.Ordinal);

        var (errors, _) = Validate(json, new InputLimits { MaxBlocks = 3000 });

        Assert.Contains(errors, e => Loc(e) == "body.workflow_definition.blocks.499" && e.Msg.Contains("'b2500' has no incoming edge", StringComparison.Ordinal));
    }

    [Fact]
    public void More_blocks_than_the_cap_is_an_error_at_blocks()
    {
        var (errors, plan) = Validate(Chain(1001), InputLimits.Default);

        Assert.Null(plan);
        var error = Assert.Single(errors);
        Assert.Equal("body.workflow_definition.blocks", Loc(error));
        Assert.Equal("The workflow has 1001 blocks; at most 1000 are allowed (Limits:MaxBlocks).", error.Msg);
    }

    [Fact]
    public void More_edges_than_the_cap_is_an_error_at_edges()
    {
        var (errors, _) = Validate(Chain(5), new InputLimits { MaxEdges = 3 });

        var error = Assert.Single(errors);
        Assert.Equal("body.workflow_definition.edges", Loc(error));
        Assert.Equal("The workflow has 4 edges; at most 3 are allowed (Limits:MaxEdges).", error.Msg);
    }

    [Fact]
    public void Specs_over_the_cap_are_an_error_at_that_blocks_specs()
    {
        var (errors, _) = Validate(Chain(3, expression: "[score] >= " + new string('1', 300)), new InputLimits { MaxSpecsBytes = 256 });

        Assert.Equal(["body.workflow_definition.blocks.0.specs", "body.workflow_definition.blocks.1.specs"], errors.Select(Loc));
        Assert.StartsWith("The specs of block 'b2' are ", errors[0].Msg, StringComparison.Ordinal);
        Assert.EndsWith("bytes of JSON; at most 256 bytes are allowed (Limits:MaxSpecsBytes).", errors[0].Msg, StringComparison.Ordinal);
    }

    [Fact]
    public void An_expression_over_the_cap_is_an_error_at_the_expression_and_a_condition_over_it_at_the_condition()
    {
        var (errors, _) = Validate(Chain(2, expression: "[score] >= 1000000", condition: "[score] != 1234567"), new InputLimits { MaxExpressionLength = 16 });

        Assert.Equal(["body.workflow_definition.blocks.0.specs.expression", "body.workflow_definition.edges.0.condition"], errors.Select(Loc));
        Assert.Contains("the expression is 18 characters long; at most 16 are allowed (Limits:MaxExpressionLength)", errors[0].Msg, StringComparison.Ordinal);
        Assert.Contains("at most 16 are allowed (Limits:MaxExpressionLength)", errors[1].Msg, StringComparison.Ordinal);
    }

    [Fact]
    public void Many_source_blocks_are_named_ten_at_most_per_error()
    {
        var json = new StringBuilder("""{"blocks": [""");
        for (var i = 0; i < 50; i++)
        {
            json.Append(i > 0 ? ", " : "").Append($$"""{"sequence_number": {{i}}, "block_name": "webhook", "block_id": "s{{i}}"}""");
        }

        var (errors, _) = Validate(json.Append("]}").ToString(), InputLimits.Default);

        var sources = errors.Where(e => e.Msg.StartsWith("The workflow has 50 source blocks", StringComparison.Ordinal)).ToList();
        Assert.Equal(49, sources.Count);
        Assert.All(sources, e => Assert.EndsWith("'s8', 's9' and 40 more); it needs exactly one.", e.Msg, StringComparison.Ordinal));
    }
}
