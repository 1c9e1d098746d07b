namespace WaybillQuota.Client.Cloud;

/// <summary>
/// Where a cloud function calls and as whom: the server, the environment, the function's name and the environment's
/// credential. On WeChat the platform knows these; here they come from the function's environment variables
/// (<see cref="FromEnvironment"/>) or are set in code.
/// </summary>
public sealed class CloudOptions
{
    /// <summary>Environment variable of <see cref="BaseAddress"/>.</summary>
    public const string UrlVariable = "WAYBILLQUOTA_CLOUD_URL";

    /// <summary>Environment variable of <see cref="Env"/>.</summary>
    public const string EnvVariable = "WAYBILLQUOTA_CLOUD_ENV";

    /// <summary>Environment variable of <see cref="FunctionName"/>.</summary>
    public const string FunctionVariable = "WAYBILLQUOTA_CLOUD_FUNCTION";

    /// <summary>Environment variable of <see cref="Credential"/>.</summary>
    public const string CredentialVariable = "WAYBILLQUOTA_CLOUD_CREDENTIAL";

    /// <summary>The server's root, e.g. <c>http://127.0.0.1:5080/</c>. Default that address, the server's default.</summary>
    public Uri BaseAddress { get; set; } = new("http://127.0.0.1:5080/");

    /// <summary>The cloud environment id, as registered on the server. Required.</summary>
    public string Env { get; set; } = "";

    /// <summary>The calling function's name; its config.json decides what it may call. Required.</summary>
    public string FunctionName { get; set; } = "";

    /// <summary>The environment's credential (shown once when the environment was registered). Required; never logged.</summary>
    public string Credential { get; set; } = "";

    /// <summary>How long one call may take. Default 10 seconds.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Options from <c>WAYBILLQUOTA_CLOUD_URL</c>, <c>_ENV</c>, <c>_FUNCTION</c> and <c>_CREDENTIAL</c>.</summary>
    /// <returns>The options; <see cref="Validate"/> says what is missing.</returns>
    public static CloudOptions FromEnvironment()
    {
        var options = new CloudOptions
        {
            Env = Environment.GetEnvironmentVariable(EnvVariable) ?? "",
            FunctionName = Environment.GetEnvironmentVariable(FunctionVariable) ?? "",
            Credential = Environment.GetEnvironmentVariable(CredentialVariable) ?? "",
        };
        if (Environment.GetEnvironmentVariable(UrlVariable) is { Length: > 0 } url) options.BaseAddress = new Uri(url);
        return options;
    }

    /// <summary>Throws when a required setting is missing.</summary>
    /// <exception cref="InvalidOperationException">A setting is missing or invalid, named in the message.</exception>
    public void Validate()
    {
        if (!BaseAddress.IsAbsoluteUri) throw new InvalidOperationException($"BaseAddress must be absolute ({UrlVariable}).");
        if (string.IsNullOrEmpty(Env)) throw new InvalidOperationException($"Env is required ({EnvVariable}).");
        if (string.IsNullOrEmpty(FunctionName)) throw new InvalidOperationException($"FunctionName is required ({FunctionVariable}).");
        if (string.IsNullOrEmpty(Credential)) throw new InvalidOperationException($"Credential is required ({CredentialVariable}).");
        if (Timeout <= TimeSpan.Zero) throw new InvalidOperationException("Timeout must be positive.");
    }

    internal CloudOptions Clone() => (CloudOptions)MemberwiseClone();
}
