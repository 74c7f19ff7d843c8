using System.Runtime.CompilerServices;

// The metrics tests reach the ONNX model's folder and the resize directly (tests/GanFeatureTests.fs).
[assembly: InternalsVisibleTo("LoE.Tests")]
