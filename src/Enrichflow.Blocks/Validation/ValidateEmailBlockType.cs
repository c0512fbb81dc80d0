using Enrichflow.Core.Blocks;

namespace Enrichflow.Blocks.Validation;

/// <summary>
/// <c>validate_email</c> (alias <c>verify_email</c>): checks each LEAD row's address and adds, under
/// <c>output_prefix</c> (default <c>email_</c>): <c>status</c> (valid, invalid, risky, unknown), <c>reason</c> (ok,
/// bad_syntax, no_mx, null_mx, disposable, role, dns_timeout; see <see cref="EmailVerdict"/> for the order of the
/// rules), <c>normalized</c> (trimmed, domain lower-cased and in punycode, local part as written), <c>domain</c>,
/// <c>mx_found</c> (true only for real MX records; null when not checked or unanswered), <c>is_disposable</c>,
/// <c>is_role</c> and <c>is_free</c>. A missing or malformed address is invalid/bad_syntax with the other columns
/// null. Syntax rules: <see cref="EmailSyntax"/>. DNS answers come from the <see cref="MxResolver"/> service and are
/// cached per domain; unknown answers are never cached. Every row is passed on; none is rejected.
/// </summary>
public sealed class ValidateEmailBlockType : BlockType<ValidateEmailSpecs>
{
    public override string Name => "validate_email";

    public override string SpecsExample => """
        {"email_field": "email", "check_mx": true}
        """;

    public override bool RunsOnSample => true;

    public override IReadOnlyList<string> Aliases => ["verify_email"];

    public override string SixtyfourName => "verify_email";

    public override string Description =>
        "Checks email addresses: syntax (RFC 5321/5322, IDN domains in punycode), MX records in DNS (with the "
        + "A/AAAA fallback; RFC 7505 null MX is invalid), disposable, role and free-provider domains. Adds "
        + "email_status (valid|invalid|risky|unknown) and email_reason, decided in this order: bad_syntax (also a "
        + "missing address), null_mx, no_mx -> invalid; disposable -> risky; dns_timeout -> unknown; role -> risky; "
        + "else ok -> valid. Also adds email_normalized, email_domain, email_mx_found (MX records found; null when "
        + "not checked), email_is_disposable, email_is_role, email_is_free. output_prefix renames the added columns.";

    public override DataframeType Takes => DataframeType.Lead;

    protected override CompiledBlock? Compile(ValidateEmailSpecs specs, BlockCompileContext context)
    {
        if (string.IsNullOrWhiteSpace(specs.EmailField))
        {
            context.AddError("email_field", $"email_field of block '{context.Definition.BlockId}' must name a column.");
            return null;
        }

        return new ValidateEmailBlock(specs);
    }
}
