namespace LoE.Core

open System
open System.Runtime.CompilerServices
open TorchSharp

/// The TorchSharp (libtorch) backend: float32 by default, float64 for tests; CPU here, CUDA where referenced.
module TorchBackend =
    type T = torch.Tensor
    type private ScalarType = torch.ScalarType
    type private Device = torch.Device

    /// alpha = 1 for add (and -1 for sub), held for the life of the process. TorchSharp turns numbers into native Scalars
    /// implicitly and drops them while the native call still reads them; when a garbage collection runs at that
    /// moment (random-batch training allocates enough to make it common) the Scalar is finalised in use and the
    /// op fails with "Expected false to be true ... toFloat". Every Scalar here is therefore explicit and alive,
    /// alpha included: `t.add(k)` passes an implicit alpha of 1, and an N-linear run once failed with "For integral
    /// input tensors, argument alpha must not be a floating point number" (the freed alpha's memory reused).
    let private one = (1.0).ToScalar()
    let private minusOne = (-1.0).ToScalar()
    /// alpha for sums of integer (index) tensors, which refuse a floating-point alpha.
    let private oneInt = (1L).ToScalar()
    let private zero = (0.0).ToScalar()
    let private yes = (true).ToScalar()

    /// Calls f with a Scalar of x that stays alive until f has returned.
    let private withScalar (x: float) (f: Scalar -> T) : T =
        use s = x.ToScalar()
        f s

    /// Calls f with an integer Scalar (integer tensors stay integer).
    let private withInt (x: int64) (f: Scalar -> T) : T =
        use s = x.ToScalar()
        f s

    /// A tensor in libtorch's own memory, filled by a copy. (torch.tensor over a .NET array wraps the pinned array
    /// instead; disposing such tensors while libtorch still refers to them corrupted memory in TorchSharp 0.107
    /// once tensors were made and freed every step, as random-batch training does.)
    let private fromArray (data: float[]) (shape: int64[]) (dtype: ScalarType) (device: Device) : T =
        let t = torch.empty(shape, dtype = torch.ScalarType.Float64)
        if data.Length > 0 then t.data<float>().CopyFrom(data, 0, 0L)
        if dtype = torch.ScalarType.Float64 && device.``type`` = DeviceType.CPU then t
        else
            use t = t
            t.``to``(dtype, device)

    /// Int64 indices in libtorch's own memory (see fromArray).
    let private indices (data: int64[]) (device: Device) : T =
        let t = torch.empty([| int64 data.Length |], dtype = torch.ScalarType.Int64)
        if data.Length > 0 then t.data<int64>().CopyFrom(data, 0, 0L)
        if device.``type`` = DeviceType.CPU then t
        else
            use t = t
            t.``to``(device)

    /// A tensor made inside an op's own scope, handed out: kept for as long as it is needed when it belongs to a
    /// persistent routing (the whole signal, every step), otherwise owned by the caller's scope (the step).
    let private outlive (persistent: bool) (t: T) =
        if persistent then t.DetachFromDisposeScope() else t.MoveToOuterDisposeScope()

    /// A routing's grouping by expert for the batched product, made once per routing: per corner, the points
    /// grouped by expert into slots [used experts × largest group], so that one batched product serves all
    /// experts.
    type Grouping =
        { /// Experts that own at least one point.
          Used: T
          /// Per corner: for each slot, the point it reads (padding slots read point 0).
          ToSlots: T[]
          /// Per corner: for each point, its slot.
          FromSlots: T[]
          /// Per corner: the slots no point fills (they read point 0 and must not reach a gradient).
          Padding: T[]
          /// Per corner: N-linear weights [n; 1] (None for nearest).
          Weights: T option[]
          Groups: int64
          Largest: int64
          /// Every expert of the tile owns a point: the weights are used as they are, without a gather.
          AllUsed: bool }

    /// The grouping on the device: a stable sort of each corner's experts gives every point its rank within its
    /// expert's group (so slots are filled in point order), and counts per expert give the groups. The one value
    /// read back is the vector of counts per expert (the batched product's shape depends on it); everything
    /// else stays on the device.
    let private makeGrouping (r: Routed<T>) : Grouping =
        use _ = torch.NewDisposeScope()
        let n, e = int64 r.Count, int64 r.TileExperts
        let device = r.Experts.device
        let perCorner = Array.init r.K (fun c -> r.Experts.select(1L, int64 c))
        let counts = perCorner |> Array.map (fun ex -> ex.bincount(null, e))
        // Largest group and used experts over all corners: one small read per layer and batch.
        let countsHost = torch.stack(counts).cpu().data<int64>().ToArray()
        let largest = if countsHost.Length = 0 then 0L else Array.max countsHost
        let used = [| for x in 0L .. e - 1L do if Seq.init r.K (fun c -> countsHost.[c * int e + int x]) |> Seq.exists (fun m -> m > 0L) then x |]
        let groupOf = Array.create (int e) -1L
        used |> Array.iteri (fun g x -> groupOf.[int x] <- int64 g)
        let groupOfT = indices groupOf device
        let slots = int64 used.Length * largest
        let corner c =
            let ex = perCorner.[c]
            let struct (_, order) = ex.sort(0L, false, true)
            let sorted = ex.index_select(0L, order)
            let starts = counts.[c].cumsum(0L).sub(counts.[c])
            // arange's stop as an explicit Scalar too: an implicit one freed mid-call gave garbage ranks (NaN losses).
            let rank = (withInt n (fun stop -> torch.arange(stop, dtype = torch.ScalarType.Int64, device = device))).sub(starts.index_select(0L, sorted))
            let slot = (withInt largest (fun l -> groupOfT.index_select(0L, sorted).mul(l))).add(rank, oneInt)
            let toSlot = torch.zeros([| slots |], dtype = torch.ScalarType.Int64, device = device).index_copy_(0L, slot, order)
            let fromSlot = torch.zeros([| n |], dtype = torch.ScalarType.Int64, device = device).index_copy_(0L, order, slot)
            let filled = torch.zeros([| slots |], dtype = torch.ScalarType.Bool, device = device).index_fill_(0L, slot, yes)
            toSlot, fromSlot, filled.logical_not().nonzero().squeeze(1L)
        let corners = Array.init r.K corner
        let keep = outlive r.Persistent
        { Used = indices used device |> keep
          ToSlots = corners |> Array.map (fun (t, _, _) -> keep t)
          FromSlots = corners |> Array.map (fun (_, f, _) -> keep f)
          Padding = corners |> Array.map (fun (_, _, p) -> keep p)
          Weights = Array.init r.K (fun c -> if r.K = 1 then None else Some(r.Weights.narrow(1L, int64 c, 1L).contiguous() |> keep))
          Groups = int64 used.Length
          Largest = largest
          AllUsed = int64 used.Length = e }

    /// How a routing is run: grouped by expert, or, when a tile has no more experts than a point has corners
    /// (2×2, 2×2×2 N-linear), as one dense product of weight-scaled inputs with the stacked experts.
    type Plan =
        | Grouped of Grouping
        /// Every point's weight on every expert [n; E] (zero for the experts it does not touch).
        | Blended of T

    /// The blend's weights scattered per expert (added, so tiles whose corners repeat an expert are right too).
    let private makeBlend (r: Routed<T>) : T =
        use _ = torch.NewDisposeScope()
        let perExpert = torch.zeros([| int64 r.Count; int64 r.TileExperts |], dtype = r.Weights.dtype, device = r.Weights.device)
        let blend = perExpert.scatter_add_(1L, r.Experts, r.Weights)
        outlive r.Persistent blend

    let private makePlan (r: Routed<T>) : Plan =
        if r.K > 1 && r.TileExperts <= r.K then Blended(makeBlend r) else Grouped(makeGrouping r)

    /// y = [w_1 x, ..., w_E x] · [W_1; ...; W_E]: one product of E·in columns (2^d times a dense layer's work, the
    /// N-linear layer's own cost), no gather, no scatter, no read back.
    let private blendedLinear (blend: T) (w: T) (b: T) (x: T) : T =
        use _ = torch.NewDisposeScope()
        let n, experts, inDim, outDim = x.shape.[0], w.shape.[0], w.shape.[1], w.shape.[2]
        let scaled = (blend.unsqueeze(2L) * x.unsqueeze(1L)).view(n, experts * inDim)
        let y = scaled.mm(w.view(experts * inDim, outDim))
        let bias = if b.dim() = 1L then b else blend.mm(b)
        y.add(bias, one).MoveToOuterDisposeScope()

    /// The expert layer over a grouping, y = Σ_c w_c(p) (W_e_c(p) x_p + b_e_c(p)) over a point's corners c (one
    /// for nearest, with w = 1), with its own backward. Per corner, the rows go to slots [used experts × largest
    /// group], one batched product serves every expert, and the slots go back to rows. Autograd's backward of
    /// those two row gathers would be two scatter-adds into zeroed tensors; because every point fills exactly one
    /// slot per corner, each is a gather by the inverse map instead (the padding slots' output gradients set to 0
    /// first, so they add nothing to the weights' gradients). The input's gradient is skipped when the input needs
    /// none (the first layer's encoding), and a shared bias is added in place, as addmm does. One function for all
    /// corners, each corner's temporaries freed before the next is made: the step holds one corner's slots at a
    /// time besides what backward keeps (the input and the used weights), and TorchSharp's per-output bookkeeping
    /// (an uninitialised tensor the size of the output) is paid once per layer, not per corner.
    /// Arguments: x [n; in], w [E; in; out], b [E; out] or [out], and the grouping. The corner weights are
    /// constants (they depend on the coordinates alone).
    type private GroupedProduct() =
        inherit torch.autograd.SingleTensorFunction<GroupedProduct>()
        override _.Name = "LoE.GroupedProduct"

        override _.forward(ctx, vars) =
            let x, w, b, p = vars.[0] :?> T, vars.[1] :?> T, vars.[2] :?> T, vars.[3] :?> Grouping
            let inDim, outDim = x.shape.[1], w.shape.[2]
            let wUsed = if p.AllUsed then w else w.index_select(0L, p.Used)
            let bUsed = if b.dim() = 2L then b.index_select(0L, p.Used).unsqueeze(1L) else null
            // The sum over corners: the first corner's term becomes the output, later ones are added in place.
            let mutable y : T = null
            for c in 0 .. p.ToSlots.Length - 1 do
                use _ = torch.NewDisposeScope()
                let xs = x.index_select(0L, p.ToSlots.[c]).view(p.Groups, p.Largest, inDim)
                let ys = xs.bmm(wUsed)
                if not (isNull bUsed) then ys.add_(bUsed, one) |> ignore
                let yc = ys.view(p.Groups * p.Largest, outDim).index_select(0L, p.FromSlots.[c])
                match p.Weights.[c], isNull y with
                | Some weights, true -> y <- yc.mul_(weights).MoveToOuterDisposeScope()
                | Some weights, false -> y.addcmul_(yc, weights, one) |> ignore
                | None, true -> y <- yc.MoveToOuterDisposeScope()
                | None, false -> y.add_(yc, one) |> ignore
            if b.dim() = 1L then y.add_(b, one) |> ignore
            // The input itself is kept, not its 2^d copies in slot order: backward gathers each corner's again
            // (a gather costs little beside the products; 8 copies per layer held 17.5 GiB at the video shape).
            ctx.save_for_backward(ResizeArray [ wUsed; x ])
            ctx.save_data("grouping", p)
            ctx.save_data("needs", (x.requires_grad, b.dim(), w.shape.[0]))
            y

        override _.backward(ctx, gy) =
            let saved = ctx.get_saved_variables()
            let wUsed, x = saved.[0], saved.[1]
            let p = ctx.get_data "grouping" :?> Grouping
            let xGrad, biasDims, experts = ctx.get_data "needs" :?> bool * int64 * int64
            let inDim, outDim = wUsed.shape.[1], wUsed.shape.[2]
            // Sums over corners: the first corner's term is kept as it is, later ones are added in place.
            let mutable gx, gw, gb = (null: T), (null: T), (null: T)
            let accumulate (total: T) (term: T) = if isNull total then term.MoveToOuterDisposeScope() else total.add_(term, one)
            for c in 0 .. p.ToSlots.Length - 1 do
                use _ = torch.NewDisposeScope()
                let xs = x.index_select(0L, p.ToSlots.[c]).view(p.Groups, p.Largest, inDim)
                let g = match p.Weights.[c] with Some weights -> gy * weights | None -> gy
                let gys = g.index_select(0L, p.ToSlots.[c])
                if p.Padding.[c].numel() > 0L then gys.index_fill_(0L, p.Padding.[c], zero) |> ignore
                let gys = gys.view(p.Groups, p.Largest, outDim)
                if xGrad then gx <- accumulate gx (gys.bmm(wUsed.transpose(1L, 2L)).view(p.Groups * p.Largest, inDim).index_select(0L, p.FromSlots.[c]))
                gw <- accumulate gw (xs.transpose(1L, 2L).bmm(gys))
                if biasDims = 2L then gb <- accumulate gb (gys.sum(1L))
            let perExpert (g: T) (shape: int64[]) = if p.AllUsed then g else torch.zeros(shape, dtype = g.dtype, device = g.device).index_copy_(0L, p.Used, g)
            let gb = if biasDims = 1L then gy.sum(0L) elif isNull gb then null else perExpert gb [| experts; outDim |]
            ResizeArray [ gx; perExpert gw [| experts; inDim; outDim |]; gb; null ]

    let private groupedLinear (p: Grouping) (w: T) (b: T) (x: T) : T = GroupedProduct.apply(x, w, b, p)

    let private expertLinear (plans: ConditionalWeakTable<Routed<T>, Plan>) (r: Routed<T>) (w: T) (b: T) (x: T) : T =
        match plans.GetValue(r, fun r -> makePlan r) with
        | Blended blend -> blendedLinear blend w b x
        | Grouped p -> groupedLinear p w b x

    /// Rows moved from one order to another, out = x[take], where every source row that is not padding feeds exactly
    /// one target row that is not padding, and the target's padding rows get no gradient (they feed only padding).
    /// Autograd's backward would scatter-add into zeros; a gather by the inverse map, `give`, is the same sum, with
    /// the source's own padding rows (which `give` maps anywhere) set to 0 so that they add nothing downstream.
    type private Regroup() =
        inherit torch.autograd.SingleTensorFunction<Regroup>()
        override _.Name = "LoE.Regroup"

        override _.forward(ctx, vars) =
            let x, take = vars.[0] :?> T, vars.[1] :?> T
            // The inverse map and the source's padding rows (null for points) as one value: not a tensor argument.
            ctx.save_data("back", vars.[2])
            x.index_select(0L, take)

        override _.backward(ctx, g) =
            let give, padding = ctx.get_data "back" :?> T * T
            let gx = g.index_select(0L, give)
            if not (isNull padding) && padding.numel() > 0L then gx.index_fill_(0L, padding, zero) |> ignore
            ResizeArray [ gx; null; null ]

    /// The nearest layer with its rows in its own slot order: one batched product, no gathers (autograd's backward of
    /// bmm is GroupedProduct's, the padding rows' gradients already 0 from the Regroup after it).
    let private slotProduct (p: Grouping) (w: T) (b: T) (xs: T) : T =
        let inDim, outDim = xs.shape.[1], w.shape.[2]
        let wUsed = if p.AllUsed then w else w.index_select(0L, p.Used)
        let ys = xs.view(p.Groups, p.Largest, inDim).bmm(wUsed)
        let ys = if b.dim() = 2L then ys.add_(b.index_select(0L, p.Used).unsqueeze(1L), one) else ys
        let y = ys.view(p.Groups * p.Largest, outDim)
        if b.dim() = 1L then y.add_(b, one) else y

    /// The row order of a stack between layers: the points' own, or a nearest layer's slots.
    type private RowOrder =
        | Points
        | Slots of Grouping

    /// Backend.expertStack: runs of nearest layers stay in slot order, each layer regrouped straight from the last
    /// one's slots (take = from₁[to₂], give = from₂[to₁]); other layers (N-linear, blended, plain) run in point order.
    let private expertStack (plans: ConditionalWeakTable<Routed<T>, Plan>) (layers: StackLayer<T> list) (activation: T -> T) (x: T) : T =
        let regroup (x: T) (take: T) (give: T) (padding: T) = Regroup.apply(x, take, box (give, padding))
        let toPoints order (x: T) =
            match order with
            | Points -> x
            | Slots p -> regroup x p.FromSlots.[0] p.ToSlots.[0] p.Padding.[0]
        let step (order, x: T) (l: StackLayer<T>) =
            match l.Routing |> Option.map (fun r -> r, plans.GetValue(r, fun r -> makePlan r)) with
            | Some (r, Grouped p) when r.K = 1 ->
                let xs =
                    match order with
                    | Points -> regroup x p.ToSlots.[0] p.FromSlots.[0] null
                    | Slots q -> regroup x (q.FromSlots.[0].index_select(0L, p.ToSlots.[0])) (p.FromSlots.[0].index_select(0L, q.ToSlots.[0])) q.Padding.[0]
                Slots p, activation (slotProduct p l.Weight l.Bias xs)
            | _ -> Points, activation (StackLayer.product (expertLinear plans) (fun a b -> a.matmul b) (fun a b -> a.add(b, one)) l (toPoints order x))
        layers |> List.fold step (Points, x) ||> toPoints

    /// Gathers the K rows of every point at once and blends them; index_select's backward scatter-adds into
    /// the table, so only the rows in use get a gradient.
    let private interpolate (r: Routed<T>) (table: T) : T =
        use _ = torch.NewDisposeScope()
        let channels = table.shape.[1]
        let rows = table.index_select(0L, r.Experts.reshape(-1L)).view(int64 r.Count, int64 r.K, channels)
        (rows * r.Weights.unsqueeze(2L)).sum(1L).MoveToOuterDisposeScope()

    /// Grid-unit positions u = A p + b of points [n; d] (float64), computed as Grid.affine does term by term: a
    /// product then a plain sum, never a fused multiply-add, so that the device and the specification agree
    /// bit for bit, even at cell borders.
    let private affine (m: AffineMap) (p: T) : T[] =
        let d = int p.shape.[1]
        Array.init d (fun r ->
            let mutable s = withScalar m.B.[r] (fun v -> torch.full([| p.shape.[0] |], v, dtype = torch.ScalarType.Float64, device = p.device))
            for c in 0 .. d - 1 do
                let term = withScalar m.A.[r, c] (fun a -> p.select(1L, int64 c).mul(a))
                s <- s.add(term, one)
            s)

    /// Row-major flattening of per-dimension integer indices wrapped into the tile (non-negative modulo).
    let private flatten (tile: int[]) (index: T[]) : T =
        let wrap i (ix: T) = withInt (int64 tile.[i]) (fun t -> ix.remainder(t))
        let mutable f = wrap 0 index.[0]
        for i in 1 .. tile.Length - 1 do f <- (withInt (int64 tile.[i]) (fun t -> f.mul(t))).add(wrap i index.[i], oneInt)
        f

    /// Corner c's expert index and weight from per-dimension lower neighbours and fractions (Grid's blend): the
    /// upper neighbour in dimension i when bit (d-1-i) of c is set.
    let private blend (d: int) (lower: T[]) (frac: T[]) (index: T[] -> T) : T * T =
        let corners =
            Array.init (1 <<< d) (fun c ->
                let upper i = (c >>> (d - 1 - i)) &&& 1 = 1
                // 1 - f as (-f) + 1: the same rounding as Grid's 1.0 - f.
                let w = Seq.init d id |> Seq.fold (fun (w: T) i -> w * (if upper i then frac.[i] else frac.[i].neg().add(one, one))) (torch.ones_like(frac.[0]))
                index (Array.init d (fun i -> if upper i then withInt 1L (fun k -> lower.[i].add(k, oneInt)) else lower.[i])), w)
        torch.stack(corners |> Array.map fst, 1L), torch.stack(corners |> Array.map snd, 1L)

    let private route (dtype: ScalarType) (interp: Interpolation) (m: AffineMap) (tile: int[]) (persistent: bool) (p: T) : Routed<T> =
        use _ = torch.NewDisposeScope()
        let n, d = int p.shape.[0], tile.Length
        let u = affine m p
        let keep = outlive persistent
        let experts, weights =
            match interp with
            | Interpolation.Nearest ->
                let e = flatten tile (u |> Array.map (fun x -> x.floor().to_type(torch.ScalarType.Int64)))
                e.unsqueeze(1L), torch.ones([| int64 n; 1L |], dtype = dtype, device = p.device)
            | _ ->
                // u - offset as Grid computes it (x - 0.0 = x exactly for the paper's vertices).
                let centred = u |> Array.map (fun x -> withScalar (-(Grid.expertOffset interp)) (fun h -> x.add(h, one)))
                let lowerF = centred |> Array.map (fun x -> x.floor())
                let frac = Array.map2 (fun (x: T) (l: T) -> x.sub(l)) centred lowerF
                let lower = lowerF |> Array.map (fun l -> l.to_type(torch.ScalarType.Int64))
                let e, w = blend d lower frac (flatten tile)
                e, w.to_type(dtype)
        { Count = n; K = int experts.shape.[1]; TileExperts = Grid.experts tile
          Experts = keep (experts.contiguous()); Weights = keep (weights.contiguous()); Persistent = persistent }

    let private lattice (dtype: ScalarType) (resolution: int) (persistent: bool) (p: T) : Routed<T> =
        if resolution < 2 then invalidArg "resolution" "an embedding lattice needs at least 2 points per dimension"
        use _ = torch.NewDisposeScope()
        let n, d = int p.shape.[0], int p.shape.[1]
        let unit (x: T) = withScalar 0.0 (fun lo -> withScalar 1.0 (fun hi -> x.clamp(lo, hi)))
        let u = Array.init d (fun i -> withScalar (float (resolution - 1)) (fun r -> (unit (p.select(1L, int64 i))).mul(r)))
        let lowerF = u |> Array.map (fun (x: T) -> withScalar (float (resolution - 2)) (fun top -> x.floor().clamp_max(top)))
        let frac = Array.map2 (fun (x: T) (l: T) -> x.sub(l)) u lowerF
        let lower = lowerF |> Array.map (fun l -> l.to_type(torch.ScalarType.Int64))
        let index (ix: T[]) = ix |> Array.reduce (fun f x -> (withInt (int64 resolution) (fun r -> f.mul(r))).add(x, oneInt))
        let e, w = blend d lower frac index
        let keep = outlive persistent
        { Count = n; K = 1 <<< d; TileExperts = pown resolution d
          Experts = keep (e.contiguous()); Weights = keep (w.to_type(dtype).contiguous()); Persistent = persistent }

    /// γ(p) = (p, sin(2⁰πp), cos(2⁰πp), …) in float64 with the frequencies 2^l π made in .NET as
    /// Encoding.positional makes them, then cast to the model's precision.
    let private positional (dtype: ScalarType) (frequencies: int) (p: T) : T =
        use _ = torch.NewDisposeScope()
        let n, d = p.shape.[0], p.shape.[1]
        let freqs = fromArray (Array.init frequencies (fun l -> (2.0 ** float l) * Math.PI)) [| 1L; int64 frequencies; 1L |] torch.ScalarType.Float64 p.device
        let angles = p.unsqueeze(1L) * freqs
        let waves = torch.stack([| angles.sin(); angles.cos() |], -1L).view(n, 2L * int64 frequencies * d)
        torch.cat([| p; waves |], 1L).to_type(dtype).MoveToOuterDisposeScope()

    let private shapeOf (t: T) = t.shape |> Array.map int

    /// NeRF's sample_pdf in float64 without gradient: normalised weights, their CDF from 0, the bin each uniform
    /// falls in (searchsorted, right), and a linear step inside it; an empty bin (CDF step below 1e-12) gives its
    /// lower edge, and the fraction is clamped to [0, 1], as Reference.Sampling.inverseCdf does.
    let private inverseCdf (bins: T) (weights: T) (u: T) : T =
        use _ = torch.no_grad()
        use _ = torch.NewDisposeScope()
        let f64 (t: T) = t.detach().to_type(torch.ScalarType.Float64)
        let bins, weights, u = f64 bins, f64 weights, (f64 u).contiguous()
        let pdf = weights / weights.sum(-1L, true)
        let cdf = torch.cat([| torch.zeros_like(pdf.narrow(-1L, 0L, 1L)); pdf.cumsum(-1L) |], -1L).contiguous()
        let last = cdf.shape.[1] - 1L
        let inds = torch.searchsorted(cdf, u, right = true)
        let shifted = withInt 1L (fun k -> inds.sub(k))
        let below = withInt 0L (fun lo -> withInt (last - 1L) (fun hi -> shifted.clamp(lo, hi)))
        let above = withInt 1L (fun k -> below.add(k, oneInt))
        let c0, c1 = cdf.gather(-1L, below), cdf.gather(-1L, above)
        let b0, b1 = bins.gather(-1L, below), bins.gather(-1L, above)
        let step = c1 - c0
        let tiny = withScalar 1e-12 (fun e -> step.lt(e))
        let raw = torch.where(tiny, torch.zeros_like(step), (u - c0) / torch.where(tiny, torch.ones_like(step), step))
        // A uniform past a CDF that sums to 1 − ε by rounding stays in the last bin.
        let frac = withScalar 0.0 (fun lo -> withScalar 1.0 (fun hi -> raw.clamp(lo, hi)))
        (b0 + frac * (b1 - b0)).MoveToOuterDisposeScope()


    /// A 2-D convolution as im2col and one product: unfold x into its receptive fields [n; c·kh·kw; L], multiply by
    /// the kernels [o; c·kh·kw]. Not torch's conv2d: libtorch 2.10's CPU conv2d in float32 returned wrong input
    /// gradients (garbage or NaN from freed memory) for batches of several images at small sides (≤ 4), the
    /// discriminator's last layers; float64 was right (tests/GanOpsTests.fs holds a float32 property for it).
    let private conv2d (stride: int) (padding: int) (x: T) (w: T) (bias: T) : T =
        let n, h, wd = x.shape.[0], x.shape.[2], x.shape.[3]
        let o, kh, kw = w.shape.[0], w.shape.[2], w.shape.[3]
        let s, p = int64 stride, int64 padding
        let oh, ow = (h + 2L * p - kh) / s + 1L, (wd + 2L * p - kw) / s + 1L
        use _ = torch.NewDisposeScope()
        let fields = torch.nn.functional.unfold(x, struct (kh, kw), padding = struct (p, p), stride = struct (s, s))
        let y = w.reshape(o, -1L).matmul(fields).add(bias.reshape(1L, o, 1L), one)
        y.reshape(n, o, oh, ow).MoveToOuterDisposeScope()

    /// A backend on `device` ("cpu", "cuda", "cuda:1") in float32, or float64 when asked.
    let create (device: string) (float64: bool) : Backend<T> =
        NativeHeap.keepFreedMemory () |> ignore
        let dev = torch.device device
        let dtype = if float64 then torch.ScalarType.Float64 else torch.ScalarType.Float32
        let precision = if float64 then "f64" else "f32"
        let plans = ConditionalWeakTable()
        { Name = $"torch-{device}-{precision}"
          tensor = fun data shape -> fromArray data (shape |> Array.map int64) dtype dev
          points = fun data shape -> fromArray data (shape |> Array.map int64) torch.ScalarType.Float64 dev
          indices = fun data shape -> (indices (data |> Array.map int64) dev).view(shape |> Array.map int64)
          // In a scope of its own: the detached and converted copies are freed here, never by .NET's finaliser
          // (which, run beside a native call that reads one, crashes the process).
          toArray = fun t ->
              use _ = torch.NewDisposeScope()
              t.detach().cpu().to_type(torch.ScalarType.Float64).data<float>().ToArray()
          shape = shapeOf
          add = fun a b -> a.add(b, one)
          sub = fun a b -> a.add(b, minusOne)
          mul = fun a b -> a * b
          div = fun a b -> a / b
          scale = fun s t -> withScalar s (fun k -> t.mul(k))
          addScalar = fun s t -> withScalar s (fun k -> t.add(k, one))
          sqrt = fun t -> t.sqrt()
          sin = fun t -> t.sin()
          cos = fun t -> t.cos()
          leakyRelu = fun slope t -> withScalar slope (fun k -> t.leaky_relu(k))
          exp = fun t -> t.exp()
          sigmoid = fun t -> t.sigmoid()
          cumsumLast = fun t -> t.cumsum(-1L)
          sumLast = fun t -> t.sum(-1L)
          reshape = fun shape t -> t.reshape(shape |> Array.map int64)
          narrowLast = fun start length t -> t.narrow(-1L, int64 start, int64 length)
          matmul = fun a b -> a.matmul b
          concatLast = fun ts -> torch.cat(ResizeArray ts, -1L)
          gatherRows = fun t idx -> t.index_select(0L, idx)
          sum = fun t -> t.sum()
          fill = fun value shape -> withScalar value (fun v -> torch.full(shape |> Array.map int64, v, dtype = dtype, device = dev))
          precision = fun t -> t.to_type(dtype)
          route = route dtype
          lattice = lattice dtype
          positional = positional dtype
          expertLinear = expertLinear plans
          expertStack = expertStack plans
          interpolate = interpolate
          uniform = fun seed shape ->
              use g = new torch.Generator(uint64 seed, dev)
              torch.rand(shape |> Array.map int64, dtype = torch.ScalarType.Float64, device = dev, generator = g)
          sortLast = fun t -> (let struct (values, _) = t.detach().sort(-1L) in values)
          inverseCdf = inverseCdf
          adamInPlace = fun u p g m v ->
              use _ = torch.NewDisposeScope()
              withScalar u.Beta1 (fun k -> m.mul_(k)) |> ignore
              withScalar (1.0 - u.Beta1) (fun k -> m.add_(g, k)) |> ignore
              withScalar u.Beta2 (fun k -> v.mul_(k)) |> ignore
              withScalar (1.0 - u.Beta2) (fun k -> v.addcmul_(g, g, k)) |> ignore
              let denom = withScalar u.Epsilon (fun eps -> withScalar u.Correction2Sqrt (fun c -> v.sqrt().div_(c).add_(eps)))
              withScalar -u.StepSize (fun k -> p.addcdiv_(m, denom, k)) |> ignore
          valueAndGrad = fun f args ->
              let leaves = args |> List.map (fun a -> a.detach().requires_grad_(true))
              let y = f leaves
              y.backward()
              let grads = leaves |> List.map (fun l -> l.grad.detach())
              (y.to_type(torch.ScalarType.Float64).item<float>(), grads)
          scope = fun () -> torch.NewDisposeScope() :> IDisposable
          keep = fun t -> t.MoveToOuterDisposeScope()
          persist = fun t -> t.DetachFromDisposeScope()
          free = fun t -> t.Dispose()
          conv2d = conv2d
          avgPool2 = fun x -> torch.nn.functional.avg_pool2d(x, [| 2L; 2L |], [| 2L; 2L |])
          permute = fun perm t -> t.permute(perm |> Array.map int64)
          detach = fun t -> t.detach()
          assign = fun target source ->
              use _ = torch.no_grad()
              target.copy_(source) |> ignore }

    /// libtorch's intra-op threads: set, and read back.
    let setThreads (n: int) = torch.set_num_threads n
    let threads () = torch.get_num_threads ()

    /// CUDA devices libtorch can use (0 on a CPU build or a machine without a usable GPU).
    let cudaDevices () = if torch.cuda.is_available () then torch.cuda.device_count () else 0
