package io.inmesh.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** A plain-text table with columns sized to their widest cell, as {@code linkerd viz stat} prints. */
final class Table {
  private final List<String[]> rows = new ArrayList<>();

  Table(String... header) {
    rows.add(header);
  }

  Table row(Object... cells) {
    String[] r = new String[cells.length];
    for (int i = 0; i < cells.length; i++) {
      r[i] = String.valueOf(cells[i]);
    }
    rows.add(r);
    return this;
  }

  int size() {
    return rows.size() - 1;
  }

  void print(PrintWriter out) {
    int[] width = new int[rows.get(0).length];
    for (String[] r : rows) {
      for (int i = 0; i < r.length; i++) {
        width[i] = Math.max(width[i], r[i].length());
      }
    }
    for (String[] r : rows) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < r.length; i++) {
        sb.append(r[i]);
        if (i < r.length - 1) {
          sb.append(" ".repeat(width[i] - r[i].length() + 2));
        }
      }
      out.println(sb.toString().stripTrailing());
    }
    out.flush();
  }
}
