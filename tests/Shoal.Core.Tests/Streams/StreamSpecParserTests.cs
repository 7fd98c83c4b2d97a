using FsCheck.Xunit;
using Shoal.Core.Streams;
using Shouldly;

namespace Shoal.Core.Tests.Streams;

public sealed class StreamSpecParserTests
{
    private static readonly string[] Known = ["ununpack", "nomos", "copyright", "report"];

    [Fact]
    public void Parse_DesignExample_GivesJobsPartsAndDependencies()
    {
        var result = StreamSpecParser.Parse("""
            {"name":"upload-42","owner":"ops@example.com","priority":3,"jobs":[
              {"name":"unpack","type":"ununpack","parts":["files/0f/23/e2/0f23e2.tar"]},
              {"name":"licenses","type":"nomos","depends_on":["unpack"],"parts":[{"key":"0f23","file":"a.c"}]},
              {"name":"copyright","type":"copyright","depends_on":["unpack"],"timeout":90}]}
            """, Known);
        var spec = result.Spec.ShouldNotBeNull();
        spec.Priority.ShouldBe(3);
        spec.Jobs.Count.ShouldBe(3);
        spec.Jobs[1].Parts.Single().Key.ShouldBe("0f23");
        spec.Jobs[1].Parts.Single().Payload.ShouldBe("""{"key":"0f23","file":"a.c"}""");
        spec.Jobs[2].Parts.Single().Payload.ShouldBe("", "a job without parts has one empty part");
        spec.Jobs[2].Timeout.ShouldBe(TimeSpan.FromSeconds(90));
    }

    [Fact]
    public void Parse_GenerateFrom_AddsTheDependency_AndStartsWithNoParts()
    {
        var spec = StreamSpecParser.Parse("""{"name":"s","jobs":[{"name":"unpack","type":"ununpack"},{"name":"scan","type":"nomos","generate":{"from":"unpack"}}]}""", Known).Spec!;
        spec.Jobs[1].GenerateFrom.ShouldBe("unpack");
        spec.Jobs[1].DependsOn.ShouldBe(["unpack"]);
        spec.Jobs[1].Parts.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("0f23", 15)]
    [InlineData("ff", 255)]
    [InlineData("A0", 160)]
    [InlineData("g0", null)]
    [InlineData("0", null)]
    [InlineData(null, null)]
    public void KeyByte_IsTheFirstHexByte(string? key, int? expected) => PartSpec.KeyByte(key).ShouldBe(expected);

    [Theory]
    [InlineData("""{"name":"s","jobs":[{"name":"a","type":"nomos","depends_on":["a"]}]}""", "dependency cycle: a -> a")]
    [InlineData("""{"name":"s","jobs":[{"name":"a","type":"nomos","depends_on":["c"]},{"name":"b","type":"nomos","depends_on":["a"]},{"name":"c","type":"nomos","depends_on":["b"]}]}""", "dependency cycle: a -> c -> b -> a")]
    [InlineData("""{"name":"s","jobs":[{"name":"a","type":"nomos","parts":["x\ny"]}]}""", "job 'a': parts[0] contains a line break")]
    [InlineData("""{"name":"s","jobs":[{"name":"a","type":"nomos","timeout":-1}]}""", "job 'a': 'timeout' must be a positive number of seconds")]
    [InlineData("""{"name":"s","jobs":[{"name":"a","type":"nomos","generate":{"range":"10.0.0.0/7"}}]}""", "job 'a': 'generate.range': '10.0.0.0/7' has 33554432 addresses; at most 16777216 per job")]
    [InlineData("""{"name":"s","jobs":[{"name":"a","type":"nomos","generate":{"range":"10.0.0.1/8"}}]}""", "'10.0.0.1/8' is not a CIDR network")]
    [InlineData("""{"name":"s","jobs":[{"name":"a","type":"nomos","generate":{"range":"10.0.0.9-10.0.0.1"}}]}""", "the last address comes before the first")]
    [InlineData("""{"name":"s","jobs":[{"name":"a","type":"nomos","generate":{"range":"10.0.0.0/24","chunk":0}}]}""", "'generate.chunk' must be an integer from 1 to 65536")]
    [InlineData("""{"name":"s","jobs":[{"name":"a","type":"nomos","generate":{"chunk":2}}]}""", "'generate' needs 'from' (a job), 'range' (an address range) or 'file' (a host list)")]
    [InlineData("""{"name":"s","jobs":[{"name":"a","type":"nomos","generate":{"hosts":"x"}}]}""", "job 'a': 'hosts' is not a field of 'generate' (the fields of 'generate': from, range, file, chunk)")]
    [InlineData("""{"name":"s","jobs":[{"name":"a","type":"nomos","parts":["x"],"depend":["b"]}]}""", "job 'a': 'depend' is not a field of a job (did you mean 'depends_on'?)")]
    [InlineData("""{"$schema":"https://shoal.invalid/schema/stream.json","name":"s","jobs":[{"name":"a","type":"nomos","parts":["x"],"\u001b[2J":1}]}""", "job 'a': '\\x1b[2J' is not a field of a job")]
    [InlineData("""{"name":"s","jobs":[{"name":"a","type":"nomos","generate":{"file":"hosts.txt"}}]}""", "'generate.file' must be an absolute path")]
    [InlineData("""{"name":"s","jobs":[{"name":"a","type":"nomos","requires_tags":["ok",""]}]}""", "'requires_tags' must be an array of non-empty strings")]
    [InlineData("""{"name":"s","jobs":[{"name":"a","type":"nomos","generate":{"from":"ghost"}}]}""", "job 'a' depends on unknown job 'ghost'")]
    [InlineData("""{"name":"s","jobs":[{"name":"u","type":"nomos"},{"name":"a","type":"nomos","parts":["x"],"generate":{"from":"u"}}]}""", "job 'a': give either 'parts' or 'generate', not both")]
    [InlineData("""{"name":"s","jobs":[{"name":"a","type":"nomos","parts":[{"key":5}]}]}""", "job 'a': parts[0].key must be a string")]
    [InlineData("""{"name":"s","jobs":[{"name":"a","type":"nomos","depends_on":"b"}]}""", "job 'a': 'depends_on' must be an array of strings")]
    [InlineData("""{"name":"s","jobs":[{"name":"a","type":"nomos","depends_on":["b",5]}]}""", "job 'a': 'depends_on[1]' must be a string")]
    [InlineData("""{"name":"s","jobs":[{"name":"a","type":"nomos","timeout":"90"}]}""", "job 'a': 'timeout' must be a number")]
    [InlineData("""{"name":"s","jobs":[{"name":"a","type":"nomos","generate":{"range":"10.0.0.0/24","chunk":1.5}}]}""", "job 'a': 'generate.chunk' must be an integer")]
    [InlineData("""{"name":"s","jobs":[{"type":"nomos","requires_tags":"x"}]}""", "jobs[0]: 'requires_tags' must be an array of strings")]
    [InlineData("""{"name":"s","jobs":[7]}""", "jobs[0] must be an object")]
    [InlineData("""{"name":"s","jobs":[{"name":"a","type":"nomos","generate":{"range":"10.0.0.0/9"}},{"name":"b","type":"nomos","generate":{"range":"11.0.0.0/9"}},{"name":"c","type":"nomos","generate":{"range":"12.0.0.0/24"}}]}""", "the stream's ranges hold 16777472 addresses in all; at most 16777216 per stream")]
    [InlineData("""{"name":"n\r\nBcc: inj@x.y","jobs":[{"name":"a","type":"nomos"}]}""", "'name' must not contain control characters")]
    [InlineData("""{"name":"s","owner":"a@b.c\nBcc: victim@x.y","jobs":[{"name":"a","type":"nomos"}]}""", "'owner' must not contain control characters")]
    [InlineData("""{"name":"s","jobs":[{"name":"a\u202Ecod.exe","type":"nomos"}]}""", "jobs[0]: 'name' must not contain control characters")]
    [InlineData("""{"name":"s\u0000","jobs":[{"name":"a","type":"nomos"}]}""", "'name' must not contain control characters")]
    [InlineData("""{"name":"s","priority":"5","jobs":[{"name":"a","type":"nomos"}]}""", "'priority' must be an integer")]
    [InlineData("""{"name":"s","priority":1e30,"jobs":[{"name":"a","type":"nomos"}]}""", "'priority' must be an integer")]
    [InlineData("""{"Name":"s","jobs":[{"name":"a","type":"nomos"}]}""", "'Name' is not a field of a stream (did you mean 'name'?)")]
    [InlineData("""{"name":"s","name":"t","jobs":[{"name":"a","type":"nomos"}]}""", "'name' is given twice in one object")]
    [InlineData("""{"name":"s","jobs":[{"name":"a","type":"nomos","type":"report"}]}""", "job 'a': 'type' is given twice in one object")]
    [InlineData("""{"name":"","jobs":[{"name":"a","type":"nomos"}]}""", "'name' must be a non-empty string")]
    [InlineData("""{"name":"s","jobs":[{"name":"a","type":"nomso"}]}""", "job 'a': unknown agent type 'nomso' (did you mean 'nomos'?)")]
    [InlineData("""{"name":"s","jobs":[{"name":"a","type":"zzz"}]}""", "job 'a': unknown agent type 'zzz' (the agent types: copyright, nomos, report, ununpack)")]
    public void Parse_Refusals_NameTheFault(string json, string expected)
    {
        StreamSpecParser.Parse(json, Known).Error.ShouldNotBeNull().ShouldContain(expected);
    }

    [Fact]
    public void ObjectParts_AreSentAsOneLine_WhateverTheSendersLayout()
    {
        var spec = StreamSpecParser.Parse("{\"name\":\"s\",\"jobs\":[{\"name\":\"a\",\"type\":\"nomos\",\"parts\":[{\n  \"key\": \"0f\",\n  \"file\": \"a.c\"\n}]}]}", Known).Spec.ShouldNotBeNull();
        spec.Jobs[0].Parts.Single().Payload.ShouldBe("""{"key":"0f","file":"a.c"}""");
    }

    [Fact]
    public void MalformedJson_SaysWhereFromOne_AndWhatInTheUsersWords()
    {
        StreamSpecParser.Parse("", Known).Error.ShouldBe("malformed JSON at line 1, column 1: The input does not contain any JSON tokens.");
        StreamSpecParser.Parse("{\"name\":\"s\",\"jobs\":[{\"name\":\"a\",\"type\":\"nomos\"}]}\n{\"job\":\"a\",\"parts\":[\"x\"]}", Known).Error.ShouldNotBeNull()
            .ShouldEndWith("(several JSON lines? a stream sent as NDJSON needs Content-Type: application/x-ndjson)");
        StreamSpecParser.Parse("{\"name\":\"s\",\"jobs\":[{\"name\":\"a\",\"type\":\"nomos\",\"parts\":[\"x\"],}]}", Known).Error
            .ShouldBe("malformed JSON at line 1, column 62: The JSON object contains a trailing comma at the end.");
        StreamSpecParser.Parse("{\n  \"name\": \"s\",\n  \"jobs\": [x]\n}", Known).Error.ShouldNotBeNull().ShouldStartWith("malformed JSON at line 3, column 12: ");
    }

    [Property(MaxTest = 500)]
    public bool Parse_AnyText_NeverThrows_AndAnswersSpecOrError(string text)
    {
        var result = StreamSpecParser.Parse(text ?? "", Known);
        return (result.Spec is null) != (result.Error is null);
    }

    [Property(MaxTest = 300)]
    public bool Parse_MutatedValidStream_NeverThrows(int position, char c)
    {
        const string valid = """{"name":"s","jobs":[{"name":"a","type":"nomos","parts":["x",{"key":"0f"}]},{"name":"b","type":"report","depends_on":["a"]}]}""";
        var at = Math.Abs(position % valid.Length);
        var mutated = valid[..at] + c + valid[(at + 1)..];
        var result = StreamSpecParser.Parse(mutated, Known);
        return (result.Spec is null) != (result.Error is null);
    }
}

public sealed class RequestJsonTests
{
    [Theory]
    [InlineData("""{"types":["a"],"wait_second":5}""", "'wait_second' is not a field of the body (did you mean 'wait_seconds'?)")]
    [InlineData("""{"typs":["a"]}""", "'typs' is not a field of the body (did you mean 'types'?)")]
    [InlineData("""{"Types":["a"]}""", "'Types' is not a field of the body (did you mean 'types'?)")]
    [InlineData("""{"types":["a"],"max":"2"}""", "'max' must be an integer")]
    [InlineData("""{"types":"a"}""", "'types' must be an array of strings")]
    [InlineData("""{}""", "'types' is required")]
    [InlineData("""[]""", "the body must be a JSON object")]
    [InlineData("""null""", "the body must be a JSON object")]
    public void Lease_Refusals_NameTheField(string json, string expected)
    {
        RequestJson.Read<Shoal.Contracts.LeaseRequestDto>(json, "the body", out var error).ShouldBeNull();
        error.ShouldBe(expected);
    }

    [Theory]
    [InlineData("""{"reports":[{"part_id":1,"lease_id":2,"status":"ok","lgo":"x"}]}""", "reports[0]: 'lgo' is not a field of this object (did you mean 'log'?)")]
    [InlineData("""{"reports":[{"part_id":1,"status":"ok"}]}""", "reports[0]: 'lease_id' is required")]
    [InlineData("""{"reports":[{"part_id":1,"lease_id":2.5,"status":"ok"}]}""", "reports[0]: 'lease_id' must be an integer")]
    public void Reports_Refusals_NameTheEntry(string json, string expected)
    {
        RequestJson.Read<Shoal.Contracts.ReportsRequest>(json, "the body", out var error).ShouldBeNull();
        error.ShouldBe(expected);
    }

    [Fact]
    public void Schedule_WithAMisspeltField_IsRefused_NotRunWithoutIt()
    {
        RequestJson.Read<Shoal.Contracts.ScheduleRequest>("""{"name":"n","evry":"1h","stream":{}}""", "the body", out var error).ShouldBeNull();
        error.ShouldNotBeNull().ShouldStartWith("'evry' is not a field of the body (did you mean 'every'?)");
    }
}
