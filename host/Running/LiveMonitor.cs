using System.Globalization;
using Spectre.Console;
using Progress = LoE.Core.Progress;
using Spectre.Console.Rendering;

namespace LoE.Host.Running;

/// <summary>
/// A live table on an interactive terminal (Spectre.Console): one row per active run with iteration, loss,
/// PSNR, speed and time left, the most recently finished runs below them. Runs report from their own threads;
/// the table is redrawn from a snapshot four times a second, so training never waits for the terminal.
/// </summary>
public sealed class LiveMonitor(IAnsiConsole console, int totalRuns) : IRunMonitor
{
    private sealed class Row(RunPlan run, int total, string device)
    {
        public RunPlan Run { get; } = run;
        public int Total { get; } = total;
        public string Device { get; } = device;
        public Progress? Last { get; set; }
        public string Status { get; set; } = "running";
        public long Order { get; set; }
    }

    private const int FinishedShown = 8;
    private readonly Lock gate = new();
    private readonly List<Row> rows = [];
    private readonly List<string> messages = [];
    private long order;
    private int finished;

    public async Task<T> ShowAsync<T>(Func<Task<T>> body)
    {
        T result = default!;
        await console.Live(Render()).AutoClear(false).Overflow(VerticalOverflow.Ellipsis).StartAsync(async ctx =>
        {
            var task = body();
            while (!task.IsCompleted)
            {
                ctx.UpdateTarget(Render());
                await Task.WhenAny(task, Task.Delay(250));
            }
            // The last picture without the message tail: every message is printed once, below it.
            ctx.UpdateTarget(Render(withMessages: false));
            result = await task;
        });
        lock (gate)
            foreach (var m in messages) console.MarkupLine($"[yellow]{Markup.Escape(m)}[/]");
        return result;
    }

    public void Started(RunPlan run, int totalIterations, int resumedAt, string device)
    {
        lock (gate)
        {
            rows.RemoveAll(r => r.Run.Id == run.Id);
            rows.Add(new Row(run, totalIterations, device)
            {
                Order = order++,
                Status = resumedAt > 0 ? $"resumed at {resumedAt}" : "running",
            });
        }
    }

    public void Progress(RunPlan run, Progress p)
    {
        lock (gate)
            if (rows.FirstOrDefault(r => r.Run.Id == run.Id) is { } row)
            {
                row.Last = p;
                if (row.Status.StartsWith("resumed", StringComparison.Ordinal) && p.Iteration > 0) row.Status = "running";
            }
    }

    public void Finished(RunOutcome outcome)
    {
        lock (gate)
        {
            finished++;
            if (rows.FirstOrDefault(r => r.Run.Id == outcome.Plan.Id) is not { } row) return;
            row.Order = order++;
            row.Status = outcome.Status switch
            {
                RunStatus.Done => "[green]done[/]",
                RunStatus.Failed => "[red]failed[/]",
                RunStatus.Cancelled => "[yellow]cancelled[/]",
                _ => "skipped",
            };
            if (outcome.Status == RunStatus.Failed) messages.Add($"failed: {outcome.Plan.Id}: {outcome.Error}");
        }
    }

    public void Message(string text)
    {
        lock (gate) messages.Add(text);
    }

    private IRenderable Render(bool withMessages = true)
    {
        lock (gate)
        {
            var table = new Table().Border(TableBorder.Rounded)
                .Title($"[bold]{finished}/{totalRuns} runs finished[/]")
                .AddColumn(new TableColumn("run").NoWrap()).AddColumn(new TableColumn("device").NoWrap()).AddColumn(new TableColumn("iteration").RightAligned())
                .AddColumn(new TableColumn("loss").RightAligned()).AddColumn(new TableColumn("PSNR (dB)").RightAligned())
                .AddColumn(new TableColumn("it/s").RightAligned()).AddColumn(new TableColumn("ETA").RightAligned())
                .AddColumn("status");
            var active = rows.Where(r => r.Status is "running" || r.Status.StartsWith("resumed", StringComparison.Ordinal));
            var done = rows.Except(active).OrderByDescending(r => r.Order).Take(FinishedShown).Reverse();
            foreach (var r in done.Concat(active.OrderBy(r => r.Order)))
            {
                var p = r.Last;
                var rate = p is { Seconds: > 0 } ? p.Iteration / p.Seconds : 0;
                var eta = rate > 0 && p is not null && r.Status == "running" ? TimeSpan.FromSeconds((r.Total - p.Iteration) / rate) : (TimeSpan?)null;
                table.AddRow(
                    Markup.Escape(r.Run.Id),
                    Markup.Escape(r.Device),
                    p is null ? "" : $"{p.Iteration}/{r.Total}",
                    p is null ? "" : p.Loss.ToString("0.00e+00", CultureInfo.InvariantCulture),
                    p is null || double.IsNaN(p.PsnrDb) ? "" : p.PsnrDb.ToString("0.00", CultureInfo.InvariantCulture),
                    rate > 0 ? rate.ToString("0.0", CultureInfo.InvariantCulture) : "",
                    eta is null ? "" : ProgressPrinter.Duration(eta),
                    r.Status.StartsWith('[') ? r.Status : Markup.Escape(r.Status));
            }
            var tail = messages.TakeLast(withMessages ? 4 : 0).Select(m => (IRenderable)new Markup($"[yellow]{Markup.Escape(m)}[/]"));
            return new Rows([table, .. tail]);
        }
    }
}
