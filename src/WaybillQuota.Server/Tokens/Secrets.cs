using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace WaybillQuota.Server.Tokens;

/// <summary>Making, hashing and comparing credentials. Nothing here keeps or logs a plaintext.</summary>
public static class Secrets
{
    /// <summary>Tokens are 32 bytes (256 bits) in base64url: 43 characters of <c>A-Z a-z 0-9 - _</c>.</summary>
    public const int TokenLength = 43;

    private static readonly SearchValues<char> TokenAlphabet =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

    public static string NewToken() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    /// <summary>A token that can be made again from its nonce by whoever holds the key (stable tokens).</summary>
    public static string DerivedToken(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce) =>
        Base64Url.EncodeToString(HMACSHA256.HashData(key, nonce));

    /// <summary>Whether <paramref name="token"/> has the shape of a token this server issues.</summary>
    public static bool IsWellFormedToken(ReadOnlySpan<char> token) =>
        token.Length == TokenLength && !token.ContainsAnyExcept(TokenAlphabet);

    /// <summary>SHA-256 of a high-entropy credential (token, secret, operator key). They carry ≥128 random bits, so a fast hash suffices.</summary>
    public static byte[] Hash(string credential) => SHA256.HashData(Encoding.UTF8.GetBytes(credential));

    // SHA256.HashData makes and frees an OpenSSL digest context on every call; requests hash their token (once per
    // connection and token, see QueryTokenMemo), so each thread keeps one context and resets it instead (about 0.1 µs
    // less of the ~0.55 µs per token).
    [ThreadStatic] private static IncrementalHash? t_sha256;

    public static void Hash(ReadOnlySpan<char> credential, Span<byte> destination)
    {
        // Credentials arrive from the network (an operator key is a header): only a short one is encoded on the stack;
        // a long one goes through a pooled array, cleared before it goes back.
        const int StackBytes = 256;
        var max = Encoding.UTF8.GetMaxByteCount(credential.Length);
        byte[]? rented = null;
        var utf8 = max <= StackBytes ? stackalloc byte[StackBytes] : (rented = ArrayPool<byte>.Shared.Rent(max));
        try
        {
            var n = Encoding.UTF8.GetBytes(credential, utf8);
            var sha256 = t_sha256 ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            sha256.AppendData(utf8[..n]);
            sha256.GetHashAndReset(destination);
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented, clearArray: true);
        }
    }

    public static bool HashMatches(string credential, ReadOnlySpan<byte> expectedHash)
    {
        Span<byte> actual = stackalloc byte[32];
        Hash(credential, actual);
        return CryptographicOperations.FixedTimeEquals(actual, expectedHash);
    }

    /// <summary>An appid: <c>wx</c> and 16 lowercase hex digits.</summary>
    public static string NewAppId() => "wx" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    /// <summary>An app secret: 32 lowercase hex digits (128 bits).</summary>
    public static string NewAppSecret() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public static bool IsWellFormedAppId(string appId) =>
        appId.Length == 18 && appId.StartsWith("wx", StringComparison.Ordinal) && IsLowerHex(appId.AsSpan(2));

    public static bool IsWellFormedAppSecret(string secret) => secret.Length == 32 && IsLowerHex(secret);

    private static bool IsLowerHex(ReadOnlySpan<char> s)
    {
        foreach (var c in s)
        {
            if (!char.IsAsciiHexDigitLower(c) && !char.IsAsciiDigit(c)) return false;
        }
        return true;
    }

    // Carrier account passwords are chosen by people, so they get a slow, salted hash.
    private const int PasswordIterations = 100_000;

    public static string HashPassword(string password)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        var hash = Rfc2898DeriveBytes.Pbkdf2(password, salt, PasswordIterations, HashAlgorithmName.SHA256, 32);
        return $"pbkdf2-sha256${PasswordIterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
    }

    public static bool VerifyPassword(string password, string stored)
    {
        var parts = stored.Split('$');
        if (parts.Length != 4 || parts[0] != "pbkdf2-sha256" || !int.TryParse(parts[1], out var iterations)) return false;
        var salt = Convert.FromBase64String(parts[2]);
        var expected = Convert.FromBase64String(parts[3]);
        var actual = Rfc2898DeriveBytes.Pbkdf2(password, salt, iterations, HashAlgorithmName.SHA256, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }
}
