using System.ComponentModel;
using System.Text.Json;
using Enrichflow.Blocks.Enrichment;
using Enrichflow.Core.Blocks;
using Enrichflow.Core.Rows;
using Enrichflow.Providers;

namespace Enrichflow.Blocks.Agents;

/// <summary>One criterion of <c>qa_agent</c>, as Sixtyfour's <c>QualificationCriteria</c>: <c>criteria_name</c> and <c>description</c> are required.</summary>
public sealed record QualificationCriterionSpecs(
    [property: Description("Required. A short name; the row gets its score as qa_<criteria_name>.")] string? CriteriaName = null,
    [property: Description("Required. What qualifies a row, in plain words.")] string? Description = null,
    [property: Description("The criterion's weight in qa_score.")] double Weight = 1.0,
    [property: Description("The lowest score (0 to 1) that passes the criterion.")] double? Threshold = null);

/// <summary>Specs of <c>qa_agent</c> (docs/api.md §5.3); <c>qualification_criteria</c> is required.</summary>
public sealed record QaAgentSpecs(
    [property: Description("Required. The criteria each row is scored against: [{criteria_name, description, weight, threshold}].")] List<QualificationCriterionSpecs>? QualificationCriteria = null,
    [property: Description("More columns the agent fills: {column: description} or {column: {description, type}}.")] Dictionary<string, JsonElement>? ReturnFields = null,
    [property: Description("A sixtyfour or openai_compatible provider named in the server configuration (default: the first that can).")] JsonElement? Provider = null);

/// <summary>
/// <c>qa_agent</c>: scores each row against qualification criteria (Sixtyfour's <c>/qa-agent</c> with the row as
/// <c>data</c>, or a chat model asked for a JSON schema). Adds <c>qa_score</c> (the weighted mean of the criteria's
/// scores, 0 to 1), <c>qa_qualified</c> (every criterion with a threshold met; without thresholds, qa_score of 0.5 or
/// more), one <c>qa_NAME</c> per criterion, the return fields and <c>notes</c>.
/// </summary>
public sealed class QaAgentBlockType(ProviderRegistry providers) : BlockType<QaAgentSpecs>
{
    internal static readonly string[] FixedColumns = ["qa_score", "qa_qualified", "notes"];

    public override string Name => "qa_agent";

    public override string SpecsExample => """
        {"qualification_criteria": [{"criteria_name": "b2b_saas", "description": "The company sells software to businesses", "weight": 2.0, "threshold": 0.6}, {"criteria_name": "us_based", "description": "Headquartered in the United States"}]}
        """;

    public override string Description =>
        "Scores each row against qualification_criteria [{criteria_name, description, weight (1.0), threshold}] through "
        + "Sixtyfour's QA agent (the row as data) or an openai_compatible provider. Adds qa_score (the weighted mean of the "
        + "criteria's scores, 0 to 1), qa_qualified (every criterion with a threshold met; with no thresholds, qa_score of at "
        + "least 0.5), one qa_<criteria_name> score per criterion, the return_fields and notes. Scores answered on a 0-10 or "
        + "0-100 scale are scaled to 0-1. Answers are cached per organization and count against the run's credits; a row the "
        + "agent could not score goes to rejects with the reason, and the run goes on.";

    protected override CompiledBlock? Compile(QaAgentSpecs specs, BlockCompileContext context)
    {
        var id = context.Definition.BlockId;
        var criteria = new List<QualificationCriterion>();
        if (specs.QualificationCriteria is not { Count: > 0 } given)
        {
            context.AddError("qualification_criteria",
                $"Block '{id}': qualification_criteria is required: a list of {{\"criteria_name\", \"description\", \"weight\", \"threshold\"}} to score each row against.");
        }
        else
        {
            for (var i = 0; i < given.Count; i++)
            {
                if (Criterion(given[i], i, criteria, context) is { } criterion)
                {
                    criteria.Add(criterion);
                }
            }
        }

        var extra = specs.ReturnFields is { Count: > 0 } ? EnrichmentCompiler.ReturnFields(specs.ReturnFields, context) : [];
        var taken = FixedColumns.Concat(criteria.Select(c => AgentRequests.ScoreField(c.Name))).ToHashSet(StringComparer.Ordinal);
        foreach (var field in extra.Where(f => taken.Contains(f.Name)))
        {
            context.AddError(["return_fields", field.Name], $"Block '{id}': return field '{field.Name}' is a column qa_agent writes itself; give it another name.");
        }

        var provider = AgentProviders.Resolve(specs.Provider, EnrichmentOperation.QaAgent, providers, context);
        return provider is null ? null : new QaBlock(criteria, extra, provider);
    }

    private static QualificationCriterion? Criterion(QualificationCriterionSpecs? spec, int index, List<QualificationCriterion> earlier, BlockCompileContext context)
    {
        var id = context.Definition.BlockId;
        var at = new List<object> { "qualification_criteria", index };
        if (spec is null)
        {
            context.AddError(at, $"Block '{id}': qualification_criteria[{index}] must be {{\"criteria_name\", \"description\", ...}}.");
            return null;
        }

        var ok = true;
        var name = spec.CriteriaName?.Trim();
        if (string.IsNullOrEmpty(name))
        {
            context.AddError([.. at, "criteria_name"], $"Block '{id}': qualification_criteria[{index}] needs a criteria_name.");
            ok = false;
        }
        else if (earlier.Any(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase)))
        {
            context.AddError([.. at, "criteria_name"], $"Block '{id}': qualification_criteria[{index}]: criteria_name '{name}' is used twice.");
            ok = false;
        }

        if (string.IsNullOrWhiteSpace(spec.Description))
        {
            context.AddError([.. at, "description"], $"Block '{id}': qualification_criteria[{index}] needs a description (what qualifies a row).");
            ok = false;
        }

        if (!(spec.Weight > 0) || !double.IsFinite(spec.Weight))
        {
            context.AddError([.. at, "weight"], $"Block '{id}': qualification_criteria[{index}]: weight must be more than 0 (was {spec.Weight}).");
            ok = false;
        }

        if (spec.Threshold is { } threshold && !(threshold is >= 0 and <= 1))
        {
            context.AddError([.. at, "threshold"], $"Block '{id}': qualification_criteria[{index}]: threshold must be between 0 and 1 (was {threshold}).");
            ok = false;
        }

        return ok ? new QualificationCriterion(name!, spec.Description!.Trim(), spec.Weight, spec.Threshold) : null;
    }

    private sealed class QaBlock(List<QualificationCriterion> criteria, List<ReturnField> extra, IEnrichmentProvider provider)
        : ProviderCallBlock(provider, "qa_agent")
    {
        private readonly string _criteriaJson = AgentRequests.CriteriaJson(criteria);

        private readonly IReadOnlyList<ReturnField> _fields =
        [
            .. criteria.Select(c => new ReturnField(AgentRequests.ScoreField(c.Name), $"How well the record meets '{c.Name}', from 0 to 1: {c.Description}", ReturnFieldType.Float)),
            .. extra,
        ];

        public override IReadOnlyList<string> AddsColumns { get; } =
            ["qa_score", "qa_qualified", .. criteria.Select(c => AgentRequests.ScoreField(c.Name)), .. extra.Select(f => f.Name), "notes"];

        protected override IReadOnlyList<string> StopFields { get; } = [.. criteria.Select(c => AgentRequests.ScoreField(c.Name))];

        protected override RowRequest RequestFor(Row row)
        {
            var input = RowInput(row);
            return input.Count == 0
                ? RowRequest.Cannot("nothing to score: the row is empty")
                : RowRequest.Of(new EnrichmentRequest(EnrichmentOperation.QaAgent, input, _fields,
                    new Dictionary<string, string>(StringComparer.Ordinal) { [AgentRequests.CriteriaOption] = _criteriaJson }));
        }

        protected override void Write(Row row, EnrichmentAnswer answer)
        {
            var scores = QaScores.Normalize(criteria.Select(c => QaScores.Number(answer.Fields.GetValueOrDefault(AgentRequests.ScoreField(c.Name)))).ToList());
            row["qa_score"] = QaScores.Overall(criteria, scores);
            row["qa_qualified"] = QaScores.Qualified(criteria, scores, row["qa_score"] as double?);
            for (var i = 0; i < criteria.Count; i++)
            {
                row[AgentRequests.ScoreField(criteria[i].Name)] = scores[i];
            }

            foreach (var field in extra)
            {
                row[field.Name] = ToRowValue(answer.Fields.GetValueOrDefault(field.Name));
            }

            row["notes"] = answer.Notes;
        }
    }
}
