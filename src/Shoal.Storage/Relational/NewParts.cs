using System.Text.Json;
using System.Text.Json.Serialization;

namespace Shoal.Storage.Relational;

/// <summary>Inserts many ready parts of one job with one statement (<see cref="SqlDialect.InsertParts"/>).</summary>
internal static class NewParts
{
    public static void Insert(DbTx tx, long job, IEnumerable<Row> rows)
    {
        var list = rows as IReadOnlyCollection<Row> ?? rows.ToList();
        if (list.Count > 0)
        {
            tx.Exec(tx.Sql.InsertParts, ("@job", job), ("@rows", JsonSerializer.Serialize(list)));
        }
    }

    public static Row Plain(string payload) => new(payload, null, null, 0);

    /// <summary>One part: payload, affinity key and its first byte, and 1 when the payload is a JSON object.</summary>
    internal sealed record Row(
        [property: JsonPropertyName("p")] string Payload,
        [property: JsonPropertyName("k")] string? Key,
        [property: JsonPropertyName("b")] int? KeyByte,
        [property: JsonPropertyName("j")] int IsJson);
}
