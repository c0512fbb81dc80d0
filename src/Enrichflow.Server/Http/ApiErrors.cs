using Enrichflow.Core.Definitions;

namespace Enrichflow.Server.Http;

/// <summary>Error bodies in Sixtyfour's FastAPI shape (API.md §1): <c>{"detail": ...}</c>.</summary>
public static class ApiErrors
{
    public static IResult Detail(int status, string detail) =>
        TypedResults.Json(new ErrorBody(detail), statusCode: status);

    public static IResult BadRequest(string detail) => Detail(StatusCodes.Status400BadRequest, detail);

    public static IResult NotFound(string detail) => Detail(StatusCodes.Status404NotFound, detail);

    public static IResult Conflict(string detail) => Detail(StatusCodes.Status409Conflict, detail);

    public static IResult TooLarge(string detail) => Detail(StatusCodes.Status413PayloadTooLarge, detail);

    public static IResult WorkflowNotFound() => NotFound("Workflow not found");

    public static IResult RunNotFound() => NotFound("Run not found");

    /// <summary>A request body that does not match the schema.</summary>
    public static IResult Unprocessable(IReadOnlyList<DefinitionError> errors) =>
        TypedResults.Json(new ValidationBody([.. errors.Select(e => new ValidationItem(e.Loc, e.Msg, e.Type))]), statusCode: StatusCodes.Status422UnprocessableEntity);

    public static IResult Unprocessable(IReadOnlyList<object> loc, string message, string type) =>
        Unprocessable([new DefinitionError(loc, message, type)]);

    /// <summary>A definition that is well-formed but wrong: a sentence plus every problem.</summary>
    public static IResult InvalidDefinition(IReadOnlyList<DefinitionError> errors)
    {
        var first = errors[0].Msg;
        var detail = errors.Count == 1
            ? $"Invalid workflow definition: {first}"
            : $"Invalid workflow definition: {errors.Count} problems, the first: {first}";
        return TypedResults.Json(new DefinitionErrorBody(detail, [.. errors.Select(e => new ErrorItem(e.Loc, e.Msg))]), statusCode: StatusCodes.Status400BadRequest);
    }

    public sealed record ErrorBody(string Detail);

    public sealed record ValidationBody(IReadOnlyList<ValidationItem> Detail);

    public sealed record ValidationItem(IReadOnlyList<object> Loc, string Msg, string Type);

    public sealed record DefinitionErrorBody(string Detail, IReadOnlyList<ErrorItem> Errors);

    public sealed record ErrorItem(IReadOnlyList<object> Loc, string Msg);
}
