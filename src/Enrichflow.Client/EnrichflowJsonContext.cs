using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Enrichflow.Client.Models;

namespace Enrichflow.Client;

/// <summary>
/// The client's JSON, source-generated: snake_case names, unknown fields ignored (a Sixtyfour answer has fields we do
/// not model), numbers also read from strings. Public so that callers can write the models as the API does.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    NumberHandling = JsonNumberHandling.AllowReadingFromString,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
    PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(Workflow))]
[JsonSerializable(typeof(List<Workflow>))]
[JsonSerializable(typeof(WorkflowDefinition))]
[JsonSerializable(typeof(CreateWorkflowRequest))]
[JsonSerializable(typeof(UpdateWorkflowRequest))]
[JsonSerializable(typeof(ValidateRequest))]
[JsonSerializable(typeof(ValidationResult))]
[JsonSerializable(typeof(List<BlockInfo>))]
[JsonSerializable(typeof(RunRequest))]
[JsonSerializable(typeof(RunStarted))]
[JsonSerializable(typeof(JobStatus))]
[JsonSerializable(typeof(Run))]
[JsonSerializable(typeof(List<Run>))]
[JsonSerializable(typeof(LiveStatus))]
[JsonSerializable(typeof(WorkflowEstimate))]
[JsonSerializable(typeof(List<ResultFile>))]
[JsonSerializable(typeof(Upload))]
[JsonSerializable(typeof(Notebook))]
[JsonSerializable(typeof(List<Notebook>))]
[JsonSerializable(typeof(Schedule))]
[JsonSerializable(typeof(List<Schedule>))]
[JsonSerializable(typeof(CreateScheduleRequest))]
[JsonSerializable(typeof(UpdateScheduleRequest))]
[JsonSerializable(typeof(List<Provider>))]
[JsonSerializable(typeof(Usage))]
[JsonSerializable(typeof(SigningSecret))]
[JsonSerializable(typeof(NewSigningSecret))]
[JsonSerializable(typeof(RollRequest))]
[JsonSerializable(typeof(StartInteractiveRequest))]
[JsonSerializable(typeof(InteractiveStarted))]
[JsonSerializable(typeof(AddBlockRequest))]
[JsonSerializable(typeof(AddBlockResult))]
[JsonSerializable(typeof(BlockOutput))]
[JsonSerializable(typeof(InteractiveFinished))]
[JsonSerializable(typeof(SaveInteractiveRequest))]
[JsonSerializable(typeof(ErrorBody))]
[JsonSerializable(typeof(List<ApiErrorItem>))]
[JsonSerializable(typeof(JsonObject))]
public sealed partial class EnrichflowJsonContext : JsonSerializerContext;
