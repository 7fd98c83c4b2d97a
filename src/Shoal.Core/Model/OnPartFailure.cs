namespace Shoal.Core.Model;

/// <summary>What a part that failed past its retries does to its job.</summary>
public enum OnPartFailure
{
    /// <summary>The job fails (default for spawned types: a pipeline step is all or nothing).</summary>
    FailJob = 0,

    /// <summary>The failure is counted and listed; the job carries on (default for pull types).</summary>
    Continue = 1,
}
