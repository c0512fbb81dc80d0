using Enrichflow.Blocks.Validation;
using Enrichflow.Core.Blocks;
using Enrichflow.Core.Rows;
using Microsoft.Extensions.DependencyInjection;
using static Enrichflow.Blocks.Tests.Validation.BlockTestKit;

namespace Enrichflow.Blocks.Tests.Validation;

public sealed class ValidateEmailBlockTests : IDisposable
{
    private static readonly Dictionary<string, Zone> Zones = new(StringComparer.Ordinal)
    {
        ["good.example"] = Zone.Mx,
        ["nullmx.example"] = Zone.NullMx,
        ["aonly.example"] = Zone.AOnly,
        ["empty.example"] = Zone.Empty,
        ["silent.example"] = Zone.Silent,
        ["mailinator.com"] = Zone.Mx,
        ["inbox.mailinator.com"] = Zone.Mx,
        ["gmail.com"] = Zone.Mx,
        ["xn--bcher-kva.example"] = Zone.Mx,
    };

    private readonly LoopbackDnsServer _dns = LoopbackDnsServer.Start(Zones);
    private readonly ServiceProvider _services;

    public ValidateEmailBlockTests() =>
        _services = new ServiceCollection()
            .AddEnrichflowValidation(o =>
            {
                o.NameServers = [_dns.Address];
                o.DnsTimeoutMs = 1000;
                o.DnsRetries = 0;
            })
            .BuildServiceProvider();

    public void Dispose()
    {
        _services.Dispose();
        _dns.Dispose();
    }

    private async Task<Row> ValidateAsync(object? email, string specs = "{}")
    {
        var rows = await RunAsync(Compile(new ValidateEmailBlockType(), specs), _services, Row(0, ("email", email)));
        return Assert.Single(rows);
    }

    [Fact]
    public async Task Deliverable_address_is_valid_with_every_column_filled()
    {
        var row = await ValidateAsync("  Jane.Doe@Good.Example ");

        Assert.Equal(
            [
                ("email", (object?)"  Jane.Doe@Good.Example "), ("email_status", "valid"), ("email_reason", "ok"),
                ("email_normalized", "Jane.Doe@good.example"), ("email_domain", "good.example"), ("email_mx_found", true),
                ("email_is_disposable", false), ("email_is_role", false), ("email_is_free", false),
            ],
            row.Select(kv => (kv.Key, kv.Value)));
    }

    [Fact]
    public async Task Null_mx_domain_is_invalid_with_reason_null_mx()
    {
        var row = await ValidateAsync("jane@nullmx.example");
        Assert.Equal(("invalid", "null_mx", (object?)false), (row["email_status"], row["email_reason"], row["email_mx_found"]));
    }

    [Theory]
    [InlineData("jane@missing.example")]
    [InlineData("jane@empty.example")]
    public async Task Domain_without_mail_servers_is_invalid_with_reason_no_mx(string email)
    {
        var row = await ValidateAsync(email);
        Assert.Equal(("invalid", "no_mx", (object?)false), (row["email_status"], row["email_reason"], row["email_mx_found"]));
    }

    [Fact]
    public async Task Domain_with_only_an_a_record_is_valid_through_the_implicit_mx_but_has_no_mx_found()
    {
        var row = await ValidateAsync("jane@aonly.example");
        Assert.Equal(("valid", "ok", (object?)false), (row["email_status"], row["email_reason"], row["email_mx_found"]));
    }

    [Fact]
    public async Task Unanswered_dns_makes_the_address_unknown_with_reason_dns_timeout()
    {
        var row = await ValidateAsync("jane@silent.example");
        Assert.Equal(("unknown", "dns_timeout", (object?)null), (row["email_status"], row["email_reason"], row["email_mx_found"]));
    }

    [Theory]
    [InlineData("throwaway@mailinator.com")]
    [InlineData("throwaway@inbox.mailinator.com")]
    [InlineData("info@mailinator.com")]
    public async Task Disposable_domain_is_risky_with_reason_disposable(string email)
    {
        var row = await ValidateAsync(email);
        Assert.Equal(("risky", "disposable", (object?)true), (row["email_status"], row["email_reason"], row["email_is_disposable"]));
    }

    [Theory]
    [InlineData("info@good.example")]
    [InlineData("Sales@good.example")]
    [InlineData("support+tickets@good.example")]
    [InlineData("no-reply@good.example")]
    public async Task Role_address_is_risky_with_reason_role(string email)
    {
        var row = await ValidateAsync(email);
        Assert.Equal(("risky", "role", (object?)true), (row["email_status"], row["email_reason"], row["email_is_role"]));
    }

    [Fact]
    public async Task Free_provider_address_is_valid_and_flagged_free()
    {
        var row = await ValidateAsync("jane.doe@GMAIL.com");
        Assert.Equal(("valid", "ok", (object?)true), (row["email_status"], row["email_reason"], row["email_is_free"]));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("jane.doe")]
    [InlineData("jane..doe@good.example")]
    [InlineData("jane@good")]
    [InlineData(42L)]
    public async Task Missing_or_malformed_address_is_invalid_with_reason_bad_syntax_and_null_details(object? email)
    {
        var row = await ValidateAsync(email);

        Assert.Equal(("invalid", "bad_syntax"), (row["email_status"], row["email_reason"]));
        Assert.All(["email_normalized", "email_domain", "email_mx_found", "email_is_disposable", "email_is_role", "email_is_free"], c => Assert.Null(row[c]));
        Assert.Equal(0, _dns.TotalQueries);
    }

    [Fact]
    public async Task Missing_email_column_is_invalid_with_reason_bad_syntax()
    {
        var rows = await RunAsync(Compile(new ValidateEmailBlockType()), _services, Row(0, ("name", "Jane")));
        Assert.Equal("bad_syntax", Assert.Single(rows)["email_reason"]);
    }

    [Fact]
    public async Task Internationalized_domain_is_normalized_to_punycode_and_looked_up_that_way()
    {
        var row = await ValidateAsync("Jürgen@Bücher.Example");

        Assert.Equal(("valid", "Jürgen@xn--bcher-kva.example", (object?)"xn--bcher-kva.example"), (row["email_status"], row["email_normalized"], row["email_domain"]));
        Assert.Equal(1, _dns.QueriesFor("xn--bcher-kva.example"));
    }

    [Fact]
    public async Task Check_mx_false_touches_no_dns()
    {
        var rows = await RunAsync(
            Compile(new ValidateEmailBlockType(), """{"check_mx": false}"""),
            _services,
            Row(0, ("email", "jane@missing.example")),
            Row(1, ("email", "jane@silent.example")),
            Row(2, ("email", "info@good.example")));

        Assert.Equal(["valid", "valid", "risky"], rows.Select(r => r["email_status"]));
        Assert.All(rows, r => Assert.Null(r["email_mx_found"]));
        Assert.Equal(0, _dns.TotalQueries);
    }

    [Fact]
    public async Task Check_mx_false_needs_no_registered_services()
    {
        using var empty = new ServiceCollection().BuildServiceProvider();
        var rows = await RunAsync(Compile(new ValidateEmailBlockType(), """{"check_mx": false}"""), empty, Row(0, ("email", "jane@example.com")));
        Assert.Equal("ok", Assert.Single(rows)["email_reason"]);
    }

    [Fact]
    public async Task Email_field_and_output_prefix_choose_the_columns_read_and_written()
    {
        var block = Compile(new ValidateEmailBlockType(), """{"email_field": "work_email", "output_prefix": "work_"}""");

        var row = Assert.Single(await RunAsync(block, _services, Row(0, ("work_email", "jane@good.example"))));

        Assert.Equal(["work_email"], block.ReadsColumns);
        Assert.Equal(
            ["work_status", "work_reason", "work_normalized", "work_domain", "work_mx_found", "work_is_disposable", "work_is_role", "work_is_free"],
            block.AddsColumns);
        Assert.Equal(["work_email", .. block.AddsColumns], row.Keys);
        Assert.Equal("valid", row["work_status"]);
    }

    [Fact]
    public void Default_specs_read_email_and_add_the_email_columns()
    {
        var block = Compile(new ValidateEmailBlockType());
        Assert.Equal(["email"], block.ReadsColumns);
        Assert.Equal(
            ["email_status", "email_reason", "email_normalized", "email_domain", "email_mx_found", "email_is_disposable", "email_is_role", "email_is_free"],
            block.AddsColumns);
    }

    [Fact]
    public async Task Rows_of_a_chunk_look_each_domain_up_once_and_keep_their_order()
    {
        var rows = Enumerable.Range(0, 1000)
            .Select(i => Row(i, ("email", i % 4 == 0 ? $"user{i}@good.example" : $"user{i}@nowhere{i % 50}.example")))
            .ToArray();

        var output = await RunAsync(Compile(new ValidateEmailBlockType()), _services, rows);

        Assert.Equal(1000, output.Count);
        Assert.Equal(1, _dns.QueriesFor("good.example"));
        Assert.All(Enumerable.Range(0, 50), i => Assert.Equal(1, _dns.QueriesFor($"nowhere{i}.example")));
        Assert.All(output, r => Assert.Equal(r.Index % 4 == 0 ? "ok" : "no_mx", r["email_reason"]));
    }

    [Fact]
    public async Task Second_chunk_with_the_same_domains_is_answered_from_the_cache()
    {
        var block = Compile(new ValidateEmailBlockType());

        await RunAsync(block, _services, Row(0, ("email", "a@good.example")), Row(1, ("email", "b@nullmx.example")));
        await RunAsync(block, _services, Row(2, ("email", "c@good.example")), Row(3, ("email", "d@nullmx.example")));

        Assert.Equal(1, _dns.QueriesFor("good.example"));
        Assert.Equal(1, _dns.QueriesFor("nullmx.example"));
    }

    [Fact]
    public async Task Rows_are_edited_in_place_and_keep_their_index()
    {
        var input = Row(7, ("email", "jane@good.example"));
        await RunAsync(Compile(new ValidateEmailBlockType()), _services, input);
        Assert.Equal(7, input.Index);
        Assert.Equal("email", input.Keys.First());
        Assert.Contains("email_status", input.Keys);
    }

    [Theory]
    [InlineData("validate_email")]
    [InlineData("verify_email")]
    public void Block_takes_leads_and_is_also_called_verify_email(string blockName)
    {
        Assert.IsType<ValidateEmailBlockType>(BlockCatalogKit.Registry.Resolve(blockName, "custom"));
        Assert.Empty(BlockCatalogKit.Validate(WebhookInto(blockName, "LEAD")));
        Assert.Contains("receives COMPANY rows", Assert.Single(BlockCatalogKit.Validate(WebhookInto(blockName, "COMPANY"))).Msg, StringComparison.Ordinal);
        Assert.Contains("null_mx", new ValidateEmailBlockType().Description, StringComparison.Ordinal);

        static string WebhookInto(string name, string dataframe) => $$$"""
            {"blocks": [
               {"sequence_number": 1, "block_name": "webhook", "block_type": "webhook", "block_id": "input", "specs": {"dataframe_type": "{{{dataframe}}}"}},
               {"sequence_number": 2, "block_name": "{{{name}}}", "block_type": "custom", "block_id": "check", "specs": {}}],
             "edges": [{"from_block_id": "input", "to_block_id": "check"}]}
            """;
    }

    [Fact]
    public void Empty_email_field_is_a_compile_error()
    {
        Assert.Null(TryCompile(new ValidateEmailBlockType(), """{"email_field": " "}""", out var errors));
        var error = Assert.Single(errors);
        Assert.Equal(["blocks", 0, "specs", "email_field"], error.Loc);
    }

    [Fact]
    public void Specs_schema_lists_the_three_specs()
    {
        var schema = new ValidateEmailBlockType().SpecsSchema();
        var properties = schema["properties"]!.AsObject().Select(p => p.Key);
        Assert.Equal(["email_field", "check_mx", "output_prefix"], properties);
    }

    [Fact]
    public async Task Addresses_of_one_chunk_sharing_a_domain_each_get_what_EmailSyntax_and_the_lists_say_of_them()
    {
        // The block normalizes each distinct domain of a chunk once: every row must still come out as one address alone would.
        string[] addresses =
        [
            "Ada@Gmail.COM", " ada@gmail.com ", "ada@gmail.com", "INFO+x@gmail.com", "x@@gmail.com", "a..b@gmail.com",
            new string('a', 64) + "@gmail.com", new string('a', 64) + "@" + new string('b', 60) + "." + new string('c', 60) + "." + new string('d', 60) + ".com",
            "b@" + new string('b', 60) + "." + new string('c', 60) + "." + new string('d', 60) + ".com", "jürgen@Bücher.example", "x@bücher.example",
            "sales@inbox.mailinator.com", "y@Inbox.Mailinator.com", "", "no-at-sign", "z@-bad.example", "z@-bad.example",
        ];
        var rows = await RunAsync(Compile(new ValidateEmailBlockType(), """{"check_mx": false}"""), _services,
            [.. addresses.Select((a, i) => Row(i, ("email", a)))]);

        Assert.Equal(addresses.Length, rows.Count);
        for (var i = 0; i < addresses.Length; i++)
        {
            var row = rows[i];
            if (!EmailSyntax.TryParse(addresses[i], out var email))
            {
                Assert.Equal(("invalid", "bad_syntax", (object?)null), (row["email_status"], row["email_reason"], row["email_normalized"]));
                continue;
            }

            var verdict = EmailVerdict.For(null, DomainLists.IsDisposable(email.Domain), DomainLists.IsRole(email.LocalPart));
            Assert.Equal(
                (verdict.Status, verdict.Reason, (object?)email.Normalized, (object?)email.Domain, (object?)DomainLists.IsDisposable(email.Domain),
                    (object?)DomainLists.IsRole(email.LocalPart), (object?)DomainLists.IsFree(email.Domain)),
                (row["email_status"], row["email_reason"], row["email_normalized"], row["email_domain"], row["email_is_disposable"],
                    row["email_is_role"], row["email_is_free"]));
        }
    }
}
