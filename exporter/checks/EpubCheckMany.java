// Runs EPUBCheck on many EPUBs in one JVM (a JVM start costs more than checking a book).
//
//   java -cp epubcheck.jar EpubCheckMany.java OUTDIR a.epub b.epub ...
//
// For the n-th EPUB (from 1) it writes OUTDIR/n.json (EPUBCheck's JSON report),
// OUTDIR/n.log (what EPUBCheck printed) and OUTDIR/n.exit (its exit code: 0 valid,
// 1 errors, 2 or more a failure of the checker itself). Used by exporter.checks.epubcheck.

import com.adobe.epubcheck.tool.EpubChecker;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

public class EpubCheckMany {
    public static void main(String[] args) throws Exception {
        Path outdir = Path.of(args[0]);
        PrintStream out = System.out;
        PrintStream err = System.err;
        for (int i = 1; i < args.length; i++) {
            ByteArrayOutputStream log = new ByteArrayOutputStream();
            PrintStream capture = new PrintStream(log, true, StandardCharsets.UTF_8);
            System.setOut(capture);
            System.setErr(capture);
            int code;
            try {
                String report = outdir.resolve(i + ".json").toString();
                code = new EpubChecker().run(new String[] {args[i], "--json", report});
            } catch (Throwable t) {
                t.printStackTrace(capture);
                code = 3;
            } finally {
                System.setOut(out);
                System.setErr(err);
            }
            Files.write(outdir.resolve(i + ".log"), log.toByteArray());
            Files.writeString(outdir.resolve(i + ".exit"), Integer.toString(code));
        }
    }
}
