namespace LoE.Core.Reference

/// Recording operations on a tape and reverse-mode differentiation over it.
[<CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module Tape =
    let create () : Tape = { Steps = ResizeArray() }

    /// A constant: not on any tape, so it gets no gradient.
    let constant (data: float[]) (shape: int[]) : Tensor = { Data = data; Shape = shape; Trace = None }

    /// The same values as a fresh leaf of the tape: the variables gradients are taken with respect to.
    let leaf (tape: Tape) (t: Tensor) : Tensor =
        let slot = tape.Steps.Count
        tape.Steps.Add { Inputs = [||]; Vjp = fun _ _ -> [||] }
        { t with Trace = Some { Tape = tape; Slot = slot } }

    /// The output of an op: recorded with its vector-Jacobian product when any input is on a tape, a constant
    /// otherwise. Nested tapes are not supported: inputs on another tape than the first one found count as
    /// constants.
    let record (inputs: Tensor[]) (data: float[]) (shape: int[]) (vjp: float[] -> bool[] -> float[] option[]) : Tensor =
        match inputs |> Array.tryPick (fun t -> t.Trace) with
        | None -> constant data shape
        | Some trace ->
            let tape = trace.Tape
            let slots =
                inputs |> Array.map (fun t ->
                    match t.Trace with
                    | Some tr when obj.ReferenceEquals(tr.Tape, tape) -> tr.Slot
                    | _ -> -1)
            let slot = tape.Steps.Count
            tape.Steps.Add { Inputs = slots; Vjp = vjp }
            { Data = data; Shape = shape; Trace = Some { Tape = tape; Slot = slot } }

    /// Gradients of the scalar `output` with respect to every slot of its tape (None where it does not depend on
    /// the slot), by walking the tape backwards and accumulating each op's vector-Jacobian products.
    let backward (output: Tensor) : float[] option[] =
        match output.Trace with
        | None -> [||]
        | Some trace ->
            let steps = trace.Tape.Steps
            let grads : float[] option[] = Array.create steps.Count None
            // A gradient array handed over by a VJP may be shared (e.g. add passes g to both operands), so it is
            // copied before the first in-place accumulation into it.
            let owned = Array.zeroCreate<bool> steps.Count
            grads.[trace.Slot] <- Some(Array.create output.Data.Length 1.0)
            let accumulate slot (g: float[]) =
                match grads.[slot] with
                | None -> grads.[slot] <- Some g
                | Some existing when owned.[slot] -> Kernels.addInto existing g
                | Some existing ->
                    let sum = Array.copy existing
                    Kernels.addInto sum g
                    grads.[slot] <- Some sum
                    owned.[slot] <- true
            for i in trace.Slot .. -1 .. 0 do
                let step = steps.[i]
                match grads.[i] with
                | Some g when step.Inputs.Length > 0 ->
                    let needs = step.Inputs |> Array.map (fun s -> s >= 0)
                    let inputGrads = step.Vjp g needs
                    step.Inputs |> Array.iteri (fun k s ->
                        match inputGrads.[k] with
                        | Some gk when s >= 0 -> accumulate s gk
                        | _ -> ())
                    // Intermediate gradients are not needed once passed on.
                    grads.[i] <- None
                | _ -> ()
            grads
