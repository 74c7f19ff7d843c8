namespace LoE.Core

open System
open System.Runtime.CompilerServices
open TorchSharp

/// The TorchSharp (libtorch) backend: float32 by default, float64 for tests; CPU here, CUDA where referenced.
module TorchBackend =
    type T = torch.Tensor
    type private ScalarType = torch.ScalarType
    type private Device = torch.Device

    let private fromArray (data: float[]) (shape: int64[]) (dtype: ScalarType) (device: Device) : T =
        torch.tensor(data, dtype = dtype, device = device).reshape(shape)

    /// Index tensors of one routing, made once and reused while the coordinates stay the same (full-image
    /// training): per corner, the coordinates grouped by expert into slots [used experts × largest group], so that
    /// one batched product serves all experts.
    type Plan =
        { /// Experts that own at least one coordinate.
          Used: T
          /// Per corner: for each slot, the coordinate it reads (padding slots read coordinate 0).
          ToSlots: T[]
          /// Per corner: for each coordinate, its slot.
          FromSlots: T[]
          /// Per corner: N-linear weights [n; 1] (None for nearest).
          Weights: T option[]
          Groups: int64
          Largest: int64 }

    let private makePlan (device: Device) (dtype: ScalarType) (r: Routing) : Plan =
        let counts = Array.zeroCreate<int> r.TileExperts
        for e in r.Experts do counts.[e] <- counts.[e] + 1
        let used = [| for e in 0 .. r.TileExperts - 1 do if counts.[e] > 0 then e |]
        let groupOf = Array.create r.TileExperts -1
        used |> Array.iteri (fun g e -> groupOf.[e] <- g)
        let expertsOf c = Array.init r.Count (fun j -> r.Experts.[j * r.K + c])
        let largest = Seq.init r.K (fun c -> expertsOf c |> Array.countBy id |> Array.map snd |> Array.max) |> Seq.max
        let slots = used.Length * largest
        let keep (t: T) = t.DetachFromDisposeScope()
        let idx (a: int64[]) = torch.tensor(a, device = device) |> keep
        // Padding slots read coordinate 0 and are never read back, so autograd gives them no gradient.
        let corner c =
            let fill = Array.zeroCreate<int> r.TileExperts
            let toSlot = Array.zeroCreate<int64> slots
            let fromSlot =
                expertsOf c |> Array.mapi (fun j e ->
                    let slot = groupOf.[e] * largest + fill.[e]
                    fill.[e] <- fill.[e] + 1
                    toSlot.[slot] <- int64 j
                    int64 slot)
            idx toSlot, idx fromSlot
        let corners = Array.init r.K corner
        { Used = idx (used |> Array.map int64)
          ToSlots = corners |> Array.map fst
          FromSlots = corners |> Array.map snd
          Weights =
            Array.init r.K (fun c ->
                if r.K = 1 then None
                else Some(fromArray (Array.init r.Count (fun j -> r.Weights.[j * r.K + c])) [| int64 r.Count; 1L |] dtype device |> keep))
          Groups = int64 used.Length
          Largest = int64 largest }

    /// One batched product per corner over the used experts: rows to slots [groups; largest; in], bmm with the
    /// used experts' weights plus their biases, and slots back to rows.
    let private expertLinear (plans: ConditionalWeakTable<Routing, Plan>) device dtype (r: Routing) (w: T) (b: T) (x: T) : T =
        let p = plans.GetValue(r, fun r -> makePlan device dtype r)
        // Intermediates get their own scope: autograd keeps what backward needs, and the rest is freed now rather
        // than at the end of the training step (a dispose scope would otherwise hold every temporary until then).
        use _ = torch.NewDisposeScope()
        let wUsed = w.index_select(0L, p.Used)
        let bUsed = b.index_select(0L, p.Used).unsqueeze(1L)
        let inDim, outDim = x.shape.[1], w.shape.[2]
        let corner c =
            let xs = x.index_select(0L, p.ToSlots.[c]).view(p.Groups, p.Largest, inDim)
            let ys = (xs.bmm(wUsed) + bUsed).view(p.Groups * p.Largest, outDim)
            let y = ys.index_select(0L, p.FromSlots.[c])
            match p.Weights.[c] with
            | Some weights -> y * weights
            | None -> y
        (Seq.init r.K corner |> Seq.reduce (+)).MoveToOuterDisposeScope()

    let private shapeOf (t: T) = t.shape |> Array.map int

    /// A backend on `device` ("cpu", "cuda", "cuda:1") in float32, or float64 when asked.
    let create (device: string) (float64: bool) : Backend<T> =
        let dev = torch.device device
        let dtype = if float64 then torch.ScalarType.Float64 else torch.ScalarType.Float32
        let precision = if float64 then "f64" else "f32"
        { Name = $"torch-{device}-{precision}"
          tensor = fun data shape ->
              fromArray data (shape |> Array.map int64) dtype dev
          toArray = fun t -> t.detach().cpu().to_type(torch.ScalarType.Float64).data<float>().ToArray()
          shape = shapeOf
          add = fun a b -> a + b
          sub = fun a b -> a - b
          mul = fun a b -> a * b
          div = fun a b -> a / b
          scale = fun s t -> t * s
          addScalar = fun s t -> t + s
          sqrt = fun t -> t.sqrt()
          sin = fun t -> t.sin()
          cos = fun t -> t.cos()
          leakyRelu = fun slope t -> torch.nn.functional.leaky_relu(t, slope)
          matmul = fun a b -> a.matmul b
          concatLast = fun ts -> torch.cat(ResizeArray ts, -1L)
          sum = fun t -> t.sum()
          expertLinear = expertLinear (ConditionalWeakTable()) dev dtype
          valueAndGrad = fun f args ->
              let leaves = args |> List.map (fun a -> a.detach().requires_grad_(true))
              let y = f leaves
              y.backward()
              let grads = leaves |> List.map (fun l -> l.grad.detach())
              (y.to_type(torch.ScalarType.Float64).item<float>(), grads)
          scope = fun () -> torch.NewDisposeScope() :> IDisposable
          keep = fun t -> t.MoveToOuterDisposeScope()
          free = fun t -> t.Dispose() }
