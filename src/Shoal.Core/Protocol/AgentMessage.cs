using System.Globalization;

namespace Shoal.Core.Protocol;

/// <summary>One parsed line from a spawned agent.</summary>
public sealed record AgentMessage(AgentMessageKind Kind, string Text, long Number = 0, int Flag = 0)
{
    /// <summary>Parses a line. Never throws: unknown lines are <see cref="AgentMessageKind.Log"/>.</summary>
    public static AgentMessage Parse(string line)
    {
        if (line.Length > 0 && line[0] == '@')
        {
            return new(AgentMessageKind.Reserved, line);
        }

        if (line == "OK")
        {
            return new(AgentMessageKind.Ok, line);
        }

        if (TryArg(line, "VERSION:", out var rest))
        {
            return new(AgentMessageKind.Version, rest);
        }

        if (TryArg(line, "HEART:", out rest))
        {
            return TwoNumbers(line, rest, AgentMessageKind.Heart);
        }

        if (TryArg(line, "SPECIAL:", out rest))
        {
            return TwoNumbers(line, rest, AgentMessageKind.Special);
        }

        if (TryArg(line, "GETSPECIAL:", out rest))
        {
            return long.TryParse(rest, NumberStyles.Integer, CultureInfo.InvariantCulture, out var mask)
                ? new(AgentMessageKind.GetSpecial, line, mask)
                : new(AgentMessageKind.Malformed, line);
        }

        if (TryArg(line, "BYE", out rest))
        {
            return long.TryParse(rest, NumberStyles.Integer, CultureInfo.InvariantCulture, out var code)
                ? new(AgentMessageKind.Bye, line, code)
                : new(AgentMessageKind.Malformed, line);
        }

        if (TryArg(line, "EMAIL", out rest))
        {
            return new(AgentMessageKind.Email, rest);
        }

        if (TryArg(line, "ITEM", out rest))
        {
            return new(AgentMessageKind.Item, rest);
        }

        return new(AgentMessageKind.Log, line);
    }

    private static bool TryArg(string line, string keyword, out string rest)
    {
        if (line.StartsWith(keyword, StringComparison.Ordinal)
            && (line.Length == keyword.Length || keyword[^1] == ':' || line[keyword.Length] == ' '))
        {
            rest = line[keyword.Length..].Trim();
            return true;
        }

        rest = "";
        return false;
    }

    private static AgentMessage TwoNumbers(string line, string rest, AgentMessageKind kind)
    {
        var words = rest.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return words.Length == 2
            && long.TryParse(words[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)
            && int.TryParse(words[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var f)
            && f is 0 or 1
            ? new(kind, line, n, f)
            : new(AgentMessageKind.Malformed, line);
    }
}
