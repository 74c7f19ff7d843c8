using TorchSharp.Modules;
using static TorchSharp.torch.utils.tensorboard;

namespace LoE.Host.Running;

/// <summary>
/// loss and psnr_db (and test/psnr_db where a held-out PSNR was measured) as TensorBoard scalars in RUN/tb/ (TorchSharp's event writer, opened on the first value), so that
/// <c>tensorboard --logdir runs</c> shows the curves of every run. A resumed run appends a new event file;
/// TensorBoard merges the files of a folder.
/// </summary>
public sealed class TensorBoardLog(string folder, Action<string> warn)
{
    private SummaryWriter? writer;
    private bool broken;

    public void Add(Progress p)
    {
        if (broken) return;
        try
        {
            writer ??= SummaryWriter(folder);
            writer.add_scalar("loss", (float)p.Loss, p.Iteration);
            writer.add_scalar("psnr_db", (float)p.PsnrDb, p.Iteration);
            if (double.IsFinite(p.TestPsnrDb)) writer.add_scalar("test/psnr_db", (float)p.TestPsnrDb, p.Iteration);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Curves are a convenience; losing them must not stop training.
            broken = true;
            warn($"TensorBoard log in {folder} disabled: {e.Message}");
        }
    }
}
