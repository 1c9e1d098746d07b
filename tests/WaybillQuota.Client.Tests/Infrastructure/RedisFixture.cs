using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace WaybillQuota.Client.Tests.Infrastructure;

/// <summary>
/// A real Redis: <c>WAYBILLQUOTA_TEST_REDIS</c> when set, else a <c>redis-server</c> of our own on a free loopback
/// port with a temp folder and no persistence, stopped at the end. Without redis-server the tests skip, except on
/// CI (<c>CI=true</c>), where they fail.
/// </summary>
public sealed class RedisFixture : IAsyncLifetime
{
    private Process? _process;
    private string? _dir;

    public string? Configuration { get; private set; }

    private string? _unavailable;

    public async ValueTask InitializeAsync()
    {
        var external = Environment.GetEnvironmentVariable("WAYBILLQUOTA_TEST_REDIS");
        if (!string.IsNullOrEmpty(external))
        {
            Configuration = external;
            return;
        }

        var server = FindRedisServer();
        if (server is null)
        {
            _unavailable = "redis-server is not installed (apt-get install redis-server) and WAYBILLQUOTA_TEST_REDIS is not set.";
            return;
        }

        _dir = Path.Combine(Path.GetTempPath(), "waybillquota-redis-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
        var port = FreePort();
        var start = new ProcessStartInfo(server)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
                     "--save", "", "--appendonly", "no", "--dir", _dir, "--daemonize", "no" })
        {
            start.ArgumentList.Add(arg);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start.");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        Configuration = $"127.0.0.1:{port},abortConnect=false";

        // Ready when it answers PING; bounded so a broken install fails instead of hanging.
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await using var connection = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{port},connectTimeout=500");
                await connection.GetDatabase().PingAsync();
                return;
            }
            catch (RedisConnectionException) when (attempt < 40 && !_process.HasExited)
            {
                await Task.Delay(100);
            }
        }
    }

    /// <summary>The configuration string, or a skip (a failure on CI) when there is no Redis.</summary>
    public string Require()
    {
        if (Configuration is not null) return Configuration;
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            Assert.Fail(_unavailable);
        Assert.Skip(_unavailable ?? "no Redis");
        return "";
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        if (_dir is not null)
        {
            try
            {
                Directory.Delete(_dir, recursive: true);
            }
            catch (IOException)
            {
                // Only a temp folder left behind.
            }
        }
    }

    private static string? FindRedisServer()
    {
        if (File.Exists("/usr/bin/redis-server")) return "/usr/bin/redis-server";
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            var candidate = Path.Combine(dir, "redis-server");
            if (File.Exists(candidate)) return candidate;
        }

        return null;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
