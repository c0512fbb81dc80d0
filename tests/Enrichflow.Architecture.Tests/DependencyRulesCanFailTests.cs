namespace Enrichflow.Architecture.Tests;

/// <summary>
/// Each rule can fail: a synthetic repository whose src projects follow the real graph passes, and the same repository
/// with one forbidden reference added (in a csproj, or in an assembly's references) is reported, naming the rule.
/// </summary>
public sealed class DependencyRulesCanFailTests : IDisposable
{
    /// <summary>The real graph in miniature: each project's csproj body, without the Project element.</summary>
    private static readonly Dictionary<string, string> Clean = new(StringComparer.Ordinal)
    {
        ["Enrichflow.Core"] = """<ItemGroup><PackageReference Include="NCalcSync" /></ItemGroup>""",
        ["Enrichflow.Providers"] = Refs("Enrichflow.Core"),
        ["Enrichflow.Blocks"] = Refs("Enrichflow.Core", "Enrichflow.Providers"),
        ["Enrichflow.Engine"] = Refs("Enrichflow.Core"),
        ["Enrichflow.Storage.Sqlite"] = Refs("Enrichflow.Core"),
        ["Enrichflow.Storage.LocalDisk"] = Refs("Enrichflow.Core"),
        ["Enrichflow.Hosting"] = Refs("Enrichflow.Core", "Enrichflow.Providers", "Enrichflow.Blocks", "Enrichflow.Engine", "Enrichflow.Storage.Sqlite", "Enrichflow.Storage.LocalDisk"),
        ["Enrichflow.Server"] = Refs("Enrichflow.Hosting") + """<ItemGroup><PackageReference Include="Microsoft.AspNetCore.OpenApi" /></ItemGroup>""",
        ["Enrichflow.Client"] = "",
        ["Enrichflow.Cli"] = Refs("Enrichflow.Hosting", "Enrichflow.Server", "Enrichflow.Client") + """<ItemGroup><FrameworkReference Include="Microsoft.AspNetCore.App" /></ItemGroup>""",
    };

    private readonly string _root = Path.Combine(Path.GetTempPath(), "enrichflow-arch-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    public static TheoryData<string, string, string?, string> CsprojViolations => new()
    {
        // project, what is added to its csproj, the SDK it uses instead (null: the plain one), the rule that must fire
        { "Enrichflow.Core", Refs("Enrichflow.Engine"), null, nameof(DependencyRules.CoreReferencesNothingOfOurs) },
        { "Enrichflow.Core", """<ItemGroup><PackageReference Include="Enrichflow.Client" /></ItemGroup>""", null, nameof(DependencyRules.CoreReferencesNothingOfOurs) },
        { "Enrichflow.Engine", Refs("Enrichflow.Storage.Sqlite"), null, nameof(DependencyRules.PurePartsReferenceNoStorage) },
        { "Enrichflow.Blocks", Refs("Enrichflow.Storage.LocalDisk"), null, nameof(DependencyRules.PurePartsReferenceNoStorage) },
        { "Enrichflow.Providers", Refs("Enrichflow.Storage.Postgres"), null, nameof(DependencyRules.PurePartsReferenceNoStorage) },
        { "Enrichflow.Blocks", """<ItemGroup><FrameworkReference Include="Microsoft.AspNetCore.App" /></ItemGroup>""", null, nameof(DependencyRules.PurePartsReferenceNoAspNetCore) },
        { "Enrichflow.Engine", """<ItemGroup><PackageReference Include="Microsoft.AspNetCore.Http.Abstractions" /></ItemGroup>""", null, nameof(DependencyRules.PurePartsReferenceNoAspNetCore) },
        { "Enrichflow.Providers", "", "Microsoft.NET.Sdk.Web", nameof(DependencyRules.PurePartsReferenceNoAspNetCore) },
        { "Enrichflow.Engine", """<Sdk Name="Microsoft.NET.Sdk.Razor" />""", null, nameof(DependencyRules.PurePartsReferenceNoAspNetCore) },
        { "Enrichflow.Server", Refs("Enrichflow.Storage.Sqlite"), "Microsoft.NET.Sdk.Web", nameof(DependencyRules.ServerReferencesNoStorage) },
        { "Enrichflow.Engine", """<ItemGroup><PackageReference Include="OpenTelemetry.Api" /></ItemGroup>""", null, nameof(DependencyRules.InstrumentedPartsReferenceNoOpenTelemetry) },
        { "Enrichflow.Hosting", Refs("Enrichflow.Cli"), null, nameof(DependencyRules.NothingReferencesCli) },
        { "Enrichflow.Server", Refs("Enrichflow.Cli"), "Microsoft.NET.Sdk.Web", nameof(DependencyRules.NothingReferencesCli) },
        { "Enrichflow.Client", Refs("Enrichflow.Core"), null, nameof(DependencyRules.ClientReferencesNothingOfOurs) },
        { "Enrichflow.Client", """<ItemGroup><FrameworkReference Include="Microsoft.AspNetCore.App" /></ItemGroup>""", null, nameof(DependencyRules.ClientReferencesNothingOfOurs) },
    };

    [Fact]
    public void The_clean_synthetic_repository_passes()
    {
        WriteRepository();
        Assert.Empty(DependencyRules.Check(ProjectFiles.ReadSrc(_root).Select(p => p.Facts)));
    }

    [Theory]
    [MemberData(nameof(CsprojViolations))]
    public void A_forbidden_csproj_reference_is_reported(string project, string added, string? sdk, string rule)
    {
        WriteRepository(project, added, sdk);
        var violation = Assert.Single(DependencyRules.Check(ProjectFiles.ReadSrc(_root).Select(p => p.Facts)));
        Assert.Same(RuleNamed(rule), violation.Rule);
        Assert.Equal(project, violation.Project.Project);
        Assert.Equal($"src/{project}/{project}.csproj", violation.Project.Origin);
        Assert.Contains(violation.Rule.Description, violation.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_test_project_may_reference_cli_and_storage()
    {
        WriteRepository();
        Write(Path.Combine(_root, "tests", "Enrichflow.Server.Tests", "Enrichflow.Server.Tests.csproj"), Refs("Enrichflow.Cli", "Enrichflow.Storage.Sqlite"), null);
        Assert.Empty(DependencyRules.Check(ProjectFiles.ReadSrc(_root).Select(p => p.Facts)));
    }

    public static TheoryData<string, string, string> AssemblyViolations => new()
    {
        // project, an assembly its compiled code references, the rule that must fire
        { "Enrichflow.Core", "Enrichflow.Blocks", nameof(DependencyRules.CoreReferencesNothingOfOurs) },
        { "Enrichflow.Engine", "Enrichflow.Storage.Sqlite", nameof(DependencyRules.PurePartsReferenceNoStorage) },
        { "Enrichflow.Providers", "Enrichflow.Storage.LocalDisk", nameof(DependencyRules.PurePartsReferenceNoStorage) },
        { "Enrichflow.Blocks", "Microsoft.AspNetCore.Http.Abstractions", nameof(DependencyRules.PurePartsReferenceNoAspNetCore) },
        { "Enrichflow.Engine", "Microsoft.AspNetCore.Routing", nameof(DependencyRules.PurePartsReferenceNoAspNetCore) },
        { "Enrichflow.Server", "Enrichflow.Storage.Sqlite", nameof(DependencyRules.ServerReferencesNoStorage) },
        { "Enrichflow.Hosting", "enrichflow", nameof(DependencyRules.NothingReferencesCli) },
        { "Enrichflow.Client", "Enrichflow.Core", nameof(DependencyRules.ClientReferencesNothingOfOurs) },
        { "Enrichflow.Client", "Microsoft.AspNetCore.Http.Abstractions", nameof(DependencyRules.ClientReferencesNothingOfOurs) },
    };

    [Theory]
    [MemberData(nameof(AssemblyViolations))]
    public void A_forbidden_assembly_reference_is_reported(string project, string assembly, string rule)
    {
        // Cli's assembly is named enrichflow: the map from assembly to project names it, as the real reader does.
        var projectByAssembly = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["enrichflow"] = DependencyRules.Cli };
        var clean = AssemblyFacts(projectByAssembly);
        var facts = clean.Select(f => f.Project == project
            ? ProjectFiles.AssemblyFacts(project, f.Origin, [.. f.References.Select(r => r.Name), assembly], projectByAssembly)
            : f);
        Assert.Empty(DependencyRules.Check(clean));
        var violation = Assert.Single(DependencyRules.Check(facts));
        Assert.Same(RuleNamed(rule), violation.Rule);
        Assert.Equal(project, violation.Project.Project);
        Assert.Equal(ReferenceKind.Assembly, violation.Reference.Kind);
    }

    /// <summary>The clean graph as assemblies: each references the System runtime and the projects of its csproj.</summary>
    private static List<ProjectFacts> AssemblyFacts(Dictionary<string, string> projectByAssembly) =>
        [.. Clean.Select(p => ProjectFiles.AssemblyFacts(p.Key, $"assembly {p.Key}.dll",
            ["System.Runtime", .. Clean.Keys.Where(other => other != p.Key && p.Value.Contains($"\\{other}\\", StringComparison.Ordinal))], projectByAssembly))];

    private static DependencyRule RuleNamed(string name) =>
        (DependencyRule)typeof(DependencyRules).GetField(name)!.GetValue(null)!;

    private void WriteRepository(string? project = null, string added = "", string? sdk = null)
    {
        foreach (var (name, body) in Clean)
        {
            var isServer = name == DependencyRules.Server;
            Write(Path.Combine(_root, "src", name, name + ".csproj"), name == project ? body + added : body, name == project ? sdk : isServer ? "Microsoft.NET.Sdk.Web" : null);
        }
    }

    private static void Write(string path, string body, string? sdk)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, $"""<Project Sdk="{sdk ?? "Microsoft.NET.Sdk"}">{body}</Project>""");
    }

    private static string Refs(params string[] projects) =>
        "<ItemGroup>" + string.Concat(projects.Select(p => $"""<ProjectReference Include="..\{p}\{p}.csproj" />""")) + "</ItemGroup>";
}
