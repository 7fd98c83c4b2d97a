using System.Globalization;
using Microsoft.Extensions.Logging;
using Shoal.Server.CommandPort;

namespace Shoal.Server.Logging;

/// <summary>
/// The scheduler log in FOSSology's format, <c>YYYY-MM-DD HH:MM:SS scheduler [pid] :: text</c>, with <c>ERROR</c>,
/// <c>WARNING</c> and <c>NOTE:</c> prefixes, in <c>[DIRECTORIES] logdir</c>/shoal.log (rotated by size). What is
/// written follows the verbosity: 0 errors, 1 + notes, 2 + warnings, 3–7 + debug; 8 and up is a component mask,
/// which turns debug output on.
/// </summary>
internal sealed class SchedulerLogProvider(RotatingFile file, Verbosity verbosity, TimeProvider time) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new SchedulerLogger(this);

    public void Dispose()
    {
    }

    private bool Enabled(LogLevel level) => level switch
    {
        LogLevel.Critical or LogLevel.Error => true,
        LogLevel.Information => verbosity.Level >= 1,
        LogLevel.Warning => verbosity.Level >= 2,
        LogLevel.Debug or LogLevel.Trace => verbosity.Level >= 3,
        _ => false,
    };

    private void Write(LogLevel level, string text)
    {
        var prefix = level switch
        {
            LogLevel.Critical or LogLevel.Error => "ERROR ",
            LogLevel.Warning => "WARNING ",
            LogLevel.Information => "NOTE: ",
            _ => "",
        };
        var at = time.GetUtcNow().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        file.Append($"{at} scheduler [{Environment.ProcessId}] :: {prefix}{text}");
    }

    private sealed class SchedulerLogger(SchedulerLogProvider provider) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => provider.Enabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                provider.Write(logLevel, formatter(state, exception) + (exception is null ? "" : " " + exception.Message));
            }
        }
    }
}
