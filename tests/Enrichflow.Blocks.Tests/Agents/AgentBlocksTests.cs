using Enrichflow.Blocks.Agents;
using Enrichflow.Blocks.Llm;
using Enrichflow.Blocks.Reverse;
using Enrichflow.Blocks.Tests.RowOps;
using Enrichflow.Core.Blocks;
using Enrichflow.Fakes;
using Enrichflow.Providers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Enrichflow.Blocks.Tests.Agents;

/// <summary>
/// The specs, columns and row logic of llm_openai, reverse_email, reverse_phone, qa_agent and research_agent, compiled
/// against a registry of a sixtyfour and an openai_compatible provider (no call is made; the runs are in
/// Enrichflow.Server.Tests' AgentBlockRunTests).
/// </summary>
public sealed class AgentBlocksTests
{
    private static readonly Lazy<ServiceProvider> Services = new(() =>
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Providers:s64:Kind"] = "sixtyfour",
            ["Providers:s64:ApiKey"] = "key",
            ["Providers:gpt:Kind"] = "openai_compatible",
            ["Providers:gpt:BaseUrl"] = "http://127.0.0.1:9/v1/",
            ["Providers:gpt:Model"] = "m",
        }).Build();
        return new ServiceCollection().AddEnrichflowProviders(configuration.GetSection(ProvidersOptions.Section), Path.GetTempPath()).BuildServiceProvider();
    });

    private static ProviderRegistry Registry => Services.Value.GetRequiredService<ProviderRegistry>();

    [Fact]
    public void A_prompt_references_columns_and_keeps_doubled_braces_and_json_as_text()
    {
        var template = PromptTemplate.Parse("""Classify {company} ({ domain }) as {{"segment": ...}} or {"a": 1}; {company} again {""");
        Assert.Equal(["company", "domain"], template.Columns);
        var row = ExpressionRows.Of("""{"company": "Acme", "domain": "acme.example"}""", 0);
        Assert.Equal("""Classify Acme (acme.example) as {"segment": ...} or {"a": 1}; Acme again {""", template.Render(row));
    }

    [Fact]
    public void Llm_openai_reads_its_prompts_columns_and_adds_its_return_fields_or_llm_output()
    {
        var typed = RowOpsKit.CompileOk(new LlmOpenAiBlockType(Registry), """{"prompt": "Rate {review}", "return_fields": {"stars": {"description": "1 to 5", "type": "int"}, "summary": "One line"}}""");
        Assert.Equal(["review"], typed.ReadsColumns);
        Assert.Equal(["stars", "summary"], typed.AddsColumns);
        Assert.Equal("gpt", Assert.IsAssignableFrom<ProviderCallBlock>(typed).Provider.Name);

        var plain = RowOpsKit.CompileOk(new LlmOpenAiBlockType(Registry), """{"prompt": "Greet {name}"}""");
        Assert.Equal(["llm_output"], plain.AddsColumns);
    }

    [Fact]
    public void Llm_openai_without_a_prompt_is_an_error_at_prompt() =>
        Assert.Equal(["blocks", 0, "specs", "prompt"], RowOpsKit.SingleError(new LlmOpenAiBlockType(Registry), """{"prompt": "  "}""").Loc);

    [Fact]
    public void A_provider_that_cannot_do_the_operation_is_an_error_at_provider_naming_those_that_can()
    {
        var error = RowOpsKit.SingleError(new LlmOpenAiBlockType(Registry), """{"prompt": "Hi {name}", "provider": "s64"}""");
        Assert.Equal(["blocks", 0, "specs", "provider"], error.Loc);
        Assert.EndsWith("providers that can: gpt.", error.Msg, StringComparison.Ordinal);
        Assert.Contains("unknown provider 'nope'", RowOpsKit.SingleError(new ReverseEmailBlockType(Registry), """{"provider": "nope"}""").Msg, StringComparison.Ordinal);
        Assert.Equal(["blocks", 0, "specs", "provider"], RowOpsKit.SingleError(new ReversePhoneBlockType(Registry), """{"provider": ["s64"]}""").Loc);
    }

    [Fact]
    public void Reverse_blocks_read_their_column_and_add_the_persons_columns()
    {
        var email = RowOpsKit.CompileOk(new ReverseEmailBlockType(Registry), """{"email_field": "work_email"}""");
        Assert.Equal(["work_email"], email.ReadsColumns);
        Assert.Equal(["name", "title", "company", "linkedin", "location", "enrich_status", "enrich_provider"], email.AddsColumns);
        Assert.Equal(DataframeType.Lead, new ReverseEmailBlockType(Registry).Takes);
        Assert.Equal(["phone"], RowOpsKit.CompileOk(new ReversePhoneBlockType(Registry), "{}").ReadsColumns);
        Assert.Equal(["blocks", 0, "specs", "phone_field"], RowOpsKit.SingleError(new ReversePhoneBlockType(Registry), """{"phone_field": ""}""").Loc);
    }

    [Fact]
    public void Qa_agent_adds_the_score_the_verdict_a_column_per_criterion_its_return_fields_and_notes()
    {
        var block = RowOpsKit.CompileOk(new QaAgentBlockType(Registry), """
            {"qualification_criteria": [{"criteria_name": "fit", "description": "B2B"}, {"criteria_name": "size", "description": "50+", "weight": 2, "threshold": 0.7}],
             "return_fields": {"industry": "The industry"}}
            """);
        Assert.Equal(["qa_score", "qa_qualified", "qa_fit", "qa_size", "industry", "notes"], block.AddsColumns);
        // With no provider named: the first configured one that can score rows.
        Assert.Equal(Registry.Names.First(n => Registry.Find(n)!.Supports(EnrichmentOperation.QaAgent)), Assert.IsAssignableFrom<ProviderCallBlock>(block).Provider.Name);
    }

    [Fact]
    public void Qa_agent_without_criteria_is_an_error_at_qualification_criteria_and_bad_criteria_at_their_fields()
    {
        var type = new QaAgentBlockType(Registry);
        Assert.Equal(["blocks", 0, "specs", "qualification_criteria"], RowOpsKit.SingleError(type, "{}").Loc);
        Assert.Equal(["blocks", 0, "specs", "qualification_criteria"], RowOpsKit.SingleError(type, """{"qualification_criteria": []}""").Loc);
        var (block, errors) = RowOpsKit.Compile(type, """{"qualification_criteria": [{"description": "x", "weight": 0}], "return_fields": {"qa_score": "mine"}}""");
        Assert.Null(block);
        Assert.Equal(
            [["blocks", 0, "specs", "qualification_criteria", 0, "criteria_name"], ["blocks", 0, "specs", "qualification_criteria", 0, "weight"], ["blocks", 0, "specs", "return_fields", "qa_score"]],
            errors.Select(e => e.Loc));
    }

    [Fact]
    public void Qa_scores_are_scaled_to_0_1_weighted_and_gated_by_thresholds()
    {
        QualificationCriterion[] criteria = [new("fit", "B2B", 3, 0.5), new("size", "50+", 1, null)];
        Assert.Equal([0.7, 0.2], QaScores.Normalize([7, 2]));
        Assert.Equal([0.85, null], QaScores.Normalize([85, null]));
        Assert.Equal([0.6, 1.0], QaScores.Normalize([0.6, 1]));
        Assert.Equal(0.575, QaScores.Overall(criteria, [0.6, 0.5]));
        Assert.Equal(0.6, QaScores.Overall(criteria, [0.6, null]));
        Assert.Null(QaScores.Overall(criteria, [null, null]));
        Assert.True(QaScores.Qualified(criteria, [0.5, 0.0], 0.375));
        Assert.False(QaScores.Qualified(criteria, [null, 1.0], 1.0));
        QualificationCriterion[] ungated = [new("fit", "B2B", 1, null)];
        Assert.True(QaScores.Qualified(ungated, [0.5], 0.5));
        Assert.False(QaScores.Qualified(ungated, [0.49], 0.49));
    }

    [Fact]
    public void Research_agent_needs_a_plan_or_return_fields_and_adds_notes_references_and_confidence()
    {
        var type = new ResearchAgentBlockType(Registry);
        Assert.Equal(["blocks", 0, "specs", "research_plan"], RowOpsKit.SingleError(type, "{}").Loc);
        Assert.Equal(["notes", "references", "confidence_score"], RowOpsKit.CompileOk(type, """{"research_plan": "Read their blog"}""").AddsColumns);
        Assert.Equal(["pricing", "notes", "references", "confidence_score"], RowOpsKit.CompileOk(type, """{"return_fields": {"pricing": "How they charge"}, "provider": "gpt"}""").AddsColumns);
    }
}
