namespace LoE.Core

open System

/// Work to do with a backend, whichever its tensor type: F# functions cannot be generic in a value, so callers
/// that pick a backend at run time hand over an object with one generic method.
type IBackendUser<'R> =
    abstract Use<'T> : Backend<'T> -> 'R

/// The backend registry: the one place that knows backends by name. Everything else (the training entry
/// points, `loe compare`, `loe bench`, the host) asks it by BackendSpec.
module Backends =
    type private Entry = { Description: string; Run: BackendSpec -> obj -> obj }

    /// Backend names and what they are.
    let known =
        [ "torch", "TorchSharp (libtorch): float32 (float64 on request), device cpu or cuda"
          "reference", "pure .NET float64 with its own reverse-mode differentiation: slow, simple, the oracle" ]

    /// Applies the thread count of a spec where the backend has one (0: leave the default).
    let setThreads (spec: BackendSpec) =
        if spec.Name = "torch" && spec.Threads > 0 then TorchBackend.setThreads spec.Threads

    /// Threads the backend computes with.
    let threads (spec: BackendSpec) =
        if spec.Name = "torch" then TorchBackend.threads () else Environment.ProcessorCount

    /// CUDA devices libtorch can use (0 on a CPU build or a machine without a usable GPU).
    let cudaDevices () = TorchBackend.cudaDevices ()

    /// Runs `user` with the backend `spec` names.
    let using (spec: BackendSpec) (user: IBackendUser<'R>) : 'R =
        match spec.Name with
        | "torch" ->
            setThreads spec
            user.Use(TorchBackend.create spec.Device spec.Float64)
        | "reference" -> user.Use(ReferenceBackend.create ())
        | other ->
            let names = known |> List.map fst |> String.concat ", "
            invalidArg "backend" $"unknown backend '{other}' (known: {names})"

    /// torch on the CPU in float64: the backend held to the reference one.
    let torchCpu64 = { Name = "torch"; Device = "cpu"; Float64 = true; Threads = 0 }
    let reference = { Name = "reference"; Device = "cpu"; Float64 = true; Threads = 0 }
