namespace LoE.Host.Metrics;

/// <summary>
/// Frees the batch axis of an ONNX model whose graph inputs and outputs were exported with batch size 1 (the CNTK
/// export of ML.NET's ResNet-18 is), so that onnxruntime accepts batches. It rewrites only the protobuf: the first
/// dimension of every graph input and output becomes the symbolic "N", and the intermediate shapes (value_info),
/// which would pin the batch to 1 again, are dropped; onnxruntime infers them. Valid only for graphs that never
/// mix the batch with another axis (convolutions, pooling, element-wise ops; no Reshape/Flatten).
/// </summary>
internal static class OnnxBatchAxis
{
    // Field numbers of onnx.proto3.
    const int ModelGraph = 7, GraphNode = 1, GraphInput = 11, GraphOutput = 12, GraphValueInfo = 13;
    const int ValueInfoType = 2, TypeTensor = 1, TensorShape = 2, ShapeDim = 1, DimValue = 1, DimParam = 2;
    const int NodeOpType = 4;

    public static byte[] Free(byte[] model)
    {
        var graphFound = false;
        var result = Rewrite(model, (field, payload) =>
        {
            if (field != ModelGraph) return payload;
            graphFound = true;
            return RewriteGraph(payload);
        });
        if (!graphFound) throw new InvalidDataException("the ONNX model has no graph");
        return result;
    }

    static byte[] RewriteGraph(byte[] graph)
    {
        foreach (var (field, _, payload) in Fields(graph))
            if (field == GraphNode)
                foreach (var (f, _, p) in Fields(payload))
                    if (f == NodeOpType && System.Text.Encoding.UTF8.GetString(p) is "Reshape" or "Flatten" or "Gemm" or "MatMul")
                        throw new InvalidDataException($"the batch axis cannot be freed in a graph with {System.Text.Encoding.UTF8.GetString(p)}");
        return Rewrite(graph, (field, payload) => field switch
        {
            GraphInput or GraphOutput => Rewrite(payload, (f, p) => f != ValueInfoType ? p :
                Rewrite(p, (f2, p2) => f2 != TypeTensor ? p2 :
                    Rewrite(p2, (f3, p3) => f3 != TensorShape ? p3 : FreeFirstDim(p3)))),
            GraphValueInfo => null,
            _ => payload,
        });
    }

    static byte[] FreeFirstDim(byte[] shape)
    {
        var first = true;
        return Rewrite(shape, (field, dim) =>
        {
            if (field != ShapeDim || !first) return dim;
            first = false;
            using var o = new MemoryStream();
            WriteLengthDelimited(o, DimParam, "N"u8.ToArray());
            return o.ToArray();
        });
    }

    /// Copies a message, passing each length-delimited field through `map` (null drops the field).
    static byte[] Rewrite(byte[] message, Func<int, byte[], byte[]?> map)
    {
        using var o = new MemoryStream(message.Length);
        foreach (var (field, wire, payload) in Fields(message))
        {
            if (wire != 2) { WriteRaw(o, field, wire, payload); continue; }
            var mapped = map(field, payload);
            if (mapped is not null) WriteLengthDelimited(o, field, mapped);
        }
        return o.ToArray();
    }

    /// Fields of a protobuf message: number, wire type and payload (for varints and fixed widths, their raw bytes).
    static IEnumerable<(int Field, int Wire, byte[] Payload)> Fields(byte[] b)
    {
        var i = 0;
        while (i < b.Length)
        {
            var key = ReadVarint(b, ref i);
            int field = (int)(key >> 3), wire = (int)(key & 7);
            int start = i;
            switch (wire)
            {
                case 0: ReadVarint(b, ref i); yield return (field, wire, b[start..i]); break;
                case 1: i += 8; yield return (field, wire, b[start..i]); break;
                case 5: i += 4; yield return (field, wire, b[start..i]); break;
                case 2:
                    var length = checked((int)ReadVarint(b, ref i));
                    yield return (field, wire, b[i..(i + length)]);
                    i += length;
                    break;
                default: throw new InvalidDataException($"unsupported protobuf wire type {wire} in the ONNX model");
            }
        }
    }

    static ulong ReadVarint(byte[] b, ref int i)
    {
        ulong r = 0;
        for (var shift = 0; ; shift += 7)
        {
            var c = b[i++];
            r |= (ulong)(c & 0x7f) << shift;
            if (c < 0x80) return r;
        }
    }

    static void WriteVarint(Stream o, ulong v)
    {
        while (v >= 0x80) { o.WriteByte((byte)(v | 0x80)); v >>= 7; }
        o.WriteByte((byte)v);
    }

    static void WriteRaw(Stream o, int field, int wire, byte[] payload)
    {
        WriteVarint(o, (ulong)field << 3 | (uint)wire);
        o.Write(payload);
    }

    static void WriteLengthDelimited(Stream o, int field, byte[] payload)
    {
        WriteVarint(o, (ulong)field << 3 | 2);
        WriteVarint(o, (ulong)payload.Length);
        o.Write(payload);
    }
}
