namespace LoE.Core

/// Scalar curves in TensorBoard's event format (TorchSharp's writer), so the host needs no TorchSharp itself.
type ScalarLog(folder: string) =
    let writer = lazy (TorchSharp.torch.utils.tensorboard.SummaryWriter(folder))
    /// Appends one value of a named curve at a step.
    member _.Add(tag: string, value: float, step: int) = writer.Value.add_scalar(tag, float32 value, step)
