using Enrichflow.Providers;
using Enrichflow.Providers.Kinds;
using Enrichflow.Core.Blocks;

namespace Enrichflow.Blocks.Enrichment;

/// <summary>
/// <c>enrich_company</c> (alias <c>company_enrichment</c>): asks a provider, or a waterfall of them, for each
/// COMPANY row's <c>return_fields</c> and adds them with <c>confidence_score</c>, <c>notes</c>, <c>references</c>,
/// <c>enrich_status</c> and <c>enrich_provider</c> (and <c>people</c> with <c>find_people</c>).
/// </summary>
public sealed class EnrichCompanyBlockType(ProviderRegistry providers) : BlockType<EnrichCompanySpecs>
{
    public override string Name => "enrich_company";

    /// <summary>Keys of Sixtyfour's request that a definition may carry and that change nothing here (docs/api.md §2.1).</summary>
    public override IReadOnlyList<string> IgnoredSpecs => ["max_iterations", "benchmark", "full_org_chart", "webhook_url"];

    public override string SpecsExample => """
        {"return_fields": {"industry": "The company's industry", "employee_count": {"description": "Number of employees", "type": "int"}}, "find_people": true, "people_focus_prompt": "the head of sales", "overwrite": "if_found"}
        """;

    public override IReadOnlyList<string> Aliases => ["company_enrichment"];

    public override string SixtyfourName => "company_enrichment";

    public override string Description =>
        "Enriches each company through a provider named in the server configuration, or a list of them tried in order "
        + "until every return field is filled. Adds one column per return field plus confidence_score, notes, references, "
        + "enrich_status (ok, not_found, failed) and enrich_provider; with find_people also people (a list). Answers are "
        + "cached per organization, so the same company is never paid for twice. Without company_field or website_field "
        + "the row's columns are sent and company_name, company, name, website, domain or linkedin identify it. A failed "
        + "row goes to rejects with the provider's reason; the run goes on.";

    public override DataframeType Takes => DataframeType.Company;

    protected override CompiledBlock? Compile(EnrichCompanySpecs specs, BlockCompileContext context)
    {
        EnrichmentCompiler.CheckColumn(specs.CompanyField, "company_field", context);
        EnrichmentCompiler.CheckColumn(specs.WebsiteField, "website_field", context);
        var fields = EnrichmentCompiler.ReturnFields(specs.ReturnFields, context);
        var chain = EnrichmentCompiler.Providers(specs.Provider, EnrichmentOperation.EnrichCompany, providers, context);
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        AddOption(options, "research_plan", specs.ResearchPlan);
        AddOption(options, "tier", EnrichmentCompiler.Tier(specs.Tier, ["low", "medium", "high"], context));
        var people = EnrichmentCompiler.PeopleFields(specs.PeopleFields, context);
        if (specs.FindPeople)
        {
            options["find_people"] = "true";
            AddOption(options, "people_focus_prompt", specs.PeopleFocusPrompt);
        }

        return new EnrichBlock(new EnrichPlan(EnrichmentOperation.EnrichCompany, EnrichmentInputs.Company(specs.CompanyField, specs.WebsiteField), fields,
            [.. fields.Select(f => f.Name)], options, chain, specs.FindPeople, EnrichmentCompiler.Overwrite(specs.Overwrite, context))
        {
            PeopleFields = specs.FindPeople ? people : [],
        });
    }

    internal static void AddOption(Dictionary<string, string> options, string key, string? value)
    {
        if (!string.IsNullOrWhiteSpace(value))
        {
            options[key] = value.Trim();
        }
    }
}

/// <summary><c>enrich_person</c> (aliases <c>lead_enrichment</c>, <c>enrich_lead</c>): the same for LEAD rows.</summary>
public sealed class EnrichPersonBlockType(ProviderRegistry providers) : BlockType<EnrichPersonSpecs>
{
    public override string Name => "enrich_person";

    /// <summary>Keys of Sixtyfour's request that a definition may carry and that change nothing here (docs/api.md §2.1).</summary>
    public override IReadOnlyList<string> IgnoredSpecs => ["max_iterations", "benchmark", "webhook_url"];

    public override string SpecsExample => """
        {"return_fields": {"title": "The person's current job title", "seniority": "junior, senior or executive"}, "overwrite": "never"}
        """;

    public override IReadOnlyList<string> Aliases => ["lead_enrichment", "enrich_lead"];

    public override string SixtyfourName => "lead_enrichment";

    public override string Description =>
        "Enriches each person (found by name_field, email_field, linkedin_field or company_field, else by the columns "
        + "full_name, name, first_name + last_name, email, linkedin, company, title, phone) through a provider or a "
        + "waterfall of them. Adds one column per return field plus confidence_score, notes, references, enrich_status "
        + "and enrich_provider. Answers are cached per organization; failed rows go to rejects and the run goes on.";

    public override DataframeType Takes => DataframeType.Lead;

    protected override CompiledBlock? Compile(EnrichPersonSpecs specs, BlockCompileContext context)
    {
        EnrichmentCompiler.CheckColumn(specs.NameField, "name_field", context);
        EnrichmentCompiler.CheckColumn(specs.EmailField, "email_field", context);
        EnrichmentCompiler.CheckColumn(specs.LinkedinField, "linkedin_field", context);
        EnrichmentCompiler.CheckColumn(specs.CompanyField, "company_field", context);
        var fields = EnrichmentCompiler.ReturnFields(specs.ReturnFields, context);
        var chain = EnrichmentCompiler.Providers(specs.Provider, EnrichmentOperation.EnrichPerson, providers, context);
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        EnrichCompanyBlockType.AddOption(options, "research_plan", specs.ResearchPlan);
        EnrichCompanyBlockType.AddOption(options, "tier", EnrichmentCompiler.Tier(specs.Tier, ["low", "medium", "high", "xhigh"], context));
        var inputs = EnrichmentInputs.Person(finder: false, specs.NameField, specs.EmailField, specs.LinkedinField, specs.CompanyField);
        return new EnrichBlock(new EnrichPlan(EnrichmentOperation.EnrichPerson, inputs, fields, [.. fields.Select(f => f.Name)], options, chain,
            FindPeople: false, EnrichmentCompiler.Overwrite(specs.Overwrite, context)));
    }
}

/// <summary><c>find_email</c>: adds <c>email</c>, <c>email_status</c> (OK, UNKNOWN) and <c>email_type</c> (COMPANY, PERSONAL).</summary>
public sealed class FindEmailBlockType(ProviderRegistry providers) : BlockType<FindEmailSpecs>
{
    internal static readonly ReturnField[] Fields =
    [
        new("email", "The person's email address", ReturnFieldType.Str),
        new("email_status", "OK when the address is verified, else UNKNOWN", ReturnFieldType.Str),
        new("email_type", "COMPANY or PERSONAL", ReturnFieldType.Str),
    ];

    public override string Name => "find_email";

    public override string SpecsExample => """
        {"mode": "PROFESSIONAL"}
        """;

    public override string Description =>
        "Finds each person's email address (from name_field, company_field, domain_field, else the columns name, full_name, "
        + "first_name + last_name, company, domain, linkedin, ...) through a provider or a waterfall of them. Adds email, "
        + "email_status (OK, UNKNOWN), email_type (COMPANY, PERSONAL), enrich_status and enrich_provider. mode is "
        + "PROFESSIONAL (work address, the default) or PERSONAL.";

    public override DataframeType Takes => DataframeType.Lead;

    protected override CompiledBlock? Compile(FindEmailSpecs specs, BlockCompileContext context)
    {
        EnrichmentCompiler.CheckColumn(specs.NameField, "name_field", context);
        EnrichmentCompiler.CheckColumn(specs.CompanyField, "company_field", context);
        EnrichmentCompiler.CheckColumn(specs.DomainField, "domain_field", context);
        var mode = specs.Mode.Trim().ToUpperInvariant();
        if (mode is not ("PROFESSIONAL" or "PERSONAL"))
        {
            context.AddError("mode", $"Block '{context.Definition.BlockId}': mode must be PROFESSIONAL or PERSONAL (was '{specs.Mode}').");
        }

        var chain = EnrichmentCompiler.Providers(specs.Provider, EnrichmentOperation.FindEmail, providers, context);
        var options = new Dictionary<string, string>(StringComparer.Ordinal) { ["mode"] = mode };
        var inputs = EnrichmentInputs.Person(finder: true, specs.NameField, companyField: specs.CompanyField, domainField: specs.DomainField);
        return new EnrichBlock(new EnrichPlan(EnrichmentOperation.FindEmail, inputs, Fields, ["email"], options, chain, FindPeople: false,
            EnrichmentCompiler.Overwrite(specs.Overwrite, context)));
    }
}

/// <summary><c>find_phone</c>: adds <c>phone</c> and <c>phone_status</c>.</summary>
public sealed class FindPhoneBlockType(ProviderRegistry providers) : BlockType<FindPhoneSpecs>
{
    internal static readonly ReturnField[] Fields =
    [
        new("phone", "The person's phone number, in international format", ReturnFieldType.Str),
        new("phone_status", "How sure the provider is of the number (e.g. OK, UNKNOWN)", ReturnFieldType.Str),
    ];

    public override string Name => "find_phone";

    public override string SpecsExample => """
        {"name_field": "full_name", "company_field": "company"}
        """;

    public override string Description =>
        "Finds each person's phone number (from name_field and company_field, else the columns name, full_name, "
        + "first_name + last_name, company, linkedin, ...) through a provider or a waterfall of them. "
        + "Adds phone, phone_status, enrich_status and enrich_provider.";

    public override DataframeType Takes => DataframeType.Lead;

    protected override CompiledBlock? Compile(FindPhoneSpecs specs, BlockCompileContext context)
    {
        EnrichmentCompiler.CheckColumn(specs.NameField, "name_field", context);
        EnrichmentCompiler.CheckColumn(specs.CompanyField, "company_field", context);
        var chain = EnrichmentCompiler.Providers(specs.Provider, EnrichmentOperation.FindPhone, providers, context);
        var inputs = EnrichmentInputs.Person(finder: true, specs.NameField, companyField: specs.CompanyField);
        return new EnrichBlock(new EnrichPlan(EnrichmentOperation.FindPhone, inputs, Fields, ["phone"], new Dictionary<string, string>(), chain,
            FindPeople: false, EnrichmentCompiler.Overwrite(specs.Overwrite, context)));
    }
}

/// <summary>What a compiled enrichment block does for each row.</summary>
/// <param name="StopFields">The fields that, once filled, end the waterfall.</param>
internal sealed record EnrichPlan(
    EnrichmentOperation Operation,
    EnrichmentInputs Inputs,
    IReadOnlyList<ReturnField> Fields,
    IReadOnlyList<string> StopFields,
    IReadOnlyDictionary<string, string> Options,
    IReadOnlyList<IEnrichmentProvider> Providers,
    bool FindPeople,
    OverwritePolicy Overwrite)
{
    /// <summary>With <see cref="FindPeople"/>: the fields asked for each person (<c>people_fields</c>).</summary>
    public IReadOnlyList<ReturnField> PeopleFields { get; init; } = [];

    public bool IsResearch => Operation is EnrichmentOperation.EnrichCompany or EnrichmentOperation.EnrichPerson;

    /// <summary>The columns the block adds, in order.</summary>
    public IReadOnlyList<string> AddedColumns { get; } = [.. Fields.Select(f => f.Name)
        .Concat(Operation is EnrichmentOperation.EnrichCompany or EnrichmentOperation.EnrichPerson ? ["confidence_score", "notes", "references"] : [])
        .Concat(FindPeople ? ["people"] : [])
        .Concat(EnrichmentCompiler.StatusColumns)
        .Distinct(StringComparer.Ordinal)];
}
