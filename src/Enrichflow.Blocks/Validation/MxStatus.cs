namespace Enrichflow.Blocks.Validation;

/// <summary>What DNS says about a domain's mail servers.</summary>
public enum MxStatus
{
    /// <summary>The domain has at least one MX record naming a host.</summary>
    Found,

    /// <summary>No MX records, but an A or AAAA record: mail goes to the domain itself (RFC 5321 §5.1 implicit MX).</summary>
    ImplicitMx,

    /// <summary>The domain does not exist (NXDOMAIN), or has neither MX nor A/AAAA records.</summary>
    NoMx,

    /// <summary>The domain publishes the RFC 7505 null MX (<c>MX 0 .</c>): it accepts no mail.</summary>
    NullMx,

    /// <summary>No answer: the servers timed out, failed (SERVFAIL) or refused. Never cached.</summary>
    Unknown,
}
