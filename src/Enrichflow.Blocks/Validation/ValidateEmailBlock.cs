using System.Collections.Concurrent;
using Enrichflow.Core.Blocks;
using Enrichflow.Core.Rows;

namespace Enrichflow.Blocks.Validation;

/// <summary>A compiled <c>validate_email</c>: see <see cref="ValidateEmailBlockType"/>.</summary>
internal sealed class ValidateEmailBlock : RowBlock
{
    /// <summary>How many distinct domains of one chunk are looked up at once.</summary>
    internal const int MaxConcurrentLookups = 32;

    private static readonly Lazy<MxResolver> FallbackResolver = new(() => new MxResolver(new EmailValidationOptions()));

    private readonly ValidateEmailSpecs _specs;
    private readonly string _status, _reason, _normalized, _domain, _mxFound, _isDisposable, _isRole, _isFree;

    public ValidateEmailBlock(ValidateEmailSpecs specs)
    {
        _specs = specs;
        var prefix = specs.OutputPrefix;
        _status = prefix + "status";
        _reason = prefix + "reason";
        _normalized = prefix + "normalized";
        _domain = prefix + "domain";
        _mxFound = prefix + "mx_found";
        _isDisposable = prefix + "is_disposable";
        _isRole = prefix + "is_role";
        _isFree = prefix + "is_free";
        AddsColumns = [_status, _reason, _normalized, _domain, _mxFound, _isDisposable, _isRole, _isFree];
    }

    public override IReadOnlyList<string> ReadsColumns => [_specs.EmailField];

    /// <summary>Syntax and the domain lists only: the same answer each time. An MX lookup asks DNS, which may answer differently.</summary>
    public override bool Recomputable => !_specs.CheckMx;

    public override IReadOnlyList<string> AddsColumns { get; }

    public override async ValueTask ProcessAsync(RowChunk input, ChunkOutput output, BlockRunContext context, CancellationToken cancellationToken)
    {
        var parsed = new ParsedEmail?[input.Count];
        for (var i = 0; i < input.Count; i++)
        {
            parsed[i] = EmailSyntax.TryParse(input.Rows[i].GetText(_specs.EmailField), out var email) ? email : null;
        }

        var mx = _specs.CheckMx
            ? await LookupDomainsAsync(parsed, Resolver(context), cancellationToken).ConfigureAwait(false)
            : null;

        for (var i = 0; i < input.Count; i++)
        {
            var row = input.Rows[i];
            Write(row, parsed[i], mx);
            output.Emit(row);
        }
    }

    private static MxResolver Resolver(BlockRunContext context) =>
        context.Services.GetService(typeof(MxResolver)) as MxResolver ?? FallbackResolver.Value;

    private static async Task<ConcurrentDictionary<string, MxStatus>> LookupDomainsAsync(
        ParsedEmail?[] parsed, MxResolver resolver, CancellationToken cancellationToken)
    {
        var domains = parsed.Where(p => p is not null).Select(p => p!.Value.Domain).Distinct(StringComparer.Ordinal);
        var results = new ConcurrentDictionary<string, MxStatus>(StringComparer.Ordinal);
        var options = new ParallelOptions { MaxDegreeOfParallelism = MaxConcurrentLookups, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(domains, options, async (domain, token) =>
            results[domain] = await resolver.LookupAsync(domain, token).ConfigureAwait(false)).ConfigureAwait(false);
        return results;
    }

    private void Write(Row row, ParsedEmail? parsed, ConcurrentDictionary<string, MxStatus>? mx)
    {
        if (parsed is not { } email)
        {
            row[_status] = EmailVerdict.BadSyntax.Status;
            row[_reason] = EmailVerdict.BadSyntax.Reason;
            row[_normalized] = null;
            row[_domain] = null;
            row[_mxFound] = null;
            row[_isDisposable] = null;
            row[_isRole] = null;
            row[_isFree] = null;
            return;
        }

        MxStatus? status = mx is null ? null : mx[email.Domain];
        var isDisposable = DomainLists.IsDisposable(email.Domain);
        var isRole = DomainLists.IsRole(email.LocalPart);
        var verdict = EmailVerdict.For(status, isDisposable, isRole);
        row[_status] = verdict.Status;
        row[_reason] = verdict.Reason;
        row[_normalized] = email.Normalized;
        row[_domain] = email.Domain;
        row[_mxFound] = status switch
        {
            null or MxStatus.Unknown => null,
            MxStatus.Found => true,
            _ => false,
        };
        row[_isDisposable] = isDisposable;
        row[_isRole] = isRole;
        row[_isFree] = DomainLists.IsFree(email.Domain);
    }
}
