namespace Enrichflow.Core.Storage;

/// <summary>Names of <see cref="IKeyIndexStore"/> scopes.</summary>
public static class KeyScopes
{
    /// <summary>The prefix of every scope of a run.</summary>
    public static string Run(Guid runId) => $"run:{runId:N}:";

    /// <summary>The keys of a notebook's rows.</summary>
    public static string Notebook(string notebookId) => $"notebook:{notebookId}";

    /// <summary>The keys one block of a run records.</summary>
    public static string Block(Guid runId, string blockId) => $"run:{runId:N}:{blockId}";
}
