// The error unions several handlers share, named once. A Results<...> is itself a result, so a handler's union
// takes one of these as a member and a helper's error converts to it without being unpacked.

/// <summary>A JSON body that cannot be read: over its limit (413), or missing, malformed or not the expected kind (422).</summary>
global using JsonBodyError = Microsoft.AspNetCore.Http.HttpResults.Results<
    Enrichflow.Server.Http.PayloadTooLarge<Enrichflow.Server.Http.ErrorBody>,
    Microsoft.AspNetCore.Http.HttpResults.UnprocessableEntity<Enrichflow.Server.Http.ValidationBody>>;

/// <summary>A run request (start or estimate) that cannot go ahead: its body, its definition, a missing workflow, upload or notebook.</summary>
global using RunRequestError = Microsoft.AspNetCore.Http.HttpResults.Results<
    Microsoft.AspNetCore.Http.HttpResults.BadRequest<Enrichflow.Server.Http.ErrorBody>,
    Microsoft.AspNetCore.Http.HttpResults.BadRequest<Enrichflow.Server.Http.DefinitionErrorBody>,
    Microsoft.AspNetCore.Http.HttpResults.NotFound<Enrichflow.Server.Http.ErrorBody>,
    Microsoft.AspNetCore.Http.HttpResults.UnprocessableEntity<Enrichflow.Server.Http.ValidationBody>,
    Enrichflow.Server.Http.PayloadTooLarge<Enrichflow.Server.Http.ErrorBody>,
    Microsoft.AspNetCore.Http.HttpResults.Results<
        Enrichflow.Server.Http.PayloadTooLarge<Enrichflow.Server.Http.ErrorBody>,
        Microsoft.AspNetCore.Http.HttpResults.UnprocessableEntity<Enrichflow.Server.Http.ValidationBody>>>;
