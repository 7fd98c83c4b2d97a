namespace Shoal.Cli.Tests;

/// <summary>
/// The tests that publish and pack Shoal (a minute of both cores each) run alone, so that they do not starve the
/// timing-sensitive process tests that would otherwise run beside them.
/// </summary>
[CollectionDefinition(nameof(BuildsCollection), DisableParallelization = true)]
public sealed class BuildsCollection;
