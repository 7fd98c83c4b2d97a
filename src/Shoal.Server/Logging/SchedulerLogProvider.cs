using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Shoal.Server.Logging;

/// <summary>
/// The scheduler log in FOSSology's format, <c>YYYY-MM-DD HH:MM:SS scheduler [pid] :: text</c>, with <c>ERROR</c>,
/// <c>WARNING</c> and <c>NOTE:</c> prefixes, in <c>[DIRECTORIES] logdir</c>/shoal.log (rotated by size). What is
/// written follows the verbosity: 0 errors, 1 + notes, 2 + warnings, 3–7 + debug; 8 and up is a component bit mask
/// that turns debug output on per component (<see cref="ComponentBit"/>).
/// </summary>
internal sealed class SchedulerLogProvider(RotatingFile file, Verbosity verbosity, TimeProvider time) : ILoggerProvider
{
    private readonly Verbosity verbosity = verbosity;

    public ILogger CreateLogger(string categoryName) => new SchedulerLogger(this, ComponentBit(categoryName));

    /// <summary>DESIGN.md "Logging": bit 3 jobs, 4 agents, 5 scheduler, 6 events, 7 interface, 8 database, 9 hosts (10 is everything).</summary>
    public static int ComponentBit(string category) => category switch
    {
        _ when category.StartsWith("Shoal.Server.Sweeps", StringComparison.Ordinal) || category.StartsWith("Shoal.Server.Pull", StringComparison.Ordinal) => 3,
        _ when category.StartsWith("Shoal.Server.Spawned.Dispatcher", StringComparison.Ordinal) => 5,
        _ when category.StartsWith("Shoal.Server.Spawned", StringComparison.Ordinal) => 4,
        _ when category.StartsWith("Shoal.Server.Notify", StringComparison.Ordinal) || category.StartsWith("Shoal.Server.Schedules", StringComparison.Ordinal) => 6,
        _ when category.StartsWith("Shoal.Server.Api", StringComparison.Ordinal) || category.StartsWith("Shoal.Server.CommandPort", StringComparison.Ordinal) => 7,
        _ when category.StartsWith("Shoal.Storage", StringComparison.Ordinal) || category.StartsWith("Shoal.Server.Retention", StringComparison.Ordinal) => 8,
        _ => 5,
    };

    /// <summary>Whether a message of <paramref name="level"/> from a component is written at verbosity <paramref name="verbose"/>.</summary>
    public static bool Enabled(LogLevel level, int bit, int verbose) => level switch
    {
        LogLevel.Critical or LogLevel.Error => true,
        LogLevel.Information => verbose >= 1,
        LogLevel.Warning => verbose >= 2,
        LogLevel.Debug or LogLevel.Trace => verbose is >= 3 and < 8 || (verbose >= 8 && ((verbose >> bit) & 1) == 1) || (verbose >= 8 && ((verbose >> 10) & 1) == 1),
        _ => false,
    };

    public void Dispose()
    {
    }


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

    private sealed class SchedulerLogger(SchedulerLogProvider provider, int bit) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => Enabled(logLevel, bit, provider.verbosity.Level);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                provider.Write(logLevel, formatter(state, exception) + (exception is null ? "" : " " + exception.Message));
            }
        }
    }
}
