using CommandLine;
using LoE.Host.Cli;
using LoE.Host.Config;

namespace LoE.Host;

public static class Program
{
    public const int UsageError = 2;

    public static async Task<int> Main(string[] args)
    {
        System.Globalization.CultureInfo.DefaultThreadCurrentCulture = System.Globalization.CultureInfo.InvariantCulture;
        System.Globalization.CultureInfo.CurrentCulture = System.Globalization.CultureInfo.InvariantCulture;

        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            // First Ctrl-C: stop cleanly (the current run writes what it has); a second one ends the process.
            if (cancel.IsCancellationRequested) return;
            e.Cancel = true;
            Console.Error.WriteLine("\nstopping after writing what exists (Ctrl-C again to quit at once)...");
            cancel.Cancel();
        };

        // SIGTERM (kill, Slurm at its time limit) stops like Ctrl-C: the run keeps its last checkpoint and metrics.
        using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            Console.Error.WriteLine("\nSIGTERM: stopping after writing what exists...");
            cancel.Cancel();
        });

        using var parser = new Parser(s =>
        {
            s.AllowMultiInstance = true;
            s.HelpWriter = Console.Error;
            s.CaseSensitive = true;
        });
        try
        {
            return await parser.ParseArguments<RunOptions, ListOptions, KeysOptions, ReportOptions, LayoutsOptions, BenchOptions, CompareOptions, RenderOptions>(args).MapResult(
                (RunOptions o) => RunCommand.ExecuteAsync(o, Console.Out, Console.Error, cancel.Token),
                (ListOptions o) => Task.FromResult(ListCommand.Execute(o, Console.Out)),
                (KeysOptions o) => Task.FromResult(KeysCommand.Execute(o, Console.Out)),
                (ReportOptions o) => ReportCommand.ExecuteAsync(o, Console.Out),
                (LayoutsOptions o) => LayoutsCommand.ExecuteAsync(o, Console.Out),
                (BenchOptions o) => Task.FromResult(BenchCommand.Execute(o, Console.Out)),
                (RenderOptions o) => RenderCommand.ExecuteAsync(o, Console.Out),
                (CompareOptions o) => Task.FromResult(CompareCommand.Execute(o, Console.Out)),
                errors => Task.FromResult(errors.All(e => e.Tag is ErrorType.HelpRequestedError or ErrorType.HelpVerbRequestedError or ErrorType.VersionRequestedError) ? 0 : UsageError));
        }
        catch (ConfigException e)
        {
            Console.Error.WriteLine(e.Message);
            return UsageError;
        }
        catch (LoE.Host.Running.Slurm.SlurmException e)
        {
            Console.Error.WriteLine($"loe: {e.Message}");
            return 1;
        }
        catch (OperationCanceledException)
        {
            return RunCommand.Cancelled;
        }
        catch (Exception e)
        {
            // Not the user's mistake: keep the whole story for a bug report.
            Console.Error.WriteLine($"loe: internal error: {e}");
            return 1;
        }
    }
}
