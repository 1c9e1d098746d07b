using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace WaybillQuota.Server.Tests.Infrastructure;

/// <summary>
/// The server as a separate OS process (the built WaybillQuota.Server.dll), on a free loopback port, for tests that
/// kill it (SIGKILL) or run several instances on one database.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly System.Text.StringBuilder _output = new();

    private ServerProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
        Http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public Uri BaseAddress { get; }
    public HttpClient Http { get; }
    public string Output { get { lock (_output) return _output.ToString(); } }
    public bool HasExited => _process.HasExited;

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <param name="settings">Configuration passed as <c>--Key=Value</c> arguments (e.g. <c>Storage:SqlitePath</c>).</param>
    public static async Task<ServerProcess> StartAsync(IReadOnlyDictionary<string, string?> settings, string workingDirectory,
        CancellationToken cancellationToken)
    {
        var port = FreePort();
        var dll = Path.Combine(AppContext.BaseDirectory, "WaybillQuota.Server.dll");
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(dll);
        psi.ArgumentList.Add("--urls");
        psi.ArgumentList.Add($"http://127.0.0.1:{port}");
        foreach (var (key, value) in settings) psi.ArgumentList.Add($"--{key}={value}");
        psi.Environment["DOTNET_gcServer"] = "0";

        var process = Process.Start(psi)!;
        var server = new ServerProcess(process, new Uri($"http://127.0.0.1:{port}/"));
        process.OutputDataReceived += (_, e) => { lock (server._output) server._output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (server._output) server._output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited) throw new InvalidOperationException("The server exited at start:\n" + server.Output);
            try
            {
                using var r = await server.Http.GetAsync("/healthz", cancellationToken);
                if (r.IsSuccessStatusCode) return server;
            }
            catch (HttpRequestException) { }
            await Task.Delay(100, cancellationToken);
        }
        await server.DisposeAsync();
        throw new TimeoutException("The server did not answer /healthz within 60 s:\n" + server.Output);
    }

    /// <summary>SIGKILL: no shutdown, no flush; what was acknowledged must already be durable.</summary>
    public void Kill()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
