using System.Text.Json.Nodes;
using Enrichflow.Core.Blocks;
using Microsoft.Extensions.DependencyInjection;

namespace Enrichflow.Blocks.Tests;

/// <summary>
/// The mechanism docs/adding-a-block.md relies on: a public, non-abstract <see cref="BlockType"/> in the Blocks assembly is
/// in the catalogue with no registration anywhere, and its specs have the JSON Schema that <c>GET /workflows/blocks</c> sends.
/// </summary>
public sealed class BlockCatalogTests
{
    private static readonly Type[] BlockTypesOfTheAssembly =
    [
        .. typeof(BlockCatalog).Assembly.GetTypes()
            .Where(t => t.IsPublic && t is { IsClass: true, IsAbstract: false } && typeof(BlockType).IsAssignableFrom(t)),
    ];

    [Fact]
    public void The_catalogue_lists_every_public_block_type_of_the_blocks_assembly()
    {
        Assert.NotEmpty(BlockTypesOfTheAssembly);
        Assert.Equal(BlockTypesOfTheAssembly.Select(t => t.FullName).Order(StringComparer.Ordinal), BlockCatalog.Types.Select(t => t.FullName));
    }

    [Fact]
    public void Add_blocks_makes_one_block_type_of_each_with_a_distinct_name()
    {
        using var services = new ServiceCollection().AddBlocks().BuildServiceProvider();
        var types = services.GetServices<BlockType>().ToList();
        Assert.Equal(BlockCatalog.Types, types.Select(t => t.GetType()));
        Assert.Equal(types.Count, types.Select(t => t.Name).Distinct(StringComparer.OrdinalIgnoreCase).Count());

        // The registry the engine builds takes every name and alias once (it throws on a repeat).
        var registry = new BlockRegistry(types);
        Assert.All(types, t => Assert.Same(t, registry.Find(t.Name)));
        Assert.All(types.SelectMany(t => t.Aliases.Select(a => (t, a))), x => Assert.Same(x.t, registry.Find(x.a)));
    }

    [Fact]
    public void A_block_listed_under_sixtyfours_name_is_found_by_it_and_keeps_every_other_name()
    {
        using var services = new ServiceCollection().AddBlocks().BuildServiceProvider();
        var types = services.GetServices<BlockType>().ToList();
        var registry = new BlockRegistry(types);

        Assert.Equal(["company_enrichment", "lead_enrichment", "transform_data", "verify_email"],
            types.Where(t => t.SixtyfourName is not null).Select(t => t.ListedName).Order(StringComparer.Ordinal));
        Assert.All(types, t =>
        {
            Assert.Same(t, registry.Find(t.ListedName));
            Assert.Equal(t.Aliases.Count, t.OtherNames.Count);
            Assert.DoesNotContain(t.ListedName, t.OtherNames);
            Assert.All(t.OtherNames, n => Assert.Same(t, registry.Find(n)));
        });
    }

    [Fact]
    public void Every_block_type_has_a_json_schema_for_its_specs()
    {
        using var services = new ServiceCollection().AddBlocks().BuildServiceProvider();
        Assert.All(services.GetServices<BlockType>(), type =>
        {
            Assert.False(string.IsNullOrWhiteSpace(type.Description), $"{type.Name} has no description");
            var schema = Assert.IsType<JsonObject>(type.SpecsSchema());
            Assert.Contains("object", schema["type"]!.ToJsonString(), StringComparison.Ordinal);
            Assert.IsType<JsonObject>(schema["properties"]);
        });
    }
}
