package io.jvmready.bundle;

import io.jvmready.DType;
import io.jvmready.Tensor;
import io.jvmready.TensorFileException;
import io.jvmready.Tensors;
import java.nio.ByteBuffer;
import java.util.Arrays;

/** Checks a stored tensor's dtype, shape and byte count before wrapping its bytes. */
final class TensorData {
  private TensorData() {}

  /** The {@link DType} a schema enum name stands for, or a refusal naming the tensor. */
  static DType dtype(String source, String tensor, String name) throws TensorFileException {
    try {
      return DType.valueOf(name);
    } catch (IllegalArgumentException e) {
      throw new TensorFileException(source, "tensor '" + tensor + "': unknown dtype " + name, e);
    }
  }

  /**
   * Wraps {@code data} (little-endian, C order) as a tensor after checking that it holds exactly
   * shape × item size bytes; a lying shape cannot overflow into a small size.
   */
  static Tensor wrap(String source, String name, DType dtype, long[] shape, ByteBuffer data)
      throws TensorFileException {
    String what = "tensor '" + name + "': ";
    boolean empty = false;
    for (long d : shape) {
      if (d < 0) {
        throw new TensorFileException(
            source, what + "negative dimension in shape " + Arrays.toString(shape));
      }
      empty |= d == 0;
    }
    long need = empty ? 0 : dtype.itemSize();
    boolean overflow = false;
    for (int i = 0; i < shape.length && !empty && !overflow; i++) {
      try {
        need = Math.multiplyExact(need, shape[i]);
      } catch (ArithmeticException e) {
        overflow = true;
      }
    }
    if (overflow || need != data.remaining()) {
      throw new TensorFileException(
          source,
          what
              + "data has "
              + data.remaining()
              + " bytes, "
              + dtype
              + " shape "
              + Arrays.toString(shape)
              + " needs "
              + (overflow ? "more than " + Long.MAX_VALUE : Long.toString(need)));
    }
    return Tensors.wrap(name, dtype, shape, data.slice());
  }
}
