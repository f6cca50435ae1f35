import { Writer } from 'protobufjs/minimal';

/**
 * The three ONNX graphs DepthLab runs on onnxruntime, as ModelProto bytes: a batched product
 * a·b, the same with a transposed (aᵀ·b: weight gradients), and x·wᵀ (the LM head against its
 * table as stored). Every dimension is symbolic, so one session serves every shape. Field numbers
 * are onnx.proto's (IR version 8, opset 17).
 */
export type ProductGraph = 'product' | 'productTransposedA' | 'productTransposedB';

const FLOAT = 1;
const ATTRIBUTE_INT = 2;
const ATTRIBUTE_INTS = 7;

type Attribute = { name: string; int: number } | { name: string; ints: number[] };

/** A length-delimited field `field` holding what `write` puts in it. */
function message(writer: Writer, field: number, write: (inner: Writer) => void): void {
  writer.uint32((field << 3) | 2).fork();
  write(writer);
  writer.ldelim();
}

/** ValueInfoProto: a float tensor input or output with named (symbolic) dimensions. */
function tensorValue(writer: Writer, field: number, name: string, dims: string[]): void {
  message(writer, field, (value) => {
    value.uint32((1 << 3) | 2).string(name);
    message(value, 2, (type) =>
      message(type, 1, (tensor) => {
        tensor.uint32(1 << 3).int32(FLOAT);
        message(tensor, 2, (shape) => {
          for (const dim of dims) message(shape, 1, (d) => d.uint32((2 << 3) | 2).string(dim));
        });
      }),
    );
  });
}

/** NodeProto: one operator with its inputs, outputs and integer attributes. */
function node(writer: Writer, op: string, inputs: string[], outputs: string[], attributes: Attribute[] = []): void {
  message(writer, 1, (n) => {
    for (const input of inputs) n.uint32((1 << 3) | 2).string(input);
    for (const output of outputs) n.uint32((2 << 3) | 2).string(output);
    n.uint32((4 << 3) | 2).string(op);
    for (const attribute of attributes) {
      message(n, 5, (a) => {
        a.uint32((1 << 3) | 2).string(attribute.name);
        if ('int' in attribute) a.uint32(3 << 3).int64(attribute.int).uint32(20 << 3).int32(ATTRIBUTE_INT);
        else {
          for (const value of attribute.ints) a.uint32(8 << 3).int64(value);
          a.uint32(20 << 3).int32(ATTRIBUTE_INTS);
        }
      });
    }
  });
}

/** The model bytes of one graph: inputs a and b, output y. */
export function productGraph(graph: ProductGraph): Uint8Array {
  const writer = Writer.create();
  writer.uint32(1 << 3).int64(8);
  message(writer, 8, (opset) => opset.uint32((1 << 3) | 2).string('').uint32(2 << 3).int64(17));
  message(writer, 7, (g) => {
    if (graph === 'product') {
      node(g, 'MatMul', ['a', 'b'], ['y']);
      tensorValue(g, 11, 'a', ['batch', 'm', 'k']);
      tensorValue(g, 11, 'b', ['batch', 'k', 'n']);
      tensorValue(g, 12, 'y', ['batch', 'm', 'n']);
    } else if (graph === 'productTransposedA') {
      node(g, 'Transpose', ['a'], ['aT'], [{ name: 'perm', ints: [0, 2, 1] }]);
      node(g, 'MatMul', ['aT', 'b'], ['y']);
      tensorValue(g, 11, 'a', ['batch', 'k', 'm']);
      tensorValue(g, 11, 'b', ['batch', 'k', 'n']);
      tensorValue(g, 12, 'y', ['batch', 'm', 'n']);
    } else {
      node(g, 'Gemm', ['a', 'b'], ['y'], [{ name: 'transB', int: 1 }]);
      tensorValue(g, 11, 'a', ['m', 'k']);
      tensorValue(g, 11, 'b', ['n', 'k']);
      tensorValue(g, 12, 'y', ['m', 'n']);
    }
    g.uint32((2 << 3) | 2).string(graph);
  });
  return writer.finish();
}
