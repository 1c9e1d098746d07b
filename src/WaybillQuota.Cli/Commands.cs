using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using WaybillQuota.Contracts;

namespace WaybillQuota.Cli;

/// <summary>The command tree: WeChat API calls as an app, and <c>ops</c> calls as the operator.</summary>
internal static class Commands
{
    public static RootCommand Build(GlobalOptions globals, CliEnvironment environment)
    {
        var root = new RootCommand("waybill: the WeChat logistics (express business) API and the WaybillQuota operator API from the command line.");
        foreach (var option in globals.All) root.Options.Add(option);

        root.Subcommands.Add(Token(globals, environment));
        root.Subcommands.Add(Quota(globals, environment));
        root.Subcommands.Add(Delivery(globals, environment));
        root.Subcommands.Add(Account(globals, environment));
        root.Subcommands.Add(Order(globals, environment));
        root.Subcommands.Add(OpsCommands.Build(globals, environment));
        root.Subcommands.Add(ProfileCommands.Build(globals, environment));
        return root;
    }

    internal static Option<string> Required(string name, string description) =>
        new(name) { Description = description, Required = true };

    internal static void SetAction(Command command, GlobalOptions globals, CliEnvironment environment,
        Func<ParseResult, CommandContext, CancellationToken, Task<JsonNode>> action) =>
        command.SetAction((parseResult, cancellationToken) => CommandContext.RunAsync(parseResult, globals, environment,
            (context, ct) => action(parseResult, context, ct), cancellationToken));

    private static Command Token(GlobalOptions globals, CliEnvironment environment)
    {
        var force = new Option<bool>("--force-refresh")
        {
            Description = "Rotate the stable token now (the platform allows 20 a day, 30 s apart)",
        };
        var command = new Command("token", "Fetch an access token (stable by default; --classic for GET /cgi-bin/token)") { force };
        SetAction(command, globals, environment, async (parseResult, context, ct) =>
        {
            var client = context.WeChat();
            var answer = parseResult.GetValue(globals.Classic)
                ? await client.GetAccessTokenAsync(ct).ConfigureAwait(false)
                : await client.GetStableAccessTokenAsync(parseResult.GetValue(force), ct).ConfigureAwait(false);
            return CommandContext.ToNode(answer, WeChatJsonContext.Wire.AccessTokenResponse);
        });
        return command;
    }

    private static Command Quota(GlobalOptions globals, CliEnvironment environment)
    {
        var delivery = Required("--delivery", "Carrier delivery_id, e.g. YTO");
        var biz = Required("--biz", "Customer code (biz_id) at the carrier");
        var get = new Command("get", "Waybills left on a bound account (getQuota)") { delivery, biz };
        SetAction(get, globals, environment, async (parseResult, context, ct) =>
        {
            var answer = await context.WeChat().GetQuotaAsync(new GetQuotaRequest
            {
                DeliveryId = parseResult.GetValue(delivery),
                BizId = parseResult.GetValue(biz),
            }, ct).ConfigureAwait(false);
            return CommandContext.ToNode(answer, WeChatJsonContext.Wire.GetQuotaResponse);
        });
        return new Command("quota", "The electronic waybill balance") { get };
    }

    private static Command Delivery(GlobalOptions globals, CliEnvironment environment)
    {
        var list = new Command("list", "The carrier catalogue (getAllDelivery)");
        SetAction(list, globals, environment, async (_, context, ct) =>
            CommandContext.ToNode(await context.WeChat().GetAllDeliveryAsync(ct).ConfigureAwait(false),
                WeChatJsonContext.Wire.GetAllDeliveryResponse));
        return new Command("delivery", "Carriers") { list };
    }

    private static Command Account(GlobalOptions globals, CliEnvironment environment)
    {
        var list = new Command("list", "This app's bound accounts with their balances (getAllAccount)");
        SetAction(list, globals, environment, async (_, context, ct) =>
            CommandContext.ToNode(await context.WeChat().GetAllAccountAsync(ct).ConfigureAwait(false),
                WeChatJsonContext.Wire.GetAllAccountResponse));

        var delivery = Required("--delivery", "Carrier delivery_id");
        var biz = Required("--biz", "Customer code (biz_id)");
        var password = Required("--password", "The account's password");
        var remark = new Option<string?>("--remark") { Description = "Note for carriers that review bindings" };
        var bind = new Command("bind", "Bind a carrier account to this app") { delivery, biz, password, remark };
        SetAction(bind, globals, environment, async (parseResult, context, ct) =>
            CommandContext.ToNode(await context.WeChat().BindAccountAsync(parseResult.GetValue(delivery)!, parseResult.GetValue(biz)!,
                parseResult.GetValue(password)!, parseResult.GetValue(remark), ct).ConfigureAwait(false),
                WeChatJsonContext.Wire.WeChatStatus));

        var unbindDelivery = Required("--delivery", "Carrier delivery_id");
        var unbindBiz = Required("--biz", "Customer code (biz_id)");
        var unbindPassword = new Option<string?>("--password") { Description = "The account's password, if the carrier asks for it" };
        var unbind = new Command("unbind", "Unbind a carrier account from this app") { unbindDelivery, unbindBiz, unbindPassword };
        SetAction(unbind, globals, environment, async (parseResult, context, ct) =>
            CommandContext.ToNode(await context.WeChat().UnbindAccountAsync(parseResult.GetValue(unbindDelivery)!,
                parseResult.GetValue(unbindBiz)!, parseResult.GetValue(unbindPassword), ct).ConfigureAwait(false),
                WeChatJsonContext.Wire.WeChatStatus));

        return new Command("account", "Carrier accounts bound to this app") { list, bind, unbind };
    }

    private static Command Order(GlobalOptions globals, CliEnvironment environment)
    {
        var file = new Option<string?>("--file")
        {
            Description = "The order as addOrder JSON (snake_case); '-' reads standard input. Without it a sample order is sent",
        };
        var delivery = new Option<string?>("--delivery") { Description = "Carrier delivery_id (overrides the file)" };
        var biz = new Option<string?>("--biz") { Description = "Customer code biz_id (overrides the file)" };
        var orderId = new Option<string?>("--order-id") { Description = "Your order id (default: a new one)" };
        var openid = new Option<string?>("--openid") { Description = "The buyer's openid" };
        var serviceType = new Option<int?>("--service-type") { Description = "Carrier service type (default 0)" };
        var add = new Command("add", "Create an order: spends one waybill (addOrder)") { file, delivery, biz, orderId, openid, serviceType };
        SetAction(add, globals, environment, async (parseResult, context, ct) =>
        {
            var request = await LoadOrderAsync(parseResult.GetValue(file), context.Environment, ct).ConfigureAwait(false);
            request = request with
            {
                DeliveryId = parseResult.GetValue(delivery) ?? request.DeliveryId,
                BizId = parseResult.GetValue(biz) ?? request.BizId,
                OrderId = parseResult.GetValue(orderId) ?? request.OrderId ?? "waybill-" + Guid.NewGuid().ToString("N"),
                Openid = parseResult.GetValue(openid) ?? request.Openid,
                Service = parseResult.GetValue(serviceType) is { } type
                    ? new OrderService { ServiceType = type, ServiceName = request.Service?.ServiceName }
                    : request.Service,
            };
            if (string.IsNullOrEmpty(request.DeliveryId) || string.IsNullOrEmpty(request.BizId))
                throw new CliUsageException("addOrder needs --delivery and --biz (or delivery_id and biz_id in --file).");
            return CommandContext.ToNode(await context.WeChat().AddOrderAsync(request, ct).ConfigureAwait(false),
                WeChatJsonContext.Wire.AddOrderResponse);
        });

        var cancelOrderId = Required("--order-id", "The order id");
        var cancelDelivery = Required("--delivery", "Carrier delivery_id");
        var cancelWaybill = Required("--waybill", "The waybill id addOrder answered");
        var cancelOpenid = new Option<string?>("--openid") { Description = "The buyer's openid" };
        var cancel = new Command("cancel", "Cancel an order: gives its waybill back (cancelOrder)")
        {
            cancelOrderId, cancelDelivery, cancelWaybill, cancelOpenid,
        };
        SetAction(cancel, globals, environment, async (parseResult, context, ct) =>
            CommandContext.ToNode(await context.WeChat().CancelOrderAsync(new CancelOrderRequest
            {
                OrderId = parseResult.GetValue(cancelOrderId),
                DeliveryId = parseResult.GetValue(cancelDelivery),
                WaybillId = parseResult.GetValue(cancelWaybill),
                Openid = parseResult.GetValue(cancelOpenid),
            }, ct).ConfigureAwait(false), WeChatJsonContext.Wire.CancelOrderResponse));

        var getOrderId = Required("--order-id", "The order id");
        var getDelivery = Required("--delivery", "Carrier delivery_id");
        var getWaybill = new Option<string?>("--waybill") { Description = "The waybill id" };
        var getOpenid = new Option<string?>("--openid") { Description = "The buyer's openid" };
        var get = new Command("get", "Read an order and its label (getOrder)") { getOrderId, getDelivery, getWaybill, getOpenid };
        SetAction(get, globals, environment, async (parseResult, context, ct) =>
            CommandContext.ToNode(await context.WeChat().GetOrderAsync(new GetOrderRequest
            {
                OrderId = parseResult.GetValue(getOrderId),
                DeliveryId = parseResult.GetValue(getDelivery),
                WaybillId = parseResult.GetValue(getWaybill),
                Openid = parseResult.GetValue(getOpenid),
            }, ct).ConfigureAwait(false), WeChatJsonContext.Wire.GetOrderResponse));

        return new Command("order", "Orders: each spends one waybill") { add, cancel, get };
    }

    private static async Task<AddOrderRequest> LoadOrderAsync(string? file, CliEnvironment environment, CancellationToken cancellationToken)
    {
        if (file is null) return SampleOrder;
        string text;
        try
        {
            text = file == "-"
                ? await environment.Input.ReadToEndAsync(cancellationToken).ConfigureAwait(false)
                : await File.ReadAllTextAsync(file, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            throw new CliUsageException($"Cannot read {file}: {ex.Message}");
        }

        try
        {
            return JsonSerializer.Deserialize(text, WeChatJsonContext.Wire.AddOrderRequest)
                ?? throw new CliUsageException($"{file} holds no order.");
        }
        catch (JsonException ex)
        {
            throw new CliUsageException($"{file} is not an addOrder JSON body: {ex.Message}");
        }
    }

    /// <summary>The order sent without --file: the documentation's example, enough for a test account.</summary>
    internal static readonly AddOrderRequest SampleOrder = new()
    {
        AddSource = 0,
        Openid = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
        CustomRemark = "sent by waybill",
        Sender = new OrderContact
        {
            Name = "张三", Mobile = "13800000000", Company = "寄件公司", PostCode = "510000", Country = "中国",
            Province = "广东省", City = "广州市", Area = "海珠区", Address = "新港中路397号",
        },
        Receiver = new OrderContact
        {
            Name = "李四", Mobile = "13900000000", Company = "收件公司", PostCode = "518000", Country = "中国",
            Province = "广东省", City = "深圳市", Area = "南山区", Address = "科技园南区",
        },
        Cargo = new OrderCargo
        {
            Count = 1, Weight = 1.2, SpaceX = 20, SpaceY = 15, SpaceZ = 10,
            DetailList = [new CargoDetail { Name = "商品", Count = 1 }],
        },
        Shop = new OrderShop { WxaPath = "/index/index?from=waybill", ImgUrl = "https://example.com/goods.png", GoodsName = "商品", GoodsCount = 1 },
        Insured = new OrderInsured { UseInsured = 0, InsuredValue = 0 },
        Service = new OrderService { ServiceType = 0, ServiceName = "标准快递" },
    };
}
