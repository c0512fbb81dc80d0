using System.Security.Cryptography;
using System.Text;
using Enrichflow.Core.Blocks;
using Enrichflow.Core.Storage;

namespace Enrichflow.Blocks.Notebooks;

/// <summary>What the notebook blocks share: finding the stores, the notebook, and the ids of new notebooks.</summary>
internal static class Notebooks
{
    public const string CreateNew = "__create_new__";

    public static INotebookStore Store(BlockRunContext context) => BlockServices.Require<INotebookStore>(context, "a notebook store");

    public static IKeyIndexStore Keys(BlockRunContext context) => BlockServices.KeyIndex(context);

    public static IBlobStore Blobs(BlockRunContext context) => BlockServices.Require<IBlobStore>(context, "a blob store");

    /// <summary>The notebook a <c>__create_new__</c> block creates: one per workflow block, the same for every run of it.</summary>
    public static string NewId(string workflowId, string blockId)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"notebook\n{workflowId}\n{blockId}"));
        return new Guid(hash.AsSpan(0, 16)).ToString();
    }

    /// <summary>The notebook for this organization, or a failure naming the block and the id (a foreign id is "not found").</summary>
    public static async Task<NotebookRecord> RequireAsync(BlockRunContext context, string notebookId, CancellationToken cancellationToken) =>
        await Store(context).GetNotebookAsync(context.OrgId, notebookId, cancellationToken)
        ?? throw new InvalidOperationException($"Block '{context.BlockId}': notebook '{notebookId}' not found.");

    /// <summary>A row's owner in a notebook's key index: unique per run and row, positive.</summary>
    public static long Owner(Guid runId, long rowIndex)
    {
        Span<byte> bytes = stackalloc byte[24];
        runId.TryWriteBytes(bytes);
        BitConverter.TryWriteBytes(bytes[16..], rowIndex);
        return (long)(BitConverter.ToUInt64(SHA256.HashData(bytes)) >> 1);
    }
}
