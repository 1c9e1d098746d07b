using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace WaybillQuota.Server.Storage;

/// <summary>
/// The SHA-256 of an access token, as a value: what a token is stored and found by. Being a value, it costs the hot
/// path no allocation and can wait in an async method like any local.
/// </summary>
/// <remarks>
/// Its hash code is its first four bytes: a digest's bytes are uniformly spread, and nobody can crowd a bucket,
/// because only issued tokens are ever added (a lookup of an unknown token adds nothing).
/// </remarks>
[InlineArray(Length)]
public struct TokenHash : IEquatable<TokenHash>
{
    public const int Length = 32;

    private byte _first;

    /// <summary>The digest in <paramref name="digest"/>, which must be exactly <see cref="Length"/> bytes.</summary>
    public static TokenHash From(ReadOnlySpan<byte> digest)
    {
        if (digest.Length != Length) throw new ArgumentException($"A token hash is {Length} bytes.", nameof(digest));
        var hash = default(TokenHash);
        digest.CopyTo(hash);
        return hash;
    }

    /// <summary>The digest whose hex text is <paramref name="hex"/> (as in an invalidation key); false when it is not one.</summary>
    public static bool TryParseHex(ReadOnlySpan<char> hex, out TokenHash hash)
    {
        hash = default;
        return hex.Length == Length * 2 &&
            Convert.FromHexString(hex, hash, out _, out _) == System.Buffers.OperationStatus.Done;
    }

    public readonly byte[] ToArray() => ((ReadOnlySpan<byte>)this).ToArray();

    public readonly bool Equals(TokenHash other) => ((ReadOnlySpan<byte>)this).SequenceEqual(other);

    public override readonly bool Equals(object? obj) => obj is TokenHash other && Equals(other);

    public override readonly int GetHashCode() => BinaryPrimitives.ReadInt32LittleEndian(this);

    public static bool operator ==(TokenHash left, TokenHash right) => left.Equals(right);

    public static bool operator !=(TokenHash left, TokenHash right) => !left.Equals(right);
}
