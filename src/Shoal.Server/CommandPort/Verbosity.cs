namespace Shoal.Server.CommandPort;

/// <summary>The scheduler's verbosity (0–7, or a component bit mask from 8 up), set with <c>verbose &lt;level&gt;</c>.</summary>
internal sealed class Verbosity
{
    private int _level = 1;

    public int Level
    {
        get => Volatile.Read(ref _level);
        set => Volatile.Write(ref _level, value);
    }
}
