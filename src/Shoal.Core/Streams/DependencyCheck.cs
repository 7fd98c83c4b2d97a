namespace Shoal.Core.Streams;

/// <summary>Finds dependencies on unknown jobs and dependency cycles, naming the job at fault.</summary>
internal static class DependencyCheck
{
    public static string? Find(IReadOnlyList<JobSpec> jobs)
    {
        var byName = jobs.ToDictionary(j => j.Name, StringComparer.Ordinal);
        foreach (var job in jobs)
        {
            foreach (var dep in job.DependsOn)
            {
                if (!byName.ContainsKey(dep))
                {
                    return $"job '{job.Name}' depends on unknown job '{dep}'";
                }
            }
        }

        // 0 = unvisited, 1 = on the current path, 2 = finished.
        var mark = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var job in jobs)
        {
            var cycle = Visit(job.Name, byName, mark, []);
            if (cycle is not null)
            {
                return $"dependency cycle: {string.Join(" -> ", cycle)}";
            }
        }

        return null;
    }

    private static List<string>? Visit(string name, Dictionary<string, JobSpec> byName, Dictionary<string, int> mark, List<string> path)
    {
        if (mark.TryGetValue(name, out var m))
        {
            if (m == 2)
            {
                return null;
            }

            var start = path.IndexOf(name);
            return [.. path.Skip(start), name];
        }

        mark[name] = 1;
        path.Add(name);
        foreach (var dep in byName[name].DependsOn)
        {
            var cycle = Visit(dep, byName, mark, path);
            if (cycle is not null)
            {
                return cycle;
            }
        }

        path.RemoveAt(path.Count - 1);
        mark[name] = 2;
        return null;
    }
}
