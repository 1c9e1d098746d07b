using System.IO.Pipelines;

// The yardstick of bench/getquota: what Kestrel costs when the answer is a constant. To stay honest it does the
// transport work our server must do (route match, read the whole request body, the WeChat content type, a body of
// the same bytes) and nothing else: no token check, no JSON parsing, no store.
var builder = WebApplication.CreateBuilder(args);
if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
{
    builder.WebHost.UseUrls("http://127.0.0.1:5081");
}
builder.WebHost.ConfigureKestrel(k => k.AddServerHeader = false);

var app = builder.Build();
var answer = """{"quota_num":210}"""u8.ToArray();

app.MapPost("/cgi-bin/express/business/quota/get", async context =>
{
    await DrainAsync(context.Request.BodyReader, context.RequestAborted);
    context.Response.StatusCode = StatusCodes.Status200OK;
    context.Response.ContentType = "application/json; encoding=utf-8";
    await context.Response.Body.WriteAsync(answer, context.RequestAborted);
});

await app.RunAsync();

static async Task DrainAsync(PipeReader reader, CancellationToken cancellationToken)
{
    while (true)
    {
        var read = await reader.ReadAsync(cancellationToken);
        reader.AdvanceTo(read.Buffer.End);
        if (read.IsCompleted) return;
    }
}
