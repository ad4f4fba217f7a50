package dev.funnel.operators.mix;

import java.util.List;
import dev.funnel.engine.spi.Candidates;
import dev.funnel.engine.spi.Inputs;
import dev.funnel.engine.spi.Operator;
import dev.funnel.engine.spi.OperatorEnv;
import dev.funnel.engine.spi.OperatorFactory;
import dev.funnel.engine.spi.ParamProblems;
import dev.funnel.engine.spi.ParamSchema;
import dev.funnel.engine.spi.ParamSpec;
import dev.funnel.engine.spi.Params;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import reactor.core.publisher.Mono;

/**
 * {@code mix.insert}: places items of another branch (operations, ads; the upstream node named by
 * {@code from}) into the main list (the other upstream input) at slots {@code first},
 * {@code first + every}, … up to {@code max} items, in the branch's order. An inserted item that
 * also appears in the main list is taken out of it, so nothing shows twice. If the branch was skipped
 * or is empty, the main list passes through unchanged. Provenance of both lists is kept.
 */
public final class InsertMix implements OperatorFactory {

    @Override
    public String name() {
        return "mix.insert";
    }

    @Override
    public String description() {
        return "Inserts items from another branch at fixed slots of the main list (operations, ads)";
    }

    @Override
    public ParamSchema params() {
        return ParamSchema.of(
                ParamSpec.requiredString("from", "upstream node whose items are inserted; the other input is the main list"),
                ParamSpec.optionalInt("first", 2, 0, 10_000, "0-based slot of the first inserted item"),
                ParamSpec.optionalInt("every", 0, 0, 10_000, "slots between inserted items; 0 inserts only at 'first'"),
                ParamSpec.optionalInt("max", 1, 1, 1_000, "most items inserted"),
                ParamSpec.optionalInt("size", 0, 0, 10_000, "items to output; 0 keeps all"));
    }

    @Override
    public Class<?> outputType() {
        return Candidates.class;
    }

    @Override
    public Set<Class<?>> requiredInputTypes() {
        return Set.of(Candidates.class);
    }

    /** The main list is enough: a skipped insert branch must not stop the page. */
    @Override
    public int defaultMinInputs() {
        return 1;
    }

    /**
     * {@code from} must name one of the node's inputs, else nothing would ever be inserted: reported
     * at {@code from}'s line. A node further upstream is no answer: its list reaches this node only
     * inside another input's.
     */
    @Override
    public void check(Params params, List<String> inputIds, OperatorEnv env) {
        String from = params.getString("from");
        if (!inputIds.contains(from)) {
            throw new ParamProblems(List.of(new ParamProblems.Entry("from", null, "param 'from': '" + from
                    + "' is not one of the node's inputs " + inputIds + " (list it in 'after')")));
        }
        if (inputIds.size() < 2) {
            throw new IllegalArgumentException("param 'from': needs a main list besides '" + from + "' in 'after', got " + inputIds);
        }
    }

    @Override
    public Operator<Candidates> create(Params params, OperatorEnv env) {
        String from = params.getString("from");
        int first = params.getInt("first");
        int every = params.getInt("every");
        int max = every == 0 ? 1 : params.getInt("max");
        int size = params.getInt("size");
        return (in, ctx) -> {
            Candidates main = mainInput(in, from);
            if (main == null) {
                return Mono.empty();
            }
            Candidates ins = in.get(from, Candidates.class);
            Candidates out = ins == null || ins.isEmpty() ? main : insert(main, ins, first, every, max);
            return Mono.just(size > 0 ? out.truncate(size) : out);
        };
    }

    private static Candidates mainInput(Inputs in, String from) {
        for (int i = 0; i < in.size(); i++) {
            if (!in.idAt(i).equals(from) && in.valueAt(i) instanceof Candidates c) {
                return c;
            }
        }
        return null;
    }

    static Candidates insert(Candidates main, Candidates ins, int first, int every, int max) {
        Map<String, Integer> sourceIndex = new LinkedHashMap<>();
        for (String s : main.sources()) {
            sourceIndex.putIfAbsent(s, sourceIndex.size());
        }
        for (String s : ins.sources()) {
            sourceIndex.putIfAbsent(s, sourceIndex.size());
        }
        if (sourceIndex.size() > Candidates.MAX_SOURCES) {
            throw new IllegalStateException("mix.insert: " + sourceIndex.size() + " provenance sources, at most " + Candidates.MAX_SOURCES);
        }
        int[] mainMap = map(main.sources(), sourceIndex);
        int[] insMap = map(ins.sources(), sourceIndex);
        int nIns = Math.min(max, ins.size());
        long[] inserted = new long[nIns];
        for (int j = 0; j < nIns; j++) {
            inserted[j] = ins.id(j);
        }
        long[] sortedInserted = inserted.clone();
        Arrays.sort(sortedInserted);
        Candidates.Builder b = Candidates.builder(sourceIndex.keySet().toArray(new String[0]), main.size() + nIns);
        int m = 0;
        int j = 0;
        while (true) {
            int pos = b.size();
            boolean slot = j < nIns && pos >= first && (pos == first || (every > 0 && (pos - first) % every == 0));
            if (slot) {
                copy(ins, j++, insMap, b);
                continue;
            }
            while (m < main.size() && Arrays.binarySearch(sortedInserted, main.id(m)) >= 0) {
                m++; // shown at its slot instead
            }
            if (m < main.size()) {
                copy(main, m++, mainMap, b);
            } else {
                break; // main list done; slots past its end stay empty
            }
        }
        return b.build();
    }

    private static int[] map(String[] sources, Map<String, Integer> index) {
        int[] out = new int[sources.length];
        for (int s = 0; s < sources.length; s++) {
            out[s] = index.get(sources[s]);
        }
        return out;
    }

    private static void copy(Candidates c, int row, int[] map, Candidates.Builder b) {
        long mask = c.sourceMask(row);
        int firstSource = mask == 0 ? -1 : Long.numberOfTrailingZeros(mask);
        int r = b.add(c.id(row), c.score(row), firstSource < 0 ? -1 : map[firstSource],
                firstSource < 0 ? Float.NaN : c.sourceScore(row, firstSource));
        for (long rest = mask & (mask - 1); rest != 0; rest &= rest - 1) {
            int s = Long.numberOfTrailingZeros(rest);
            b.mark(r, map[s], c.sourceScore(row, s));
        }
    }
}
