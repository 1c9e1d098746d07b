using System.Text.Json.Serialization;

namespace WaybillQuota.Server.Operator;

public sealed record CreateAppRequest(string? Name, IReadOnlyList<string>? IpAllowList, long? DailyBudget, int? MinuteLimit);

public sealed record AppView(string Appid, string Name, IReadOnlyList<string> IpAllowList, long DailyBudget, int? MinuteLimit, long CreatedAt);

public sealed record AppCreated(string Appid, string Name, string Secret, IReadOnlyList<string> IpAllowList, long DailyBudget,
    int? MinuteLimit, long CreatedAt);

public sealed record SecretRotated(string Appid, string Secret);

public sealed record ItemsOf<T>(IReadOnlyList<T> Items);

public sealed record CreateAccountRequest(string? DeliveryId, string? BizId, string? Password);

public sealed record AccountView(string DeliveryId, string BizId, int Balance, long BalanceUpdateTime, long CreateTime);

public sealed record LedgerChangeRequest(int? Amount, string? Note);

public sealed record LedgerEntryView(long Seq, int Delta, int BalanceAfter, string Kind, string Reference, long CreatedAt);

public sealed record LedgerChanged(LedgerEntryView Entry, int Balance);

public sealed record LedgerPage(IReadOnlyList<LedgerEntryView> Items, long? NextAfterSeq);

public sealed record BindingView(string Appid, string DeliveryId, string BizId, int StatusCode, long CreateTime, long UpdateTime,
    string RemarkContent, string RemarkWrongMsg);

public sealed record RefuseRequest(string? Reason);

/// <summary>The operator API's JSON: snake_case like the WeChat routes, but its own context and error model.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(CreateAppRequest))]
[JsonSerializable(typeof(AppView))]
[JsonSerializable(typeof(AppCreated))]
[JsonSerializable(typeof(SecretRotated))]
[JsonSerializable(typeof(ItemsOf<AppView>))]
[JsonSerializable(typeof(CreateAccountRequest))]
[JsonSerializable(typeof(AccountView))]
[JsonSerializable(typeof(ItemsOf<AccountView>))]
[JsonSerializable(typeof(LedgerChangeRequest))]
[JsonSerializable(typeof(LedgerChanged))]
[JsonSerializable(typeof(LedgerPage))]
[JsonSerializable(typeof(BindingView))]
[JsonSerializable(typeof(ItemsOf<BindingView>))]
[JsonSerializable(typeof(RefuseRequest))]
[JsonSerializable(typeof(Microsoft.AspNetCore.Mvc.ProblemDetails))]
[JsonSerializable(typeof(Microsoft.AspNetCore.Http.HttpValidationProblemDetails))]
public sealed partial class OperatorJsonContext : JsonSerializerContext;
