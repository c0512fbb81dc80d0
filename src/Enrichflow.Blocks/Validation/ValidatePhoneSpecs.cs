using System.ComponentModel;

namespace Enrichflow.Blocks.Validation;

/// <summary>Specs of <c>validate_phone</c> (docs/api.md §5).</summary>
/// <param name="PhoneField">The column holding the phone number.</param>
/// <param name="DefaultRegion">Region for numbers written without a leading <c>+</c> country code.</param>
/// <param name="CountryField">Optional column naming each row's region (ISO code or country name).</param>
/// <param name="OutputPrefix">Prefix of the added columns (<c>phone_</c> gives <c>phone_valid</c>, ...).</param>
public sealed record ValidatePhoneSpecs(
    [property: Description("The column holding the phone number.")] string PhoneField = "phone",
    [property: Description("ISO 3166-1 region (or country name) for numbers without a leading + country code.")] string DefaultRegion = "US",
    [property: Description("Optional column holding each row's region (ISO code or country name); an empty cell uses default_region.")] string? CountryField = null,
    [property: Description("Prefix of the added columns.")] string OutputPrefix = "phone_");
