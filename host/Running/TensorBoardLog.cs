using LoE.Core;

namespace LoE.Host.Running;

/// <summary>
/// loss and psnr_db (and test/psnr_db where a held-out PSNR was measured) as TensorBoard scalars in RUN/tb/ (the core's ScalarLog), so that
/// <c>tensorboard --logdir runs</c> shows the curves of every run. A resumed run appends a new event file;
/// TensorBoard merges the files of a folder.
/// </summary>
public sealed class TensorBoardLog(string folder, Action<string> warn)
{
    private ScalarLog? writer;
    private bool broken;

    public void Add(Progress p)
    {
        if (broken) return;
        try
        {
            writer ??= new ScalarLog(folder);
            writer.Add("loss", p.Loss, p.Iteration);
            writer.Add("psnr_db", p.PsnrDb, p.Iteration);
            if (double.IsFinite(p.TestPsnrDb)) writer.Add("test/psnr_db", p.TestPsnrDb, p.Iteration);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Curves are a convenience; losing them must not stop training.
            broken = true;
            warn($"TensorBoard log in {folder} disabled: {e.Message}");
        }
    }
}
