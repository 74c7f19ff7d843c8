using CommandLine;
using LoE.Host.Cli;
using LoE.Host.Tasks;

namespace LoE.Host;

public static class Program
{
    public const int UsageError = 2;

    public static async Task<int> Main(string[] args)
    {
        // Before any thread attaches to an allocator arena: libtorch's freed memory stays in the process (why: NativeHeap).
        LoE.Core.NativeHeap.keepFreedMemory();
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

        return await RunAsync(args, Console.Out, Console.Error, cancel.Token);
    }

    /// <summary>
    /// Parses and runs one command, writing to <paramref name="output"/> and <paramref name="error"/>; a user's
    /// mistake is one line on <paramref name="error"/> and exit code 2.
    /// </summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancel)
    {
        using var parser = new Parser(s =>
        {
            s.AllowMultiInstance = true;
            s.HelpWriter = error;
            s.CaseSensitive = true;
        });
        try
        {
            return await parser.ParseArguments<RunOptions, ListOptions, KeysOptions, ReportOptions, LayoutsOptions, BenchOptions, CompareOptions, RenderOptions, SampleOptions>(args).MapResult(
                (RunOptions o) => RunCommand.ExecuteAsync(o, output, error, cancel),
                (ListOptions o) => Task.FromResult(ListCommand.Execute(o, output)),
                (KeysOptions o) => Task.FromResult(KeysCommand.Execute(o, output)),
                (ReportOptions o) => ReportCommand.ExecuteAsync(o, output),
                (LayoutsOptions o) => LayoutsCommand.ExecuteAsync(o, output),
                (BenchOptions o) => Task.FromResult(BenchCommand.Execute(o, output, cancel)),
                (RenderOptions o) => RenderCommand.ExecuteAsync(o, output),
                (SampleOptions o) => SampleCommand.ExecuteAsync(o, output),
                (CompareOptions o) => Task.FromResult(CompareCommand.Execute(o, output)),
                errors => Task.FromResult(errors.All(e => e.Tag is ErrorType.HelpRequestedError or ErrorType.HelpVerbRequestedError or ErrorType.VersionRequestedError) ? 0 : UsageError));
        }
        catch (ConfigException e)
        {
            error.WriteLine(e.Message);
            return UsageError;
        }
        catch (LoE.Host.Running.Slurm.SlurmException e)
        {
            error.WriteLine($"loe: {e.Message}");
            return 1;
        }
        catch (OperationCanceledException)
        {
            return RunCommand.Cancelled;
        }
        catch (Exception e)
        {
            // Not the user's mistake: keep the whole story for a bug report.
            error.WriteLine($"loe: internal error: {e}");
            return 1;
        }
    }
}
