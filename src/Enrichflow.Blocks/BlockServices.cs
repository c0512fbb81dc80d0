using Enrichflow.Core.Diagnostics;
using Enrichflow.Core.Blocks;
using Enrichflow.Core.Storage;

namespace Enrichflow.Blocks;

/// <summary>The services blocks find at run time in <see cref="BlockRunContext.Services"/>, with a failure naming the block when one is missing.</summary>
internal static class BlockServices
{
    public static T Require<T>(BlockRunContext context, string what) =>
        context.Services.GetService(typeof(T)) is T service
            ? service
            : ThrowHelper.MissingBlockService<T>(context.BlockId, what);

    public static IKeyIndexStore KeyIndex(BlockRunContext context) => Require<IKeyIndexStore>(context, "a key index store");
}
