namespace Enrichflow.Architecture.Tests;

/// <summary>How a project names something it depends on.</summary>
public enum ReferenceKind
{
    /// <summary>A <c>ProjectReference</c> in the csproj (named by the referenced project).</summary>
    Project,

    /// <summary>A <c>PackageReference</c> in the csproj.</summary>
    Package,

    /// <summary>A <c>FrameworkReference</c> in the csproj (<c>Microsoft.AspNetCore.App</c>).</summary>
    Framework,

    /// <summary>The project's SDK (<c>Sdk</c> attribute, <c>&lt;Sdk Name&gt;</c> or <c>&lt;Import Sdk&gt;</c>).</summary>
    Sdk,

    /// <summary>An assembly the compiled assembly references (<see cref="System.Reflection.Assembly.GetReferencedAssemblies"/>).</summary>
    Assembly,
}

/// <summary>One thing a project depends on; <see cref="Name"/> is a project name when the reference is to one of ours.</summary>
public sealed record Reference(ReferenceKind Kind, string Name);

/// <summary>A src project as the rules see it: its name, where the facts come from (a csproj path or an assembly), and its references.</summary>
public sealed record ProjectFacts(string Project, string Origin, IReadOnlyList<Reference> References);

/// <summary>A reference a rule forbids.</summary>
public sealed record Violation(DependencyRule Rule, ProjectFacts Project, Reference Reference)
{
    public override string ToString() =>
        $"{Project.Project} references {Reference.Name} ({Reference.Kind} in {Project.Origin}); the rule: {Rule.Description}.";
}

/// <summary>One allowed-dependency rule: the projects it applies to and the references it forbids them.</summary>
public sealed record DependencyRule(string Description, Func<string, bool> AppliesTo, Func<Reference, bool> Forbids);

/// <summary>
/// The allowed-dependency rules of docs/architecture.md §2, checked over the src projects (never over tests/ or bench/:
/// a test project may reference what it tests, Cli included).
/// </summary>
public static class DependencyRules
{
    public const string Core = "Enrichflow.Core";
    public const string Engine = "Enrichflow.Engine";
    public const string Blocks = "Enrichflow.Blocks";
    public const string Providers = "Enrichflow.Providers";
    public const string Server = "Enrichflow.Server";
    public const string Cli = "Enrichflow.Cli";
    public const string Client = "Enrichflow.Client";

    /// <summary>The SDKs that bring ASP.NET Core with them.</summary>
    private static readonly string[] WebSdks = ["Microsoft.NET.Sdk.Web", "Microsoft.NET.Sdk.Razor", "Microsoft.NET.Sdk.BlazorWebAssembly"];

    private static readonly string[] PureParts = [Engine, Blocks, Providers];

    public static readonly DependencyRule CoreReferencesNothingOfOurs = new(
        "Enrichflow.Core references no other Enrichflow project",
        project => project == Core,
        reference => IsOurs(reference.Name));

    public static readonly DependencyRule PurePartsReferenceNoStorage = new(
        "Enrichflow.Engine, Enrichflow.Blocks and Enrichflow.Providers reference no storage implementation (Enrichflow.Storage.*)",
        project => PureParts.Contains(project),
        reference => IsStorage(reference.Name));

    public static readonly DependencyRule PurePartsReferenceNoAspNetCore = new(
        "Enrichflow.Engine, Enrichflow.Blocks and Enrichflow.Providers reference no ASP.NET Core (no Microsoft.AspNetCore.* assembly, package or framework, no Web SDK)",
        project => PureParts.Contains(project),
        IsAspNetCore);

    public static readonly DependencyRule ServerReferencesNoStorage = new(
        "Enrichflow.Server references no storage implementation (Enrichflow.Storage.*); only Enrichflow.Hosting does",
        project => project == Server,
        reference => IsStorage(reference.Name));

    public static readonly DependencyRule InstrumentedPartsReferenceNoOpenTelemetry = new(
        "Enrichflow.Core, Enrichflow.Engine, Enrichflow.Blocks and Enrichflow.Providers reference no OpenTelemetry package (their meter and activity source are System.Diagnostics; the SDK is the host's)",
        project => project == Core || PureParts.Contains(project),
        reference => reference.Name.StartsWith("OpenTelemetry", StringComparison.OrdinalIgnoreCase));

    public static readonly DependencyRule NothingReferencesCli = new(
        "no src project references Enrichflow.Cli",
        project => project != Cli,
        reference => reference.Name.Equals(Cli, StringComparison.OrdinalIgnoreCase));

    /// <summary>What users reference to call a server: the base class library only, so it drags in no engine and no web stack.</summary>
    public static readonly DependencyRule ClientReferencesNothingOfOurs = new(
        "Enrichflow.Client references no other Enrichflow project and no ASP.NET Core",
        project => project == Client,
        reference => IsOurs(reference.Name) || reference.Name.Equals("enrichflow", StringComparison.OrdinalIgnoreCase) || IsAspNetCore(reference));

    public static IReadOnlyList<DependencyRule> All { get; } =
        [CoreReferencesNothingOfOurs, PurePartsReferenceNoStorage, PurePartsReferenceNoAspNetCore, ServerReferencesNoStorage, InstrumentedPartsReferenceNoOpenTelemetry, NothingReferencesCli, ClientReferencesNothingOfOurs];

    /// <summary>Every reference of <paramref name="projects"/> that a rule forbids.</summary>
    public static IReadOnlyList<Violation> Check(IEnumerable<ProjectFacts> projects) =>
        [.. from project in projects
            from rule in All
            where rule.AppliesTo(project.Project)
            from reference in project.References
            where rule.Forbids(reference)
            select new Violation(rule, project, reference)];

    private static bool IsOurs(string name) => name.StartsWith("Enrichflow.", StringComparison.OrdinalIgnoreCase);

    private static bool IsStorage(string name) => name.StartsWith("Enrichflow.Storage.", StringComparison.OrdinalIgnoreCase);

    private static bool IsAspNetCore(Reference reference) => reference.Kind == ReferenceKind.Sdk
        ? WebSdks.Contains(reference.Name, StringComparer.OrdinalIgnoreCase)
        : reference.Name.Equals("Microsoft.AspNetCore", StringComparison.OrdinalIgnoreCase)
            || reference.Name.StartsWith("Microsoft.AspNetCore.", StringComparison.OrdinalIgnoreCase);
}
