package io.deagent.app.web;

import io.deagent.app.store.IncidentStore;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The patterns page: a stacked bar chart of failures per day by category, drawn on the server as SVG
 * (each category has its own colour and its own hatching, and a legend and a table say the same in
 * words), the top recurring signatures, and the diagnosis accuracy people reported per category.
 */
public final class PatternsView {

    /** Categories drawn on their own; the rest are drawn together as "other". */
    static final int SHOWN_CATEGORIES = 6;

    static final int WIDTH = 1200;
    static final int HEIGHT = 300;
    static final int LEFT = 44;
    static final int RIGHT = 12;
    static final int TOP = 22;
    static final int BOTTOM = 34;

    // Okabe-Ito: distinguishable with the common colour-vision deficiencies; the hatching does the rest
    private static final String[] COLOURS = {"#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00"};
    private static final String[] HATCHES = {
        "", "M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4", "M0,4 h8", "M4,0 v8", "M0,0 l8,8 M8,0 l-8,8", "M3,4 h2 M4,3 v2"
    };
    private static final String OTHER = "other";
    private static final String PENDING = "not diagnosed yet";

    private PatternsView() {}

    /** A category as drawn: its fill (an SVG pattern) and what it means. */
    public record Series(String id, String label, String words, String colour, String hatch, long total) {}

    public record Bar(String x, String y, String width, String height, String fill, String title) {}

    /** One day's stacked bar, its total above it and its label under the axis (when there is room). */
    public record Column(
            String x,
            String centre,
            String labelY,
            String label,
            boolean showLabel,
            String totalY,
            long total,
            boolean showTotal,
            List<Bar> bars) {}

    public record Tick(String y, String label) {}

    public record Chart(
            int width,
            int height,
            int left,
            int right,
            int top,
            int bottom,
            List<Series> series,
            List<Column> columns,
            List<Tick> ticks,
            String summary,
            boolean empty) {}

    /** One day of the chart's table. */
    public record TableRow(String day, List<Long> counts, long total) {}

    public record DagLink(String dagId, String taskId, long count, String href) {}

    public record RecurringRow(
            String signature,
            String shortSignature,
            IncidentViews.Category category,
            long count,
            Display.Time firstSeen,
            Display.Time lastSeen,
            List<DagLink> dags,
            String fixClass,
            String fixWords,
            String fixSummary,
            String lastIncidentHref,
            long lastIncidentId) {}

    public record AccuracyRow(
            IncidentViews.Category category, long correct, long wrong, long total, String accuracy, String meter) {}

    public record Option(String value, String text, boolean selected) {}

    /** Everything the patterns template shows. */
    public record Page(
            IncidentsPage.Chrome chrome,
            List<Option> windows,
            String firstDay,
            String lastDay,
            long failures,
            Chart chart,
            List<TableRow> table,
            List<RecurringRow> recurring,
            List<AccuracyRow> accuracy) {}

    static Page page(IncidentsPage.Chrome chrome, Patterns p) {
        Chart chart = chart(p);
        List<Option> windows = new ArrayList<>();
        for (int d : new int[] {7, 14, 30, 90}) {
            windows.add(new Option(String.valueOf(d), "last " + d + " days", d == p.days()));
        }
        if (List.of(7, 14, 30, 90).stream().noneMatch(d -> d == p.days())) {
            windows.add(new Option(String.valueOf(p.days()), "last " + p.days() + " days", true));
        }
        return new Page(
                chrome,
                windows,
                p.firstDay().toString(),
                p.firstDay().plusDays(p.days() - 1L).toString(),
                p.perDay().stream().mapToLong(IncidentStore.DayCount::count).sum(),
                chart,
                table(p, chart.series()),
                recurring(p),
                accuracy(p));
    }

    static Chart chart(Patterns p) {
        List<Series> series = series(p);
        Map<String, Integer> index = new HashMap<>();
        for (int k = 0; k < series.size(); k++) {
            index.put(series.get(k).label(), k);
        }
        long[][] counts = counts(p, series, index);
        long max = 0;
        for (long[] day : counts) {
            long sum = 0;
            for (long c : day) {
                sum += c;
            }
            max = Math.max(max, sum);
        }
        long step = niceStep(Math.max(max, 1));
        long top = Math.max(step, ((max + step - 1) / step) * step);
        double plotW = WIDTH - LEFT - RIGHT;
        double plotH = HEIGHT - TOP - BOTTOM;
        double slot = plotW / p.days();
        double barW = Math.max(2, slot * 0.68);
        int labelEvery = (int) Math.ceil(42 / slot);
        DateTimeFormatter md = DateTimeFormatter.ofPattern("MM-dd", Locale.ROOT);
        List<Column> columns = new ArrayList<>();
        for (int d = 0; d < p.days(); d++) {
            LocalDate day = p.firstDay().plusDays(d);
            double x = LEFT + d * slot + (slot - barW) / 2;
            double y = HEIGHT - BOTTOM;
            List<Bar> bars = new ArrayList<>();
            long total = 0;
            for (int k = 0; k < series.size(); k++) {
                long c = counts[d][k];
                if (c == 0) {
                    continue;
                }
                double h = c * plotH / top;
                y -= h;
                total += c;
                bars.add(new Bar(
                        num(x),
                        num(y),
                        num(barW),
                        num(h),
                        "url(#" + series.get(k).id() + ")",
                        day + ": " + series.get(k).label() + " " + c));
            }
            columns.add(new Column(
                    num(x),
                    num(x + barW / 2),
                    num(HEIGHT - BOTTOM + 16),
                    md.format(day),
                    (p.days() - 1 - d) % labelEvery == 0,
                    num(y - 4),
                    total,
                    total > 0 && slot >= 14,
                    bars));
        }
        List<Tick> ticks = new ArrayList<>();
        for (long v = 0; v <= top; v += step) {
            ticks.add(new Tick(num(HEIGHT - BOTTOM - v * plotH / top), String.valueOf(v)));
        }
        return new Chart(
                WIDTH,
                HEIGHT,
                LEFT,
                WIDTH - RIGHT,
                TOP,
                HEIGHT - BOTTOM,
                series,
                columns,
                ticks,
                summary(p, series, counts),
                max == 0);
    }

    /** The categories of the window, most failures first; beyond {@link #SHOWN_CATEGORIES} they are "other". */
    static List<Series> series(Patterns p) {
        Map<String, Long> totals = new LinkedHashMap<>();
        long pending = 0;
        for (IncidentStore.DayCount c : p.perDay()) {
            if (c.category().isEmpty()) {
                pending += c.count();
            } else {
                totals.merge(c.category(), c.count(), Long::sum);
            }
        }
        List<Map.Entry<String, Long>> ranked = new ArrayList<>(totals.entrySet());
        ranked.sort(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())
                .thenComparing(Map.Entry.comparingByKey()));
        List<Series> out = new ArrayList<>();
        long other = 0;
        for (Map.Entry<String, Long> e : ranked) {
            if (out.size() < SHOWN_CATEGORIES) {
                int k = out.size();
                out.add(new Series(
                        "fill-" + k,
                        e.getKey(),
                        Display.categoryWords(e.getKey()),
                        COLOURS[k],
                        HATCHES[k],
                        e.getValue()));
            } else {
                other += e.getValue();
            }
        }
        if (other > 0) {
            out.add(new Series(
                    "fill-other", OTHER, "the other categories", "#7a7a7a", "M0,0 l8,8 M-2,6 l4,4 M6,-2 l4,4", other));
        }
        if (pending > 0) {
            out.add(new Series(
                    "fill-pending", PENDING, "queued or being investigated", "#c4c4c4", "M1,2 h3 M5,6 h2", pending));
        }
        return out;
    }

    private static long[][] counts(Patterns p, List<Series> series, Map<String, Integer> index) {
        long[][] counts = new long[p.days()][series.size()];
        for (IncidentStore.DayCount c : p.perDay()) {
            int d = (int) (c.day().toEpochDay() - p.firstDay().toEpochDay());
            if (d < 0 || d >= p.days()) {
                continue;
            }
            String label = c.category().isEmpty() ? PENDING : c.category();
            Integer k = index.get(label);
            if (k == null) {
                k = index.get(OTHER);
            }
            counts[d][k] += c.count();
        }
        return counts;
    }

    private static String summary(Patterns p, List<Series> series, long[][] counts) {
        long all = 0;
        long most = 0;
        int mostDay = -1;
        for (int d = 0; d < counts.length; d++) {
            long sum = 0;
            for (long c : counts[d]) {
                sum += c;
            }
            all += sum;
            if (sum > most) {
                most = sum;
                mostDay = d;
            }
        }
        if (all == 0) {
            return "No failures from " + p.firstDay() + " to " + p.firstDay().plusDays(p.days() - 1L) + ".";
        }
        StringBuilder s = new StringBuilder();
        s.append(all)
                .append(all == 1 ? " failure" : " failures")
                .append(" from ")
                .append(p.firstDay());
        s.append(" to ").append(p.firstDay().plusDays(p.days() - 1L)).append("; the most on ");
        s.append(p.firstDay().plusDays(mostDay)).append(" (").append(most).append("). By category: ");
        List<String> parts = new ArrayList<>();
        series.forEach(x -> parts.add(x.label() + " " + x.total()));
        return s.append(String.join(", ", parts)).append('.').toString();
    }

    private static List<TableRow> table(Patterns p, List<Series> series) {
        Map<String, Integer> index = new HashMap<>();
        for (int k = 0; k < series.size(); k++) {
            index.put(series.get(k).label(), k);
        }
        long[][] counts = counts(p, series, index);
        List<TableRow> rows = new ArrayList<>();
        for (int d = counts.length - 1; d >= 0; d--) {
            List<Long> cells = new ArrayList<>();
            long total = 0;
            for (long c : counts[d]) {
                cells.add(c);
                total += c;
            }
            rows.add(new TableRow(p.firstDay().plusDays(d).toString(), cells, total));
        }
        return rows;
    }

    private static List<RecurringRow> recurring(Patterns p) {
        List<RecurringRow> out = new ArrayList<>();
        for (IncidentStore.Recurring r : p.recurring()) {
            var fix = Patterns.lastFix(r);
            out.add(new RecurringRow(
                    r.signature(),
                    Display.shortSignature(r.signature()),
                    new IncidentViews.Category(r.category(), Display.categoryWords(r.category())),
                    r.count(),
                    Display.time(r.firstSeen()),
                    Display.time(r.lastSeen()),
                    r.dagTasks().stream()
                            .map(t -> new DagLink(
                                    t.dagId(),
                                    t.taskId(),
                                    t.count(),
                                    "/incidents?dag_id=" + enc(t.dagId()) + "&task_id=" + enc(t.taskId())))
                            .toList(),
                    fix.map(Patterns.LastFix::fixClass).orElse(""),
                    fix.map(f -> Display.fixWords(f.fixClass())).orElse(""),
                    fix.map(Patterns.LastFix::summary).orElse(""),
                    "/incidents/" + r.lastIncidentId(),
                    r.lastIncidentId()));
        }
        return out;
    }

    private static List<AccuracyRow> accuracy(Patterns p) {
        List<AccuracyRow> out = new ArrayList<>();
        for (IncidentStore.CategoryVerdicts v : p.verdicts()) {
            var share = Patterns.accuracy(v);
            out.add(new AccuracyRow(
                    new IncidentViews.Category(v.category(), Display.categoryWords(v.category())),
                    v.correct(),
                    v.wrong(),
                    v.correct() + v.wrong(),
                    share.map(Display::percent).orElse("–"),
                    share.map(s -> String.format(Locale.ROOT, "%.3f", s)).orElse("0")));
        }
        return out;
    }

    /** 1, 2 or 5 times a power of ten, so the axis has at most five steps. */
    static long niceStep(long max) {
        long step = 1;
        while (true) {
            for (long m : new long[] {1, 2, 5}) {
                if (max <= step * m * 5) {
                    return step * m;
                }
            }
            step *= 10;
        }
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
