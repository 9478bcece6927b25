package io.jvmready;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The strict JSON and npy-header grammars. */
class ParserTest {

  private static Object json(String text) throws TensorFileException {
    return Json.parse(text, "t.json");
  }

  private static void badJson(String text, String why) {
    TensorFileException e = assertThrows(TensorFileException.class, () -> json(text), text);
    assertTrue(e.getMessage().startsWith("t.json: invalid JSON header"), e.getMessage());
    assertTrue(e.getMessage().contains(why), e.getMessage());
  }

  @Test
  void jsonAcceptsTheGrammar() throws TensorFileException {
    Object v = json(" {\"a\": [1, -2, 9223372036854775807], \"b\": \"\\u00e9\\n\\\"\", \"c\": {}, \"d\": 1.5e3, \"e\": null, \"f\": true} ");
    Map<?, ?> m = (Map<?, ?>) v;
    assertEquals(List.of(1L, -2L, Long.MAX_VALUE), m.get("a"));
    assertEquals("é\n\"", m.get("b"));
    assertEquals(1500.0, m.get("d"));
    assertEquals(Json.NULL, m.get("e"));
    assertEquals(List.of("a", "b", "c", "d", "e", "f"), List.copyOf(m.keySet()));
  }

  @Test
  void jsonRejectsWhatIsNotJson() {
    badJson("{\"a\": 1,}", "expected a string key");
    badJson("[1,]", "unexpected character");
    badJson("{\"a\": 01}", "expected '}'");
    badJson("{'a': 1}", "expected a string key");
    badJson("{\"a\": 1} x", "unexpected text after");
    badJson("{\"a\": 9223372036854775808}", "does not fit 64 bits");
    badJson("{\"a\": 1, \"a\": 2}", "duplicate key \"a\"");
    badJson("\"tab\there\"", "control character");
    badJson("[".repeat(100) + "]".repeat(100), "nested deeper than");
    badJson("{\"a\": tru}", "expected true");
    badJson("", "unexpected end");
  }

  private static NpyHeader npy(String dict) throws TensorFileException {
    byte[] text = dict.getBytes(StandardCharsets.ISO_8859_1);
    ByteBuffer b = ByteBuffer.allocate(10 + text.length + 8).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
    b.putShort((short) text.length).put(text).putLong(42);
    b.flip();
    return NpyHeader.read(ByteSource.of(b), b.remaining(), "t.npy");
  }

  @Test
  void npyHeaderVariantsNumpyAccepts() throws TensorFileException {
    NpyHeader h = npy("{\"shape\": (1,), \"fortran_order\": True, \"descr\": \"<i8\"}\n");
    assertEquals(DType.INT64, h.dtype);
    assertTrue(h.fortranOrder);
    assertArrayEquals(new long[] {1}, h.shape);
    assertArrayEquals(new long[] {1, 1}, npy("{'descr': '>u8', 'fortran_order': False, 'shape': (1L, 1L), }   ").shape);
    assertEquals(ByteOrder.BIG_ENDIAN, npy("{'descr':'>i8','fortran_order':False,'shape':(1,)}").order);
  }

  @Test
  void npyHeaderRejectsWhatNumpyWouldNot() {
    String[][] cases = {
      {"{'descr': '<i8', 'fortran_order': False, 'shape': (1,), 'x': 1}", "unexpected key 'x'"},
      {"{'descr': '<i8', 'descr': '<i8', 'fortran_order': False, 'shape': (1,)}", "duplicate key 'descr'"},
      {"{'descr': '<i8', 'fortran_order': 0, 'shape': (1,)}", "expected True or False"},
      {"{'descr': '<i8', 'fortran_order': False, 'shape': [1]}", "expected '('"},
      {"{'descr': '<i8', 'fortran_order': False, 'shape': (1,)} junk", "unexpected text after"},
      {"{'descr': '<i\\x38', 'fortran_order': False, 'shape': (1,)}", "escapes"},
      {"{'descr': '=i8', 'fortran_order': False, 'shape': (1,)}", "invalid byte-order mark"},
      {"{'descr': '<i8', 'fortran_order': False, 'shape': (99999999999999999999,)}", "does not fit 64 bits"},
    };
    for (String[] c : cases) {
      TensorFileException e = assertThrows(TensorFileException.class, () -> npy(c[0]), c[0]);
      assertTrue(e.getMessage().startsWith("t.npy: "), e.getMessage());
      assertTrue(e.getMessage().contains(c[1]), c[0] + " -> " + e.getMessage());
    }
  }
}
