namespace Enrichflow.Client.Tests.Infrastructure;

/// <summary>The repository's files (README, samples) from the test's build output.</summary>
public static class Repository
{
    public static string Root()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !System.IO.File.Exists(Path.Combine(directory.FullName, "Enrichflow.slnx")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Enrichflow.slnx not found above " + AppContext.BaseDirectory);
    }

    public static string File(params string[] parts) => Path.Combine([Root(), .. parts]);
}
