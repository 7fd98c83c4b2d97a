using Microsoft.Extensions.Logging;

namespace Shoal.Server;

/// <summary>Source-generated log messages of the server.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "started agent {Type} pid {Pid} on {Host}")]
    public static partial void AgentStarted(ILogger logger, string type, int pid, string host);

    [LoggerMessage(2, LogLevel.Debug, "agent {Type} pid {Pid} stderr: {Line}")]
    public static partial void AgentStderr(ILogger logger, string type, int pid, string line);

    [LoggerMessage(3, LogLevel.Warning, "agent {Type} pid {Pid} exited with code {Code} (bye {Bye}) holding {Parts} parts")]
    public static partial void AgentFailed(ILogger logger, string type, int pid, int code, long? bye, int parts);

    [LoggerMessage(4, LogLevel.Error, "agent type {Type} is invalid: {Reason}")]
    public static partial void TypeInvalid(ILogger logger, string type, string reason);

    [LoggerMessage(52, LogLevel.Error, "job {Job} of type {Type} failed: {Reason}")]
    public static partial void JobOfInvalidTypeFailed(ILogger logger, long job, string type, string reason);

    [LoggerMessage(53, LogLevel.Warning, "FOSSology's job queue: {Reason}; looking again shortly")]
    public static partial void FossologyQueueFailed(ILogger logger, string reason);

    [LoggerMessage(54, LogLevel.Warning, "FOSSology's job queue: row {Pk} was left 'Started' by another scheduler; start with --reset to run it again")]
    public static partial void FossologyRowLeftStarted(ILogger logger, int pk);

    [LoggerMessage(55, LogLevel.Information, "agent type {Type} passed its self-test on {Host}")]
    public static partial void SelfTestPassed(ILogger logger, string type, string host);

    [LoggerMessage(56, LogLevel.Error, "agent type {Type} failed its self-test on {Host}: {Reason}")]
    public static partial void SelfTestFailed(ILogger logger, string type, string host, string reason);

    [LoggerMessage(5, LogLevel.Error, "could not start agent {Type}: {Reason}")]
    public static partial void SpawnFailed(ILogger logger, string type, string reason);

    [LoggerMessage(6, LogLevel.Information, "released {Count} parts held by agents of a previous run")]
    public static partial void Recovered(ILogger logger, int count);

    [LoggerMessage(7, LogLevel.Warning, "{Count} leases expired")]
    public static partial void Expired(ILogger logger, int count);

    [LoggerMessage(8, LogLevel.Warning, "job {JobId} timed out")]
    public static partial void JobTimedOut(ILogger logger, long jobId);

    [LoggerMessage(9, LogLevel.Error, "dispatcher step failed")]
    public static partial void DispatcherError(ILogger logger, Exception ex);

    [LoggerMessage(51, LogLevel.Error, "agent {Type} on {Host} (pid {Pid}) exited with code {Code} before sending its version; its stderr: {Stderr}")]
    public static partial void AgentDiedBeforeVersion(ILogger logger, string type, string host, int pid, int code, string stderr);

    [LoggerMessage(40, LogLevel.Error, "sending a notification failed; it is tried again at the next pass")]
    public static partial void NotifyFailed(ILogger logger, Exception ex);

    [LoggerMessage(41, LogLevel.Error, "firing the schedules failed; they are looked at again shortly")]
    public static partial void SchedulesFailed(ILogger logger, Exception ex);

    [LoggerMessage(42, LogLevel.Error, "a command-port connection failed")]
    public static partial void CommandPortFailed(ILogger logger, Exception ex);

    [LoggerMessage(43, LogLevel.Error, "the sweep runner failed; it carries on")]
    public static partial void SweepRunnerFailed(ILogger logger, Exception ex);

    [LoggerMessage(44, LogLevel.Error, "taking the leadership or recording this server in the cluster failed")]
    public static partial void ClusterRecordFailed(ILogger logger, Exception ex);

    [LoggerMessage(45, LogLevel.Error, "a request failed with an internal error (answered 500)")]
    public static partial void RequestFailed(ILogger logger, Exception ex);

    [LoggerMessage(46, LogLevel.Error, "the retention pass failed; it runs again at the next interval")]
    public static partial void RetentionFailed(ILogger logger, Exception ex);

    [LoggerMessage(47, LogLevel.Error, "leasing a batch for pull agents failed; the waiting requests are answered with the error")]
    public static partial void LeaseBatchFailed(ILogger logger, Exception ex);

    [LoggerMessage(48, LogLevel.Error, "committing a batch of pull reports failed; the reports are answered with the error")]
    public static partial void ReportBatchFailed(ILogger logger, Exception ex);

    [LoggerMessage(49, LogLevel.Error, "generating parts failed; it is tried again shortly")]
    public static partial void GenerateFailed(ILogger logger, Exception ex);

    [LoggerMessage(50, LogLevel.Error, "the dashboard's overview feed failed; it carries on")]
    public static partial void OverviewFailed(ILogger logger, Exception ex);

    [LoggerMessage(10, LogLevel.Debug, "agent {Type} pid {Pid}: {Line}")]
    public static partial void AgentOutput(ILogger logger, string type, int pid, string line);

    [LoggerMessage(11, LogLevel.Information, "shoal server listening on {Url}, state in {StateDir}")]
    public static partial void Listening(ILogger logger, string url, string stateDir);

    [LoggerMessage(12, LogLevel.Information, "draining: {Agents} agents still running")]
    public static partial void Draining(ILogger logger, int agents);

    [LoggerMessage(13, LogLevel.Warning, "stopping agent {Type} pid {Pid}: {Reason}")]
    public static partial void AgentStopped(ILogger logger, string type, int pid, string reason);

    [LoggerMessage(14, LogLevel.Warning, "stale sweep lock {Path} (pid {Pid} is gone): taking it over")]
    public static partial void StaleLock(ILogger logger, string path, int pid);

    [LoggerMessage(15, LogLevel.Information, "sweep {Stream}: {Hosts} hosts, {Threads} at once")]
    public static partial void SweepStarted(ILogger logger, long stream, int hosts, int threads);

    [LoggerMessage(16, LogLevel.Error, "the command port {Port} cannot be opened ({Reason}); running without it")]
    public static partial void CommandPortUnavailable(ILogger logger, int port, string reason);

    [LoggerMessage(17, LogLevel.Error, "reload failed, the old configuration stays: {Error}")]
    public static partial void ReloadFailed(ILogger logger, string error);

    [LoggerMessage(18, LogLevel.Information, "schedule {Name}: its previous stream {Stream} still runs, this run is skipped")]
    public static partial void ScheduleSkipped(ILogger logger, string name, long stream);

    [LoggerMessage(19, LogLevel.Error, "schedule {Name}: its template was refused: {Error}")]
    public static partial void ScheduleFailed(ILogger logger, string name, string error);

    [LoggerMessage(20, LogLevel.Warning, "{What} notification failed (attempt {Attempt} of {Attempts}): {Reason}")]
    public static partial void NotifyFailed(ILogger logger, string what, int attempt, int attempts, string reason);

    [LoggerMessage(21, LogLevel.Information, "server {Node} {Change} the cluster's leadership (lease expiry, timeouts, schedules, retention, notifications)")]
    public static partial void Leadership(ILogger logger, string node, string change);

    [LoggerMessage(22, LogLevel.Information, "store: {Store}")]
    public static partial void StoreOpened(ILogger logger, string store);

    [LoggerMessage(23, LogLevel.Warning, "server {Node}: this machine's clock is {OffsetSeconds:0.###} s behind the database's; it {Skew} skewed past 1 s (leases and deadlines keep the database's time)")]
    public static partial void ClockSkew(ILogger logger, string node, double offsetSeconds, string skew);

    [LoggerMessage(24, LogLevel.Error, "the store cannot write: {Cause}")]
    public static partial void StoreUnavailable(ILogger logger, string cause);

    [LoggerMessage(25, LogLevel.Critical, "the server cannot start: {Reason}")]
    public static partial void StartFailed(ILogger logger, string reason);

    [LoggerMessage(26, LogLevel.Warning, "command port: accepting a connection failed ({Reason}); still listening")]
    public static partial void CommandPortAcceptFailed(ILogger logger, string reason);

    [LoggerMessage(27, LogLevel.Error, "the REST API listens on {Address} without TLS: tokens and payloads cross the network in clear; set [SCHEDULER] tls_cert and tls_key (docs/security.md)")]
    public static partial void PlainHttp(ILogger logger, string address);

    [LoggerMessage(28, LogLevel.Error, "agent {Type} (pid {Pid}) wrote a {Stream} line over 64 KiB: its last {Dropped} characters were dropped")]
    public static partial void AgentLineCut(ILogger logger, string type, int pid, string stream, long dropped);

    [LoggerMessage(57, LogLevel.Information, "operator: {Action} {Kind} {Id}: {Outcome}")]
    public static partial void OperatorAction(ILogger logger, string action, string kind, long id, string outcome);

    [LoggerMessage(58, LogLevel.Warning, "stream {Stream} is stuck: {Reason}")]
    public static partial void StreamStuck(ILogger logger, long stream, string reason);

    [LoggerMessage(59, LogLevel.Warning, "stuck-stream check failed")]
    public static partial void StuckCheckFailed(ILogger logger, Exception ex);

    [LoggerMessage(60, LogLevel.Warning, "pull agent {Owner} lost: no call for {Seconds} s; its leases are released")]
    public static partial void PullAgentLost(ILogger logger, string owner, double seconds);

    [LoggerMessage(61, LogLevel.Warning, "pull agent watch failed")]
    public static partial void PullAgentWatchFailed(ILogger logger, Exception ex);

    [LoggerMessage(62, LogLevel.Warning, "sweep {Stream}: no collector of zone {Zone} asked for its hosts for {Seconds} s; they are not attempted")]
    public static partial void ZoneGivenUp(ILogger logger, long stream, string zone, double seconds);

    [LoggerMessage(63, LogLevel.Warning, "no agent types: the agents folder {Folder} {What} (an agent type is NAME.conf there; `shoal init` writes an example); only sweeps can run")]
    public static partial void NoAgentTypes(ILogger logger, string folder, string what);

    [LoggerMessage(64, LogLevel.Warning, "the REST port is at its cap of {Cap} connections: idle ones are closed to make room ({Closed} so far; said at most once a minute)")]
    public static partial void IdleConnectionsClosed(ILogger logger, int cap, long closed);
}
