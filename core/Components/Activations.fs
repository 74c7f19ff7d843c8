namespace LoE.Core

/// Nonlinearities between layers, as parameterless components.
module Activations =
    /// LeakyReLU of the given negative slope (the paper: 0.2).
    let leakyRelu (b: Backend<'T>) (slope: float) : Component<'T> = Component.ofFunction (b.leakyRelu slope)

    /// sin(ω₀ x), SIREN's activation.
    let sine (b: Backend<'T>) (omega0: float) : Component<'T> = Component.ofFunction (fun x -> b.sin (b.scale omega0 x))

    /// tanh x = 2σ(2x) − 1, made of the backends' sigmoid (no tanh op of their own): a GAN generator's output
    /// squashed into the data's [−1, 1].
    let tanh (b: Backend<'T>) : Component<'T> = Component.ofFunction (fun x -> b.addScalar -1.0 (b.scale 2.0 (b.sigmoid (b.scale 2.0 x))))
