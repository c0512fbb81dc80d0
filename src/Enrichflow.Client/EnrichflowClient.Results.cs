using Enrichflow.Client.Models;

namespace Enrichflow.Client;

/// <summary>Result files (docs/api.md §3.1): signed links, and their content streamed.</summary>
public sealed partial class EnrichflowClient
{
    /// <summary>
    /// <c>GET /workflows/runs/{id}/results/download-links?format=</c>: one file per block in block order, the final output
    /// last; <paramref name="includeRejects"/> lists <c>rejects.ndjson</c> first (ours).
    /// </summary>
    public Task<List<ResultFile>> GetDownloadLinksAsync(string runId, string format = ResultFormats.Csv, bool includeRejects = false, CancellationToken cancellationToken = default)
    {
        var route = $"workflows/runs/{Escape(runId)}/results/download-links?format={Escape(format)}" + (includeRejects ? "&include_rejects=true" : "");
        return SendAsync(Request(HttpMethod.Get, route), EnrichflowJsonContext.Default.ListResultFile, cancellationToken);
    }

    /// <summary>
    /// Opens a result file's content as a stream read from the network as it is consumed (never buffered whole). The
    /// signed link is fetched without the API key (it needs none, and a Sixtyfour link points at a storage service).
    /// </summary>
    public async Task<Stream> OpenResultAsync(ResultFile file, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (string.IsNullOrEmpty(file.DownloadUrl))
        {
            throw new InvalidOperationException($"Result file '{file.Filename}' has no download_url{(file.Message is { } m ? $" ({m})" : "")}.");
        }

        var url = new Uri(_base, file.DownloadUrl);
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (!Uri.IsWellFormedUriString(file.DownloadUrl, UriKind.Absolute))
        {
            // A link relative to the API is the API's own route, which takes the key.
            request.Headers.Add(ApiKeyHeader, _options.ApiKey);
        }

        HttpResponseMessage? response = null;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            await EnsureSuccessAsync(request, response, cancellationToken).ConfigureAwait(false);
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            var owned = new ResponseStream(stream, response, request);
            response = null;
            return owned;
        }
        catch
        {
            response?.Dispose();
            request.Dispose();
            throw;
        }
    }

    /// <summary>Opens the run's final output (the last link of <paramref name="format"/>) as a stream.</summary>
    public async Task<Stream> OpenResultAsync(string runId, string format = ResultFormats.Csv, CancellationToken cancellationToken = default) =>
        await OpenResultAsync(await FinalFileAsync(runId, format, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    /// <summary>Copies a result file into <paramref name="destination"/> as it arrives.</summary>
    public async Task DownloadResultAsync(ResultFile file, Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var source = await OpenResultAsync(file, cancellationToken).ConfigureAwait(false);
        await using (source.ConfigureAwait(false))
        {
            await source.CopyToAsync(destination, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Copies the run's final output (the last link of <paramref name="format"/>) into <paramref name="destination"/>; returns the file it was.</summary>
    public async Task<ResultFile> DownloadResultAsync(string runId, Stream destination, string format = ResultFormats.Csv, CancellationToken cancellationToken = default)
    {
        var file = await FinalFileAsync(runId, format, cancellationToken).ConfigureAwait(false);
        await DownloadResultAsync(file, destination, cancellationToken).ConfigureAwait(false);
        return file;
    }

    private async Task<ResultFile> FinalFileAsync(string runId, string format, CancellationToken cancellationToken)
    {
        var links = await GetDownloadLinksAsync(runId, format, includeRejects: false, cancellationToken).ConfigureAwait(false);
        return links.Count > 0 ? links[^1] : throw new InvalidOperationException($"Run {runId} has no {format} result file yet.");
    }

    /// <summary>A response body that disposes its response (and request) with it.</summary>
    private sealed class ResponseStream(Stream inner, HttpResponseMessage response, HttpRequestMessage request) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => response.Content.Headers.ContentLength ?? throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override int Read(Span<byte> buffer) => inner.Read(buffer);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.ReadAsync(buffer, offset, count, cancellationToken);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);

        public override Task CopyToAsync(Stream destination, int bufferSize, CancellationToken cancellationToken) => inner.CopyToAsync(destination, bufferSize, cancellationToken);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
                response.Dispose();
                request.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
