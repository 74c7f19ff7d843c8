namespace LoE.Core

open System
open System.Runtime.InteropServices

/// libtorch's CPU tensors come from the C library's malloc. glibc hands blocks above its mmap threshold (at most
/// 32 MiB) to the kernel and back on every free, so a training step that makes and frees tensors of tens of MiB
/// paid fresh, zero-filled pages for each of them, every step. Measured with `loe bench` (one run each): LoE
/// nearest on the image shape 1.87 × dense with glibc's defaults, 1.19 × with freed memory kept in the heap; the
/// toy 2.35 × against 1.38 ×; the video's dense step 7.9 s against 2.2 s; image-fitting-quick's rows trained
/// 10–25 % faster. The cost is that the process keeps its high-water mark of memory until it exits.
module NativeHeap =
    [<DllImport("libc.so.6", EntryPoint = "mallopt")>]
    extern int private mallopt(int param, int value)

    // glibc's <malloc.h>.
    let private M_TRIM_THRESHOLD, M_TOP_PAD, M_MMAP_MAX, M_ARENA_MAX = -1, -2, -4, -8

    /// Whether the user chose the allocator's settings (MALLOC_* variables) or another allocator (LD_PRELOAD):
    /// theirs win.
    let private userChose () =
        let vars = Environment.GetEnvironmentVariables().Keys |> Seq.cast<string>
        vars |> Seq.exists (fun k -> k.StartsWith "MALLOC_" || k = "LD_PRELOAD")

    let private tuned =
        lazy
            if OperatingSystem.IsLinux() && not (userChose ()) then
                try
                    // One arena: threads that attach later (the runner's) share the heap that keeps memory.
                    // No mmap: big blocks come from the heap and go back to it. No trimming: freed memory stays
                    // (-1 is read as the largest size_t; the largest int, 2 GiB, was not enough: a video step
                    // frees more than that at once, and trimming every step kept the cost).
                    mallopt (M_ARENA_MAX, 1) |> ignore
                    mallopt (M_MMAP_MAX, 0) |> ignore
                    mallopt (M_TRIM_THRESHOLD, -1) |> ignore
                    mallopt (M_TOP_PAD, 64 <<< 20) |> ignore
                    true
                with :? DllNotFoundException | :? EntryPointNotFoundException -> false // not glibc (musl): its defaults
            else false

    /// Keeps freed native memory in the process (once per process; a no-op off glibc or when MALLOC_* or
    /// LD_PRELOAD is set). True when the settings were applied.
    let keepFreedMemory () = tuned.Force()
