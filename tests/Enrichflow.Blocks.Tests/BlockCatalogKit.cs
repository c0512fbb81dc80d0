using System.Text.Json;
using Enrichflow.Core.Blocks;
using Enrichflow.Core.Definitions;
using Microsoft.Extensions.DependencyInjection;

namespace Enrichflow.Blocks.Tests;

/// <summary>The block registry a host builds from <see cref="BlockCatalog"/>, and workflow definitions checked against it.</summary>
internal static class BlockCatalogKit
{
    private static readonly Lazy<BlockRegistry> Catalogue = new(() =>
        new BlockRegistry(new ServiceCollection().AddBlocks().BuildServiceProvider().GetServices<BlockType>()));

    /// <summary>Every block type of the catalogue, by name and alias, as a workflow definition finds them.</summary>
    public static BlockRegistry Registry => Catalogue.Value;

    /// <summary>The errors of a workflow definition (which must parse) validated against the catalogue.</summary>
    public static List<DefinitionError> Validate(string definitionJson)
    {
        using var document = JsonDocument.Parse(definitionJson);
        var errors = new List<DefinitionError>();
        var definition = DefinitionParser.Parse(document.RootElement, ["body", "workflow_definition"], errors);
        Assert.Empty(errors);
        new DefinitionValidator(Registry).Validate(definition!, errors);
        return errors;
    }
}
