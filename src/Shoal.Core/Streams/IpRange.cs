using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Numerics;

namespace Shoal.Core.Streams;

/// <summary>
/// An IPv4 or IPv6 range given as CIDR (<c>10.2.0.0/16</c>) or as <c>first-last</c>, enumerated by index
/// so that a large range can be generated in batches without holding it in memory.
/// </summary>
public sealed record IpRange(AddressFamily Family, BigInteger First, BigInteger Count)
{
    /// <summary>The most addresses one job may be generated from.</summary>
    public static readonly BigInteger MaxAddresses = 16 * 1024 * 1024;

    public static bool TryParse(string text, out IpRange? range, out string? error)
    {
        range = null;
        error = null;
        text = text.Trim();
        if (text.Contains('/', StringComparison.Ordinal))
        {
            if (!IPNetwork.TryParse(text, out var network) || !IPAddress.TryParse(text[..text.IndexOf('/', StringComparison.Ordinal)], out var given)
                || !given.Equals(network.BaseAddress))
            {
                error = $"'{text}' is not a CIDR network (the address must have no bits set after the prefix)";
                return false;
            }

            var bits = network.BaseAddress.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
            range = new IpRange(network.BaseAddress.AddressFamily, ToNumber(network.BaseAddress), BigInteger.One << (bits - network.PrefixLength));
        }
        else
        {
            var dash = text.IndexOf('-', StringComparison.Ordinal);
            if (dash <= 0 || !IPAddress.TryParse(text[..dash], out var first) || !IPAddress.TryParse(text[(dash + 1)..], out var last)
                || first.AddressFamily != last.AddressFamily)
            {
                error = $"'{text}' is neither a CIDR network nor a 'first-last' address range";
                return false;
            }

            var a = ToNumber(first);
            var b = ToNumber(last);
            if (b < a)
            {
                error = $"'{text}': the last address comes before the first";
                return false;
            }

            range = new IpRange(first.AddressFamily, a, b - a + 1);
        }

        if (range.Count > MaxAddresses)
        {
            error = $"'{text}' has {range.Count.ToString(CultureInfo.InvariantCulture)} addresses; at most {MaxAddresses.ToString(CultureInfo.InvariantCulture)} per job";
            range = null;
            return false;
        }

        return true;
    }

    public IPAddress At(BigInteger index)
    {
        var bytes = (First + index).ToByteArray(isUnsigned: true, isBigEndian: true);
        var size = Family == AddressFamily.InterNetwork ? 4 : 16;
        var full = new byte[size];
        bytes.AsSpan(Math.Max(0, bytes.Length - size)).CopyTo(full.AsSpan(size - Math.Min(size, bytes.Length)));
        return new IPAddress(full);
    }

    /// <summary>Part <paramref name="index"/> of <paramref name="chunk"/> addresses: one address, or <c>first-last</c>.</summary>
    public string Part(long index, int chunk)
    {
        var start = (BigInteger)index * chunk;
        var end = BigInteger.Min(start + chunk, Count) - 1;
        return start == end ? At(start).ToString() : $"{At(start)}-{At(end)}";
    }

    public long PartCount(int chunk) => (long)((Count + chunk - 1) / chunk);

    private static BigInteger ToNumber(IPAddress address) => new(address.GetAddressBytes(), isUnsigned: true, isBigEndian: true);
}
