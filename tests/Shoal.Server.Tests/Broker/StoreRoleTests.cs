using System.Reflection;
using Shoal.Server.Broker;
using Shoal.Storage;
using Shouldly;

namespace Shoal.Server.Tests.Broker;

/// <summary>The work path (lease, report, release, expiry) is reachable only through the work broker.</summary>
public sealed class StoreRoleTests
{
    [Fact]
    public void OnlyTheWorkBroker_TakesTheWorkPathOfTheStore()
    {
        var holders = typeof(WorkBroker).Assembly.GetTypes()
            .SelectMany(t => t.GetConstructors(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance).Select(c => (Type: t, Ctor: (MethodBase)c)))
            .Concat(typeof(WorkBroker).Assembly.GetTypes()
                .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
                .Select(m => (Type: m.DeclaringType!, Ctor: (MethodBase)m)))
            .Where(x => x.Ctor.GetParameters().Any(p => typeof(IWorkStore).IsAssignableFrom(p.ParameterType)))
            .Select(x => x.Type.Name)
            .Distinct()
            .ToList();

        // ShoalServer opens the store and hands each component its role.
        holders.ShouldBe(["WorkBroker"], ignoreOrder: true);
    }
}
