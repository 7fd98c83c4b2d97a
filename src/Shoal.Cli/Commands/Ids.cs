using System.CommandLine;
using System.Globalization;

namespace Shoal.Cli.Commands;

/// <summary>
/// Stream and job ids share numbers: every command takes a bare number as it always has, and also <c>s7</c> (stream 7)
/// or <c>j22</c> (job 22), so that an id is never taken for the other kind.
/// </summary>
internal static class Ids
{
    /// <summary>An id as typed: its number, and 's', 'j' or nothing.</summary>
    public readonly record struct Ref(long Id, char? Kind)
    {
        public bool IsJob => Kind == 'j';

        public bool IsStream => Kind == 's';
    }

    /// <summary>An id argument: <c>7</c>, <c>s7</c> or <c>j7</c>; anything else is refused with what is expected.</summary>
    public static Argument<Ref> Argument(string name, string description) => new(name)
    {
        Description = description + " (a number, or s7 for stream 7, j22 for job 22)",
        CustomParser = result =>
        {
            var text = result.Tokens.Single().Value;
            if (TryParse(text, out var id))
            {
                return id;
            }

            result.AddError($"'{text}' is not an id: a number, s7 (stream 7) or j22 (job 22)");
            return default;
        },
    };

    /// <summary>A job's id for a command that takes only jobs: a stream's (<c>s7</c>) is refused with where its jobs are.</summary>
    public static Argument<Ref> JobArgument(string name = "job") =>
        Refusing(Argument(name, "Job id"), 's', id => $"s{id} names a stream; this command takes a job (a stream's jobs are listed by: shoal status {id})");

    /// <summary>A stream's id for a command that takes only streams: a job's (<c>j22</c>) is refused.</summary>
    public static Argument<Ref> StreamArgument(string name = "id") =>
        Refusing(Argument(name, "Stream id"), 'j', id => $"j{id} names a job; this command takes a stream (what the job waits for: shoal why {id})");

    private static Argument<Ref> Refusing(Argument<Ref> argument, char kind, Func<long, string> error)
    {
        // Read from the token itself: a value that did not parse has its own error already.
        argument.Validators.Add(r =>
        {
            if (r.Tokens.Count == 1 && TryParse(r.Tokens[0].Value, out var value) && value.Kind == kind)
            {
                r.AddError(error(value.Id));
            }
        });
        return argument;
    }

    /// <summary>
    /// For a command that takes a stream, or a job with <c>--job</c>: whether the id is a job's (<c>--job</c> or
    /// <c>j22</c>); <c>--job</c> with <c>s7</c> is a contradiction and refused.
    /// </summary>
    public static bool IsJob(ParseResult result, Argument<Ref> id, Option<bool> job)
    {
        var value = result.GetValue(id);
        var flag = result.GetValue(job);
        if (flag && value.IsStream)
        {
            throw new Client.CliException($"s{value.Id} is a stream, but --job says the id is a job's", 2);
        }

        return flag || value.IsJob;
    }

    public static bool TryParse(string text, out Ref id)
    {
        char? kind = text.Length > 1 && char.ToLowerInvariant(text[0]) is 's' or 'j' ? char.ToLowerInvariant(text[0]) : null;
        var digits = kind is null ? text : text[1..];
        var ok = digits.Length > 0 && digits.All(char.IsAsciiDigit) && long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0;
        id = ok ? new Ref(long.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture), kind) : default;
        return ok;
    }
}
