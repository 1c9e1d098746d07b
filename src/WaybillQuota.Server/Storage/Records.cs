namespace WaybillQuota.Server.Storage;

// All times are unix milliseconds (UTC). The wire form shows unix seconds.

public sealed record AppRecord(
    string AppId,
    string Name,
    byte[] SecretHash,
    IReadOnlyList<string> IpAllowList,
    long DailyBudget,
    int? MinuteLimit,
    long CreatedAt,
    long UpdatedAt);

public enum TokenKind
{
    Classic = 0,
    Stable = 1,
}

/// <param name="Hash">SHA-256 of the token text; the text itself is never stored.</param>
/// <param name="Nonce">Stable tokens only: the token is HMAC(server key, nonce), so it can be handed out again.</param>
/// <param name="SupersededAt">When a newer token of the same app and kind was issued; this one then stays valid 5 more minutes.</param>
public sealed record TokenRecord(
    byte[] Hash,
    string AppId,
    TokenKind Kind,
    byte[]? Nonce,
    long IssuedAt,
    long ExpiresAt,
    long? SupersededAt);

public sealed record AccountRecord(
    long Id,
    string DeliveryId,
    string BizId,
    string PasswordHash,
    int Balance,
    long CreatedAt,
    long BalanceUpdatedAt);

public enum BindingStatus
{
    Bound = 0,
    UnderReview = 1,
    Refused = 2,
    Unbound = 3,
}

public sealed record BindingRecord(
    string AppId,
    long AccountId,
    string DeliveryId,
    string BizId,
    BindingStatus Status,
    string Alias,
    string RemarkContent,
    string RemarkWrongMsg,
    long CreatedAt,
    long UpdatedAt);

public static class LedgerKinds
{
    public const string Credit = "credit";
    public const string Consume = "consume";
    public const string Refund = "refund";
    public const string Adjust = "adjust";
}

public sealed record LedgerEntry(
    long AccountId,
    long Seq,
    int Delta,
    int BalanceAfter,
    string Kind,
    string Reference,
    long CreatedAt);

public enum LedgerOutcome
{
    Applied,
    /// <summary>The reference was applied before; nothing changed.</summary>
    Duplicate,
    /// <summary>The balance would go below zero; nothing changed.</summary>
    Insufficient,
}

public sealed record LedgerResult(LedgerOutcome Outcome, int Balance, LedgerEntry? Entry);

/// <summary>A stored answer to an idempotent request (operator credits, adjustments).</summary>
public sealed record IdempotencyRecord(string Scope, string Key, byte[] RequestHash, int Status, string Response, long CreatedAt);

public enum OrderStatus
{
    Normal = 0,
    Cancelled = 1,
}

/// <param name="AccountId">The ledger account the order spent from; null on shared accounts (TEST, cash), which keep no ledger.</param>
/// <param name="RequestDigest">SHA-256 of the canonical JSON of the addOrder request: an identical retry has the same digest.</param>
/// <param name="Label">
/// What getOrder shows of the order later: the parts of the addOrder request its label prints, as JSON of the same
/// shape (rows from before V4 hold the whole request, which reads the same way).
/// </param>
public sealed record OrderRecord(
    string AppId,
    string OrderId,
    string DeliveryId,
    string BizId,
    long? AccountId,
    string WaybillId,
    OrderStatus Status,
    byte[] RequestDigest,
    string Label,
    long CreatedAt,
    long UpdatedAt);
