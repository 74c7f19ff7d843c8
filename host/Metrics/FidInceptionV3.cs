using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace LoE.Host.Metrics;

// pytorch-fid's Inception-v3 (torchvision's Inception3 with the FIDInceptionA/C/E blocks of TensorFlow's FID
// graph) up to the 2048-d pool3 features. Field names are the submodule names, so that the state-dict keys are
// pytorch-fid's own ("Mixed_6b.branch7x7_2.conv.weight"); `fc` is kept, unused, because its weights are part of
// that file. Reference: github.com/mseitzer/pytorch-fid, src/pytorch_fid/inception.py, and torchvision's
// models/inception.py for the blocks' layers.

/// Convolution without bias, batch normalisation (eps 0.001) and ReLU: torchvision's BasicConv2d.
public sealed class BasicConv2d : nn.Module<Tensor, Tensor>
{
    readonly Conv2d conv;
    readonly BatchNorm2d bn;

    public BasicConv2d(long input, long output, (long, long) kernel, (long, long)? stride = null, (long, long)? padding = null)
        : base(nameof(BasicConv2d))
    {
        conv = nn.Conv2d(input, output, kernel, stride: stride ?? (1, 1), padding: padding ?? (0, 0), bias: false);
        bn = nn.BatchNorm2d(output, eps: 0.001);
        RegisterComponents();
    }

    public BasicConv2d(long input, long output, long kernel, long stride = 1, long padding = 0)
        : this(input, output, (kernel, kernel), (stride, stride), (padding, padding)) { }

    public override Tensor forward(Tensor x) => F.relu(bn.forward(conv.forward(x)));
}

/// TensorFlow's average pool leaves padded zeros out of the mean (FIDInceptionA/C/E_1).
file static class Pool
{
    public static Tensor AverageWithoutPadding(Tensor x) => F.avg_pool2d(x, 3, stride: 1, padding: 1, count_include_pad: false);
}

/// FIDInceptionA: Mixed_5b/5c/5d.
public sealed class FidInceptionA : nn.Module<Tensor, Tensor>
{
    readonly BasicConv2d branch1x1, branch5x5_1, branch5x5_2, branch3x3dbl_1, branch3x3dbl_2, branch3x3dbl_3, branch_pool;

    public FidInceptionA(long input, long poolFeatures) : base(nameof(FidInceptionA))
    {
        branch1x1 = new BasicConv2d(input, 64, 1);
        branch5x5_1 = new BasicConv2d(input, 48, 1);
        branch5x5_2 = new BasicConv2d(48, 64, 5, padding: 2);
        branch3x3dbl_1 = new BasicConv2d(input, 64, 1);
        branch3x3dbl_2 = new BasicConv2d(64, 96, 3, padding: 1);
        branch3x3dbl_3 = new BasicConv2d(96, 96, 3, padding: 1);
        branch_pool = new BasicConv2d(input, poolFeatures, 1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => cat(new[]
    {
        branch1x1.forward(x),
        branch5x5_2.forward(branch5x5_1.forward(x)),
        branch3x3dbl_3.forward(branch3x3dbl_2.forward(branch3x3dbl_1.forward(x))),
        branch_pool.forward(Pool.AverageWithoutPadding(x)),
    }, 1);
}

/// torchvision's InceptionB (Mixed_6a), unchanged in the FID network.
public sealed class InceptionB : nn.Module<Tensor, Tensor>
{
    readonly BasicConv2d branch3x3, branch3x3dbl_1, branch3x3dbl_2, branch3x3dbl_3;

    public InceptionB(long input) : base(nameof(InceptionB))
    {
        branch3x3 = new BasicConv2d(input, 384, 3, stride: 2);
        branch3x3dbl_1 = new BasicConv2d(input, 64, 1);
        branch3x3dbl_2 = new BasicConv2d(64, 96, 3, padding: 1);
        branch3x3dbl_3 = new BasicConv2d(96, 96, 3, stride: 2);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => cat(new[]
    {
        branch3x3.forward(x),
        branch3x3dbl_3.forward(branch3x3dbl_2.forward(branch3x3dbl_1.forward(x))),
        F.max_pool2d(x, 3, stride: 2),
    }, 1);
}

/// FIDInceptionC: Mixed_6b–6e, factorised 7 × 7 convolutions.
public sealed class FidInceptionC : nn.Module<Tensor, Tensor>
{
    readonly BasicConv2d branch1x1, branch7x7_1, branch7x7_2, branch7x7_3,
        branch7x7dbl_1, branch7x7dbl_2, branch7x7dbl_3, branch7x7dbl_4, branch7x7dbl_5, branch_pool;

    public FidInceptionC(long input, long c7) : base(nameof(FidInceptionC))
    {
        branch1x1 = new BasicConv2d(input, 192, 1);
        branch7x7_1 = new BasicConv2d(input, c7, 1);
        branch7x7_2 = new BasicConv2d(c7, c7, (1, 7), padding: (0, 3));
        branch7x7_3 = new BasicConv2d(c7, 192, (7, 1), padding: (3, 0));
        branch7x7dbl_1 = new BasicConv2d(input, c7, 1);
        branch7x7dbl_2 = new BasicConv2d(c7, c7, (7, 1), padding: (3, 0));
        branch7x7dbl_3 = new BasicConv2d(c7, c7, (1, 7), padding: (0, 3));
        branch7x7dbl_4 = new BasicConv2d(c7, c7, (7, 1), padding: (3, 0));
        branch7x7dbl_5 = new BasicConv2d(c7, 192, (1, 7), padding: (0, 3));
        branch_pool = new BasicConv2d(input, 192, 1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => cat(new[]
    {
        branch1x1.forward(x),
        branch7x7_3.forward(branch7x7_2.forward(branch7x7_1.forward(x))),
        branch7x7dbl_5.forward(branch7x7dbl_4.forward(branch7x7dbl_3.forward(branch7x7dbl_2.forward(branch7x7dbl_1.forward(x))))),
        branch_pool.forward(Pool.AverageWithoutPadding(x)),
    }, 1);
}

/// torchvision's InceptionD (Mixed_7a), unchanged in the FID network.
public sealed class InceptionD : nn.Module<Tensor, Tensor>
{
    readonly BasicConv2d branch3x3_1, branch3x3_2, branch7x7x3_1, branch7x7x3_2, branch7x7x3_3, branch7x7x3_4;

    public InceptionD(long input) : base(nameof(InceptionD))
    {
        branch3x3_1 = new BasicConv2d(input, 192, 1);
        branch3x3_2 = new BasicConv2d(192, 320, 3, stride: 2);
        branch7x7x3_1 = new BasicConv2d(input, 192, 1);
        branch7x7x3_2 = new BasicConv2d(192, 192, (1, 7), padding: (0, 3));
        branch7x7x3_3 = new BasicConv2d(192, 192, (7, 1), padding: (3, 0));
        branch7x7x3_4 = new BasicConv2d(192, 192, 3, stride: 2);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => cat(new[]
    {
        branch3x3_2.forward(branch3x3_1.forward(x)),
        branch7x7x3_4.forward(branch7x7x3_3.forward(branch7x7x3_2.forward(branch7x7x3_1.forward(x)))),
        F.max_pool2d(x, 3, stride: 2),
    }, 1);
}

/// FIDInceptionE_1 (Mixed_7b, average pool without padding) and FIDInceptionE_2 (Mixed_7c, max pool: the FID
/// graph's quirk, kept for comparable numbers).
public sealed class FidInceptionE : nn.Module<Tensor, Tensor>
{
    readonly BasicConv2d branch1x1, branch3x3_1, branch3x3_2a, branch3x3_2b,
        branch3x3dbl_1, branch3x3dbl_2, branch3x3dbl_3a, branch3x3dbl_3b, branch_pool;
    readonly bool maxPool;

    public FidInceptionE(long input, bool maxPool) : base(nameof(FidInceptionE))
    {
        this.maxPool = maxPool;
        branch1x1 = new BasicConv2d(input, 320, 1);
        branch3x3_1 = new BasicConv2d(input, 384, 1);
        branch3x3_2a = new BasicConv2d(384, 384, (1, 3), padding: (0, 1));
        branch3x3_2b = new BasicConv2d(384, 384, (3, 1), padding: (1, 0));
        branch3x3dbl_1 = new BasicConv2d(input, 448, 1);
        branch3x3dbl_2 = new BasicConv2d(448, 384, 3, padding: 1);
        branch3x3dbl_3a = new BasicConv2d(384, 384, (1, 3), padding: (0, 1));
        branch3x3dbl_3b = new BasicConv2d(384, 384, (3, 1), padding: (1, 0));
        branch_pool = new BasicConv2d(input, 192, 1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var b3 = branch3x3_1.forward(x);
        var d3 = branch3x3dbl_2.forward(branch3x3dbl_1.forward(x));
        var pooled = maxPool ? F.max_pool2d(x, 3, stride: 1, padding: 1) : Pool.AverageWithoutPadding(x);
        return cat(new[]
        {
            branch1x1.forward(x),
            branch3x3_2a.forward(b3), branch3x3_2b.forward(b3),
            branch3x3dbl_3a.forward(d3), branch3x3dbl_3b.forward(d3),
            branch_pool.forward(pooled),
        }, 1);
    }
}

/// The whole network: [n, 3, 299, 299] in [−1, 1] to [n, 2048] pool3 features.
public sealed class FidInceptionV3 : nn.Module<Tensor, Tensor>
{
    readonly BasicConv2d Conv2d_1a_3x3, Conv2d_2a_3x3, Conv2d_2b_3x3, Conv2d_3b_1x1, Conv2d_4a_3x3;
    readonly FidInceptionA Mixed_5b, Mixed_5c, Mixed_5d;
    readonly InceptionB Mixed_6a;
    readonly FidInceptionC Mixed_6b, Mixed_6c, Mixed_6d, Mixed_6e;
    readonly InceptionD Mixed_7a;
    readonly FidInceptionE Mixed_7b, Mixed_7c;
    readonly TorchSharp.Modules.Linear fc;

    public FidInceptionV3() : base(nameof(FidInceptionV3))
    {
        Conv2d_1a_3x3 = new BasicConv2d(3, 32, 3, stride: 2);
        Conv2d_2a_3x3 = new BasicConv2d(32, 32, 3);
        Conv2d_2b_3x3 = new BasicConv2d(32, 64, 3, padding: 1);
        Conv2d_3b_1x1 = new BasicConv2d(64, 80, 1);
        Conv2d_4a_3x3 = new BasicConv2d(80, 192, 3);
        Mixed_5b = new FidInceptionA(192, 32);
        Mixed_5c = new FidInceptionA(256, 64);
        Mixed_5d = new FidInceptionA(288, 64);
        Mixed_6a = new InceptionB(288);
        Mixed_6b = new FidInceptionC(768, 128);
        Mixed_6c = new FidInceptionC(768, 160);
        Mixed_6d = new FidInceptionC(768, 160);
        Mixed_6e = new FidInceptionC(768, 192);
        Mixed_7a = new InceptionD(768);
        Mixed_7b = new FidInceptionE(1280, maxPool: false);
        Mixed_7c = new FidInceptionE(2048, maxPool: true);
        fc = nn.Linear(2048, 1008); // the 1008 TensorFlow classes; not on the feature path
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        x = Conv2d_2b_3x3.forward(Conv2d_2a_3x3.forward(Conv2d_1a_3x3.forward(x)));
        x = F.max_pool2d(x, 3, stride: 2);
        x = Conv2d_4a_3x3.forward(Conv2d_3b_1x1.forward(x));
        x = F.max_pool2d(x, 3, stride: 2);
        x = Mixed_5d.forward(Mixed_5c.forward(Mixed_5b.forward(x)));
        x = Mixed_6a.forward(x);
        x = Mixed_6e.forward(Mixed_6d.forward(Mixed_6c.forward(Mixed_6b.forward(x))));
        x = Mixed_7c.forward(Mixed_7b.forward(Mixed_7a.forward(x)));
        return F.adaptive_avg_pool2d(x, (1, 1)).flatten(1).MoveToOuterDisposeScope();
    }
}
