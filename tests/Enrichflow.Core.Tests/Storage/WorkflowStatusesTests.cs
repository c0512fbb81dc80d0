using Enrichflow.Core.Storage;

namespace Enrichflow.Core.Tests.Storage;

/// <summary>The workflow status and step wire names are what the API and the workflows table have always held.</summary>
public sealed class WorkflowStatusesTests
{
    [Fact]
    public void Workflow_statuses_and_steps_keep_their_wire_names()
    {
        Assert.Equal(["active", "deleted"], Enum.GetValues<WorkflowStatus>().Select(s => s.ToWire()));
        Assert.Equal(["draft", "completed", "deleted"], Enum.GetValues<WorkflowStep>().Select(s => s.ToWire()));
    }

    [Fact]
    public void Every_wire_name_parses_back_and_an_unknown_one_is_null()
    {
        Assert.All(Enum.GetValues<WorkflowStatus>(), s => Assert.Equal(s, WorkflowStatuses.ParseWorkflowStatus(s.ToWire())));
        Assert.All(Enum.GetValues<WorkflowStep>(), s => Assert.Equal(s, WorkflowStatuses.ParseWorkflowStep(s.ToWire())));
        Assert.Null(WorkflowStatuses.ParseWorkflowStatus("Active"));
        Assert.Null(WorkflowStatuses.ParseWorkflowStatus("0"));
        Assert.Null(WorkflowStatuses.ParseWorkflowStep("archived"));
    }
}
