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
        var domains = new Dictionary<string, DomainFacts?>(StringComparer.Ordinal);
        var parsed = new Address?[input.Count];
        for (var i = 0; i < input.Count; i++)
        {
            parsed[i] = Parse(input.Rows[i].GetText(_specs.EmailField), domains);
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

    /// <summary>
    /// What <see cref="EmailSyntax.TryParse"/> gives, and the row's other facts, with each distinct domain of the
    /// chunk normalized and looked up in the lists once; null when the text is not an address.
    /// </summary>
    private static Address? Parse(string? text, Dictionary<string, DomainFacts?> domains)
    {
        if (!EmailSyntax.TrySplit(text, out var local, out var rawDomain) || !EmailSyntax.IsValidLocalPart(local))
        {
            return null;
        }

        var lookup = domains.GetAlternateLookup<ReadOnlySpan<char>>();
        if (!lookup.TryGetValue(rawDomain, out var facts))
        {
            facts = DomainFacts.Of(rawDomain);
            lookup[rawDomain] = facts;
        }

        if (facts is null || !EmailSyntax.FitsAddress(local, facts.Domain))
        {
            return null;
        }

        // local@domain as ParsedEmail.Normalized writes it; the text itself when it was already so.
        var normalized = text!.Length == local.Length + 1 + facts.Domain.Length && text.AsSpan(local.Length + 1).SequenceEqual(facts.Domain)
            ? text
            : string.Concat(local, "@", facts.Domain);
        return new Address(normalized, facts, DomainLists.IsRole(local));
    }

    private static MxResolver Resolver(BlockRunContext context) =>
        context.Services.GetService(typeof(MxResolver)) as MxResolver ?? FallbackResolver.Value;

    private static async Task<ConcurrentDictionary<string, MxStatus>> LookupDomainsAsync(
        Address?[] parsed, MxResolver resolver, CancellationToken cancellationToken)
    {
        var distinct = parsed.Where(p => p is not null).Select(p => p!.Value.Facts.Domain).Distinct(StringComparer.Ordinal);
        var results = new ConcurrentDictionary<string, MxStatus>(StringComparer.Ordinal);
        var options = new ParallelOptions { MaxDegreeOfParallelism = MaxConcurrentLookups, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(distinct, options, async (domain, token) =>
            results[domain] = await resolver.LookupAsync(domain, token).ConfigureAwait(false)).ConfigureAwait(false);
        return results;
    }

    private static readonly object True = true, False = false;

    private static object Box(bool value) => value ? True : False;

    private void Write(Row row, Address? parsed, ConcurrentDictionary<string, MxStatus>? mx)
    {
        row.EnsureCapacity(row.Count + AddsColumns.Count);
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

        var domain = email.Facts.Domain;
        MxStatus? status = mx is null ? null : mx[domain];
        var verdict = EmailVerdict.For(status, email.Facts.IsDisposable, email.IsRole);
        row[_status] = verdict.Status;
        row[_reason] = verdict.Reason;
        row[_normalized] = email.Normalized;
        row[_domain] = domain;
        row[_mxFound] = status switch
        {
            null or MxStatus.Unknown => null,
            MxStatus.Found => True,
            _ => False,
        };
        row[_isDisposable] = Box(email.Facts.IsDisposable);
        row[_isRole] = Box(email.IsRole);
        row[_isFree] = Box(email.Facts.IsFree);
    }

    /// <summary>A well-formed address of a row.</summary>
    private readonly record struct Address(string Normalized, DomainFacts Facts, bool IsRole);

    /// <summary>A domain as written, normalized (see <see cref="EmailSyntax.TryNormalizeDomain"/>), with what the lists say of it.</summary>
    private sealed record DomainFacts(string Domain, bool IsDisposable, bool IsFree)
    {
        /// <summary>Null when the domain is not a host name.</summary>
        public static DomainFacts? Of(ReadOnlySpan<char> written) =>
            EmailSyntax.TryNormalizeDomain(written, out var domain)
                ? new DomainFacts(domain, DomainLists.IsDisposable(domain), DomainLists.IsFree(domain))
                : null;
    }
}
