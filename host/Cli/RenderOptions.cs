using CommandLine;

namespace LoE.Host.Cli;

[Verb("render", HelpText = "Render a trained representation at any resolution from its run folder (checkpoint.bin + config.yaml).")]
public sealed class RenderOptions : RunFolderOptions
{
    [Option("size", Min = 2, Max = 2, HelpText = "Width and height in pixels, e.g. --size 1024 1024 (default: the fitted signal's).")]
    public IEnumerable<int> Size { get; set; } = [];

    [Option("scale", HelpText = "Multiply the fitted signal's width and height by S, e.g. --scale 4 (a sound: its sample rate).")]
    public double? Scale { get; set; }

    [Option("frames", HelpText = "Video: number of frames spread over the clip's time (default: the fitted video's).")]
    public int? Frames { get; set; }

    [Option("orbit", HelpText = "Scene: render N frames along a turntable around the scene (PNG frames and a GIF) instead of the test views.")]
    public int? Orbit { get; set; }

    [Option('o', "out", HelpText = "Output: a PNG file for images, a folder of frames for videos and scenes, a WAV file for sounds (default: RUN_DIR/render-WxH[xT], render-test-WxH, render-orbit-WxH, render-N.wav).")]
    public string? Out { get; set; }
}
