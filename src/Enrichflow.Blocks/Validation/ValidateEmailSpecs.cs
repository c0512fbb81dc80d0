using System.ComponentModel;

namespace Enrichflow.Blocks.Validation;

/// <summary>Specs of <c>validate_email</c> (docs/api.md §5).</summary>
/// <param name="EmailField">The column holding the address.</param>
/// <param name="CheckMx">Whether to look up the domain's mail servers in DNS.</param>
/// <param name="OutputPrefix">Prefix of the added columns (<c>email_</c> gives <c>email_status</c>, ...).</param>
public sealed record ValidateEmailSpecs(
    [property: Description("The column holding the email address.")] string EmailField = "email",
    [property: Description("Look up the domain's MX records (with an A/AAAA fallback) in DNS.")] bool CheckMx = true,
    [property: Description("Prefix of the added columns.")] string OutputPrefix = "email_");
