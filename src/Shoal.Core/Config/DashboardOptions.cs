namespace Shoal.Core.Config;

/// <summary><c>[DASHBOARD]</c>: the browser pages served by the server at <c>/</c>.</summary>
public sealed record DashboardOptions
{
    /// <summary>Whether the pages (read-only) are shown without signing in; by default only the sign-in form is.</summary>
    public bool Public { get; init; }

    /// <summary>How long a dashboard session lasts after signing in.</summary>
    public TimeSpan Session { get; init; } = TimeSpan.FromHours(12);
}
