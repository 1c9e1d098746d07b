using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Spectre.Console;

namespace WaybillQuota.Cli;

/// <summary>
/// Prints an answer either as JSON (<c>--json</c>, for scripts: exactly the wire form) or as Spectre.Console tables:
/// the first array of objects in the answer becomes a table, the other fields a two-column table.
/// </summary>
internal sealed class CliOutput(TextWriter output, TextWriter error, bool json)
{
    // Chinese carrier names stay readable, as WeChat writes them.
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public bool Json => json;

    public TextWriter Error => error;

    public void Write(JsonNode node)
    {
        if (json)
        {
            output.WriteLine(node.ToJsonString(Indented));
            return;
        }

        var console = CreateConsole(output);
        if (node is not JsonObject obj)
        {
            console.WriteLine(Text(node));
            return;
        }

        var listProperty = obj.FirstOrDefault(p => p.Value is JsonArray array && array.All(i => i is JsonObject));
        var fields = obj.Where(p => p.Key != listProperty.Key).ToList();
        if (fields.Count > 0 || listProperty.Key is null)
        {
            var table = new Table().HideHeaders().AddColumn("field").AddColumn("value");
            foreach (var (key, value) in fields) table.AddRow(Markup.Escape(key), Markup.Escape(Text(value)));
            console.Write(table);
        }

        if (listProperty.Key is not null)
        {
            var items = ((JsonArray)listProperty.Value!).Cast<JsonObject>().ToList();
            if (items.Count == 0)
            {
                console.WriteLine($"({listProperty.Key}: none)");
                return;
            }

            var columns = items.SelectMany(i => i.Select(p => p.Key)).Distinct(StringComparer.Ordinal).ToList();
            var table = new Table();
            foreach (var column in columns) table.AddColumn(Markup.Escape(column));
            foreach (var item in items)
            {
                table.AddRow(columns.Select(c => Markup.Escape(Text(item[c]))).ToArray());
            }

            console.Write(table);
        }
    }

    public void Write(JsonNode node, string message)
    {
        if (json) Write(node);
        else output.WriteLine(message);
    }

    private static IAnsiConsole CreateConsole(TextWriter writer)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(writer),
        });
        console.Profile.Width = 200;
        return console;
    }

    /// <summary>A cell: strings as they are, arrays of small objects as "a b, c d", other values as compact JSON.</summary>
    private static string Text(JsonNode? node) => node switch
    {
        null => "",
        JsonValue value when value.TryGetValue<string>(out var s) => s,
        JsonArray array when array.All(i => i is JsonObject) =>
            string.Join(", ", array.Cast<JsonObject>().Select(o => string.Join(" ", o.Select(p => Text(p.Value))))),
        _ => node.ToJsonString(),
    };
}
