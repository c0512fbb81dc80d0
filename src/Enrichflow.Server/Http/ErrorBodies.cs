namespace Enrichflow.Server.Http;

/// <summary><c>{"detail": "..."}</c>: one sentence saying what is wrong (docs/api.md §1).</summary>
public sealed record ErrorBody(string Detail);

/// <summary>A request that does not match the schema, in FastAPI's shape: <c>{"detail": [{loc, msg, type}]}</c>.</summary>
public sealed record ValidationBody(IReadOnlyList<ValidationItem> Detail);

public sealed record ValidationItem(IReadOnlyList<object> Loc, string Msg, string Type);

/// <summary>A definition that is well-formed but wrong: a sentence plus every problem with its location.</summary>
public sealed record DefinitionErrorBody(string Detail, IReadOnlyList<ErrorItem> Errors);

public sealed record ErrorItem(IReadOnlyList<object> Loc, string Msg);
