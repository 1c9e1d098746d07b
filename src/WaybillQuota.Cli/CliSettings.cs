using System.Text.Json;

namespace WaybillQuota.Cli;

/// <summary>
/// Where to connect and as whom. Each value comes from its option, else its environment variable, else the profile
/// file: <c>{"server":"...","appid":"...","secret":"...","operator_key":"..."}</c>.
/// </summary>
internal sealed record CliSettings(Uri Server, string? AppId, string? Secret, string? OperatorKey, string ProfilePath)
{
    public const string DefaultServer = "http://127.0.0.1:5080/";

    public static CliSettings Resolve(string? server, string? appId, string? secret, string? operatorKey, string? profilePath,
        CliEnvironment environment)
    {
        var explicitProfile = !string.IsNullOrEmpty(profilePath);
        var path = explicitProfile ? profilePath! : environment.DefaultProfilePath();
        var profile = LoadProfile(path, mustExist: explicitProfile);

        var serverText = First(server, environment.GetVariable("WAYBILL_SERVER"), profile.GetValueOrDefault("server")) ?? DefaultServer;
        if (!serverText.EndsWith('/')) serverText += "/";
        if (!Uri.TryCreate(serverText, UriKind.Absolute, out var serverUri) || (serverUri.Scheme != Uri.UriSchemeHttp && serverUri.Scheme != Uri.UriSchemeHttps))
            throw new CliUsageException($"The server address '{serverText}' is not an http(s) URL.");

        return new CliSettings(serverUri,
            First(appId, environment.GetVariable("WAYBILL_APPID"), profile.GetValueOrDefault("appid")),
            First(secret, environment.GetVariable("WAYBILL_SECRET"), profile.GetValueOrDefault("secret")),
            First(operatorKey, environment.GetVariable("WAYBILL_OPERATOR_KEY"), profile.GetValueOrDefault("operator_key")),
            path);
    }

    public string RequireAppId() => AppId ?? throw new CliUsageException(
        "No appid: pass --appid, set WAYBILL_APPID or put \"appid\" in the profile " + ProfilePath + ".");

    public string RequireSecret() => Secret ?? throw new CliUsageException(
        "No secret: pass --secret, set WAYBILL_SECRET or put \"secret\" in the profile " + ProfilePath + ".");

    public string RequireOperatorKey() => OperatorKey ?? throw new CliUsageException(
        "No operator key: pass --operator-key, set WAYBILL_OPERATOR_KEY or put \"operator_key\" in the profile " + ProfilePath + ".");

    private static string? First(params string?[] values) => values.FirstOrDefault(v => !string.IsNullOrEmpty(v));

    private static Dictionary<string, string> LoadProfile(string path, bool mustExist)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!File.Exists(path))
        {
            if (mustExist) throw new CliUsageException($"The profile {path} does not exist.");
            return values;
        }

        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new CliUsageException($"The profile {path} is not a JSON object.");
            foreach (var property in doc.RootElement.EnumerateObject())
            {
                if (property.Value.ValueKind == JsonValueKind.String) values[property.Name] = property.Value.GetString()!;
            }
        }
        catch (JsonException ex)
        {
            throw new CliUsageException($"The profile {path} is not valid JSON: {ex.Message}");
        }

        return values;
    }
}

/// <summary>A mistake in how the command was called; exit code 2.</summary>
internal sealed class CliUsageException(string message) : Exception(message);
