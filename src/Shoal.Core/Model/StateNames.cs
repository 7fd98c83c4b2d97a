namespace Shoal.Core.Model;

/// <summary>Lower-case names used in JSON and on the CLI, and their parsing.</summary>
public static class StateNames
{
    public static string Name(this StreamState s) => s.ToString().ToLowerInvariant();

    public static string Name(this JobState s) => s.ToString().ToLowerInvariant();

    public static string Name(this PartState s) => s.ToString().ToLowerInvariant();

    public static bool IsTerminal(this StreamState s) =>
        s is StreamState.Completed or StreamState.Failed or StreamState.Cancelled;

    public static bool IsTerminal(this JobState s) =>
        s is JobState.Completed or JobState.Failed or JobState.Cancelled;

    public static bool TryParseStream(string text, out StreamState state) =>
        Enum.TryParse(text, ignoreCase: true, out state) && Enum.IsDefined(state);
}
