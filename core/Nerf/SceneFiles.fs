namespace LoE.Core.Nerf

open LoE.Core

/// What a scene loader reads, handed in by the host: the core parses scene folders but does no file I/O itself
/// (host/Data/SceneFile.cs gives the disk's; tests may give stand-ins).
type SceneFiles =
    { /// Whether a file exists.
      FileExists: string -> bool
      /// Whether a folder exists.
      FolderExists: string -> bool
      /// A text file's contents.
      ReadText: string -> string
      /// The files of a folder (full paths).
      List: string -> string[]
      /// An image as RGBA (4 channels) or RGB, resized to (width, height) when given.
      Decode: string -> (int * int) option -> Image }
