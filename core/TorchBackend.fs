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
    /// op fails with "Expected false to be true ... toFloat". Every Scalar here is therefore explicit and alive.
    let private one = (1.0).ToScalar()
    let private minusOne = (-1.0).ToScalar()

    /// Calls f with a Scalar of x that stays alive until f has returned.
    let private withScalar (x: float) (f: Scalar -> T) : T =
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

    /// Plain loops over the routing's arrays (no per-corner LINQ or per-point allocation): with random batches a
    /// new routing, hence a new plan, comes every step.
    let private makePlan (device: Device) (dtype: ScalarType) (persistent: bool) (r: Routing) : Plan =
        let n, k, e = r.Count, r.K, r.TileExperts
        // counts.[c * e + x]: coordinates of corner c at expert x.
        let counts = Array.zeroCreate<int> (k * e)
        for j in 0 .. n - 1 do
            for c in 0 .. k - 1 do
                let x = r.Experts.[j * k + c]
                counts.[c * e + x] <- counts.[c * e + x] + 1
        let mutable largest = 0
        let usedFlags = Array.zeroCreate<bool> e
        for c in 0 .. k - 1 do
            for x in 0 .. e - 1 do
                let m = counts.[c * e + x]
                if m > 0 then usedFlags.[x] <- true
                if m > largest then largest <- m
        let used = [| for x in 0 .. e - 1 do if usedFlags.[x] then x |]
        let groupOf = Array.create e -1
        used |> Array.iteri (fun g x -> groupOf.[x] <- g)
        let slots = used.Length * largest
        let keep (t: T) = if persistent then t.DetachFromDisposeScope() else t
        let idx (a: int64[]) = indices a device |> keep
        let fill = Array.zeroCreate<int> e
        // Padding slots read coordinate 0 and are never read back, so autograd gives them no gradient.
        let corner c =
            System.Array.Clear(fill)
            let toSlot = Array.zeroCreate<int64> slots
            let fromSlot = Array.zeroCreate<int64> n
            for j in 0 .. n - 1 do
                let x = r.Experts.[j * k + c]
                let slot = groupOf.[x] * largest + fill.[x]
                fill.[x] <- fill.[x] + 1
                toSlot.[slot] <- int64 j
                fromSlot.[j] <- int64 slot
            idx toSlot, idx fromSlot
        let corners = Array.init k corner
        { Used = idx (used |> Array.map int64)
          ToSlots = corners |> Array.map fst
          FromSlots = corners |> Array.map snd
          Weights =
            Array.init k (fun c ->
                if k = 1 then None
                else Some(fromArray (Array.init n (fun j -> r.Weights.[j * k + c])) [| int64 n; 1L |] dtype device |> keep))
          Groups = int64 used.Length
          Largest = int64 largest }

    /// Plans by routing. A routing seen for the first time gets a plan owned by the caller's dispose scope (freed
    /// with the training step or evaluation chunk that made it): random-batch training makes new routings every
    /// step, and their index tensors must go with the step rather than wait for a finaliser. A routing seen again
    /// (full-signal training reuses one per layer for ever) gets a plan kept for as long as the routing lives.
    type PlanCache() =
        let seen = ConditionalWeakTable<Routing, obj>()
        let kept = ConditionalWeakTable<Routing, Plan>()
        member _.GetValue(r: Routing, make: bool -> Routing -> Plan) : Plan =
            match kept.TryGetValue r with
            | true, p -> p
            | _ ->
                match seen.TryGetValue r with
                | true, _ -> kept.GetValue(r, fun r -> make true r)
                | _ ->
                    seen.AddOrUpdate(r, obj ())
                    make false r

    /// One batched product per corner over the used experts: rows to slots [groups; largest; in], bmm with the
    /// used experts' weights plus their biases, and slots back to rows.
    let private expertLinear (plans: PlanCache) device dtype (r: Routing) (w: T) (b: T) (x: T) : T =
        let p = plans.GetValue(r, makePlan device dtype)
        // Intermediates get their own scope: autograd keeps what backward needs, and the rest is freed now rather
        // than at the end of the training step (a dispose scope would otherwise hold every temporary until then).
        use _ = torch.NewDisposeScope()
        let wUsed = w.index_select(0L, p.Used)
        let bUsed = b.index_select(0L, p.Used).unsqueeze(1L)
        let inDim, outDim = x.shape.[1], w.shape.[2]
        let corner c =
            let xs = x.index_select(0L, p.ToSlots.[c]).view(p.Groups, p.Largest, inDim)
            let ys = xs.bmm(wUsed).add(bUsed, one).view(p.Groups * p.Largest, outDim)
            let y = ys.index_select(0L, p.FromSlots.[c])
            match p.Weights.[c] with
            | Some weights -> y * weights
            | None -> y
        (Seq.init r.K corner |> Seq.reduce (fun a b -> a.add(b, one))).MoveToOuterDisposeScope()

    /// Gathers the K rows of every coordinate at once and blends them; index_select's backward scatter-adds into
    /// the table, so only the rows in use get a gradient.
    let private interpolate device dtype (r: Routing) (table: T) : T =
        use _ = torch.NewDisposeScope()
        let channels = table.shape.[1]
        let index = indices (r.Experts |> Array.map int64) device
        let weights = fromArray r.Weights [| int64 r.Count; int64 r.K; 1L |] dtype device
        let rows = table.index_select(0L, index).view(int64 r.Count, int64 r.K, channels)
        (rows * weights).sum(1L).MoveToOuterDisposeScope()

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
          matmul = fun a b -> a.matmul b
          concatLast = fun ts -> torch.cat(ResizeArray ts, -1L)
          sum = fun t -> t.sum()
          expertLinear = expertLinear (PlanCache()) dev dtype
          interpolate = interpolate dev dtype
          valueAndGrad = fun f args ->
              let leaves = args |> List.map (fun a -> a.detach().requires_grad_(true))
              let y = f leaves
              y.backward()
              let grads = leaves |> List.map (fun l -> l.grad.detach())
              (y.to_type(torch.ScalarType.Float64).item<float>(), grads)
          scope = fun () -> torch.NewDisposeScope() :> IDisposable
          keep = fun t -> t.MoveToOuterDisposeScope()
          free = fun t -> t.Dispose() }
