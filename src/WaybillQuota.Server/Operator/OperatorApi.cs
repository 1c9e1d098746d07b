using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using WaybillQuota.Server.Accounts;
using WaybillQuota.Server.Carriers;
using WaybillQuota.Server.Storage;
using WaybillQuota.Server.Tokens;
using WaybillQuota.Server.WeChat;

namespace WaybillQuota.Server.Operator;

/// <summary>The carrier's side (ours, not WeChat's): RFC 9457 problem details, Bearer operator key. See docs/operator-api.md.</summary>
public static class OperatorApi
{
    public const long DefaultDailyBudget = 1_000_000;

    public static RouteGroupBuilder MapOperator(this IEndpointRouteBuilder app)
    {
        var ops = app.MapGroup("/ops/v1").AddEndpointFilter(RequireOperatorKey).WithTags("Operator");

        ops.MapPost("/apps", CreateAppAsync);
        ops.MapGet("/apps", ListAppsAsync);
        ops.MapPost("/apps/{appid}/secret", RotateSecretAsync);
        ops.MapPost("/accounts", CreateAccountAsync);
        ops.MapGet("/accounts", ListAccountsAsync);
        ops.MapGet("/accounts/{deliveryId}/{bizId}", GetAccountAsync);
        ops.MapPost("/accounts/{deliveryId}/{bizId}/credits", CreditAsync);
        ops.MapPost("/accounts/{deliveryId}/{bizId}/adjustments", AdjustAsync);
        ops.MapGet("/accounts/{deliveryId}/{bizId}/ledger", ReadLedgerAsync);
        ops.MapGet("/bindings", ListBindingsAsync);
        ops.MapPost("/bindings/{appid}/{deliveryId}/{bizId}/approve", ApproveAsync);
        ops.MapPost("/bindings/{appid}/{deliveryId}/{bizId}/refuse", RefuseAsync);
        return ops;
    }

    private static async ValueTask<object?> RequireOperatorKey(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var keys = context.HttpContext.RequestServices.GetRequiredService<OperatorKeys>();
        var header = context.HttpContext.Request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) || !keys.IsValid(header[scheme.Length..].Trim()))
        {
            context.HttpContext.Response.Headers.WWWAuthenticate = "Bearer";
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "A valid operator key is required.");
        }
        return await next(context);
    }

    private static ProblemHttpResult Problem(int status, string title, string? detail = null) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail);

    private static AppView View(AppRecord a) => new(a.AppId, a.Name, a.IpAllowList, a.DailyBudget, a.MinuteLimit, a.CreatedAt / 1000);

    private static AccountView View(AccountRecord a) => new(a.DeliveryId, a.BizId, a.Balance, a.BalanceUpdatedAt / 1000, a.CreatedAt / 1000);

    private static LedgerEntryView View(LedgerEntry e) => new(e.Seq, e.Delta, e.BalanceAfter, e.Kind, e.Reference, e.CreatedAt / 1000);

    private static BindingView View(BindingRecord b) => new(b.AppId, b.DeliveryId, b.BizId, (int)b.Status, b.CreatedAt / 1000,
        b.UpdatedAt / 1000, b.RemarkContent, b.RemarkWrongMsg);

    public static async Task<Results<Created<AppCreated>, ProblemHttpResult>> CreateAppAsync(CreateAppRequest request,
        IWaybillStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Length > 64)
            return Problem(400, "name is required (1 to 64 characters).");
        var ips = request.IpAllowList ?? [];
        if (ips.Any(ip => !IPAddress.TryParse(ip, out _))) return Problem(400, "ip_allow_list holds an invalid IP address.");
        if (request.DailyBudget is < 1) return Problem(400, "daily_budget must be at least 1.");
        if (request.MinuteLimit is < 1) return Problem(400, "minute_limit must be at least 1.");

        var secret = Secrets.NewAppSecret();
        var now = time.NowMs();
        var app = new AppRecord(Secrets.NewAppId(), request.Name.Trim(), Secrets.Hash(secret), ips,
            request.DailyBudget ?? DefaultDailyBudget, request.MinuteLimit, now, now);
        await store.WriteAsync(tx =>
        {
            tx.InsertApp(app);
            return true;
        }, cancellationToken);
        return TypedResults.Created($"/ops/v1/apps/{app.AppId}",
            new AppCreated(app.AppId, app.Name, secret, app.IpAllowList, app.DailyBudget, app.MinuteLimit, app.CreatedAt / 1000));
    }

    public static async Task<Ok<ItemsOf<AppView>>> ListAppsAsync(IWaybillStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok(new ItemsOf<AppView>((await store.ListAppsAsync(cancellationToken)).Select(View).ToList()));

    public static async Task<Results<Ok<SecretRotated>, ProblemHttpResult>> RotateSecretAsync(string appid, IWaybillStore store,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var secret = Secrets.NewAppSecret();
        var hash = Secrets.Hash(secret);
        var now = time.NowMs();
        var found = await store.WriteAsync(tx =>
        {
            if (tx.GetApp(appid) is null) return false;
            tx.UpdateAppSecret(appid, hash, now);
            return true;
        }, cancellationToken);
        return found ? TypedResults.Ok(new SecretRotated(appid, secret)) : Problem(404, "No such app.");
    }

    public static async Task<Results<Created<AccountView>, ProblemHttpResult>> CreateAccountAsync(CreateAccountRequest request,
        IWaybillStore store, CarrierCatalog carriers, TimeProvider time, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(request.DeliveryId) || carriers.Find(request.DeliveryId) is not { } carrier)
            return Problem(404, "No such carrier.", "delivery_id must be one of delivery/getall.");
        if (string.IsNullOrEmpty(request.BizId) || Encoding.UTF8.GetByteCount(request.BizId) > AccountGuard.MaxIdBytes)
            return Problem(400, $"biz_id is required (at most {AccountGuard.MaxIdBytes} bytes).");
        if (carrier.IsSharedAccount(request.BizId)) return Problem(409, "This biz_id is the carrier's shared (test or cash) account.");
        if (string.IsNullOrEmpty(request.Password) || Encoding.UTF8.GetByteCount(request.Password) > AccountApi.MaxPasswordBytes)
            return Problem(400, $"password is required (at most {AccountApi.MaxPasswordBytes} bytes).");

        var hash = Secrets.HashPassword(request.Password);
        var now = time.NowMs();
        var created = await store.WriteAsync(tx =>
            tx.GetAccount(request.DeliveryId, request.BizId) is null ? tx.InsertAccount(request.DeliveryId, request.BizId, hash, now) : null,
            cancellationToken);
        return created is null
            ? Problem(409, "The account exists.")
            : TypedResults.Created($"/ops/v1/accounts/{created.DeliveryId}/{created.BizId}", View(created));
    }

    public static async Task<Ok<ItemsOf<AccountView>>> ListAccountsAsync(IWaybillStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok(new ItemsOf<AccountView>((await store.ListAccountsAsync(cancellationToken)).Select(View).ToList()));

    public static async Task<Results<Ok<AccountView>, ProblemHttpResult>> GetAccountAsync(string deliveryId, string bizId,
        IWaybillStore store, CancellationToken cancellationToken) =>
        await store.FindAccountAsync(deliveryId, bizId, cancellationToken) is { } account
            ? TypedResults.Ok(View(account))
            : Problem(404, "No such account.");

    public static Task<Results<Ok<LedgerChanged>, ProblemHttpResult>> CreditAsync(string deliveryId, string bizId,
        LedgerChangeRequest request, HttpContext context, IWaybillStore store, TimeProvider time, CancellationToken cancellationToken) =>
        request.Amount is not >= 1
            ? Task.FromResult<Results<Ok<LedgerChanged>, ProblemHttpResult>>(Problem(400, "amount must be a whole number of at least 1."))
            : ChangeAsync(LedgerKinds.Credit, deliveryId, bizId, request, context, store, time, cancellationToken);

    public static Task<Results<Ok<LedgerChanged>, ProblemHttpResult>> AdjustAsync(string deliveryId, string bizId,
        LedgerChangeRequest request, HttpContext context, IWaybillStore store, TimeProvider time, CancellationToken cancellationToken) =>
        request.Amount is null or 0
            ? Task.FromResult<Results<Ok<LedgerChanged>, ProblemHttpResult>>(Problem(400, "amount must be a non-zero whole number."))
            : ChangeAsync(LedgerKinds.Adjust, deliveryId, bizId, request, context, store, time, cancellationToken);

    /// <summary>
    /// A credit or adjustment, exactly once per Idempotency-Key: the key's first answer is stored in the same transaction
    /// as the ledger entry, so a retry (same key, same body) gets that answer again and a reuse with another body gets 409.
    /// </summary>
    private static async Task<Results<Ok<LedgerChanged>, ProblemHttpResult>> ChangeAsync(string kind, string deliveryId, string bizId,
        LedgerChangeRequest request, HttpContext context, IWaybillStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        var key = context.Request.Headers["Idempotency-Key"].ToString();
        if (key.Length is 0 or > 255) return Problem(400, "An Idempotency-Key header (1 to 255 characters) is required.");
        if (await store.FindAccountAsync(deliveryId, bizId, cancellationToken) is not { } account) return Problem(404, "No such account.");

        var fingerprint = SHA256.HashData(Encoding.UTF8.GetBytes($"{kind}\n{deliveryId}\n{bizId}\n{request.Amount}\n{request.Note}"));
        var now = time.NowMs();
        var outcome = await store.WriteAsync<(int Status, string? Body)>(tx =>
        {
            if (tx.GetIdempotency("ops.ledger", key) is { } seen)
            {
                return CryptographicOperations.FixedTimeEquals(seen.RequestHash, fingerprint) ? (seen.Status, seen.Response) : (409, null);
            }
            var result = tx.ApplyLedger(account.Id, request.Amount!.Value, kind, $"idem:{key}", now);
            if (result.Outcome == LedgerOutcome.Insufficient) return (422, null);
            if (result.Outcome == LedgerOutcome.Duplicate)
            {
                // Another instance applied this key while we waited for the account's lock; its answer is committed now.
                return tx.GetIdempotency("ops.ledger", key) is { } first && CryptographicOperations.FixedTimeEquals(first.RequestHash, fingerprint)
                    ? (first.Status, first.Response)
                    : (409, null);
            }
            var body = JsonSerializer.Serialize(new LedgerChanged(View(result.Entry!), result.Balance), OperatorJsonContext.Default.LedgerChanged);
            tx.InsertIdempotency(new IdempotencyRecord("ops.ledger", key, fingerprint, 200, body, now));
            return (200, body);
        }, cancellationToken);

        return outcome switch
        {
            (200, { } body) => TypedResults.Ok(JsonSerializer.Deserialize(body, OperatorJsonContext.Default.LedgerChanged)!),
            (422, _) => Problem(409, "The balance would go below zero.", $"The balance is {account.Balance}; it is never negative."),
            _ => Problem(409, "This Idempotency-Key was used for another request."),
        };
    }

    public static async Task<Results<Ok<LedgerPage>, ProblemHttpResult>> ReadLedgerAsync(string deliveryId, string bizId,
        IWaybillStore store, CancellationToken cancellationToken,
        [Microsoft.AspNetCore.Mvc.FromQuery(Name = "after_seq")] long afterSeq = 0, int limit = 100)
    {
        if (limit is < 1 or > 1000) return Problem(400, "limit must be between 1 and 1000.");
        if (afterSeq < 0) return Problem(400, "after_seq must not be negative.");
        if (await store.FindAccountAsync(deliveryId, bizId, cancellationToken) is not { } account) return Problem(404, "No such account.");
        var entries = await store.ReadLedgerAsync(account.Id, afterSeq, limit, cancellationToken);
        return TypedResults.Ok(new LedgerPage(entries.Select(View).ToList(), entries.Count == limit ? entries[^1].Seq : null));
    }

    public static async Task<Results<Ok<ItemsOf<BindingView>>, ProblemHttpResult>> ListBindingsAsync(IWaybillStore store,
        CancellationToken cancellationToken, int? status = null, string? appid = null)
    {
        if (status is not null && !Enum.IsDefined((BindingStatus)status.Value)) return Problem(400, "status must be 0, 1, 2 or 3.");
        var bindings = await store.ListBindingsAsync(appid, (BindingStatus?)status, cancellationToken);
        return TypedResults.Ok(new ItemsOf<BindingView>(bindings.Select(View).ToList()));
    }

    public static Task<Results<Ok<BindingView>, ProblemHttpResult>> ApproveAsync(string appid, string deliveryId, string bizId,
        IWaybillStore store, TimeProvider time, CancellationToken cancellationToken) =>
        ReviewAsync(appid, deliveryId, bizId, BindingStatus.Bound, "", store, time, cancellationToken);

    public static Task<Results<Ok<BindingView>, ProblemHttpResult>> RefuseAsync(string appid, string deliveryId, string bizId,
        RefuseRequest? request, IWaybillStore store, TimeProvider time, CancellationToken cancellationToken) =>
        ReviewAsync(appid, deliveryId, bizId, BindingStatus.Refused, request?.Reason ?? "refused by the carrier", store, time,
            cancellationToken);

    private static async Task<Results<Ok<BindingView>, ProblemHttpResult>> ReviewAsync(string appid, string deliveryId, string bizId,
        BindingStatus decision, string reason, IWaybillStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        if (await store.FindAccountAsync(deliveryId, bizId, cancellationToken) is not { } account) return Problem(404, "No such binding.");
        var now = time.NowMs();
        var (found, updated) = await store.WriteAsync<(bool, BindingRecord?)>(tx =>
        {
            var binding = tx.GetBinding(appid, account.Id);
            if (binding is null) return (false, null);
            if (binding.Status != BindingStatus.UnderReview) return (true, null);
            var reviewed = binding with { Status = decision, RemarkWrongMsg = reason, UpdatedAt = now };
            tx.UpsertBinding(reviewed);
            return (true, reviewed);
        }, cancellationToken);
        if (!found) return Problem(404, "No such binding.");
        return updated is null ? Problem(409, "The binding is not under review.") : TypedResults.Ok(View(updated));
    }
}
