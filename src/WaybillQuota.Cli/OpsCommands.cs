using System.CommandLine;
using System.Text.Json.Nodes;

namespace WaybillQuota.Cli;

/// <summary><c>waybill ops ...</c>: the operator API (<c>/ops/v1</c>), authenticated by the operator key.</summary>
internal static class OpsCommands
{
    public static Command Build(GlobalOptions globals, CliEnvironment environment) =>
        new("ops", "Operator commands: apps, carrier accounts, credits, ledger (needs the operator key)")
        {
            App(globals, environment),
            Account(globals, environment),
            Credit(globals, environment),
            Ledger(globals, environment),
        };

    private static Command App(GlobalOptions globals, CliEnvironment environment)
    {
        var name = Commands.Required("--name", "The app's name");
        var ips = new Option<string[]>("--ip") { Description = "An IP allowed to call (repeatable); default any", AllowMultipleArgumentsPerToken = true };
        var dailyBudget = new Option<long?>("--daily-budget") { Description = "Calls per API per day (default 1,000,000)" };
        var minuteLimit = new Option<long?>("--minute-limit") { Description = "Calls per API per minute (default none)" };
        var create = new Command("create", "Create an app; prints its appid and secret (shown only once)") { name, ips, dailyBudget, minuteLimit };
        Commands.SetAction(create, globals, environment, (parseResult, context, ct) =>
        {
            var body = new JsonObject { ["name"] = parseResult.GetValue(name) };
            if (parseResult.GetValue(ips) is { Length: > 0 } list) body["ip_allow_list"] = new JsonArray(list.Select(ip => (JsonNode?)ip).ToArray());
            if (parseResult.GetValue(dailyBudget) is { } budget) body["daily_budget"] = budget;
            if (parseResult.GetValue(minuteLimit) is { } limit) body["minute_limit"] = limit;
            return context.Operator().SendAsync(HttpMethod.Post, "ops/v1/apps", body, null, ct);
        });

        var list = new Command("list", "List the apps");
        Commands.SetAction(list, globals, environment, (_, context, ct) =>
            context.Operator().SendAsync(HttpMethod.Get, "ops/v1/apps", null, null, ct));

        return new Command("app", "Apps (mini programs) that call the WeChat API") { create, list };
    }

    private static Command Account(GlobalOptions globals, CliEnvironment environment)
    {
        var delivery = Commands.Required("--delivery", "Carrier delivery_id, e.g. YTO");
        var biz = Commands.Required("--biz", "Customer code (biz_id)");
        var password = Commands.Required("--password", "The password apps bind it with");
        var create = new Command("create", "Create a carrier account (balance 0)") { delivery, biz, password };
        Commands.SetAction(create, globals, environment, (parseResult, context, ct) =>
            context.Operator().SendAsync(HttpMethod.Post, "ops/v1/accounts", new JsonObject
            {
                ["delivery_id"] = parseResult.GetValue(delivery),
                ["biz_id"] = parseResult.GetValue(biz),
                ["password"] = parseResult.GetValue(password),
            }, null, ct));

        var list = new Command("list", "List the carrier accounts");
        Commands.SetAction(list, globals, environment, (_, context, ct) =>
            context.Operator().SendAsync(HttpMethod.Get, "ops/v1/accounts", null, null, ct));

        return new Command("account", "Carrier accounts and their balances") { create, list };
    }

    private static Command Credit(GlobalOptions globals, CliEnvironment environment)
    {
        var delivery = Commands.Required("--delivery", "Carrier delivery_id");
        var biz = Commands.Required("--biz", "Customer code (biz_id)");
        var amount = new Option<int>("--amount") { Description = "Waybills to credit (at least 1)", Required = true };
        var note = new Option<string?>("--note") { Description = "A note kept in the ledger" };
        var key = new Option<string?>("--idempotency-key")
        {
            Description = "Makes a repeated credit a no-op; default a new key, so pass one when you may retry",
        };
        var command = new Command("credit", "Credit waybills to a carrier account") { delivery, biz, amount, note, key };
        Commands.SetAction(command, globals, environment, (parseResult, context, ct) =>
        {
            var body = new JsonObject { ["amount"] = parseResult.GetValue(amount) };
            if (parseResult.GetValue(note) is { } text) body["note"] = text;
            return context.Operator().SendAsync(HttpMethod.Post, AccountPath(parseResult.GetValue(delivery)!, parseResult.GetValue(biz)!) + "/credits",
                body, parseResult.GetValue(key) ?? Guid.NewGuid().ToString("N"), ct);
        });
        return command;
    }

    private static Command Ledger(GlobalOptions globals, CliEnvironment environment)
    {
        var delivery = Commands.Required("--delivery", "Carrier delivery_id");
        var biz = Commands.Required("--biz", "Customer code (biz_id)");
        var afterSeq = new Option<long>("--after-seq") { Description = "Entries after this sequence number (default 0)" };
        var limit = new Option<int>("--limit") { Description = "At most this many entries (default 100)", DefaultValueFactory = _ => 100 };
        var command = new Command("ledger", "A carrier account's ledger entries") { delivery, biz, afterSeq, limit };
        Commands.SetAction(command, globals, environment, (parseResult, context, ct) =>
            context.Operator().SendAsync(HttpMethod.Get,
                $"{AccountPath(parseResult.GetValue(delivery)!, parseResult.GetValue(biz)!)}/ledger?after_seq={parseResult.GetValue(afterSeq)}&limit={parseResult.GetValue(limit)}",
                null, null, ct));
        return command;
    }

    private static string AccountPath(string delivery, string biz) =>
        $"ops/v1/accounts/{Uri.EscapeDataString(delivery)}/{Uri.EscapeDataString(biz)}";
}
