using FsCheck.Xunit;
using Shoal.Core.Sweeps;
using Shouldly;

namespace Shoal.Core.Tests.Sweeps;

public sealed class HostCsvTests
{
    private static readonly string[] Prod = ["production", "prod"];

    [Fact]
    public void Parse_ReadsHostsAndProduction_ReportsBadLinesWithNumbers()
    {
        var csv = "host,environment,note\r\nweb1,production,\"a, quoted \"\"note\"\"\"\nweb2,dev,x\n\nweb3,PROD,x\nbroken,line\n,prod,x\nweb1,dev,again\n\"open,dev,x\n";
        var inv = HostCsv.Parse(csv, "host", "environment", Prod);
        inv.Hosts.Select(h => (h.Host, h.Production, h.LineNumber)).ShouldBe([("web1", true, 2), ("web2", false, 3), ("web3", true, 5)]);
        inv.BadLines.ShouldBe([
            new BadLine(6, "2 fields, the header has 3"),
            new BadLine(7, "empty host in column 'host'"),
            new BadLine(8, "duplicate host 'web1'"),
            new BadLine(9, "unterminated quote"),
        ]);
        inv.Header.ShouldBe("host,environment,note");
    }

    [Fact]
    public void Parse_ColumnsAreFoundByName_InAnyOrderAndCase()
    {
        var inv = HostCsv.Parse("Env,Name\nprod,a\ndev,b\n", "name", "env", Prod);
        inv.Hosts.Select(h => (h.Host, h.Production)).ShouldBe([("a", true), ("b", false)]);
    }

    [Theory]
    [InlineData("", "the file is empty (a header line is required)")]
    [InlineData("name,env\na,prod\n", "line 1: no column 'host' in the header (name, env)")]
    public void Parse_WithoutHeaderOrColumn_IsAClearError(string csv, string message) =>
        Should.Throw<HostCsvException>(() => HostCsv.Parse(csv, "host", "env", Prod)).Message.ShouldBe(message);

    [Property(MaxTest = 500)]
    public bool Parse_AnyText_EitherParsesOrSaysWhy(string text)
    {
        try
        {
            var inv = HostCsv.Parse("host,env\n" + (text ?? ""), "host", "env", Prod);
            return inv.Hosts.All(h => h.Host.Length > 0) && inv.Hosts.Select(h => h.Host.ToUpperInvariant()).Distinct().Count() == inv.Hosts.Count;
        }
        catch (HostCsvException)
        {
            return false;
        }
    }

    [Fact]
    public void HostsThatAreNotNamesOrAddresses_AreReportedAndSkipped_NeverPassedOnAsOptions()
    {
        var inv = HostCsv.Parse("host,environment\n-oProxyCommand=touch${IFS}/tmp/x,prod\n.hidden,prod\nweb1.example.org,prod\n10.0.0.7,dev\nfe80::1%eth0,dev\na b,dev\n", "host", "environment", Prod);
        inv.Hosts.Select(h => h.Host).ShouldBe(["web1.example.org", "10.0.0.7", "fe80::1%eth0"]);
        inv.BadLines.Select(b => b.LineNumber).ShouldBe([2, 3, 7]);
        inv.BadLines[0].Reason.ShouldStartWith("host '-oProxyCommand=touch${IFS}/tmp/x' is not a host name or address");
    }

    [Fact]
    public void AZoneColumn_PutsHostsInZones_AnEmptyOneIsTheServers_ABadZoneIsReported_AndANamedMissingColumnIsAnError()
    {
        var inv = HostCsv.Parse("host,env,zone\na,prod,dmz\nb,dev,\nc,dev,-x\nd,dev,lab\n", "host", "env", Prod, "zone");
        inv.Hosts.Select(h => (h.Host, h.Zone)).ShouldBe([("a", "dmz"), ("b", (string?)null), ("d", "lab")]);
        inv.BadLines.ShouldHaveSingleItem().Reason.ShouldStartWith("zone '-x' is not a zone name");

        HostCsv.Parse("host,env\na,prod\n", "host", "env", Prod, "zone").Hosts.ShouldHaveSingleItem().Zone.ShouldBeNull("no zone column: one zone, the server's");
        Should.Throw<HostCsvException>(() => HostCsv.Parse("host,env\na,prod\n", "host", "env", Prod, "site", zoneColumnRequired: true)).Message.ShouldContain("no column 'site'");
    }
}
