namespace Enrichflow.Blocks.Validation;

/// <summary>
/// The <c>email_status</c> and <c>email_reason</c> of one address. The first rule that applies decides:
/// <list type="number">
/// <item>missing, empty or malformed address: <c>invalid</c> / <c>bad_syntax</c>;</item>
/// <item>the domain publishes a null MX (RFC 7505): <c>invalid</c> / <c>null_mx</c>;</item>
/// <item>the domain does not exist or has neither MX nor A/AAAA records: <c>invalid</c> / <c>no_mx</c>;</item>
/// <item>a disposable domain: <c>risky</c> / <c>disposable</c> (it receives mail, but not for long);</item>
/// <item>DNS did not answer (timeout, SERVFAIL, refused): <c>unknown</c> / <c>dns_timeout</c>;</item>
/// <item>a role local part (info@, sales@, ...): <c>risky</c> / <c>role</c>;</item>
/// <item>otherwise <c>valid</c> / <c>ok</c>.</item>
/// </list>
/// Without an MX check, rules 2, 3 and 5 never apply. A free provider (gmail.com, ...) does not change the status.
/// </summary>
public readonly record struct EmailVerdict(string Status, string Reason)
{
    public const string Valid = "valid";
    public const string Invalid = "invalid";
    public const string Risky = "risky";
    public const string Unknown = "unknown";

    public static readonly EmailVerdict BadSyntax = new(Invalid, "bad_syntax");
    public static readonly EmailVerdict NullMx = new(Invalid, "null_mx");
    public static readonly EmailVerdict NoMx = new(Invalid, "no_mx");
    public static readonly EmailVerdict Disposable = new(Risky, "disposable");
    public static readonly EmailVerdict DnsTimeout = new(Unknown, "dns_timeout");
    public static readonly EmailVerdict Role = new(Risky, "role");
    public static readonly EmailVerdict Ok = new(Valid, "ok");

    /// <summary>Decides the verdict of a well-formed address; <paramref name="mx"/> is null when MX was not checked.</summary>
    public static EmailVerdict For(MxStatus? mx, bool isDisposable, bool isRole) => (mx, isDisposable, isRole) switch
    {
        (MxStatus.NullMx, _, _) => NullMx,
        (MxStatus.NoMx, _, _) => NoMx,
        (_, true, _) => Disposable,
        (MxStatus.Unknown, _, _) => DnsTimeout,
        (_, _, true) => Role,
        _ => Ok,
    };
}
