using System.Text.Json;
using Enrichflow.Core.Blocks;
using Enrichflow.Core.Definitions;
using Enrichflow.Providers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Enrichflow.Blocks.Tests;

/// <summary>The block registry a host builds from <see cref="BlockCatalog"/>, and workflow definitions checked against it.</summary>
internal static class BlockCatalogKit
{
    private static readonly Lazy<BlockRegistry> Catalogue = new(() =>
        new BlockRegistry(new ServiceCollection().AddBlocks().BuildServiceProvider().GetServices<BlockType>()));

    private static readonly Lazy<BlockRegistry> CatalogueWithProviders = new(() =>
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Providers:s64:Kind"] = "sixtyfour",
            ["Providers:s64:ApiKey"] = "key",
            ["Providers:gpt:Kind"] = "openai_compatible",
            ["Providers:gpt:BaseUrl"] = "http://127.0.0.1:9/v1/",
            ["Providers:gpt:Model"] = "m",
            ["Providers:site:Kind"] = "website",
            ["Slack:Webhooks:sales"] = "https://hooks.slack.com/services/T000/B000/XXXX",
        }).Build();
        var services = new ServiceCollection()
            .AddEnrichflowProviders(configuration.GetSection(ProvidersOptions.Section), Path.GetTempPath())
            .AddBlocks(configuration)
            .BuildServiceProvider();
        return new BlockRegistry(services.GetServices<BlockType>());
    });

    /// <summary>Every block type of the catalogue, by name and alias, as a workflow definition finds them.</summary>
    public static BlockRegistry Registry => Catalogue.Value;

    /// <summary>
    /// The catalogue of a server with a provider of each remote kind (sixtyfour first, so the default of enrichment
    /// blocks; openai_compatible; website) and a Slack webhook named sales: the blocks that call providers compile against it. No call is made.
    /// </summary>
    public static BlockRegistry RegistryWithProviders => CatalogueWithProviders.Value;

    /// <summary>The errors of a workflow definition (which must parse) validated against the catalogue.</summary>
    public static List<DefinitionError> Validate(string definitionJson) => Check(definitionJson).Errors;

    /// <summary>The errors, warnings and plan (null when there are errors) of a workflow definition validated against the catalogue.</summary>
    public static (List<DefinitionError> Errors, List<DefinitionWarning> Warnings, WorkflowPlan? Plan) Check(string definitionJson)
    {
        using var document = JsonDocument.Parse(definitionJson);
        var errors = new List<DefinitionError>();
        var warnings = new List<DefinitionWarning>();
        var definition = DefinitionParser.Parse(document.RootElement, ["body", "workflow_definition"], errors);
        Assert.Empty(errors);
        var plan = new DefinitionValidator(Registry).Validate(definition!, errors, warnings);
        return (errors, warnings, plan);
    }

    /// <summary>The specs of one block compiled alone: its errors and warnings.</summary>
    public static (CompiledBlock? Block, List<DefinitionError> Errors, List<DefinitionWarning> Warnings) Compile(BlockType type, string specsJson)
    {
        using var document = JsonDocument.Parse(specsJson);
        var definition = new BlockDefinition(1, type.Name, type.Name, "b", document.RootElement.Clone());
        var errors = new List<DefinitionError>();
        var warnings = new List<DefinitionWarning>();
        var block = type.Compile(new BlockCompileContext(definition, ["blocks", 0, "specs"], errors, warnings));
        return (block, errors, warnings);
    }
}
