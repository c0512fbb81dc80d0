using Enrichflow.Core.Definitions;

namespace Enrichflow.Server.Http;

/// <summary>
/// Error answers in Sixtyfour's FastAPI shape (docs/api.md §1), each as a typed result whose type names its status, so
/// handlers declare precise <c>Results&lt;...&gt;</c> unions.
/// </summary>
public static class ApiErrors
{
    public static BadRequest<ErrorBody> BadRequest(string detail) => TypedResults.BadRequest(new ErrorBody(detail));

    public static Unauthorized<ErrorBody> Unauthorized(string detail) => new(new ErrorBody(detail));

    public static Forbidden<ErrorBody> Forbidden(string detail) => new(new ErrorBody(detail));

    public static NotFound<ErrorBody> NotFound(string detail) => TypedResults.NotFound(new ErrorBody(detail));

    public static Conflict<ErrorBody> Conflict(string detail) => TypedResults.Conflict(new ErrorBody(detail));

    public static PayloadTooLarge<ErrorBody> TooLarge(string detail) => new(new ErrorBody(detail));

    public static UnsupportedMediaType<ErrorBody> UnsupportedMediaType(string detail) => new(new ErrorBody(detail));

    public static NotFound<ErrorBody> WorkflowNotFound() => NotFound("Workflow not found");

    public static NotFound<ErrorBody> RunNotFound() => NotFound("Run not found");

    /// <summary>A request that does not match the schema.</summary>
    public static UnprocessableEntity<ValidationBody> Unprocessable(IReadOnlyList<DefinitionError> errors) =>
        TypedResults.UnprocessableEntity(new ValidationBody([.. errors.Select(e => new ValidationItem(e.Loc, e.Msg, e.Type))]));

    public static UnprocessableEntity<ValidationBody> Unprocessable(IReadOnlyList<object> loc, string message, string type) =>
        Unprocessable([new DefinitionError(loc, message, type)]);

    /// <summary>A definition that is well-formed but wrong: a sentence plus every problem.</summary>
    public static BadRequest<DefinitionErrorBody> InvalidDefinition(IReadOnlyList<DefinitionError> errors)
    {
        var first = errors[0].Msg;
        var detail = errors.Count == 1
            ? $"Invalid workflow definition: {first}"
            : $"Invalid workflow definition: {errors.Count} problems, the first: {first}";
        return TypedResults.BadRequest(new DefinitionErrorBody(detail, [.. errors.Select(e => new ErrorItem(e.Loc, e.Msg))]));
    }
}
