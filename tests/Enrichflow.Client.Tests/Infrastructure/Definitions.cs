using System.Text.Json.Nodes;
using Enrichflow.Client.Models;

namespace Enrichflow.Client.Tests.Infrastructure;

/// <summary>Workflow definitions and rows the tests run.</summary>
public static class Definitions
{
    /// <summary>webhook → validate_email (syntax only) → filter that drops invalid emails.</summary>
    public static WorkflowDefinition EmailCheck() => new(
        [
            new WorkflowBlock(1, "webhook", BlockId: "input"),
            new WorkflowBlock(2, "validate_email", new JsonObject { ["email_field"] = "email", ["check_mx"] = false }, "check"),
            new WorkflowBlock(3, "filter", new JsonObject { ["expression"] = "[email_status] != 'invalid'" }, "keep"),
        ],
        [new WorkflowEdge("input", "check"), new WorkflowEdge("check", "keep")]);

    /// <summary>read_csv → transform (an upper-cased copy of a column).</summary>
    public static WorkflowDefinition CsvUpper() => new(
        [
            new WorkflowBlock(1, "read_csv", BlockId: "read"),
            new WorkflowBlock(2, "transform", new JsonObject
            {
                ["operations"] = new JsonArray(new JsonObject { ["op"] = "expression", ["column"] = "loud", ["expression"] = "upper([name])" }),
            }, "upper"),
        ],
        [new WorkflowEdge("read", "upper")]);

    /// <summary>Rows with an <c>email</c> (every third one not an address).</summary>
    public static IEnumerable<JsonObject> Leads(int count) =>
        Enumerable.Range(0, count).Select(i => new JsonObject
        {
            ["name"] = $"Lead {i}",
            ["email"] = i % 3 == 2 ? $"not-an-address-{i}" : $"lead{i}@example.com",
        });
}
