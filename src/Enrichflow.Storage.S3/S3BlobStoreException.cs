using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Amazon.S3;

namespace Enrichflow.Storage.S3;

/// <summary>
/// An S3 request that failed for good: after the SDK's retries for a server error, throttling or time-out
/// (<see cref="IsTransient"/>: a later attempt may succeed), or at once for a refusal such as a missing bucket or
/// unknown credentials. The message names the server, bucket, object and the setting to look at.
/// </summary>
public sealed class S3BlobStoreException(string message, bool isTransient, HttpStatusCode? statusCode, string? errorCode, Exception? inner)
    : IOException(message, inner)
{
    /// <summary>True when the failure was the server's or the network's (5xx, throttling, time-out), not a refusal.</summary>
    public bool IsTransient { get; } = isTransient;

    public HttpStatusCode? StatusCode { get; } = statusCode;

    /// <summary>S3's error code, e.g. <c>NoSuchBucket</c>, <c>InvalidAccessKeyId</c>, <c>SlowDown</c>.</summary>
    public string? ErrorCode { get; } = errorCode;
}

/// <summary>Turns the SDK's exceptions into <see cref="S3BlobStoreException"/>s with messages that say what to fix.</summary>
internal static class S3Errors
{
    public static bool IsNotFound(AmazonS3Exception e) => e.StatusCode == HttpStatusCode.NotFound && e.ErrorCode is not "NoSuchBucket";

    /// <summary>True for what an abort of a multipart upload may answer when there is nothing (left) to abort, or the server cannot abort.</summary>
    public static bool IsAbortUnneeded(AmazonS3Exception e) =>
        e.ErrorCode is "NoSuchUpload" or "NotImplemented" or "MethodNotAllowed" || e.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.NotImplemented or HttpStatusCode.MethodNotAllowed;

    /// <summary>The exception to throw for <paramref name="e"/>, thrown by <paramref name="operation"/> on <paramref name="objectKey"/> (null: the bucket).</summary>
    public static S3BlobStoreException Translate(Exception e, S3BlobStoreOptions options, string operation, string? objectKey)
    {
        var server = options.ServiceUrl?.ToString().TrimEnd('/') ?? $"AWS S3 ({options.Region})";
        var target = objectKey is null ? $"bucket '{options.Bucket}'" : $"'{objectKey}' in bucket '{options.Bucket}'";
        var attempts = options.MaxRetries + 1;
        switch (e)
        {
            case AmazonS3Exception s3 when s3.ErrorCode == "NoSuchBucket":
                return new(
                    $"S3 {operation} of {target} failed: the bucket '{options.Bucket}' does not exist at {server} (check {S3BlobStoreOptions.BucketSetting}, the bucket of --blobs s3://bucket/prefix, and {S3BlobStoreOptions.ServiceUrlSetting}).",
                    false, s3.StatusCode, s3.ErrorCode, e);
            case AmazonS3Exception s3 when s3.ErrorCode == "InvalidAccessKeyId":
                return new(
                    $"S3 {operation} of {target} failed: {server} does not know the access key '{options.AccessKey}' (check {S3BlobStoreOptions.AccessKeySetting}).",
                    false, s3.StatusCode, s3.ErrorCode, e);
            case AmazonS3Exception s3 when s3.ErrorCode == "SignatureDoesNotMatch":
                return new(
                    $"S3 {operation} of {target} failed: {server} rejected the request's signature; the secret key does not belong to access key '{options.AccessKey}' (check {S3BlobStoreOptions.SecretKeySetting}).",
                    false, s3.StatusCode, s3.ErrorCode, e);
            case AmazonS3Exception s3 when s3.StatusCode == HttpStatusCode.Forbidden:
                return new(
                    $"S3 {operation} of {target} failed: {server} denied access ({s3.ErrorCode}: {s3.Message}) with access key '{options.AccessKey}' (check {S3BlobStoreOptions.AccessKeySetting}, {S3BlobStoreOptions.SecretKeySetting} and the bucket's policy).",
                    false, s3.StatusCode, s3.ErrorCode, e);
            case AmazonServiceException service when (int)service.StatusCode >= 500 || service.ErrorCode is "SlowDown" or "Throttling" or "RequestTimeout":
                return new(
                    $"S3 {operation} of {target} at {server} failed after {attempts} attempts: {(int)service.StatusCode} {service.ErrorCode}: {service.Message}",
                    true, service.StatusCode, service.ErrorCode, e);
            case AmazonServiceException service:
                return new(
                    $"S3 {operation} of {target} at {server} failed: {(int)service.StatusCode} {service.ErrorCode}: {service.Message}",
                    false, service.StatusCode, service.ErrorCode, e);
            case HttpRequestException or SocketException or IOException or AmazonClientException:
                return new(
                    $"S3 {operation} of {target} failed: the connection to {server} failed after {attempts} attempts ({e.Message}; check {S3BlobStoreOptions.ServiceUrlSetting}).",
                    true, null, null, e);
            case OperationCanceledException or TimeoutException:
                return new(
                    $"S3 {operation} of {target} at {server} timed out after {attempts} attempts of up to {options.RequestTimeout.TotalSeconds:0.#} s each.",
                    true, null, null, e);
            default:
                return new($"S3 {operation} of {target} at {server} failed: {e.Message}", true, null, null, e);
        }
    }
}
