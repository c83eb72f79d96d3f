package io.deagent.core.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LogReaderTest {

    private final LogReader reader = new LogReader();

    private LogDocument read(byte[] bytes) throws IOException {
        return reader.read(new ByteArrayInputStream(bytes));
    }

    @Test
    void keepsOneBasedLineNumbersAndStripsAnsiAndCarriageReturns() throws IOException {
        String log = "INFO start\r\nINFO step\r\n\u001B[31mERROR boom: connection refused\u001B[0m\r\nINFO done\r\n";
        LogDocument doc = read(log.getBytes(StandardCharsets.UTF_8));
        LogLine error = doc.lines().stream()
                .filter(l -> l.text().contains("boom"))
                .findFirst()
                .orElseThrow();
        assertThat(error.number()).isEqualTo(3);
        assertThat(error.text()).isEqualTo("ERROR boom: connection refused");
        assertThat(doc.totalLines()).isEqualTo(4);
    }

    @Test
    void readsUtf16WithAndWithoutByteOrderMark() throws IOException {
        String log = "line one\nERROR: column \"größe\" does not exist\n";
        byte[] le = log.getBytes(StandardCharsets.UTF_16LE);
        byte[] withBom = new byte[le.length + 2];
        withBom[0] = (byte) 0xFF;
        withBom[1] = (byte) 0xFE;
        System.arraycopy(le, 0, withBom, 2, le.length);
        for (byte[] input : new byte[][] {withBom, le}) {
            LogDocument doc = read(input);
            assertThat(doc.encoding()).isEqualTo("UTF-16LE");
            assertThat(doc.line(2)).map(LogLine::text).contains("ERROR: column \"größe\" does not exist");
        }
        LogDocument be = read(log.getBytes(StandardCharsets.UTF_16BE));
        assertThat(be.encoding()).isEqualTo("UTF-16BE");
        assertThat(be.line(2)).isPresent();
    }

    @Test
    void survivesLatin1AndInvalidBytes() throws IOException {
        byte[] latin1 = "ERROR: invalid value 'Café' in column\n".getBytes(StandardCharsets.ISO_8859_1);
        LogDocument doc = read(latin1);
        assertThat(doc.encoding()).isEqualTo("ISO-8859-1");
        assertThat(doc.line(1)).map(LogLine::text).contains("ERROR: invalid value 'Café' in column");
    }

    @Test
    void binaryInputDoesNotCrash() throws IOException {
        byte[] noise = new byte[200_000];
        new Random(7).nextBytes(noise);
        LogDocument doc = read(noise);
        assertThat(doc.binary()).isTrue();
        assertThat(doc.bytes()).isEqualTo(200_000);
    }

    @Test
    void emptyInputIsEmpty() throws IOException {
        LogDocument doc = read(new byte[0]);
        assertThat(doc.isEmpty()).isTrue();
        assertThat(doc.totalLines()).isZero();
    }

    @Test
    void hugeLineWithoutNewlineIsReadInBoundedPiecesAndKeepsItsNumber() throws IOException {
        // 64 MB on one line, the error at the very end: streamed, never held whole
        long size = 64L << 20;
        byte[] tail = " java.lang.OutOfMemoryError: Java heap space".getBytes(StandardCharsets.US_ASCII);
        InputStream in = new InputStream() {
            long pos;

            @Override
            public int read() {
                throw new UnsupportedOperationException("bulk reads only");
            }

            @Override
            public int read(byte[] b, int off, int len) {
                long total = size + tail.length;
                if (pos >= total) {
                    return -1;
                }
                int n = (int) Math.min(len, total - pos);
                for (int i = 0; i < n; i++) {
                    long p = pos + i;
                    b[off + i] = p < size ? (byte) 'x' : tail[(int) (p - size)];
                }
                pos += n;
                return n;
            }
        };
        LogDocument doc = reader.read(in);
        assertThat(doc.totalLines()).isEqualTo(1);
        assertThat(doc.lines()).anyMatch(l -> l.number() == 1 && l.text().contains("OutOfMemoryError"));
        assertThat(doc.lines().stream().mapToInt(l -> l.text().length()).max().orElse(0))
                .isLessThanOrEqualTo(LogReader.Limits.defaults().maxLineBytes());
    }

    @Test
    void parsesAirflowAndLog4jPrefixes() {
        LogDocument doc =
                reader.read("[2024-03-05, 02:14:07 UTC] {taskinstance.py:2698} ERROR - Task failed with exception\n"
                        + "24/03/05 02:14:07 WARN TaskSetManager: Lost task 1.0 in stage 3.0 (TID 7): boom error\n"
                        + "[2023-01-15 08:15:23,735] {{taskinstance.py:1035}} ERROR - mwaa style error\n");
        assertThat(doc.line(1).orElseThrow().format()).isEqualTo(LogLine.Format.AIRFLOW);
        assertThat(doc.line(1).orElseThrow().level()).contains("ERROR");
        assertThat(doc.line(1).orElseThrow().message()).isEqualTo("Task failed with exception");
        assertThat(doc.line(2).orElseThrow().format()).isEqualTo(LogLine.Format.LOG4J);
        assertThat(doc.line(2).orElseThrow().level()).contains("WARN");
        assertThat(doc.line(3).orElseThrow().message()).isEqualTo("mwaa style error");
    }

    @Test
    void javaChainRootCauseIsTheDeepestCauseThatIsNotAWrapper() {
        LogDocument doc = reader.read("""
                24/03/05 02:14:07 ERROR Executor: Exception in task 3.0 in stage 12.0 (TID 812)
                org.apache.spark.SparkException: Job aborted due to stage failure: Task 3 in stage 12.0 failed 4 times
                \tat org.apache.spark.scheduler.DAGScheduler.failJobAndIndependentStages(DAGScheduler.scala:2672)
                \tat org.apache.spark.scheduler.DAGScheduler.abortStage(DAGScheduler.scala:2608)
                Caused by: java.util.concurrent.ExecutionException: wrapped
                \tat java.base/java.util.concurrent.FutureTask.report(FutureTask.java:122)
                \t... 12 more
                Caused by: java.io.FileNotFoundException: File s3://bucket/a.parquet does not exist
                \tat org.apache.hadoop.fs.s3a.S3AFileSystem.getFileStatus(S3AFileSystem.java:3866)
                \tSuppressed: java.lang.IllegalStateException: cleanup failed
                \t\tat x.y.Z.close(Z.java:1)
                \t... 20 more
                """);
        ExceptionChain chain = doc.primaryChain().orElseThrow();
        assertThat(chain.links())
                .extracting(ThrownException::simpleName)
                .containsExactly("SparkException", "ExecutionException", "FileNotFoundException");
        assertThat(chain.rootCause().className()).isEqualTo("java.io.FileNotFoundException");
        assertThat(chain.rootCause().line()).isEqualTo(8);
    }

    @Test
    void pythonChainedTracebacksPutTheOriginalCauseAtTheRoot() {
        LogDocument doc = reader.read("""
                Traceback (most recent call last):
                  File "/opt/airflow/dags/load.py", line 10, in load
                    row["customer_idd"]
                KeyError: 'customer_idd'

                During handling of the above exception, another exception occurred:

                Traceback (most recent call last):
                  File "/opt/airflow/dags/load.py", line 12, in load
                    raise AirflowException("load failed")
                airflow.exceptions.AirflowException: load failed
                """);
        ExceptionChain chain = doc.primaryChain().orElseThrow();
        assertThat(chain.links())
                .extracting(ThrownException::simpleName)
                .containsExactly("AirflowException", "KeyError");
        assertThat(chain.rootCause().message()).isEqualTo("'customer_idd'");
        assertThat(chain.rootCause().line()).isEqualTo(4);
    }

    @Test
    void py4jErrorCarriesTheJavaTraceBehindIt() {
        LogDocument doc = reader.read("""
                Traceback (most recent call last):
                  File "/opt/jobs/etl.py", line 42, in <module>
                    df.write.mode("append").saveAsTable("sales.orders")
                py4j.protocol.Py4JJavaError: An error occurred while calling o123.saveAsTable.
                : org.apache.spark.SparkException: Job aborted due to stage failure: boom
                \tat org.apache.spark.scheduler.DAGScheduler.abortStage(DAGScheduler.scala:2608)
                Caused by: org.apache.spark.shuffle.FetchFailedException: Failed to connect to ip-10-0-0-1/10.0.0.1:7337
                \tat org.apache.spark.storage.ShuffleBlockFetcherIterator.throwFetchFailedException(ShuffleBlockFetcherIterator.scala:1232)
                """);
        ExceptionChain chain = doc.primaryChain().orElseThrow();
        assertThat(chain.links())
                .extracting(ThrownException::simpleName)
                .containsExactly("Py4JJavaError", "SparkException", "FetchFailedException");
        assertThat(chain.rootCause().simpleName()).isEqualTo("FetchFailedException");
    }

    @Test
    void airflow3JsonLinesCarryTheirExceptions() {
        LogDocument doc = reader.read(
                "{\"timestamp\":\"2025-01-09T07:17:10.071638\",\"level\":\"error\",\"event\":\"Task failed with exception\","
                        + "\"logger\":\"task\",\"error_detail\":[{\"exc_type\":\"ValueError\",\"exc_value\":\"bad row\","
                        + "\"syntax_error\":null,\"is_cause\":false,\"frames\":[]}]}\n");
        assertThat(doc.line(1).orElseThrow().format()).isEqualTo(LogLine.Format.AIRFLOW_JSON);
        assertThat(doc.line(1).orElseThrow().level()).contains("ERROR");
        assertThat(doc.primaryChain().orElseThrow().rootCause().className()).isEqualTo("ValueError");
    }

    @Test
    void embeddedCauseInsideASparkMessageIsFound() {
        LogDocument doc = reader.read(
                "Exception in thread \"main\" org.apache.spark.SparkException: Job aborted due to stage failure: Task 0 in"
                        + " stage 1.0 failed 1 times, most recent failure: Lost task 0.0 in stage 1.0 (TID 1) (localhost"
                        + " executor driver): java.lang.OutOfMemoryError: Java heap space\n"
                        + "\tat org.apache.spark.scheduler.DAGScheduler.abortStage(DAGScheduler.scala:2608)\n");
        assertThat(doc.primaryChain().orElseThrow().rootCause().className()).isEqualTo("java.lang.OutOfMemoryError");
    }

    @Test
    void aFileReadInParallelPartsGivesTheSameDocumentAsAStream(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws IOException {
        // stack traces and errors all over a 6 MB file, read in 1 MB parts on 3 threads and as one stream
        StringBuilder sb = new StringBuilder();
        Random random = new Random(3);
        int line = 0;
        while (sb.length() < 6 << 20) {
            if (random.nextInt(400) == 0) {
                sb.append("24/03/05 02:14:07 ERROR Executor: Exception in task ")
                        .append(line)
                        .append(".0 in stage 1.0\n");
                sb.append("java.io.IOException: Connection reset by peer\n");
                for (int f = 0; f < 30; f++) {
                    sb.append("\tat org.apache.spark.Frame")
                            .append(f)
                            .append(".run(Frame.java:")
                            .append(f)
                            .append(")\n");
                }
            } else {
                sb.append("24/03/05 02:14:07 INFO TaskSetManager: Finished task ")
                        .append(line)
                        .append(".0 in stage 1.0\n");
            }
            line++;
        }
        sb.append("Exception in thread \"main\" java.lang.OutOfMemoryError: Java heap space");
        java.nio.file.Path file = dir.resolve("driver.log");
        java.nio.file.Files.writeString(file, sb.toString());
        LogReader.Limits d = LogReader.Limits.defaults();
        LogReader parallel = new LogReader(new LogReader.Limits(
                d.maxLineBytes(), d.headChars(), d.tailChars(), d.maxBlockLines(), d.contextAfter(), 1 << 20, 3));
        LogDocument inParts = parallel.read(file);
        LogDocument streamed;
        try (InputStream in = java.nio.file.Files.newInputStream(file)) {
            streamed = reader.read(in);
        }
        assertThat(inParts.totalLines()).isEqualTo(streamed.totalLines());
        assertThat(inParts.bytes()).isEqualTo(streamed.bytes());
        assertThat(inParts.lines())
                .extracting(LogLine::number)
                .containsExactlyElementsOf(
                        streamed.lines().stream().map(LogLine::number).toList());
        assertThat(inParts.lines())
                .extracting(LogLine::text)
                .containsExactlyElementsOf(
                        streamed.lines().stream().map(LogLine::text).toList());
        assertThat(inParts.chains()).hasSameSizeAs(streamed.chains());
    }

    @Test
    void gzippedLogsAreReadThroughTheirCompression() throws IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (var gz = new java.util.zip.GZIPOutputStream(bytes)) {
            gz.write(
                    "INFO start\nERROR: relation \"staging.orders\" does not exist\n".getBytes(StandardCharsets.UTF_8));
        }
        LogDocument doc = read(bytes.toByteArray());
        assertThat(doc.binary()).isFalse();
        assertThat(doc.line(2)).map(LogLine::text).contains("ERROR: relation \"staging.orders\" does not exist");
    }

    @Test
    void aGzipCutShortIsReadAsFarAsItGoes() throws IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (var gz = new java.util.zip.GZIPOutputStream(bytes)) {
            for (int i = 0; i < 20_000; i++) {
                gz.write(("INFO step " + i + " of the nightly load\n").getBytes(StandardCharsets.UTF_8));
            }
            gz.write("ERROR: relation \"staging.orders\" does not exist\n".getBytes(StandardCharsets.UTF_8));
        }
        byte[] whole = bytes.toByteArray();
        LogDocument cut = read(java.util.Arrays.copyOf(whole, whole.length / 2));
        assertThat(cut.totalLines()).isPositive();
        assertThat(cut.notes()).singleElement().asString().contains("gzip archive is damaged or cut short");
    }

    @Test
    void anyBytesInAnyChunkingCountTheSameLinesAsAPlainCount() throws IOException {
        Random random = new Random(11);
        String[] pieces = {
            "ERROR boom\n",
            "INFO ok\n",
            "\tat x.Y.z(Y.java:1)\n",
            "\r\n",
            "\n",
            "Caused by: a.B: c\n",
            "é",
            "\u001B[31m",
            "x".repeat(40_000),
            "Traceback (most recent call last):\n",
            "\u0000"
        };
        for (int round = 0; round < 30; round++) {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            int n = random.nextInt(400);
            for (int i = 0; i < n; i++) {
                out.writeBytes(pieces[random.nextInt(pieces.length)].getBytes(StandardCharsets.UTF_8));
            }
            byte[] bytes = out.toByteArray();
            long newlines = 0;
            for (byte b : bytes) {
                newlines += b == '\n' ? 1 : 0;
            }
            long expected = newlines + (bytes.length > 0 && bytes[bytes.length - 1] != '\n' ? 1 : 0);
            int chunk = 1 + random.nextInt(5000);
            InputStream trickle = new java.io.FilterInputStream(new java.io.ByteArrayInputStream(bytes)) {
                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    return super.read(b, off, Math.min(len, chunk));
                }
            };
            LogDocument doc = reader.read(trickle);
            assertThat(doc.totalLines()).as("round %d", round).isEqualTo(expected);
            assertThat(doc.bytes()).isEqualTo(bytes.length);
            assertThat(doc.lines()).allSatisfy(l -> assertThat(l.number()).isBetween(1, (int) Math.max(1, expected)));
        }
    }
}
