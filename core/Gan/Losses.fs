namespace LoE.Core.Gan

open LoE.Core

/// The hinge GAN objective (Lim & Ye 2017), the paper's eq. 9-10, on discriminator scores of any shape (a patch
/// discriminator scores every patch; the expectation is the mean over images and patches).
module Losses =
    let private relu (b: Backend<'T>) (x: 'T) = b.leakyRelu 0.0 x

    /// L_D = E[max(0, 1 − D(x))] + E[max(0, 1 + D(G(z)))] (eq. 9: −min(0, −1 + s) = max(0, 1 − s)).
    let discriminator (b: Backend<'T>) (realScores: 'T) (fakeScores: 'T) : 'T =
        b.add (Backend.mean b (relu b (b.addScalar 1.0 (b.scale -1.0 realScores))))
              (Backend.mean b (relu b (b.addScalar 1.0 fakeScores)))

    /// L_G = −E[D(G(z))] (eq. 10).
    let generator (b: Backend<'T>) (fakeScores: 'T) : 'T = b.scale -1.0 (Backend.mean b fakeScores)
