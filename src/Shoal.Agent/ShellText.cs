using System.Text;

namespace Shoal.Agent;

/// <summary>
/// Puts a quoted expansion of an environment variable where a placeholder stands in a <c>/bin/sh</c> command, reading
/// the command's own quoting: outside quotes <c>"$V"</c>, inside double quotes <c>${V}</c>, inside single quotes
/// <c>'"$V"'</c> (the single-quoted string is closed and reopened). The value itself never becomes shell text.
/// </summary>
public static class ShellText
{
    public static string Substitute(string command, string placeholder, string variable)
    {
        var text = new StringBuilder();
        var quote = '\0';
        for (var i = 0; i < command.Length; i++)
        {
            if (string.CompareOrdinal(command, i, placeholder, 0, placeholder.Length) == 0)
            {
                text.Append(quote switch
                {
                    '"' => "${" + variable + "}",
                    '\'' => "'\"$" + variable + "\"'",
                    _ => "\"$" + variable + "\"",
                });
                i += placeholder.Length - 1;
                continue;
            }

            var c = command[i];
            text.Append(c);
            if (c == '\\' && quote != '\'' && i + 1 < command.Length)
            {
                text.Append(command[++i]); // an escaped character changes no quoting
            }
            else if (quote == '\0' && c is '"' or '\'')
            {
                quote = c;
            }
            else if (c == quote)
            {
                quote = '\0';
            }
        }

        return text.ToString();
    }
}

/// <summary>A value refused before a command was started (it would have been read as an option).</summary>
public sealed class UnsafeValueException(string message) : Exception(message);
