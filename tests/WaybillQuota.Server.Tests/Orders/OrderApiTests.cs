using System.Text;
using System.Text.Json.Nodes;
using WaybillQuota.Contracts;
using WaybillQuota.Server.Orders;
using WaybillQuota.Server.Storage;
using WaybillQuota.Server.Tests.Infrastructure;

namespace WaybillQuota.Server.Tests.Orders;

public abstract class OrderApiTests : EngineTests
{
    private const string NotFound = "delivery logic fail hint: [order not found]";

    // ---- addOrder ----

    [Fact]
    public async Task AddOrder_DocumentationRequest_AnswersTheDocumentationShapeAndSpendsOneWaybill()
    {
        await using var server = await StartAsync();
        var token = await server.DemoTokenAsync();

        var r = await server.PostAsync($"{OrderApi.AddPath}?access_token={token}", Spec.Text("addOrder.request.json"));

        Assert.Equal(200, r.Status);
        Assert.Equal("application/json; encoding=utf-8", r.ContentType);
        Spec.AssertSameShape(Spec.Json("addOrder.response.json"), r.Json);
        Assert.Equal("01234567890123456789", r.Json["order_id"]!.GetValue<string>());
        Assert.Matches("^YT[0-9]{13}$", r.Json["waybill_id"]!.GetValue<string>());
        Assert.Equal("YTO_mark", r.Json["waybill_data"]![0]!["key"]!.GetValue<string>());
        Assert.Matches("^[0-9]{3}- [0-9]{2}-[0-9]{2} [0-9]{3}$", r.Json["waybill_data"]![0]!["value"]!.GetValue<string>());
        Assert.Equal(0, r.Json["delivery_resultcode"]!.GetValue<int>());

        Assert.Equal(209, await server.QuotaAsync(token));
        var all = await server.GetAsync($"/cgi-bin/express/business/account/getall?access_token={token}");
        Assert.Equal(209, all.Json["list"]![0]!["quota_num"]!.GetValue<int>());
        var spend = (await server.LedgerAsync())[^1];
        Assert.Equal((-1, LedgerKinds.Consume), (spend.Delta, spend.Kind));
        Assert.Equal(OrderProcessor.ConsumeReference(server.Demo.Appid, "01234567890123456789"), spend.Reference);
        await server.AssertLedgerInvariantAsync();
    }

    [Fact]
    public async Task AddOrder_IdenticalRetry_AnswersTheSameWaybillAndSpendsNothing()
    {
        await using var server = await StartAsync();
        var token = await server.DemoTokenAsync();
        var first = await server.AddAsync(token, OrderWire.Example("retry-1"));

        // The same order with its keys in another order and other whitespace is still the same order.
        var reordered = new JsonObject(OrderWire.Example("retry-1").Reverse().Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone())));
        var second = await server.PostAsync($"{OrderApi.AddPath}?access_token={token}", reordered.ToJsonString(
            new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));

        Assert.Equal(first.Body, second.Body);
        Assert.Equal(209, await server.QuotaAsync(token));
        Assert.Single(await server.LedgerAsync(), e => e.Kind == LedgerKinds.Consume);
    }

    [Fact]
    public async Task AddOrder_SameOrderIdWithOtherContent_Answers9300508AndSpendsNothing()
    {
        await using var server = await StartAsync();
        var token = await server.DemoTokenAsync();
        await server.AddAsync(token, OrderWire.Example("reuse-1"));

        var r = await server.AddAsync(token, OrderWire.Example("reuse-1").With("receiver.name", "李四"));

        Spec.AssertError(r, ErrorCodes.OrderIdUsed, "order id has been used");
        Assert.Equal(209, await server.QuotaAsync(token));
    }

    [Fact]
    public async Task AddOrder_EmptyBalance_Answers9300523AndKeepsNoOrder()
    {
        await using var server = await StartAsync();
        var token = await server.DemoTokenAsync();
        await server.SetDemoBalanceAsync(0);

        Spec.AssertError(await server.AddAsync(token, OrderWire.Example("broke-1")), ErrorCodes.QuotaNotEnough,
            "quota is not enough; go to charge please");
        Spec.AssertError(await server.GetOrderAsync(token, "broke-1"), ErrorCodes.DeliveryLogicFail, NotFound);

        // The refused order left nothing behind: once charged, the same order_id is a new order.
        await server.SetDemoBalanceAsync(1);
        var r = await server.AddAsync(token, OrderWire.Example("broke-1"));
        Assert.Matches("^YT[0-9]{13}$", r.Json["waybill_id"]!.GetValue<string>());
        Assert.Equal(0, await server.QuotaAsync(token));
        Assert.Equal(0, await server.AssertLedgerInvariantAsync());
    }

    [Theory]
    [InlineData("NOPE", "xyz", ErrorCodes.DeliveryIdNotExist, "delivery_id not exist")]
    [InlineData("YTO", "nobody", ErrorCodes.BizIdNotBound, "bizid not bind")]
    [InlineData("ZTO", "xyz", ErrorCodes.BizIdNotBound, "bizid not bind")]
    public async Task AddOrder_UnknownCarrierOrAccount_AnswersItsErrcode(string deliveryId, string bizId, int errcode, string text)
    {
        await using var server = await StartAsync();
        var token = await server.DemoTokenAsync();

        Spec.AssertError(await server.AddAsync(token, OrderWire.Example("o-1", deliveryId, bizId)), errcode, text);
        Assert.Equal(210, await server.QuotaAsync(token));
    }

    [Fact]
    public async Task AddOrder_AccountBoundToAnotherApp_Answers9300525()
    {
        await using var server = await StartAsync();
        var other = await server.NewAppTokenAsync("other");

        Spec.AssertError(await server.AddAsync(other, OrderWire.Example("o-1")), ErrorCodes.BizIdNotBound, "bizid not bind");
    }

    [Fact]
    public async Task AddOrder_ServiceTypeTheCarrierDoesNotOffer_Answers9300510()
    {
        await using var server = await StartAsync();
        var token = await server.DemoTokenAsync();

        var r = await server.AddAsync(token, OrderWire.Example("o-1").With("service.service_type", 2));

        Spec.AssertError(r, ErrorCodes.InvalidServiceType, "invalid service type");
        Assert.Equal(210, await server.QuotaAsync(token));
    }

    [Theory]
    [InlineData("order_id", "order_id is required")]
    [InlineData("openid", "openid is required")]
    [InlineData("delivery_id", "delivery_id is required")]
    [InlineData("biz_id", "biz_id is required")]
    [InlineData("sender", "sender is required")]
    [InlineData("sender.name", "sender.name is required")]
    [InlineData("sender.tel,sender.mobile", "sender.mobile or sender.tel is required")]
    [InlineData("sender.province", "sender.province is required")]
    [InlineData("sender.city", "sender.city is required")]
    [InlineData("sender.area", "sender.area is required")]
    [InlineData("sender.address", "sender.address is required")]
    [InlineData("receiver", "receiver is required")]
    [InlineData("receiver.name", "receiver.name is required")]
    [InlineData("receiver.tel,receiver.mobile", "receiver.mobile or receiver.tel is required")]
    [InlineData("receiver.address", "receiver.address is required")]
    [InlineData("cargo", "cargo is required")]
    [InlineData("cargo.count", "cargo.count is required")]
    [InlineData("cargo.weight", "cargo.weight is required")]
    [InlineData("cargo.space_z", "cargo.space_z is required")]
    [InlineData("cargo.detail_list", "cargo.detail_list is required")]
    [InlineData("shop", "shop is required")]
    [InlineData("shop.wxa_path", "shop.wxa_path is required")]
    [InlineData("shop.goods_name", "shop.goods_name is required")]
    [InlineData("shop.goods_count", "shop.goods_count is required")]
    [InlineData("service", "service is required")]
    [InlineData("service.service_type", "service.service_type is required")]
    [InlineData("service.service_name", "service.service_name is required")]
    public async Task AddOrder_RequiredFieldMissing_Answers47001NamingIt(string paths, string hint)
    {
        await using var server = await StartAsync();
        var token = await server.DemoTokenAsync();

        var r = await server.AddAsync(token, OrderWire.Example("o-1").Without(paths));

        Spec.AssertError(r, ErrorCodes.DataFormatError, $"data format error hint: [{hint}]");
        Assert.Equal(210, await server.QuotaAsync(token));
    }

    [Theory]
    [InlineData("sender.mobile", "sender.tel")]
    [InlineData("sender.tel", "sender.mobile")]
    public async Task AddOrder_OnlyOneOfTelAndMobile_IsEnough(string removed, string kept)
    {
        await using var server = await StartAsync();
        var token = await server.DemoTokenAsync();

        var r = await server.AddAsync(token, OrderWire.Example("o-1").Without(removed));

        Assert.True(r.Json["waybill_id"] is not null, $"{kept} alone was refused: {r.Body}");
    }

    [Theory]
    [InlineData("cargo.weight", 0, "cargo.weight must be greater than 0")]
    [InlineData("cargo.count", -1, "cargo.count must be greater than 0")]
    [InlineData("add_source", 1, "add_source must be 0 or 2")]
    [InlineData("insured.use_insured", 3, "insured.use_insured must be 0 or 1")]
    [InlineData("insured.insured_value", 0, "insured.insured_value must be greater than 0")]
    public async Task AddOrder_NumberOutOfRange_Answers47001NamingIt(string path, int value, string hint)
    {
        await using var server = await StartAsync();
        var token = await server.DemoTokenAsync();

        var r = await server.AddAsync(token, OrderWire.Example("o-1").With(path, value));

        Spec.AssertError(r, ErrorCodes.DataFormatError, $"data format error hint: [{hint}]");
    }

    public static TheoryData<string, string, string> TooLong => new()
    {
        { "order_id", new string('x', 513), "order_id exceeds 512 bytes" },
        // 342 characters, 1026 bytes: the limit is in UTF-8 bytes.
        { "custom_remark", string.Concat(Enumerable.Repeat("易", 342)), "custom_remark exceeds 1024 bytes" },
        { "openid", new string('o', 129), "openid exceeds 128 bytes" },
        { "sender.name", string.Concat(Enumerable.Repeat("张", 43)), "sender.name exceeds 128 bytes" },
        { "receiver.address", new string('a', 513), "receiver.address exceeds 512 bytes" },
        { "shop.img_url", "https://x/" + new string('a', 1015), "shop.img_url exceeds 1024 bytes" },
    };

    [Theory]
    [MemberData(nameof(TooLong))]
    public async Task AddOrder_FieldTooLong_Answers9300526NamingIt(string path, string value, string hint)
    {
        await using var server = await StartAsync();
        var token = await server.DemoTokenAsync();

        var r = await server.AddAsync(token, OrderWire.Example("o-1").With(path, value));

        Spec.AssertError(r, ErrorCodes.FieldLengthInvalid, $"field length invalid hint: [{hint}]");
        Assert.Equal(210, await server.QuotaAsync(token));
    }

    [Fact]
    public async Task AddOrder_LimitsAreInclusive_AnOrderIdOf512BytesIsAccepted()
    {
        await using var server = await StartAsync();
        var token = await server.DemoTokenAsync();

        var r = await server.AddAsync(token, OrderWire.Example(new string('x', 512))
            .With("custom_remark", string.Concat(Enumerable.Repeat("易", 341))));

        Assert.True(r.Json["waybill_id"] is not null, r.Body);
    }

    [Fact]
    public async Task AddOrder_TooManyCargoItems_Answers9300526()
    {
        await using var server = await StartAsync();
        var token = await server.DemoTokenAsync();
        var items = new JsonArray([.. Enumerable.Range(0, 51).Select(i => (JsonNode)new JsonObject { ["name"] = $"n{i}", ["count"] = 1 })]);

        var r = await server.AddAsync(token, OrderWire.Example("o-1").With("cargo.detail_list", items));

        Spec.AssertError(r, ErrorCodes.FieldLengthInvalid, "field length invalid hint: [cargo.detail_list has more than 50 items]");
    }

    [Theory]
    [InlineData("sender", "\"张三\"")]
    [InlineData("cargo.count", "\"2\"")]
    [InlineData("order_id", "12345")]
    [InlineData("service.service_type", "0.5")]
    public async Task AddOrder_FieldOfTheWrongType_Answers47001(string path, string json)
    {
        await using var server = await StartAsync();
        var token = await server.DemoTokenAsync();

        var r = await server.AddAsync(token, OrderWire.Example("o-1").With(path, JsonNode.Parse(json)));

        Spec.AssertError(r, ErrorCodes.DataFormatError, "data format error");
    }

    [Fact]
    public async Task AddOrder_FromAnAppOrH5_NeedsWxAppidInsteadOfOpenid()
    {
        await using var server = await StartAsync();
        var token = await server.DemoTokenAsync();
        var body = OrderWire.Example("h5-1").With("add_source", 2).Without("openid");

        Spec.AssertError(await server.AddAsync(token, body), ErrorCodes.DataFormatError, "data format error hint: [wx_appid is required]");

        var r = await server.AddAsync(token, body.With("wx_appid", "wx0123456789abcdef"));
        Assert.Matches("^YT[0-9]{13}$", r.Json["waybill_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task AddOrder_WrongMethodOrEmptyBody_AnswersTheTransportErrcodes()
    {
        await using var server = await StartAsync();
        var token = await server.DemoTokenAsync();

        Spec.AssertError(await server.GetAsync($"{OrderApi.AddPath}?access_token={token}"), ErrorCodes.RequirePost, "require POST method");
        Spec.AssertError(await server.PostAsync($"{OrderApi.AddPath}?access_token={token}", ""), ErrorCodes.EmptyPostData, "empty post data");
        Spec.AssertError(await server.PostAsync(OrderApi.AddPath, Spec.Text("addOrder.request.json")), ErrorCodes.AccessTokenMissing,
            "access_token missing");
    }

    [Fact]
    public async Task AddOrder_TestCarrier_WorksForAnyAppWithoutBindingOrLedger()
    {
        await using var server = await StartAsync();
        var other = await server.NewAppTokenAsync("tester");

        var r = await server.AddAsync(other, OrderWire.Example("t-1", "TEST", "test_biz_id"));

        Assert.Matches("^TEST[0-9]{10}$", r.Json["waybill_id"]!.GetValue<string>());
        Assert.Equal("TEST_mark", r.Json["waybill_data"]![0]!["key"]!.GetValue<string>());
        var cancel = await server.CancelAsync(other, "t-1", r.Json["waybill_id"]!.GetValue<string>(), "TEST");
        Assert.Equal(0, cancel.ErrCode);
    }

    [Fact]
    public async Task AddOrder_DirectCarrier_AcceptsOrdersWithoutTouchingABalance()
    {
        await using var server = await StartAsync();
        var token = await server.DemoTokenAsync();
        Assert.Equal(201, (await server.OperatorAsync(HttpMethod.Post, "/ops/v1/accounts",
            """{"delivery_id":"SF","biz_id":"monthly-1","password":"pw-123456"}""")).Status);
        var bind = await server.PostAsync($"/cgi-bin/express/business/account/bind?access_token={token}",
            """{"type":"bind","delivery_id":"SF","biz_id":"monthly-1","password":"pw-123456"}""");
        Assert.Equal(0, bind.ErrCode);

        var r = await server.AddAsync(token, OrderWire.Example("sf-1", "SF", "monthly-1"));
        var waybill = r.Json["waybill_id"]!.GetValue<string>();
        Assert.Matches("^SF[0-9]{13}$", waybill);
        Assert.Equal(0, (await server.CancelAsync(token, "sf-1", waybill, "SF")).ErrCode);

        Assert.Empty(await server.LedgerAsync("SF", "monthly-1"));
        Assert.Equal(210, await server.QuotaAsync(token));
    }

    [Fact]
    public async Task AddOrder_CashBizId_WorksWithoutBinding()
    {
        await using var server = await StartAsync();
        var token = await server.DemoTokenAsync();

        var r = await server.AddAsync(token, OrderWire.Example("cash-1", "SF", "SF_CASH"));

        Assert.Matches("^SF[0-9]{13}$", r.Json["waybill_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task AddOrder_OrderIdsArePerApp_AnotherAppNeitherSeesNorCollidesWithThem()
    {
        await using var server = await StartAsync();
        var token = await server.DemoTokenAsync();
        var other = await server.NewAppTokenAsync("other");
        var mine = await server.AddAsync(token, OrderWire.Example("shared-id", "TEST", "test_biz_id"));
        var waybill = mine.Json["waybill_id"]!.GetValue<string>();

        Spec.AssertError(await server.GetOrderAsync(other, "shared-id", "TEST"), ErrorCodes.DeliveryLogicFail, NotFound);
        Spec.AssertError(await server.CancelAsync(other, "shared-id", waybill, "TEST"), ErrorCodes.DeliveryLogicFail, NotFound);
        var theirs = await server.AddAsync(other, OrderWire.Example("shared-id", "TEST", "test_biz_id").With("receiver.name", "李四"));
        Assert.NotEqual(waybill, theirs.Json["waybill_id"]!.GetValue<string>());

        Assert.Equal(0, (await server.GetOrderAsync(token, "shared-id", "TEST")).Json["order_status"]!.GetValue<int>());
    }

    // ---- cancelOrder ----

    [Fact]
    public async Task CancelOrder_DocumentationShape_RefundsOneWaybillOnce()
    {
        await using var server = await StartAsync();
        var token = await server.DemoTokenAsync();
        var added = await server.AddAsync(token, OrderWire.Example("01234567890123456789"));
        var request = Spec.Json("cancelOrder.request.json").AsObject().With("waybill_id", added.Json["waybill_id"]!.DeepClone());
        Assert.Equal(209, await server.QuotaAsync(token));

        var r = await server.PostAsync($"{OrderApi.CancelPath}?access_token={token}", request.ToJsonString());

        Assert.Equal(WaybillQuota.Server.WeChat.WeChatResponse.ContentType, r.ContentType);
        Assert.True(JsonNode.DeepEquals(Spec.Json("cancelOrder.response.json"), r.Json), r.Body);
        Assert.Equal(210, await server.QuotaAsync(token));
        var refund = (await server.LedgerAsync())[^1];
        Assert.Equal((1, LedgerKinds.Refund), (refund.Delta, refund.Kind));
        Assert.Equal(OrderProcessor.RefundReference(server.Demo.Appid, "01234567890123456789"), refund.Reference);

        var again = await server.PostAsync($"{OrderApi.CancelPath}?access_token={token}", request.ToJsonString());
        Spec.AssertError(again, ErrorCodes.OrderCancelled, "order has been cancelled");
        Assert.Equal(210, await server.QuotaAsync(token));
        await server.AssertLedgerInvariantAsync();
    }

    [Fact]
    public async Task CancelOrder_ThenGetOrder_ReportsStatus1_AndAnIdenticalRetryOfTheAddSpendsNothing()
    {
        await using var server = await StartAsync();
        var token = await server.DemoTokenAsync();
        var added = await server.AddAsync(token, OrderWire.Example("c-1"));
        var waybill = added.Json["waybill_id"]!.GetValue<string>();
        await server.CancelAsync(token, "c-1", waybill);

        Assert.Equal(1, (await server.GetOrderAsync(token, "c-1")).Json["order_status"]!.GetValue<int>());

        // An order_id is bound to its first content for ever: a late retry gets the original (cancelled) waybill back.
        var retry = await server.AddAsync(token, OrderWire.Example("c-1"));
        Assert.Equal(added.Body, retry.Body);
        Assert.Equal(210, await server.QuotaAsync(token));
    }

    [Theory]
    [InlineData("nope", null, "YTO", ErrorCodes.DeliveryLogicFail, NotFound)]
    [InlineData("c-1", "YT0000000000000", "YTO", ErrorCodes.DeliveryLogicFail, NotFound)]
    [InlineData("c-1", null, "ZTO", ErrorCodes.DeliveryLogicFail, NotFound)]
    [InlineData("c-1", null, "NOPE", ErrorCodes.DeliveryIdNotExist, "delivery_id not exist")]
    public async Task CancelOrder_NoSuchOrder_AnswersItsErrcodeAndRefundsNothing(string orderId, string? waybillId, string deliveryId,
        int errcode, string text)
    {
        await using var server = await StartAsync();
        var token = await server.DemoTokenAsync();
        var added = await server.AddAsync(token, OrderWire.Example("c-1"));

        var r = await server.CancelAsync(token, orderId, waybillId ?? added.Json["waybill_id"]!.GetValue<string>(), deliveryId);

        Spec.AssertError(r, errcode, text);
        Assert.Equal(209, await server.QuotaAsync(token));
    }

    [Theory]
    [InlineData("order_id")]
    [InlineData("delivery_id")]
    [InlineData("waybill_id")]
    public async Task CancelOrder_RequiredFieldMissing_Answers47001NamingIt(string field)
    {
        await using var server = await StartAsync();
        var token = await server.DemoTokenAsync();
        var body = Spec.Json("cancelOrder.request.json").AsObject().Without(field);

        var r = await server.PostAsync($"{OrderApi.CancelPath}?access_token={token}", body.ToJsonString());

        Spec.AssertError(r, ErrorCodes.DataFormatError, $"data format error hint: [{field} is required]");
    }

    // ---- getOrder, batchGetOrder ----

    [Fact]
    public async Task GetOrder_AnswersTheOrderAndABase64HtmlLabel()
    {
        await using var server = await StartAsync();
        var token = await server.DemoTokenAsync();
        var added = await server.AddAsync(token, OrderWire.Example("g-1"));
        var waybill = added.Json["waybill_id"]!.GetValue<string>();

        var r = await server.GetOrderAsync(token, "g-1", "YTO", waybill);

        Assert.Equal("order_id,delivery_id,waybill_id,order_status,waybill_data,print_html",
            string.Join(',', r.Json.AsObject().Select(p => p.Key)));
        Assert.Equal(("g-1", "YTO", waybill, 0), (r.Json["order_id"]!.GetValue<string>(), r.Json["delivery_id"]!.GetValue<string>(),
            r.Json["waybill_id"]!.GetValue<string>(), r.Json["order_status"]!.GetValue<int>()));
        Assert.True(JsonNode.DeepEquals(added.Json["waybill_data"], r.Json["waybill_data"]));
        var html = Encoding.UTF8.GetString(Convert.FromBase64String(r.Json["print_html"]!.GetValue<string>()));
        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
        Assert.EndsWith("</html>", html, StringComparison.Ordinal);
        foreach (var text in new[] { "圆通速递", waybill, "张三", "18666666666", "王小蒙", "广东省广州市天河区", "易碎物品" })
            Assert.Contains(text, html, StringComparison.Ordinal);
        Assert.Equal(2, CountOf(html, "<section"));

        var onePart = await server.PostAsync($"{OrderApi.GetPath}?access_token={token}",
            """{"order_id":"g-1","delivery_id":"YTO","print_type":1}""");
        Assert.Equal(1, CountOf(Encoding.UTF8.GetString(Convert.FromBase64String(onePart.Json["print_html"]!.GetValue<string>())), "<section"));
    }

    [Fact]
    public async Task GetOrder_Label_HtmlEncodesEveryValue()
    {
        await using var server = await StartAsync();
        var token = await server.DemoTokenAsync();
        const string evil = "<script>alert('x')</script>\"&";
        await server.AddAsync(token, OrderWire.Example("<img src=x>")
            .With("sender.name", evil).With("receiver.address", evil).With("custom_remark", evil).With("shop.goods_name", evil));

        var r = await server.PostAsync($"{OrderApi.GetPath}?access_token={token}",
            new JsonObject { ["order_id"] = "<img src=x>", ["delivery_id"] = "YTO", ["custom_remark"] = "<b>bold</b>" }.ToJsonString());

        var html = Encoding.UTF8.GetString(Convert.FromBase64String(r.Json["print_html"]!.GetValue<string>()));
        Assert.DoesNotContain("<script", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<img", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>bold", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;", html, StringComparison.Ordinal);
        Assert.Contains("&lt;b&gt;bold", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"order_id":"nope","delivery_id":"YTO"}""", ErrorCodes.DeliveryLogicFail, NotFound)]
    [InlineData("""{"order_id":"g-1","delivery_id":"YTO","waybill_id":"YT0000000000000"}""", ErrorCodes.DeliveryLogicFail, NotFound)]
    [InlineData("""{"order_id":"g-1","delivery_id":"ZTO"}""", ErrorCodes.DeliveryLogicFail, NotFound)]
    [InlineData("""{"order_id":"g-1","delivery_id":"NOPE"}""", ErrorCodes.DeliveryIdNotExist, "delivery_id not exist")]
    [InlineData("""{"delivery_id":"YTO"}""", ErrorCodes.DataFormatError, "data format error hint: [order_id is required]")]
    [InlineData("""{"order_id":"g-1"}""", ErrorCodes.DataFormatError, "data format error hint: [delivery_id is required]")]
    [InlineData("""{"order_id":"g-1","delivery_id":"YTO","print_type":2}""", ErrorCodes.DataFormatError,
        "data format error hint: [print_type must be 0 or 1]")]
    public async Task GetOrder_BadOrUnknown_AnswersItsErrcode(string body, int errcode, string text)
    {
        await using var server = await StartAsync();
        var token = await server.DemoTokenAsync();
        await server.AddAsync(token, OrderWire.Example("g-1"));

        Spec.AssertError(await server.PostAsync($"{OrderApi.GetPath}?access_token={token}", body), errcode, text);
    }

    [Fact]
    public async Task BatchGetOrder_AnswersEachItemWithItsOwnErrcode()
    {
        await using var server = await StartAsync();
        var token = await server.DemoTokenAsync();
        var a = await server.AddAsync(token, OrderWire.Example("b-1"));
        var b = await server.AddAsync(token, OrderWire.Example("b-2"));
        await server.CancelAsync(token, "b-2", b.Json["waybill_id"]!.GetValue<string>());

        var r = await server.PostAsync($"{OrderApi.BatchGetPath}?access_token={token}", new JsonObject
        {
            ["order_list"] = new JsonArray(
                new JsonObject { ["order_id"] = "b-1", ["delivery_id"] = "YTO", ["waybill_id"] = a.Json["waybill_id"]!.DeepClone() },
                new JsonObject { ["order_id"] = "b-2", ["delivery_id"] = "YTO" },
                new JsonObject { ["order_id"] = "nope", ["delivery_id"] = "YTO" },
                new JsonObject { ["delivery_id"] = "YTO" },
                new JsonObject { ["order_id"] = "b-1", ["delivery_id"] = "NOPE" }),
        }.ToJsonString());

        var items = r.Json["order_list"]!.AsArray();
        Assert.Equal($"0,0,{ErrorCodes.DeliveryLogicFail},{ErrorCodes.DataFormatError},{ErrorCodes.DeliveryIdNotExist}",
            string.Join(',', items.Select(i => i!["errcode"]!.GetValue<int>())));
        Assert.Equal($"ok|ok|{NotFound}|data format error hint: [order_id is required]|delivery_id not exist",
            string.Join('|', items.Select(i => i!["errmsg"]!.GetValue<string>())));
        Assert.Equal("0,1", string.Join(',', items.Take(2).Select(i => i!["order_status"]!.GetValue<int>())));
        Assert.Equal(a.Json["waybill_id"]!.GetValue<string>(), items[0]!["waybill_id"]!.GetValue<string>());
        Assert.Contains("王小蒙", Encoding.UTF8.GetString(Convert.FromBase64String(items[0]!["print_html"]!.GetValue<string>())),
            StringComparison.Ordinal);
        Assert.Equal("nope", items[2]!["order_id"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(0, ErrorCodes.DataFormatError, "data format error hint: [order_list is required]")]
    [InlineData(101, ErrorCodes.FieldLengthInvalid, "field length invalid hint: [order_list has more than 100 items]")]
    public async Task BatchGetOrder_EmptyOrTooLongList_AnswersItsErrcode(int count, int errcode, string text)
    {
        await using var server = await StartAsync();
        var token = await server.DemoTokenAsync();
        var list = new JsonArray([.. Enumerable.Range(0, count).Select(i => (JsonNode)new JsonObject { ["order_id"] = $"o{i}", ["delivery_id"] = "YTO" })]);

        var r = await server.PostAsync($"{OrderApi.BatchGetPath}?access_token={token}", new JsonObject { ["order_list"] = list }.ToJsonString());

        Spec.AssertError(r, errcode, text);
    }

    private static int CountOf(string text, string part)
    {
        var count = 0;
        for (var i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + 1, StringComparison.Ordinal)) count++;
        return count;
    }
}

public sealed class OrderApiTests_Sqlite : OrderApiTests
{
    protected override IStoreEngine Engine => SqliteEngine.Instance;
}

public sealed class OrderApiTests_Postgres : OrderApiTests
{
    protected override IStoreEngine Engine => PostgresEngine.Instance;
}
