using Enrichflow.Core.Blocks;
using Enrichflow.Core.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Enrichflow.Blocks.Export;

internal sealed partial class ExportBlock
{
    /// <summary>
    /// Forgets which batches the run had delivered once the run can no longer continue (completed or cancelled; a
    /// failed run keeps them, since <c>resume</c> continues it and must not send them twice).
    /// </summary>
    public override async ValueTask OnRunEndedAsync(BlockRunEndContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Run.Status is RunStatus.Completed or RunStatus.Cancelled && context.Services.GetService<IExportLedger>() is { } ledger)
        {
            await ledger.DeleteExportBatchesAsync(context.Run.Id, cancellationToken);
        }
    }
}
