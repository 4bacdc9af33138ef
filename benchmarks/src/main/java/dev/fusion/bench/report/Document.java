package dev.fusion.bench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Replaces the generated figures block of docs/PERFORMANCE.md, leaving the prose around it. */
final class Document {

    static final String BEGIN =
            "<!-- BEGIN GENERATED FIGURES (./fusion bench replaces this block) -->";
    static final String END = "<!-- END GENERATED FIGURES -->";

    private Document() {
    }

    static void replaceFigures(Path doc, String figures, String resultsDir) throws IOException {
        String block = BEGIN + "\n" + figures.strip() + "\n\nRaw results of this run: `"
                + resultsDir + "` (CSV files, charts, per-run logs).\n" + END;
        String text = Files.exists(doc) ? Files.readString(doc) : "# Performance\n\n" + BEGIN
                + "\n" + END + "\n";
        int begin = text.indexOf(BEGIN);
        int end = text.indexOf(END);
        if (begin < 0 || end < begin) {
            text = text.stripTrailing() + "\n\n" + block + "\n";
        } else {
            text = text.substring(0, begin) + block + text.substring(end + END.length());
        }
        Files.writeString(doc, text);
    }
}
