namespace WaybillQuota.Cli;

/// <summary>What the command reads from its surroundings, so tests can supply their own.</summary>
public sealed class CliEnvironment
{
    /// <summary>Reads an environment variable; default the process's.</summary>
    public Func<string, string?> GetVariable { get; init; } = Environment.GetEnvironmentVariable;

    /// <summary>The user's home folder, under which <c>.config/waybill/profile.json</c> is looked for.</summary>
    public string HomeDirectory { get; init; } = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

    /// <summary>Standard input, for <c>--file -</c>.</summary>
    public TextReader Input { get; init; } = TextReader.Null;

    /// <summary>The innermost HTTP handler; null for a real socket handler.</summary>
    public HttpMessageHandler? HttpHandler { get; init; }

    /// <summary>The process's environment.</summary>
    public static CliEnvironment FromProcess() => new() { Input = Console.In };

    /// <summary>The profile file: <c>$WAYBILL_PROFILE</c>, else <c>$XDG_CONFIG_HOME/waybill/profile.json</c>, else <c>~/.config/waybill/profile.json</c>.</summary>
    public string DefaultProfilePath()
    {
        var explicitPath = GetVariable("WAYBILL_PROFILE");
        if (!string.IsNullOrEmpty(explicitPath)) return explicitPath;
        var configHome = GetVariable("XDG_CONFIG_HOME");
        if (string.IsNullOrEmpty(configHome)) configHome = Path.Combine(HomeDirectory, ".config");
        return Path.Combine(configHome, "waybill", "profile.json");
    }
}
