using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Shoal.Contracts;
using Shoal.Core.Config;
using Shoal.Server.Operations;
using Shoal.Server.Spawned;
using Shoal.Server.Api;
using Shoal.Server.Hosting;
using Shoal.Server.Pull;
using Shoal.Server.Sweeps;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Shoal.Storage;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Shoal.Server;

/// <summary>Builds and runs the daemon: store, dispatcher, REST API.</summary>
public static class ShoalServer
{
    /// <summary>Builds the server for <paramref name="config"/>; the store is migrated and the admin token exists on return.</summary>
    /// <param name="publishUrl">Write the URL to the state folder's <c>server.url</c> (not for a short-lived embedded server).</param>
    [System.Diagnostics.CodeAnalysis.SuppressMessage(
        "Reliability",
        "CA2000",
        Justification = "The store, the log provider and the SIGHUP registration live as long as the app: DI, the logger factory and ApplicationStopped dispose them.")]
    /// <param name="commandPort">A command port bound already (<see cref="CommandPort.PreboundCommandPort.Listen"/>), or null.</param>
    public static async Task<WebApplication> BuildAsync(
        ShoalConfig config,
        CancellationToken ct,
        TimeProvider? time = null,
        LogLevel minLevel = LogLevel.Information,
        bool publishUrl = true,
        System.Net.Sockets.TcpListener? commandPort = null)
    {
        StatePermissions.Restrict(config.StateDir, config.LogDir);
        // One server per state folder, held until the app stops (or the process dies).
        var stateLock = StateLock.Take(config.StateDir);
        try
        {
            var app = await BuildLockedAsync(config, time, minLevel, publishUrl, commandPort, ct).ConfigureAwait(false);
            app.Lifetime.ApplicationStopped.Register(stateLock.Dispose);
            return app;
        }
        catch
        {
            stateLock.Dispose();
            throw;
        }
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage(
        "Reliability",
        "CA2000",
        Justification = "The store, the log provider and the SIGHUP registration live as long as the app: DI, the logger factory and ApplicationStopped dispose them.")]
    private static async Task<WebApplication> BuildLockedAsync(
        ShoalConfig config,
        TimeProvider? time,
        LogLevel minLevel,
        bool publishUrl,
        System.Net.Sockets.TcpListener? commandPort,
        CancellationToken ct)
    {
        PortProbe.EnsureFree(config.Scheduler.Address, config.Scheduler.Port);
        // No config file watching: the state folder changes with every commit, and Shoal reads shoal.conf itself.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = ["--hostBuilder:reloadConfigOnChange=false"],
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.TimestampFormat = "yyyy-MM-dd HH:mm:ss ";
            o.SingleLine = true;
            o.UseUtcTimestamp = true;
        });
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace); // stdout stays clean for JSON output
        builder.Logging.AddFilter<Microsoft.Extensions.Logging.Console.ConsoleLoggerProvider>(null, minLevel);
        // ASP.NET Core's own lines (five per request at Information) only when they warn: a console rule for a category
        // is needed, as the console's own rule above would otherwise win over the general "Microsoft" one below.
        builder.Logging.AddFilter<Microsoft.Extensions.Logging.Console.ConsoleLoggerProvider>("Microsoft", minLevel > LogLevel.Warning ? minLevel : LogLevel.Warning);
        var verbosity = new Logging.Verbosity { Level = config.Scheduler.Verbose };
        if (!config.LogsToConsole)
        {
            builder.Logging.AddProvider(new Logging.SchedulerLogProvider(new Logging.RotatingFile(config.MainLog), verbosity, time ?? TimeProvider.System));
        }

        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        // Under systemd (Type=notify): READY=1 once listening, STOPPING=1 on SIGTERM, and console lines in journald's
        // format (a <priority> prefix, no timestamp); elsewhere it does nothing.
        builder.Services.AddSystemd();
        // Metrics: the one Meter of this server (another server in the same process has its own, dropped here), served
        // at /metrics in Prometheus's format and, with [TELEMETRY] otlp_endpoint, sent over OTLP with the traces: a span
        // per submit, lease and report (Metrics.Telemetry), under this server's name.
        var metrics = new Metrics.ShoalMetrics();
        // Made by a factory, so the container disposes the Meter — after the MeterProvider (resolved later, disposed
        // earlier), whose last export at shutdown still reads every instrument.
        builder.Services.AddSingleton(_ => metrics);
        builder.Services.AddSingleton<GaugeRefresher>();
        var otlp = config.Telemetry.OtlpEndpoint;
        Action<OpenTelemetry.Exporter.OtlpExporterOptions> Otlp(string signal) => o =>
        {
            o.Endpoint = OtlpSignalEndpoint(otlp!, config.Telemetry.OtlpGrpc, signal);
            o.Protocol = config.Telemetry.OtlpGrpc ? OpenTelemetry.Exporter.OtlpExportProtocol.Grpc : OpenTelemetry.Exporter.OtlpExportProtocol.HttpProtobuf;
        };

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("shoal", serviceInstanceId: config.Scheduler.NodeName))
            .WithMetrics(m =>
            {
                m.AddMeter(Metrics.ShoalMetrics.MeterName)
                    .AddView(i => ReferenceEquals(i.Meter, metrics.Meter) ? null : MetricStreamConfiguration.Drop)
                    // Every scrape reads the counters afresh (the exporter would otherwise answer from a 300 ms cache).
                    .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0);
                if (otlp is not null)
                {
                    m.AddOtlpExporter(Otlp("metrics"));
                    builder.Services.AddHostedService(sp => sp.GetRequiredService<GaugeRefresher>());
                }
            });
        if (otlp is not null)
        {
            // Always on: the request that leads to a span (ASP.NET Core's own activity) is not sampled by anyone.
            telemetry.WithTracing(t => t.AddSource(Metrics.Telemetry.Name).SetSampler(new AlwaysOnSampler()).AddOtlpExporter(Otlp("traces")));
        }

        builder.Services.AddSingleton<StartedHook>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<StartedHook>());
        builder.Services.AddSingleton(sp => new ConnectionCap(config.Scheduler.MaxConnections, TimeProvider.System, sp.GetRequiredService<ILoggerFactory>().CreateLogger("Shoal.Server.Hosting.ConnectionCap")));

        // Each refused connection would be a line of its own (a flood wrote 850 KB/s); ConnectionCap says it once a minute.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Server.Kestrel.Connections", LogLevel.Error);
        builder.WebHost.ConfigureKestrel(k =>
        {
            // Bodies over the limit are answered 413 by the endpoints, after draining up to this much.
            k.Limits.MaxRequestBodySize = config.Scheduler.MaxBodyBytes + BodyReader.DrainAllowance;
            // A hostile network cannot hold the server: connections are capped, and a client that sends its headers
            // slowly, or a body below 240 bytes/s (Kestrel's default), is dropped.
            // Kestrel lets a few in past the cap so that ConnectionCap can close an idle one for each.
            k.Limits.MaxConcurrentConnections = config.Scheduler.MaxConnections + ConnectionCap.Headroom;
            k.Limits.MaxConcurrentUpgradedConnections = config.Scheduler.MaxConnections;
            k.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(10);
            k.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(90);
            k.Listen(System.Net.IPAddress.Parse(config.Scheduler.Address), config.Scheduler.Port, listen =>
            {
                // Network time, like Kestrel's own limits: a test's fake clock must not close real connections.
                listen.Use(FirstRequestDeadline.Middleware(TimeProvider.System));
                listen.Use(k.ApplicationServices.GetRequiredService<ConnectionCap>().Middleware());
                if (config.Scheduler.TlsCert is { } cert)
                {
                    listen.UseHttps(Tls.LoadCertificate(cert, config.Scheduler.TlsKey));
                }
            });
        });
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = config.Scheduler.ShutdownGrace + TimeSpan.FromSeconds(5));

        var store = StoreFactory.Open(config.Store);
        await store.MigrateAsync(ct).ConfigureAwait(false);
        var adminToken = StateFiles.EnsureAdminToken(config.StateDir);
        StatePermissions.Restrict(config.StateDir, config.LogDir); // the files the store just made
        var clock = new ClusterClock(time ?? TimeProvider.System);
        await store.AddTokenAsync(new TokenRecord(TokenAuth.Hash(adminToken), TokenAuth.AdminRole, "admin.token", clock.GetUtcNow(), null, []), ct).ConfigureAwait(false);
        var secret = await store.GetOrCreateSettingAsync("lease_secret", () => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), ct).ConfigureAwait(false);

        // Each component gets its role of the store; only the work broker gets the work path (IWorkStore).
        builder.Services.AddSingleton<IWorkStore>(store);
        builder.Services.AddSingleton<IQueueStore>(store);
        builder.Services.AddSingleton<ISweepStore>(store);
        builder.Services.AddSingleton<IScheduleStore>(store);
        builder.Services.AddSingleton<ITokenStore>(store);
        builder.Services.AddSingleton(clock);
        builder.Services.AddSingleton<TimeProvider>(clock);
        builder.Services.AddSingleton(new ConfigHolder(config));
        builder.Services.AddSingleton<ServerFailure>();
        builder.Services.AddSingleton<AgentLauncher>();
        builder.Services.AddSingleton<ClusterMember>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ClusterMember>());
        builder.Services.AddSingleton<Broker.WorkBroker>();
        builder.Services.AddSingleton<Dispatcher>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<Dispatcher>());
        builder.Services.AddSingleton<TokenAuth>();
        builder.Services.AddSingleton<Api.DashboardSessions>();
        builder.Services.AddSingleton<Dashboard.OverviewFeed>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<Dashboard.OverviewFeed>());
        builder.Services.AddSingleton<Broker.WorkSignal>();
        builder.Services.AddSingleton<Broker.PullAgentRoster>();
        builder.Services.AddHostedService<Operations.PullAgentWatch>();
        builder.Services.AddSingleton<Broker.WorkChanged>();
        builder.Services.AddSingleton<Operations.JobOperations>();
        builder.Services.AddSingleton(new LeaseIdCodec(Convert.FromBase64String(secret)));
        builder.Services.AddSingleton<PartGenerator>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<PartGenerator>());
        builder.Services.AddSingleton<SweepLock>();
        builder.Services.AddSingleton<SweepService>();
        builder.Services.AddSingleton<Sweeps.LocalSweeps>();
        builder.Services.AddHostedService<Sweeps.SweepWorkers>();
        builder.Services.AddSingleton<ConfigReloader>();
        builder.Services.AddHostedService<Notify.Notifier>();
        builder.Services.AddSingleton<Operations.StuckWatch>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<Operations.StuckWatch>());
        builder.Services.AddSingleton<Fossology.FossologyJobIds>();
        builder.Services.AddHostedService<Fossology.FossologyQueue>();
        builder.Services.AddHostedService<Retention.RetentionService>();
        builder.Services.AddSingleton<StreamSubmitter>();
        builder.Services.AddSingleton<Schedules.ScheduleRunner>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<Schedules.ScheduleRunner>());
        builder.Services.AddSingleton(verbosity);
        builder.Services.AddSingleton<Logging.JobLogs>();
        builder.Services.AddSingleton<CommandPort.CommandHandler>();
        builder.Services.AddSingleton(new CommandPort.PreboundCommandPort(commandPort));
        builder.Services.AddHostedService<CommandPort.CommandPortServer>();
        // The OpenAPI document describes bodies with the names the API really uses (snake_case).
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = ShoalJson.Options.PropertyNamingPolicy;
            o.SerializerOptions.DictionaryKeyPolicy = null;
            o.SerializerOptions.NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict; // numbers are numbers, as the server reads them
        });
        builder.Services.AddOpenApi(o => o.AddOperationTransformer((operation, context, _) =>
        {
            // Every /api/v1 route wants a token: say what a missing or insufficient one gets.
            if (context.Description.RelativePath?.StartsWith("api/v1", StringComparison.Ordinal) == true)
            {
                operation.Responses ??= [];
                operation.Responses.TryAdd("401", new Microsoft.OpenApi.OpenApiResponse { Description = "no token, or an unknown or revoked one (problem details)" });
                operation.Responses.TryAdd("403", new Microsoft.OpenApi.OpenApiResponse { Description = "the token may not do this, e.g. an agent token outside lease, heartbeat, report and check-in (problem details)" });
            }

            return Task.CompletedTask;
        }));
        // A query or route value that does not bind (?offset=abc, ?limit=99999999999) is a 400 with the reason, not an empty 400.
        builder.Services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);

        var app = builder.Build();
        app.Services.GetRequiredService<Metrics.ShoalMetrics>();
        Log.StoreOpened(app.Logger, StoreFactory.Describe(store));
        if (config.AgentTypes.Count == 0)
        {
            Log.NoAgentTypes(app.Logger, config.AgentsDir, Directory.Exists(config.AgentsDir) ? "holds no agent conf" : "does not exist");
        }

        var cluster = app.Services.GetRequiredService<ClusterMember>();
        await cluster.JoinAsync(ct).ConfigureAwait(false);
        var changes = app.Services.GetRequiredService<Broker.WorkChanged>();
        // Work made ready on another server of the cluster (PostgreSQL LISTEN/NOTIFY) wakes long polls and agents here.
        store.WorkAvailable += () => changes.Raise(Broker.Change.PartsReady);
        // Every request: its connection's bookkeeping, nosniff, and the one place a failure becomes an answer.
        app.Use(RequestGuard.Middleware(app.Services.GetRequiredService<ConnectionCap>(), app.Logger));
        var auth = app.Services.GetRequiredService<TokenAuth>();
        app.Use((ctx, next) => auth.InvokeAsync(ctx, next));
        app.MapGet("/health", async (IQueueStore s, CancellationToken token) =>
        {
            var warnings = new List<string>();
            try
            {
                await s.ListStreamsAsync(null, null, null, 1, token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                return Results.Json(
                    new HealthResponse("down", $"down: {ex.Message}", config.Scheduler.NodeName, cluster.IsLeader, Math.Round(clock.Offset.TotalSeconds, 3), [$"store: cannot read: {ex.Message}"]),
                    ShoalJson.Options, statusCode: StatusCodes.Status503ServiceUnavailable);
            }

            if (s.Health.Error is { } cause)
            {
                warnings.Add($"store: writes fail ({s.Health.Failures} so far): {cause}; reads still work");
            }

            if (clock.Skewed)
            {
                warnings.Add($"clock: this machine's clock is {clock.Offset.TotalSeconds:0.###} s behind the database's; leases and deadlines keep the database's time");
            }

            var degraded = s.Health.Error is not null;
            return Results.Json(
                new HealthResponse(degraded ? "degraded" : "ok", degraded ? $"degraded: {s.Health.Error}" : "ok", config.Scheduler.NodeName, cluster.IsLeader, Math.Round(clock.Offset.TotalSeconds, 3), warnings),
                ShoalJson.Options,
                statusCode: degraded ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK);
        });
        StreamEndpoints.Map(app);
        JobEndpoints.Map(app);
        PullEndpoints.Map(app);
        AdminEndpoints.Map(app);
        SweepEndpoints.Map(app);
        OperatorEndpoints.Map(app);
        ScheduleEndpoints.Map(app);
        Dashboard.DashboardEndpoints.Map(app);
        app.MapOpenApi();
        // The gauges (queue depth, agents, the store) are read when Prometheus scrapes, not kept up to date on every change.
        app.UseWhen(c => c.Request.Path == "/metrics", b => b.Use(async (c, next) =>
        {
            await app.Services.GetRequiredService<GaugeRefresher>().RefreshAsync(c.RequestAborted).ConfigureAwait(false);
            await next(c).ConfigureAwait(false);
        }));
        app.MapPrometheusScrapingEndpoint("/metrics");
        app.MapFallback("/api/{**rest}", () => Problems.NotFound("no such endpoint"));
        // SIGHUP reloads the configuration, as FOSSology's scheduler does.
        var hangup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, ctx =>
        {
            ctx.Cancel = true;
            if (app.Services.GetRequiredService<ConfigReloader>().Reload() is { } error)
            {
                Log.ReloadFailed(app.Logger, error);
            }
        });
        app.Lifetime.ApplicationStopped.Register(hangup.Dispose);
        var failure = app.Services.GetRequiredService<ServerFailure>();
        failure.Watch(app.Services);
        if (config.Scheduler.ExitAfterSelfTests)
        {
            // fo_scheduler -t: once every agent type has its verdict, stop as the stop command does.
            var operations = app.Services.GetRequiredService<Operations.JobOperations>();
            _ = app.Services.GetRequiredService<Dispatcher>().SelfTestsDone.ContinueWith(_ => operations.Stop(), TaskScheduler.Default);
        }

        app.Services.GetRequiredService<StartedHook>().OnStarted = () =>
        {
            var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            cluster.Url = url;
            try
            {
                if (publishUrl)
                {
                    StateFiles.WriteServerUrl(config.StateDir, StateFiles.LocalUrl(url));
                }
            }
            catch (IOException ex)
            {
                // The CLI finds the server by this file: a server that cannot write it (a full disk) has not started.
                failure.Set($"cannot write {Path.Combine(config.StateDir, "server.url")}: {ex.Message}");
                Log.StartFailed(app.Logger, failure.Reason!);
                app.Lifetime.StopApplication();
                return;
            }

            Log.Listening(app.Logger, url, config.StateDir);
            if (config.Scheduler.TlsCert is null && !IPAddress.IsLoopback(IPAddress.Parse(config.Scheduler.Address)))
            {
                Log.PlainHttp(app.Logger, config.Scheduler.Address);
            }
        };
        return app;
    }

    /// <summary>The URL the started server listens on.</summary>
    public static string Url(this WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

    /// <summary>
    /// Where one signal goes: over gRPC the collector's address as given; over HTTP its <c>/v1/traces</c> or
    /// <c>/v1/metrics</c> (an endpoint given with either path, as <c>http://collector:4318/v1/traces</c>, means the same collector).
    /// </summary>
    internal static Uri OtlpSignalEndpoint(Uri endpoint, bool grpc, string signal)
    {
        if (grpc)
        {
            return endpoint;
        }

        var path = endpoint.AbsolutePath.TrimEnd('/');
        foreach (var known in new[] { "/v1/traces", "/v1/metrics" })
        {
            if (path.EndsWith(known, StringComparison.Ordinal))
            {
                path = path[..^known.Length];
            }
        }

        return new UriBuilder(endpoint) { Path = $"{path}/v1/{signal}" }.Uri;
    }
}
