module LoE.Tests.TaskTableTests

open System.IO
open Xunit
open LoE.Host.Config
open LoE.Host.Tasks

/// One run of every kind of data, each selecting its task by its data key.
let private yamlText =
    """
model: &model {widths: [4], tile: [1, 1], layout: pe-mlp}
train: &train {iterations: 1, lr: 0.01}
experiments:
  image: {data: {image: camera.png, size: 8}, model: *model, train: *train}
  video: {data: {video: "generated:pan-zoom:camera.png", size: 8, frames: 2}, model: {widths: [4], tile: [1, 1, 1], layout: pe-mlp}, train: *train}
  scene: {data: {scene: procedural, size: 8}, model: {widths: [4], tile: [1, 1, 1], layout: pe-mlp}, train: {iterations: 1, lr: 0.01, batch_size: 4}}
  audio: {data: {audio: "generated:chord"}, model: {widths: [4], tile: [1], layout: pe-mlp}, train: *train}
  gan: {data: {images: fashion-mnist}, train: {iterations: 1, lr: 0.01, batch_size: 4}}
"""

let private runs () =
    let f = ExperimentFile.Parse(yamlText, "exp.yaml", Path.Combine(Generators.repoRoot, "data"))
    [ for name in [ "image"; "video"; "scene"; "audio"; "gan" ] -> name, (Sweep.Expand(f, f.Find name)).[0] ]

[<Fact>]
let ``each kind of data has one task, found again from the keys its config.yaml records`` () =
    let expected = dict [ "image", typeof<SignalTask>; "video", typeof<SignalTask>; "scene", typeof<SceneTask>; "audio", typeof<AudioTask>; "gan", typeof<GanTask> ]
    for name, run in runs () do
        let task = TaskTable.For run.Config.Data
        Assert.Equal(expected.[name], task.GetType())
        // What loe report sees: config.yaml's keys, without the experiments file.
        Assert.Same(task, TaskTable.ForRecorded(run.Config.Values |> Seq.map (fun v -> v.Key)))
        Assert.Single(TaskTable.All, fun t -> Seq.contains run.Config.Data.SourceKey t.SourceKeys) |> ignore

[<Fact>]
let ``the coordinates a task gives a point are the tile's length its configuration accepts`` () =
    for name, run in runs () do
        if name <> "gan" then
            let struct (dims, _) = (TaskTable.For run.Config.Data).Coordinates(run.Config.Data)
            Assert.Equal(run.Config.Model.Tile.Length, dims)
