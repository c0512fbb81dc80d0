namespace Enrichflow.Server.Tests.Infrastructure;

/// <summary>Workflow definitions the tests share.</summary>
public static class Definitions
{
    public const string WebhookValidate = """
        {"blocks": [
          {"sequence_number": 1, "block_type": "webhook", "block_name": "webhook", "block_id": "input", "specs": {}},
          {"sequence_number": 2, "block_type": "validate_email", "block_name": "validate_email", "block_id": "validate", "specs": {"email_field": "email", "check_mx": false}}],
         "edges": [{"from_block_id": "input", "to_block_id": "validate"}]}
        """;

    public const string WebhookOnly = """
        {"blocks": [{"sequence_number": 1, "block_type": "webhook", "block_name": "webhook", "block_id": "input", "specs": {}}], "edges": []}
        """;

    public const string ReadCsvFilter = """
        {"blocks": [
          {"sequence_number": 1, "block_type": "read_csv", "block_name": "read_csv", "block_id": "input", "specs": {}},
          {"sequence_number": 2, "block_type": "filter", "block_name": "filter", "block_id": "keep", "specs": {"expression": "[score] >= 50"}}],
         "edges": [{"from_block_id": "input", "to_block_id": "keep"}]}
        """;

    public const string ReadCsvOnly = """
        {"blocks": [{"sequence_number": 1, "block_type": "read_csv", "block_name": "read_csv", "block_id": "input", "specs": {}}], "edges": []}
        """;

    public const string ReadCsvStrict = """
        {"blocks": [{"sequence_number": 1, "block_type": "read_csv", "block_name": "read_csv", "block_id": "input", "specs": {"strict": true}}], "edges": []}
        """;

    /// <summary>read_csv → transform (keeps every row, adds a column) for large-run tests.</summary>
    public const string ReadCsvTransform = """
        {"blocks": [
          {"sequence_number": 1, "block_type": "read_csv", "block_name": "read_csv", "block_id": "input", "specs": {}},
          {"sequence_number": 2, "block_type": "transform", "block_name": "transform", "block_id": "shape", "specs": {"operations": [{"op": "upper", "column": "name"}]}}],
         "edges": [{"from_block_id": "input", "to_block_id": "shape"}]}
        """;

    /// <summary>webhook (COMPANY rows) → enrich_company on provider <c>s64</c> returning <c>employees</c>.</summary>
    public const string WebhookEnrichCompany = """
        {"blocks": [
          {"sequence_number": 1, "block_name": "webhook", "block_id": "companies", "specs": {"dataframe_type": "COMPANY"}},
          {"sequence_number": 2, "block_name": "enrich_company", "block_id": "enrich",
           "specs": {"company_field": "name", "website_field": "website", "provider": "s64",
                     "return_fields": {"employees": {"description": "Number of employees", "type": "int"}}}}],
         "edges": [{"from_block_id": "companies", "to_block_id": "enrich"}]}
        """;

    /// <summary>Rows for <see cref="WebhookEnrichCompany"/>: <c>Company i</c> at <c>https://ci.example</c>.</summary>
    public static object[] Companies(int count) =>
        [.. Enumerable.Range(0, count).Select(i => new { name = $"Company {i}", website = $"https://c{i}.example" })];
}
