namespace Enrichflow.Storage.LocalDisk;

/// <summary>Checks that a key or prefix is a relative '/'-separated path that stays inside the root.</summary>
internal static class BlobKeys
{
    /// <summary>
    /// A key is one or more '/'-separated segments, none empty, '.' or '..', without backslashes, NUL or a drive
    /// colon, not starting with the temp files' <c>.~</c>, and not inside the legacy temp directory. A prefix may be empty and may end with '/' or a partial segment.
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

        if (value[0] == '/' || Path.IsPathRooted(value))
        {
            throw new ArgumentException($"Blob key '{value}' is absolute; keys are relative to the store's root.", parameterName);
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

            if (segment.StartsWith(LocalDiskBlobStore.TempPrefix, StringComparison.Ordinal))
            {
                throw new ArgumentException($"Blob key '{value}' has a segment starting with '{LocalDiskBlobStore.TempPrefix}', which names the store's temp files.", parameterName);
            }
        }

        if (segments[0] == ".tmp" && (segments.Length > 1 || !isPrefix))
        {
            throw new ArgumentException($"Blob key '{value}' is inside the store's temp directory.", parameterName);
        }
    }
}
