using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Shoal.Server.Pull;

/// <summary>
/// Lease ids handed to pull agents: the part's lease number in the low 20 bits and, above it, 31 bits of an
/// HMAC of (part, lease number, owner) under a secret shared by every server of the store. A report can so
/// prove that its sender held that lease — even one that expired and was re-issued — without a lease log.
/// The id stays below 2^51, a safe JSON number.
/// </summary>
internal sealed class LeaseIdCodec(byte[] secret)
{
    private const int LeaseBits = 20;
    private const long LeaseMask = (1L << LeaseBits) - 1;

    public long Encode(long part, long leaseNo, string owner) => (Mac(part, leaseNo & LeaseMask, owner) << LeaseBits) | (leaseNo & LeaseMask);

    /// <summary>The lease number the id names, or null when <paramref name="owner"/> never held it.</summary>
    public long? Decode(long part, long leaseId, string owner)
    {
        var leaseNo = leaseId & LeaseMask;
        return leaseId > 0 && Mac(part, leaseNo, owner) == leaseId >> LeaseBits ? leaseNo : null;
    }

    private long Mac(long part, long leaseNo, string owner)
    {
        var text = string.Create(CultureInfo.InvariantCulture, $"{part}:{leaseNo}:{owner}");
        var hash = HMACSHA256.HashData(secret, Encoding.UTF8.GetBytes(text));
        return BitConverter.ToUInt32(hash, 0) & 0x7FFFFFFF;
    }
}
