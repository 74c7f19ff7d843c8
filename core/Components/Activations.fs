namespace LoE.Core

/// Nonlinearities between layers, as parameterless components.
module Activations =
    /// LeakyReLU of the given negative slope (the paper: 0.2).
    let leakyRelu (b: Backend<'T>) (slope: float) : Component<'T> = Component.ofFunction (b.leakyRelu slope)

    /// sin(ω₀ x), SIREN's activation.
    let sine (b: Backend<'T>) (omega0: float) : Component<'T> = Component.ofFunction (fun x -> b.sin (b.scale omega0 x))
