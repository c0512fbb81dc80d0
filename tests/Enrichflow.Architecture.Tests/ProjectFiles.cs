using System.Reflection;
using System.Runtime.CompilerServices;
using System.Xml.Linq;

namespace Enrichflow.Architecture.Tests;

/// <summary>A src project's csproj as read from disk: its name, its assembly's name, and what it references.</summary>
public sealed record ProjectFile(string Name, string AssemblyName, string RelativePath, IReadOnlyList<Reference> References)
{
    public ProjectFacts Facts => new(Name, RelativePath, References);
}

/// <summary>Reads the csproj files of a repository's <c>src/</c> folder, and the assemblies they build.</summary>
public static class ProjectFiles
{
    /// <summary>The repository root: the first folder above this test's output that holds <c>Enrichflow.slnx</c>, else the one this file sits in.</summary>
    public static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Enrichflow.slnx")))
            {
                return directory.FullName;
            }
        }

        // The output tree may be elsewhere (ArtifactsPath is overridable): fall back to where the sources were compiled.
        return Path.GetFullPath(Path.Combine(Path.GetDirectoryName(ThisFile())!, "..", ".."));
    }

    /// <summary>Every csproj under <c>src/</c> of <paramref name="root"/>, by project name. Projects under tests/ and bench/ are not read.</summary>
    public static IReadOnlyList<ProjectFile> ReadSrc(string root)
    {
        var src = Path.Combine(root, "src");
        return [.. Directory.EnumerateFiles(src, "*.csproj", SearchOption.AllDirectories)
            .Where(path => !path.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
            .Order(StringComparer.Ordinal)
            .Select(path => Read(path, Path.GetRelativePath(root, path)))];
    }

    /// <summary>One csproj: its SDK, ProjectReferences (by the referenced project's name), PackageReferences and FrameworkReferences.</summary>
    public static ProjectFile Read(string path, string relativePath)
    {
        var document = XDocument.Load(path);
        var project = document.Root ?? throw new InvalidOperationException($"{relativePath} has no root element.");
        var name = Path.GetFileNameWithoutExtension(path);
        var references = new List<Reference>();

        // <Project Sdk="A;B">, <Sdk Name="A" />, <Import Project="..." Sdk="A" />
        foreach (var sdk in Attribute(project, "Sdk")?.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [])
        {
            references.Add(new Reference(ReferenceKind.Sdk, SdkName(sdk)));
        }

        foreach (var element in project.Descendants())
        {
            var include = Attribute(element, "Include") ?? Attribute(element, "Update");
            switch (element.Name.LocalName)
            {
                case "Sdk" when Attribute(element, "Name") is { } sdk:
                    references.Add(new Reference(ReferenceKind.Sdk, SdkName(sdk)));
                    break;
                case "Import" when Attribute(element, "Sdk") is { } sdk:
                    references.Add(new Reference(ReferenceKind.Sdk, SdkName(sdk)));
                    break;
                case "ProjectReference" when include is not null:
                    references.Add(new Reference(ReferenceKind.Project, Path.GetFileNameWithoutExtension(include.Replace('\\', '/'))));
                    break;
                case "PackageReference" when include is not null:
                    references.Add(new Reference(ReferenceKind.Package, include));
                    break;
                case "FrameworkReference" when include is not null:
                    references.Add(new Reference(ReferenceKind.Framework, include));
                    break;
            }
        }

        var assemblyName = project.Descendants().FirstOrDefault(e => e.Name.LocalName == "AssemblyName")?.Value.Trim() is { Length: > 0 } given ? given : name;
        return new ProjectFile(name, assemblyName, relativePath.Replace('\\', '/'), references);
    }

    /// <summary>
    /// The compiled assembly of each project, loaded by name (this test references every src project), as facts whose
    /// references are the assemblies it references, named by project where they are ours (<c>enrichflow</c> is Cli's).
    /// </summary>
    public static IReadOnlyList<ProjectFacts> ReadAssemblies(IReadOnlyList<ProjectFile> projects)
    {
        var projectByAssembly = projects.ToDictionary(p => p.AssemblyName, p => p.Name, StringComparer.OrdinalIgnoreCase);
        return [.. projects.Select(project =>
        {
            var assembly = Assembly.Load(new AssemblyName(project.AssemblyName));
            return AssemblyFacts(project.Name, $"assembly {Path.GetFileName(assembly.Location)}", assembly.GetReferencedAssemblies().Select(a => a.Name!), projectByAssembly);
        })];
    }

    /// <summary>The facts of one compiled assembly: the assemblies it references, by project name where one of ours builds them.</summary>
    public static ProjectFacts AssemblyFacts(string project, string origin, IEnumerable<string> referencedAssemblies, IReadOnlyDictionary<string, string> projectByAssembly) =>
        new(project, origin, [.. referencedAssemblies.Select(a => new Reference(ReferenceKind.Assembly, projectByAssembly.GetValueOrDefault(a, a)))]);

    /// <summary>An SDK name without its version (<c>Microsoft.NET.Sdk.Web/10.0.100</c>).</summary>
    private static string SdkName(string sdk) => sdk.Split('/')[0].Trim();

    private static string? Attribute(XElement element, string name) => element.Attribute(name)?.Value;

    private static string ThisFile([CallerFilePath] string path = "") => path;
}
