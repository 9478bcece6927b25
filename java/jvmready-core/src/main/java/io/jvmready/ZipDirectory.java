package io.jvmready;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The central directory of a zip archive (zip64 aware), validated: every entry's local header and
 * data lie inside the file, before the directory, and no two entries overlap. Only what npz needs:
 * stored and deflated entries, no encryption, no multi-disk archives.
 */
final class ZipDirectory {
  /** One archive member. */
  static final class Entry {
    final String name;
    final int method;
    final long crc;
    final long compressedSize;
    final long size;
    final long localHeaderOffset;
    long dataOffset;

    Entry(String name, int method, long crc, long compressedSize, long size, long localHeaderOffset) {
      this.name = name;
      this.method = method;
      this.crc = crc;
      this.compressedSize = compressedSize;
      this.size = size;
      this.localHeaderOffset = localHeaderOffset;
    }
  }

  static final int STORED = 0;
  static final int DEFLATED = 8;

  private static final int EOCD_SIG = 0x06054b50;
  private static final int ZIP64_LOCATOR_SIG = 0x07064b50;
  private static final int ZIP64_EOCD_SIG = 0x06064b50;
  private static final int CENTRAL_SIG = 0x02014b50;
  private static final int LOCAL_SIG = 0x04034b50;
  private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

  private ZipDirectory() {}

  private static int u16(ByteSource s, long pos) {
    return s.getShort(pos, LE) & 0xFFFF;
  }

  private static long u32(ByteSource s, long pos) {
    return s.getInt(pos, LE) & 0xFFFFFFFFL;
  }

  /** Reads and validates the directory of the archive in {@code src}. */
  static List<Entry> read(ByteSource src, String source) throws TensorFileException {
    long len = src.length();
    long eocd = -1;
    for (long p = len - 22; p >= Math.max(0, len - 22 - 0xFFFF); p--) {
      if (src.getInt(p, LE) == EOCD_SIG && p + 22 + u16(src, p + 20) == len) {
        eocd = p;
        break;
      }
    }
    if (eocd < 0) {
      throw new TensorFileException(
          source, "not a zip archive: end of central directory not found (file truncated?)");
    }
    long entries = u16(src, eocd + 10);
    long cdSize = u32(src, eocd + 12);
    long cdOffset = u32(src, eocd + 16);
    long cdLimit = eocd;
    if (u16(src, eocd + 4) != 0 || u16(src, eocd + 6) != 0 || u16(src, eocd + 8) != entries) {
      throw new TensorFileException(source, "multi-disk zip archives are not supported");
    }
    if (entries == 0xFFFF || cdSize == 0xFFFFFFFFL || cdOffset == 0xFFFFFFFFL) {
      long locator = eocd - 20;
      if (locator < 0 || src.getInt(locator, LE) != ZIP64_LOCATOR_SIG) {
        throw new TensorFileException(source, "zip64 end of central directory locator missing");
      }
      long record = src.getLong(locator + 8, LE);
      if (record < 0 || record > locator - 56 || src.getInt(record, LE) != ZIP64_EOCD_SIG) {
        throw new TensorFileException(source, "zip64 end of central directory record missing or out of range");
      }
      entries = src.getLong(record + 32, LE);
      cdSize = src.getLong(record + 40, LE);
      cdOffset = src.getLong(record + 48, LE);
      cdLimit = record;
    }
    if (cdOffset < 0 || cdSize < 0 || cdOffset > cdLimit || cdSize > cdLimit - cdOffset) {
      throw new TensorFileException(
          source, "central directory [" + cdOffset + ", +" + cdSize + ") lies outside the archive");
    }
    if (entries < 0 || entries > cdSize / 46) {
      throw new TensorFileException(
          source, "central directory claims " + entries + " entries in " + cdSize + " bytes");
    }
    List<Entry> out = new ArrayList<>();
    Set<String> names = new HashSet<>();
    long p = cdOffset;
    long cdEnd = cdOffset + cdSize;
    for (long i = 0; i < entries; i++) {
      if (p > cdEnd - 46 || src.getInt(p, LE) != CENTRAL_SIG) {
        throw new TensorFileException(source, "central directory entry " + i + " is corrupt");
      }
      int flags = u16(src, p + 8);
      int method = u16(src, p + 10);
      long crc = u32(src, p + 16);
      long csize = u32(src, p + 20);
      long usize = u32(src, p + 24);
      int nameLen = u16(src, p + 28);
      int extraLen = u16(src, p + 30);
      int commentLen = u16(src, p + 32);
      long lho = u32(src, p + 42);
      if (p + 46 + nameLen + extraLen + commentLen > cdEnd) {
        throw new TensorFileException(source, "central directory entry " + i + " runs past the directory");
      }
      String name = new String(src.bytes(p + 46, nameLen), StandardCharsets.UTF_8);
      long extra = p + 46 + nameLen;
      boolean needUsize = usize == 0xFFFFFFFFL;
      boolean needCsize = csize == 0xFFFFFFFFL;
      boolean needOffset = lho == 0xFFFFFFFFL;
      long q = extra;
      while (q + 4 <= extra + extraLen) {
        int id = u16(src, q);
        int size = u16(src, q + 2);
        if (q + 4 + size > extra + extraLen) {
          throw new TensorFileException(source, "entry '" + name + "': extra field runs past its end");
        }
        if (id == 1) {
          long r = q + 4;
          long end = r + size;
          if (needUsize && r + 8 <= end) {
            usize = src.getLong(r, LE);
            r += 8;
            needUsize = false;
          }
          if (needCsize && r + 8 <= end) {
            csize = src.getLong(r, LE);
            r += 8;
            needCsize = false;
          }
          if (needOffset && r + 8 <= end) {
            lho = src.getLong(r, LE);
            needOffset = false;
          }
        }
        q += 4 + size;
      }
      if (needUsize || needCsize || needOffset) {
        throw new TensorFileException(source, "entry '" + name + "': zip64 sizes missing");
      }
      if ((flags & 1) != 0) {
        throw new TensorFileException(source, "entry '" + name + "' is encrypted");
      }
      if (method != STORED && method != DEFLATED) {
        throw new TensorFileException(
            source, "entry '" + name + "' uses compression method " + method + " (only stored and deflated are supported)");
      }
      if (csize < 0 || usize < 0 || lho < 0) {
        throw new TensorFileException(source, "entry '" + name + "': sizes or offset beyond 2^63");
      }
      if (method == STORED && csize != usize) {
        throw new TensorFileException(
            source, "stored entry '" + name + "': compressed size " + csize + " differs from size " + usize);
      }
      if (!names.add(name)) {
        throw new TensorFileException(source, "duplicate entry '" + name + "'");
      }
      out.add(new Entry(name, method, crc, csize, usize, lho));
      p += 46 + nameLen + extraLen + commentLen;
    }
    for (Entry e : out) {
      if (e.localHeaderOffset > cdOffset - 30
          || src.getInt(e.localHeaderOffset, LE) != LOCAL_SIG) {
        throw new TensorFileException(
            source, "entry '" + e.name + "': no local header at offset " + e.localHeaderOffset);
      }
      int nameLen = u16(src, e.localHeaderOffset + 26);
      int extraLen = u16(src, e.localHeaderOffset + 28);
      long start = e.localHeaderOffset + 30 + nameLen + extraLen;
      if (start > cdOffset || e.compressedSize > cdOffset - start) {
        throw new TensorFileException(
            source, "entry '" + e.name + "': data [" + start + ", +" + e.compressedSize
                + ") runs past the central directory at " + cdOffset);
      }
      byte[] localName = src.bytes(e.localHeaderOffset + 30, nameLen);
      if (!Arrays.equals(localName, e.name.getBytes(StandardCharsets.UTF_8))) {
        throw new TensorFileException(source, "entry '" + e.name + "': local header names another file");
      }
      e.dataOffset = start;
    }
    List<Entry> byOffset = new ArrayList<>(out);
    byOffset.sort(Comparator.comparingLong(e -> e.localHeaderOffset));
    for (int i = 1; i < byOffset.size(); i++) {
      Entry prev = byOffset.get(i - 1);
      Entry next = byOffset.get(i);
      if (prev.dataOffset + prev.compressedSize > next.localHeaderOffset) {
        throw new TensorFileException(
            source, "entries '" + prev.name + "' and '" + next.name + "' overlap");
      }
    }
    return Collections.unmodifiableList(out);
  }
}
