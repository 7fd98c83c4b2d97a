namespace Shoal.Core.Model;

/// <summary>Part states; the numbers are stored, never renumber them.</summary>
public enum PartState
{
    Ready = 0,
    Leased = 1,
    Done = 2,
    Failed = 3,
}
