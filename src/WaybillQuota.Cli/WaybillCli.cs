using System.CommandLine;
using System.CommandLine.Help;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using WaybillQuota.Client;

namespace WaybillQuota.Cli;

/// <summary>
/// The <c>waybill</c> command. <see cref="RunAsync"/> is the whole program, with its output, error stream and
/// surroundings passed in, so tests run it like a user would and read what it printed and its exit code.
/// </summary>
public static class WaybillCli
{
    /// <summary>Exit code of success.</summary>
    public const int Success = 0;

    /// <summary>Exit code when the API answered an error (errcode or problem details) or could not be reached.</summary>
    public const int ApiError = 1;

    /// <summary>Exit code of a usage mistake: unknown option, missing value, no appid configured.</summary>
    public const int UsageError = 2;

    /// <summary>Runs <c>waybill</c> with <paramref name="args"/>.</summary>
    /// <param name="args">The command line, without the program name.</param>
    /// <param name="output">Where results go (tables, or JSON with <c>--json</c>).</param>
    /// <param name="error">Where errors go.</param>
    /// <param name="environment">Environment variables, home folder, HTTP handler; default the process's.</param>
    /// <param name="cancellationToken">Stops the command.</param>
    /// <returns>The exit code.</returns>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CliEnvironment? environment = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        environment ??= CliEnvironment.FromProcess();
        var globals = new GlobalOptions();
        var root = Commands.Build(globals, environment);
        var parseResult = root.Parse(args);
        if (parseResult.Errors.Count > 0 && parseResult.Action is not HelpAction)
        {
            foreach (var parseError in parseResult.Errors) await error.WriteLineAsync(parseError.Message).ConfigureAwait(false);
            await error.WriteLineAsync("Try 'waybill --help'.").ConfigureAwait(false);
            return UsageError;
        }

        var configuration = new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false };
        return await parseResult.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>Options every command accepts.</summary>
internal sealed class GlobalOptions
{
    public Option<string?> Server { get; } = new("--server")
    {
        Description = "Server root, e.g. http://127.0.0.1:5080/ (env WAYBILL_SERVER; default " + CliSettings.DefaultServer + ")",
        Recursive = true,
    };

    public Option<string?> AppId { get; } = new("--appid") { Description = "The app's appid (env WAYBILL_APPID)", Recursive = true };

    public Option<string?> Secret { get; } = new("--secret") { Description = "The app's secret (env WAYBILL_SECRET)", Recursive = true };

    public Option<string?> OperatorKey { get; } = new("--operator-key")
    {
        Description = "Operator key for 'ops' commands (env WAYBILL_OPERATOR_KEY)",
        Recursive = true,
    };

    public Option<string?> Profile { get; } = new("--profile")
    {
        Description = "Profile file (env WAYBILL_PROFILE; default ~/.config/waybill/profile.json)",
        Recursive = true,
    };

    public Option<bool> Json { get; } = new("--json") { Description = "Print the answer as JSON, for scripts", Recursive = true };

    public Option<bool> Classic { get; } = new("--classic") { Description = "Use GET /cgi-bin/token tokens instead of stable tokens", Recursive = true };

    public IEnumerable<Option> All => [Server, AppId, Secret, OperatorKey, Profile, Json, Classic];
}

/// <summary>What an action works with: the resolved settings, the output, and clients built from them.</summary>
internal sealed class CommandContext(ParseResult parseResult, GlobalOptions globals, CliEnvironment environment)
{
    private CliSettings? _settings;

    public CliOutput Output { get; } = new(parseResult.InvocationConfiguration.Output, parseResult.InvocationConfiguration.Error,
        parseResult.GetValue(globals.Json));

    public CliEnvironment Environment => environment;

    public CliSettings Settings => _settings ??= CliSettings.Resolve(parseResult.GetValue(globals.Server), parseResult.GetValue(globals.AppId),
        parseResult.GetValue(globals.Secret), parseResult.GetValue(globals.OperatorKey), parseResult.GetValue(globals.Profile), environment);

    public WeChatLogisticsClient WeChat() => WeChatLogisticsClient.Create(new WaybillQuotaClientOptions
    {
        BaseAddress = Settings.Server,
        AppId = Settings.RequireAppId(),
        Secret = Settings.RequireSecret(),
        TokenMode = parseResult.GetValue(globals.Classic) ? TokenMode.Classic : TokenMode.Stable,
        MaxRetryAttempts = 2,
    }, environment.HttpHandler);

    public OperatorClient Operator()
    {
#pragma warning disable CA2000 // Lives as long as the one command that uses it.
        var http = environment.HttpHandler is null
            ? new HttpClient { BaseAddress = Settings.Server }
            : new HttpClient(environment.HttpHandler, disposeHandler: false) { BaseAddress = Settings.Server };
#pragma warning restore CA2000
        return new OperatorClient(http, Settings.RequireOperatorKey());
    }

    public static JsonNode ToNode<T>(T value, JsonTypeInfo<T> typeInfo) =>
        JsonSerializer.SerializeToNode(value, typeInfo) ?? new JsonObject();

    /// <summary>Runs an action and turns what can go wrong into a message and an exit code.</summary>
    public static async Task<int> RunAsync(ParseResult parseResult, GlobalOptions globals, CliEnvironment environment,
        Func<CommandContext, CancellationToken, Task<JsonNode>> action, CancellationToken cancellationToken)
    {
        var context = new CommandContext(parseResult, globals, environment);
        var output = context.Output;
        try
        {
            var answer = await action(context, cancellationToken).ConfigureAwait(false);
            output.Write(answer);
            return WaybillCli.Success;
        }
        catch (WeChatApiException ex)
        {
            await output.Error.WriteLineAsync($"error: errcode {ex.ErrorCode}: {ex.ErrorMessage}").ConfigureAwait(false);
            await output.Error.WriteLineAsync($"rid: {ex.Rid ?? "(none)"}").ConfigureAwait(false);
            if (ex.InnerException is not null) await output.Error.WriteLineAsync($"cause: {ex.InnerException.Message}").ConfigureAwait(false);
            if (output.Json)
            {
                output.Write(new JsonObject
                {
                    ["errcode"] = ex.ErrorCode,
                    ["errmsg"] = ex.RawErrorMessage,
                    ["rid"] = ex.Rid,
                });
            }

            return WaybillCli.ApiError;
        }
        catch (OperatorApiException ex)
        {
            await output.Error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            if (output.Json)
            {
                output.Write(new JsonObject { ["status"] = ex.Status, ["title"] = ex.Title, ["detail"] = ex.Detail });
            }

            return WaybillCli.ApiError;
        }
        catch (CliUsageException ex)
        {
            await output.Error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return WaybillCli.UsageError;
        }
    }
}
