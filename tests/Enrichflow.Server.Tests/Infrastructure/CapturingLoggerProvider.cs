using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Enrichflow.Server.Tests.Infrastructure;

/// <summary>
/// A logger provider for an in-process <see cref="TestServer"/> that keeps everything a log line can carry: the
/// category, the formatted message, every structured value, the exception (with inner ones) and the scopes.
/// </summary>
public sealed class CapturingLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    private readonly ConcurrentQueue<CapturedLog> _entries = new();
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public IReadOnlyList<CapturedLog> Entries => [.. _entries];

    /// <summary>Every entry's text, one per line.</summary>
    public string AllText => string.Join('\n', _entries.Select(e => e.Text));

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => provider._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var text = new StringBuilder().Append(category).Append(" [").Append(eventId.Id).Append("] ").Append(formatter(state, exception));
            if (state is IEnumerable<KeyValuePair<string, object?>> values)
            {
                foreach (var (key, value) in values)
                {
                    text.Append(" | ").Append(key).Append('=').Append(value);
                }
            }

            if (exception is not null)
            {
                text.Append(" | ").Append(exception);
            }

            provider._scopes.ForEachScope((scope, builder) => builder.Append(" | scope ").Append(scope), text);
            provider._entries.Enqueue(new CapturedLog(category, logLevel, eventId.Id, text.ToString()));
        }
    }
}

public sealed record CapturedLog(string Category, LogLevel Level, int EventId, string Text);
