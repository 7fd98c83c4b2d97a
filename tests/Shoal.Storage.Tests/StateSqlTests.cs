using Shoal.Core.Model;
using Shoal.Storage.Relational;
using Shouldly;

namespace Shoal.Storage.Tests;

/// <summary>The SQL state predicates say what the model's predicates say: a state added to an enum cannot fall between them.</summary>
public sealed class StateSqlTests
{
    [Fact]
    public void TheEndedPredicates_HoldExactlyTheTerminalStates()
    {
        Members(StateSql.JobEnded).ShouldBe(Enum.GetValues<JobState>().Where(s => s.IsTerminal()).Select(s => (int)s));
        Members(StateSql.StreamEnded).ShouldBe(Enum.GetValues<StreamState>().Where(s => s.IsTerminal()).Select(s => (int)s));
    }

    [Fact]
    public void ThePausablePredicate_HoldsEveryLiveJobStateButPaused()
    {
        Members(StateSql.JobPausable).ShouldBe(Enum.GetValues<JobState>().Where(s => !s.IsTerminal() && s != JobState.Paused).Select(s => (int)s));
        Members(StateSql.PartOpen).ShouldBe([(int)PartState.Ready, (int)PartState.Leased, (int)PartState.Retrying]);
    }

    private static IEnumerable<int> Members(string list) =>
        list.Trim('(', ')').Split(", ").Select(n => int.Parse(n, System.Globalization.CultureInfo.InvariantCulture));
}
