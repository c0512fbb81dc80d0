using Enrichflow.Core.Blocks;

namespace Enrichflow.Blocks.Validation;

/// <summary>
/// <c>validate_phone</c>: parses and checks each row's phone number with libphonenumber and adds, under
/// <c>output_prefix</c> (default <c>phone_</c>): <c>valid</c> (bool), <c>e164</c> (<c>+14155550123</c>), <c>type</c>
/// (mobile, fixed_line, fixed_line_or_mobile, toll_free, premium_rate, shared_cost, voip, personal_number, pager,
/// uan, voicemail, unknown), <c>country</c> (ISO region of the number) and <c>reason</c> (ok, missing, not_a_number,
/// invalid_country_code, too_short, too_long, invalid). A number without a leading <c>+</c> is read in the row's
/// region: the <c>country_field</c> cell when given and not empty (an ISO code or a country name; a value naming
/// no region makes such numbers invalid_country_code), else <c>default_region</c>. An invalid number gets
/// <c>valid</c> false and null <c>e164</c>, <c>type</c> and <c>country</c>. Every row is passed on.
/// </summary>
public sealed class ValidatePhoneBlockType : BlockType<ValidatePhoneSpecs>
{
    public override string Name => "validate_phone";

    public override string SpecsExample => """
        {"phone_field": "phone", "default_region": "US", "country_field": "country"}
        """;

    public override bool RunsOnSample => true;

    public override string Description =>
        "Checks phone numbers with libphonenumber. Numbers without a leading + are read in the region from "
        + "country_field (ISO code or country name, per row) or default_region (US). Adds phone_valid (bool), "
        + "phone_e164, phone_type (mobile, fixed_line, fixed_line_or_mobile, toll_free, voip, ...), phone_country "
        + "(ISO region) and phone_reason (ok, missing, not_a_number, invalid_country_code, too_short, too_long, "
        + "invalid); e164, type and country are null when the number is invalid. output_prefix renames the added columns.";

    protected override CompiledBlock? Compile(ValidatePhoneSpecs specs, BlockCompileContext context)
    {
        var blockId = context.Definition.BlockId;
        if (string.IsNullOrWhiteSpace(specs.PhoneField))
        {
            context.AddError("phone_field", $"phone_field of block '{blockId}' must name a column.");
        }

        if (specs.CountryField is { } country && string.IsNullOrWhiteSpace(country))
        {
            context.AddError("country_field", $"country_field of block '{blockId}' must name a column or be left out.");
        }

        if (!RegionNames.TryResolve(specs.DefaultRegion, out var region))
        {
            context.AddError(
                "default_region",
                $"default_region '{specs.DefaultRegion}' of block '{blockId}' is not a known region; use an ISO 3166-1 code such as US, GB or DE.");
        }

        return new ValidatePhoneBlock(specs, region);
    }
}
