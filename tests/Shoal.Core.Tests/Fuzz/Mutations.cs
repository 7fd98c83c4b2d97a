namespace Shoal.Core.Tests.Fuzz;

/// <summary>
/// Inputs for the parser properties: well-formed seeds broken by random edits (delete, duplicate, insert a
/// byte-ish character, swap lines), so the properties reach deep into each grammar, not only its first check.
/// </summary>
internal static class Mutations
{
    private static readonly char[] Alphabet = "\0\t\n\r \"#%',-./0123456789:;=@[\\]_{}abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ\u00e9\u2028\ud83d\ude00".ToCharArray();

    public static string Apply(string seed, int[]? edits)
    {
        var text = new System.Text.StringBuilder(seed);
        foreach (var e in (edits ?? []).Take(40))
        {
            var x = (uint)e;
            var at = text.Length == 0 ? 0 : (int)(x / 7 % (uint)text.Length);
            switch (x % 5)
            {
                case 0 when text.Length > 0:
                    text.Remove(at, 1 + (int)(x / 11 % Math.Min(8, (uint)(text.Length - at))));
                    break;
                case 1:
                    text.Insert(at, Alphabet[x / 13 % (uint)Alphabet.Length]);
                    break;
                case 2 when text.Length > 0:
                    text.Insert(at, text.ToString(at, Math.Min(text.Length - at, 1 + (int)(x / 17 % 16))));
                    break;
                case 3:
                    var lines = text.ToString().Split('\n');
                    if (lines.Length > 1)
                    {
                        var a = (int)(x / 19 % (uint)lines.Length);
                        var b = (int)(x / 23 % (uint)lines.Length);
                        (lines[a], lines[b]) = (lines[b], lines[a]);
                        text.Clear().Append(string.Join('\n', lines));
                    }

                    break;
                default:
                    if (text.Length > 0)
                    {
                        text[at] = Alphabet[x / 29 % (uint)Alphabet.Length];
                    }

                    break;
            }
        }

        return text.ToString();
    }
}
