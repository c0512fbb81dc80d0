namespace Enrichflow.Storage.S3;

/// <summary>
/// Checks blob keys by the local-disk store's rules (so a key valid on one backend is valid on the other), and
/// reserves the first segment <c>.uploads</c> for the records of writes in progress (<see cref="S3BlobStore"/>).
/// </summary>
internal static class S3Keys
{
    /// <summary>The segment under the key prefix where a record of each write in progress lives; never listed.</summary>
    public const string UploadsSegment = ".uploads";

    /// <summary>
    /// A key is one or more '/'-separated segments, none empty, '.' or '..', without backslashes, NUL or a colon, not
    /// absolute and not under <see cref="UploadsSegment"/>. A prefix may be empty and may end with '/' or a partial segment.
    /// </summary>
    public static void Validate(string value, string parameterName, bool isPrefix)
    {
        ArgumentNullException.ThrowIfNull(value, parameterName);
        if (value.Length == 0)
        {
            if (isPrefix)
            {
                return;
            }

            throw new ArgumentException("A blob key may not be empty.", parameterName);
        }

        if (value.Contains('\\', StringComparison.Ordinal) || value.Contains('\0', StringComparison.Ordinal) || value.Contains(':', StringComparison.Ordinal))
        {
            throw new ArgumentException($"Blob key '{value}' contains a backslash, a colon or a NUL character.", parameterName);
        }

        if (value[0] == '/')
        {
            throw new ArgumentException($"Blob key '{value}' is absolute; keys are relative to the store's prefix.", parameterName);
        }

        var segments = value.Split('/');
        var last = segments.Length - 1;
        for (var i = 0; i <= last; i++)
        {
            var segment = segments[i];
            if (isPrefix && i == last && segment.Length == 0)
            {
                continue;
            }

            if (segment.Length == 0 || segment is "." or "..")
            {
                throw new ArgumentException($"Blob key '{value}' has an empty, '.' or '..' segment.", parameterName);
            }
        }

        if (segments[0] == UploadsSegment && (segments.Length > 1 || !isPrefix))
        {
            throw new ArgumentException($"Blob key '{value}' is inside '{UploadsSegment}/', where the store records writes in progress.", parameterName);
        }
    }

    /// <summary>True for a key (relative to the store's prefix) that is a record of a write in progress.</summary>
    public static bool IsUploadRecord(string relativeKey) => relativeKey.StartsWith(UploadsSegment + "/", StringComparison.Ordinal);
}
