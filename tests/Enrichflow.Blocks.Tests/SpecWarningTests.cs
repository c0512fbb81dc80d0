using Enrichflow.Core.Blocks;
using Enrichflow.Core.Definitions;

namespace Enrichflow.Blocks.Tests;

/// <summary>Unknown keys in a block's specs are warnings with a suggestion, not errors (docs/api.md §2.1).</summary>
public sealed class SpecWarningTests
{
    private static string Loc(DefinitionWarning warning) => string.Join('.', warning.Loc);

    [Fact]
    public void A_misspelt_key_of_an_operation_is_a_warning_at_it_with_the_nearest_key()
    {
        var (block, errors, warnings) = BlockCatalogKit.Compile(BlockCatalogKit.Registry.Find("transform")!,
            """{"operations": [{"op": "set", "column": "a", "value": 1}, {"op": "upper", "column": "a", "tooo": "b"}]}""");
        Assert.NotNull(block);
        Assert.Empty(errors);
        var warning = Assert.Single(warnings);
        Assert.Equal("unknown spec 'tooo' of block 'b' (did you mean 'to'?)", warning.Msg);
        Assert.Equal("blocks.0.specs.operations.1.tooo", Loc(warning));
    }

    [Fact]
    public void A_misspelt_top_level_key_is_a_warning_and_a_key_far_from_any_has_no_suggestion()
    {
        var (_, errors, warnings) = BlockCatalogKit.Compile(BlockCatalogKit.Registry.Find("validate_email")!,
            """{"email_feild": "work_email", "check_mx": false, "colour": "blue"}""");
        Assert.Empty(errors);
        Assert.Equal(["unknown spec 'email_feild' of block 'b' (did you mean 'email_field'?)", "unknown spec 'colour' of block 'b'"], warnings.Select(w => w.Msg));
    }

    [Fact]
    public void Keys_are_matched_ignoring_case_and_free_maps_are_not_looked_into()
    {
        var (_, _, warnings) = BlockCatalogKit.Compile(BlockCatalogKit.Registry.Find("webhook")!,
            """{"Dataframe_Type": "LEAD", "input_schema": {"anything": {"type": "str", "required": true}}, "webhook_input": {"free": 1}}""");
        Assert.Empty(warnings);
    }

    [Fact]
    public void A_nested_record_is_looked_into()
    {
        var (_, _, warnings) = BlockCatalogKit.Compile(BlockCatalogKit.Registry.Find("merge")!,
            """{"mode": "join", "join_key": {"left": "a", "rigth": "b", "right": "b"}}""");
        Assert.Equal("blocks.0.specs.join_key.rigth", Loc(Assert.Single(warnings)));
    }

    [Fact]
    public void Keys_a_block_declares_as_ignored_do_not_warn()
    {
        var (_, _, warnings) = BlockCatalogKit.Compile(new QuietBlockType(), """{"size": 3, "tier": "high", "benchmark": true}""");
        Assert.Equal("unknown spec 'benchmark' of block 'b'", Assert.Single(warnings).Msg);
    }

    [Fact]
    public void A_block_can_add_its_own_warnings_and_the_specs_still_compile()
    {
        var (block, errors, warnings) = BlockCatalogKit.Compile(new QuietBlockType(), """{"size": 0}""");
        Assert.NotNull(block);
        Assert.Empty(errors);
        Assert.Equal(("blocks.0.specs.size", "size 0 keeps nothing"), (Loc(Assert.Single(warnings)), warnings[0].Msg));
    }

    public sealed record QuietSpecs(int Size = 1);

    private sealed class QuietBlockType : BlockType<QuietSpecs>
    {
        public override string Name => "quiet";

        public override string Description => "A test block.";

        public override IReadOnlyList<string> IgnoredSpecs => ["tier"];

        protected override CompiledBlock? Compile(QuietSpecs specs, BlockCompileContext context)
        {
            if (specs.Size == 0)
            {
                context.AddWarning("size", "size 0 keeps nothing");
            }

            return new QuietBlock();
        }
    }

    private sealed class QuietBlock : CompiledBlock;
}
