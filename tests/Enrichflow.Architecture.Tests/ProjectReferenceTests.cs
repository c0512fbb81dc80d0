namespace Enrichflow.Architecture.Tests;

/// <summary>
/// The repository keeps the allowed-dependency rules (docs/architecture.md §2): checked in the src csproj files and in the
/// assemblies they compile to, since a csproj can be clean while a transitive reference lets code use what it must not.
/// </summary>
public sealed class ProjectReferenceTests
{
    private static readonly IReadOnlyList<ProjectFile> Projects = ProjectFiles.ReadSrc(ProjectFiles.RepositoryRoot());

    [Fact]
    public void Every_part_is_read_from_src()
    {
        var names = Projects.Select(p => p.Name).ToList();
        string[] parts =
        [
            "Enrichflow.Core", "Enrichflow.Providers", "Enrichflow.Blocks", "Enrichflow.Engine", "Enrichflow.Storage.Sqlite",
            "Enrichflow.Storage.LocalDisk", "Enrichflow.Storage.S3", "Enrichflow.Hosting", "Enrichflow.Server", "Enrichflow.Cli",
            "Enrichflow.Client",
        ];
        Assert.All(parts, part => Assert.Contains(part, names));
        Assert.DoesNotContain(names, n => n.EndsWith("Tests", StringComparison.Ordinal));
    }

    [Fact]
    public void No_src_csproj_references_what_it_must_not()
    {
        var violations = DependencyRules.Check(Projects.Select(p => p.Facts));
        Assert.True(violations.Count == 0, string.Join(Environment.NewLine, violations));
    }

    [Fact]
    public void No_src_assembly_references_what_it_must_not()
    {
        var violations = DependencyRules.Check(ProjectFiles.ReadAssemblies(Projects));
        Assert.True(violations.Count == 0, string.Join(Environment.NewLine, violations));
    }

    [Fact]
    public void The_csproj_reader_sees_the_references_that_are_there()
    {
        var hosting = Projects.Single(p => p.Name == "Enrichflow.Hosting").References;
        Assert.Contains(new Reference(ReferenceKind.Project, "Enrichflow.Storage.Sqlite"), hosting);
        Assert.Contains(new Reference(ReferenceKind.Sdk, "Microsoft.NET.Sdk"), hosting);
        var server = Projects.Single(p => p.Name == "Enrichflow.Server").References;
        Assert.Contains(new Reference(ReferenceKind.Sdk, "Microsoft.NET.Sdk.Web"), server);
        Assert.Contains(new Reference(ReferenceKind.Framework, "Microsoft.AspNetCore.App"), Projects.Single(p => p.Name == "Enrichflow.Cli").References);
        Assert.Equal("enrichflow", Projects.Single(p => p.Name == "Enrichflow.Cli").AssemblyName);
    }

    [Fact]
    public void The_assembly_reader_sees_the_references_that_are_there()
    {
        var assemblies = ProjectFiles.ReadAssemblies(Projects).ToDictionary(a => a.Project, StringComparer.Ordinal);
        Assert.Contains(new Reference(ReferenceKind.Assembly, "Enrichflow.Storage.Sqlite"), assemblies["Enrichflow.Hosting"].References);
        Assert.Contains(new Reference(ReferenceKind.Assembly, "Enrichflow.Hosting"), assemblies["Enrichflow.Server"].References);
        Assert.Contains(assemblies["Enrichflow.Server"].References, r => r.Name.StartsWith("Microsoft.AspNetCore.", StringComparison.Ordinal));
        Assert.Contains(new Reference(ReferenceKind.Assembly, "Enrichflow.Server"), assemblies["Enrichflow.Cli"].References);
    }
}
