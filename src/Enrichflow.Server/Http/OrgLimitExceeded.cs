using System.Reflection;
using Enrichflow.Hosting.Orgs;
using Microsoft.AspNetCore.Http.Metadata;

namespace Enrichflow.Server.Http;

/// <summary>
/// An organization limit refused a run start (docs/api.md §1 "Organization limits"): 402 when its credits of the day or
/// month are used up, 429 at its quota of runs queued or running, 413 at its quota of stored bytes.
/// </summary>
public sealed class OrgLimitExceeded(ErrorBody value, int statusCode) : JsonStatusResult<ErrorBody>(value), IEndpointMetadataProvider
{
    public override int StatusCode => statusCode;

    public static OrgLimitExceeded For(OrgRefusal refusal)
    {
        ArgumentNullException.ThrowIfNull(refusal);
        return new(new ErrorBody(refusal.Detail), StatusOf(refusal.Kind));
    }

    public static int StatusOf(OrgRefusalKind kind) => kind switch
    {
        OrgRefusalKind.CreditsExhausted => StatusCodes.Status402PaymentRequired,
        OrgRefusalKind.TooManyRuns => StatusCodes.Status429TooManyRequests,
        _ => StatusCodes.Status413PayloadTooLarge,
    };

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        Produces(builder, StatusCodes.Status402PaymentRequired);
        Produces(builder, StatusCodes.Status413PayloadTooLarge);
        Produces(builder, StatusCodes.Status429TooManyRequests);
    }
}
