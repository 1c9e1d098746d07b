using System.CommandLine;
using System.Text.Json.Nodes;

namespace WaybillQuota.Cli;

/// <summary><c>waybill profile show|save</c>: the settings in use, and keeping them in the profile file.</summary>
internal static class ProfileCommands
{
    public static Command Build(GlobalOptions globals, CliEnvironment environment)
    {
        var show = new Command("show", "Print the settings in use and where the profile is (secrets masked)");
        Commands.SetAction(show, globals, environment, (_, context, _) => Task.FromResult<JsonNode>(Describe(context.Settings, mask: true)));

        var save = new Command("save", "Write the settings in use (from options and environment) to the profile file, readable by you only");
        Commands.SetAction(save, globals, environment, async (_, context, ct) =>
        {
            var settings = context.Settings;
            var profile = new JsonObject { ["server"] = settings.Server.ToString() };
            if (settings.AppId is not null) profile["appid"] = settings.AppId;
            if (settings.Secret is not null) profile["secret"] = settings.Secret;
            if (settings.OperatorKey is not null) profile["operator_key"] = settings.OperatorKey;

            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(settings.ProfilePath))!);
            var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            await using (var file = new FileStream(settings.ProfilePath, options))
            await using (var writer = new StreamWriter(file))
            {
                await writer.WriteAsync(profile.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }).AsMemory(), ct)
                    .ConfigureAwait(false);
            }

            return Describe(settings, mask: true);
        });

        return new Command("profile", "The settings file (" + "~/.config/waybill/profile.json" + ")") { show, save };
    }

    private static JsonObject Describe(CliSettings settings, bool mask) => new()
    {
        ["profile"] = settings.ProfilePath,
        ["server"] = settings.Server.ToString(),
        ["appid"] = settings.AppId,
        ["secret"] = Mask(settings.Secret, mask),
        ["operator_key"] = Mask(settings.OperatorKey, mask),
    };

    private static string? Mask(string? value, bool mask) =>
        value is null ? null : mask ? (value.Length > 4 ? value[..2] + new string('*', 6) + value[^2..] : "******") : value;
}
