using CommandLine;

namespace LoE.Host.Cli;

[Verb("report", HelpText = "Rebuild summary.csv, summary.md and psnr.png from run folders alone (no experiments file needed).")]
public sealed class ReportOptions
{
    [Value(0, MetaName = "DIR", Required = true, HelpText = "An experiment's output folder (OUT/EXPERIMENT), or OUT for every experiment in it.")]
    public string Folder { get; set; } = "";
}
