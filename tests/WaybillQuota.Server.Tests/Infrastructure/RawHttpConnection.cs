using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace WaybillQuota.Server.Tests.Infrastructure;

/// <summary>
/// One kept-alive HTTP/1.1 connection on a plain socket: requests are written byte for byte as given (a query string
/// reaches the server unchanged, a body can be sent in pieces), and each answer is read by its Content-Length, within
/// <see cref="AnswerTimeout"/>.
/// </summary>
public sealed class RawHttpConnection : IAsyncDisposable
{
    private readonly TcpClient _client;
    private readonly NetworkStream _stream;
    private readonly string _authority;
    private readonly List<byte> _pending = [];

    /// <summary>How long an answer may take before the test fails (a server waiting for a body it has would hang).</summary>
    public static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(15);

    private RawHttpConnection(TcpClient client, string authority)
    {
        _client = client;
        _stream = client.GetStream();
        _authority = authority;
    }

    public static async Task<RawHttpConnection> OpenAsync(Uri server)
    {
        var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(server.Host, server.Port, TestContext.Current.CancellationToken);
        return new RawHttpConnection(client, server.Authority);
    }

    /// <summary>A POST with a Content-Length body, sent in one write.</summary>
    public async Task<RawAnswer> PostAsync(string target, string body)
    {
        await WriteAsync(Head("POST", target, $"Content-Length: {Encoding.UTF8.GetByteCount(body)}") + body);
        return await ReadAnswerAsync();
    }

    /// <summary>Writes raw request bytes (a head, a piece of a body, a chunk) without reading an answer.</summary>
    public async Task WriteAsync(string text)
    {
        await _stream.WriteAsync(Encoding.UTF8.GetBytes(text), TestContext.Current.CancellationToken);
        await _stream.FlushAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>A request head for <paramref name="target"/> with the given extra header lines.</summary>
    public string Head(string method, string target, params string[] headers) =>
        $"{method} {target} HTTP/1.1\r\nHost: {_authority}\r\nContent-Type: application/json\r\n" +
        string.Concat(headers.Select(h => h + "\r\n")) + "\r\n";

    /// <summary>Reads the next answer; every answer of this server carries a Content-Length.</summary>
    public async Task<RawAnswer> ReadAnswerAsync()
    {
        var headEnd = await FillUntilAsync(() => IndexOf(_pending, "\r\n\r\n"u8));
        var head = Encoding.ASCII.GetString(_pending.GetRange(0, headEnd).ToArray());
        var lengthLine = head.Split("\r\n").Single(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
        var length = int.Parse(lengthLine["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        var bodyStart = headEnd + 4;
        await FillUntilAsync(() => _pending.Count >= bodyStart + length ? bodyStart : -1);
        var body = Encoding.UTF8.GetString(_pending.GetRange(bodyStart, length).ToArray());
        _pending.RemoveRange(0, bodyStart + length);
        return new RawAnswer(head, body);
    }

    private async Task<int> FillUntilAsync(Func<int> found)
    {
        var buffer = new byte[4096];
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(AnswerTimeout);
        int at;
        while ((at = found()) < 0)
        {
            var n = await _stream.ReadAsync(buffer, timeout.Token);
            if (n == 0) throw new IOException("The server closed the connection before a whole answer.");
            _pending.AddRange(buffer.AsSpan(0, n));
        }
        return at;
    }

    private static int IndexOf(List<byte> bytes, ReadOnlySpan<byte> value)
    {
        for (var i = 0; i + value.Length <= bytes.Count; i++)
        {
            var match = true;
            for (var j = 0; j < value.Length && match; j++) match = bytes[i + j] == value[j];
            if (match) return i;
        }
        return -1;
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _client.Dispose();
    }
}

public sealed record RawAnswer(string Head, string Body)
{
    public JsonNode Json => JsonNode.Parse(Body)!;

    public int ErrCode => Json["errcode"]?.GetValue<int>() ?? 0;
}
