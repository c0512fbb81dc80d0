using Enrichflow.Blocks.Validation;
using Enrichflow.Core.Rows;
using Microsoft.Extensions.DependencyInjection;
using static Enrichflow.Blocks.Tests.Validation.BlockTestKit;

namespace Enrichflow.Blocks.Tests.Validation;

public sealed class ValidatePhoneBlockTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().BuildServiceProvider();

    public void Dispose() => _services.Dispose();

    private async Task<Row> ValidateAsync(object? phone, string specs = "{}")
    {
        var rows = await RunAsync(Compile(new ValidatePhoneBlockType(), specs), _services, Row(0, ("phone", phone)));
        return Assert.Single(rows);
    }

    private static (object? Valid, object? E164, object? Type, object? Country, object? Reason) Outputs(Row row) =>
        (row["phone_valid"], row["phone_e164"], row["phone_type"], row["phone_country"], row["phone_reason"]);

    [Theory]
    [InlineData("(650) 253-0000", "{}", "+16502530000", "fixed_line_or_mobile", "US")]
    [InlineData("+1 650-253-0000", """{"default_region": "DE"}""", "+16502530000", "fixed_line_or_mobile", "US")]
    [InlineData("1-800-234-5678", "{}", "+18002345678", "toll_free", "US")]
    [InlineData("0121 234 5678", """{"default_region": "GB"}""", "+441212345678", "fixed_line", "GB")]
    [InlineData("07400 123456", """{"default_region": "gb"}""", "+447400123456", "mobile", "GB")]
    [InlineData("+44 7400 123456", "{}", "+447400123456", "mobile", "GB")]
    [InlineData("030 123456", """{"default_region": "DE"}""", "+4930123456", "fixed_line", "DE")]
    [InlineData("01512 3456789", """{"default_region": "Germany"}""", "+4915123456789", "mobile", "DE")]
    [InlineData("+49 1512 3456789", "{}", "+4915123456789", "mobile", "DE")]
    public async Task Valid_numbers_get_e164_type_and_country(string phone, string specs, string e164, string type, string country)
    {
        var row = await ValidateAsync(phone, specs);
        Assert.Equal((true, e164, type, country, "ok"), Outputs(row));
    }

    [Fact]
    public async Task Number_stored_as_an_integer_is_read_as_its_digits()
    {
        var row = await ValidateAsync(16502530000L);
        Assert.Equal((true, "+16502530000", "fixed_line_or_mobile", "US", "ok"), Outputs(row));
    }

    [Theory]
    [InlineData(null, "missing")]
    [InlineData("", "missing")]
    [InlineData("  ", "missing")]
    [InlineData("call me", "not_a_number")]
    [InlineData("+999 1234 5678", "invalid_country_code")]
    [InlineData("+1 650 253", "too_short")]
    [InlineData("+1 650 253 0000 0000", "too_long")]
    [InlineData("+1 123 456 7890", "invalid")]
    [InlineData("+44 12", "too_short")]
    [InlineData("12", "too_short")]
    [InlineData("1", "not_a_number")]
    [InlineData("+44 7400 12", "invalid")]
    public async Task Invalid_numbers_say_why_and_have_no_e164_type_or_country(object? phone, string reason)
    {
        var row = await ValidateAsync(phone);
        Assert.Equal((false, null, null, null, reason), Outputs(row));
    }

    [Fact]
    public async Task Country_field_gives_each_row_its_region_and_an_empty_cell_uses_the_default()
    {
        var block = Compile(new ValidatePhoneBlockType(), """{"country_field": "country"}""");

        var rows = await RunAsync(
            block,
            _services,
            Row(0, ("phone", "0121 234 5678"), ("country", "GB")),
            Row(1, ("phone", "030 123456"), ("country", "Germany")),
            Row(2, ("phone", "030 123456"), ("country", "deu")),
            Row(3, ("phone", "07400 123456"), ("country", "United Kingdom")),
            Row(4, ("phone", "(650) 253-0000"), ("country", "")),
            Row(5, ("phone", "(650) 253-0000"), ("country", null)),
            Row(6, ("phone", "(650) 253-0000")),
            Row(7, ("phone", "+44 121 234 5678"), ("country", "US")),
            Row(8, ("phone", "030 123456"), ("country", "Narnia")));

        Assert.Equal(
            ["+441212345678", "+4930123456", "+4930123456", "+447400123456", "+16502530000", "+16502530000", "+16502530000", "+441212345678", null],
            rows.Select(r => r["phone_e164"]));
        Assert.Equal("invalid_country_code", rows[8]["phone_reason"]);
        Assert.Equal(["phone", "country"], block.ReadsColumns);
    }

    [Theory]
    [InlineData("GB", "GB")]
    [InlineData("gbr", "GB")]
    [InlineData("UK", "GB")]
    [InlineData("The Netherlands", "NL")]
    [InlineData("Deutschland", "DE")]
    [InlineData("United States of America", "US")]
    [InlineData("côte d'ivoire", "CI")]
    [InlineData("South Korea", "KR")]
    public void Country_names_and_codes_resolve_to_iso_regions(string text, string region)
    {
        Assert.True(RegionNames.TryResolve(text, out var resolved));
        Assert.Equal(region, resolved);
    }

    [Theory]
    [InlineData("XX")]
    [InlineData("Narnia")]
    [InlineData("")]
    public void Unknown_default_region_is_a_compile_error_naming_the_value(string region)
    {
        var compiled = TryCompile(new ValidatePhoneBlockType(), $$"""{"default_region": "{{region}}"}""", out var errors);

        Assert.Null(compiled);
        var error = Assert.Single(errors);
        Assert.Equal(["blocks", 0, "specs", "default_region"], error.Loc);
        Assert.Contains($"'{region}'", error.Msg, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Phone_field_and_output_prefix_choose_the_columns_read_and_written()
    {
        var block = Compile(new ValidatePhoneBlockType(), """{"phone_field": "mobile", "output_prefix": "m_"}""");

        var row = Assert.Single(await RunAsync(block, _services, Row(0, ("mobile", "+1 650 253 0000"))));

        Assert.Equal(["mobile"], block.ReadsColumns);
        Assert.Equal(["m_valid", "m_e164", "m_type", "m_country", "m_reason"], block.AddsColumns);
        Assert.Equal(["mobile", .. block.AddsColumns], row.Keys);
    }

    [Fact]
    public void Default_specs_read_phone_and_add_the_phone_columns()
    {
        var block = Compile(new ValidatePhoneBlockType());
        Assert.Equal(["phone"], block.ReadsColumns);
        Assert.Equal(["phone_valid", "phone_e164", "phone_type", "phone_country", "phone_reason"], block.AddsColumns);
    }

    [Fact]
    public async Task Rows_are_edited_in_place_and_keep_their_index()
    {
        var input = Row(7, ("phone", "+1 650 253 0000"));
        await RunAsync(Compile(new ValidatePhoneBlockType()), _services, input);
        Assert.Equal(7, input.Index);
        Assert.Equal("phone", input.Keys.First());
        Assert.Contains("phone_valid", input.Keys);
    }
}
