using Enrichflow.Core.Blocks;
using Enrichflow.Core.Rows;
using PhoneNumbers;

namespace Enrichflow.Blocks.Validation;

/// <summary>A compiled <c>validate_phone</c>: see <see cref="ValidatePhoneBlockType"/>.</summary>
internal sealed class ValidatePhoneBlock : RowBlock
{
    /// <summary>The region libphonenumber treats as "none": only numbers with a leading + parse.</summary>
    private const string NoRegion = "ZZ";

    private static readonly PhoneNumberUtil Phones = PhoneNumberUtil.GetInstance();

    public override bool Recomputable => true;

    private readonly ValidatePhoneSpecs _specs;
    private readonly string _defaultRegion;
    private readonly string _valid, _e164, _type, _country, _reason;

    public ValidatePhoneBlock(ValidatePhoneSpecs specs, string defaultRegion)
    {
        _specs = specs;
        _defaultRegion = defaultRegion;
        var prefix = specs.OutputPrefix;
        _valid = prefix + "valid";
        _e164 = prefix + "e164";
        _type = prefix + "type";
        _country = prefix + "country";
        _reason = prefix + "reason";
        AddsColumns = [_valid, _e164, _type, _country, _reason];
        ReadsColumns = specs.CountryField is { } field ? [specs.PhoneField, field] : [specs.PhoneField];
    }

    public override IReadOnlyList<string> ReadsColumns { get; }

    public override IReadOnlyList<string> AddsColumns { get; }

    public override ValueTask ProcessAsync(RowChunk input, ChunkOutput output, BlockRunContext context, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        foreach (var source in input.Rows)
        {
            var row = source;
            var (number, reason) = Check(row.GetText(_specs.PhoneField), RegionOf(row));
            row[_valid] = number is not null;
            row[_e164] = number is null ? null : Phones.Format(number, PhoneNumberFormat.E164);
            row[_type] = number is null ? null : TypeName(Phones.GetNumberType(number));
            row[_country] = number is null ? null : Phones.GetRegionCodeForNumber(number);
            row[_reason] = reason;
            output.Emit(row);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>The parsed number when it is valid, and the reason.</summary>
    internal static (PhoneNumber? Number, string Reason) Check(string? text, string region)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return (null, "missing");
        }

        PhoneNumber number;
        try
        {
            number = Phones.Parse(text, region);
        }
        catch (NumberParseException e)
        {
            return (null, e.ErrorType switch
            {
                ErrorType.INVALID_COUNTRY_CODE => "invalid_country_code",
                ErrorType.TOO_SHORT_AFTER_IDD or ErrorType.TOO_SHORT_NSN => "too_short",
                ErrorType.TOO_LONG => "too_long",
                _ => "not_a_number",
            });
        }

        if (Phones.IsValidNumber(number))
        {
            return (number, "ok");
        }

        return (null, Phones.IsPossibleNumberWithReason(number) switch
        {
            PhoneNumberUtil.ValidationResult.INVALID_COUNTRY_CODE => "invalid_country_code",
            PhoneNumberUtil.ValidationResult.TOO_SHORT => "too_short",
            PhoneNumberUtil.ValidationResult.TOO_LONG => "too_long",
            _ => "invalid",
        });
    }

    private string RegionOf(Row row)
    {
        if (_specs.CountryField is not { } field || row.GetText(field) is not { } text || string.IsNullOrWhiteSpace(text))
        {
            return _defaultRegion;
        }

        return RegionNames.TryResolve(text, out var region) ? region : NoRegion;
    }

    private static string TypeName(PhoneNumberType type) => type.ToString().ToLowerInvariant();
}
