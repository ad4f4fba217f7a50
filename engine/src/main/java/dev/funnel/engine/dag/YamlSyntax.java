package dev.funnel.engine.dag;

import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;

import java.util.Optional;

/**
 * A YAML parser's syntax error as one {@link Problem}, for DAG and routing files alike. The
 * parser's problem alone can be a fragment ("but found another document", "expected ',' or '}',
 * but got :"); its context says what was being read and where that began, which is where the
 * mistake usually is (an unclosed <code>{</code> lines above), so it is kept when it is on another line.
 */
public final class YamlSyntax {

    private YamlSyntax() {
    }

    /**
     * @param file   the file name for the problem
     * @param prefix what the message starts with ({@code "YAML syntax: "})
     */
    public static Problem problem(String file, String prefix, MarkedYamlEngineException e) {
        Optional<Mark> problemMark = e.getProblemMark();
        Optional<Mark> contextMark = e.getContextMark();
        int line = problemMark.or(() -> contextMark).map(m -> m.getLine() + 1).orElse(0);
        String message = firstLine(e.getProblem());
        int contextLine = contextMark.map(m -> m.getLine() + 1).orElse(0);
        if (e.getContext() != null && contextLine > 0 && contextLine != line) {
            message = firstLine(e.getContext()) + " (line " + contextLine + "), " + message;
        }
        return new Problem(file, line, prefix + message);
    }

    static String firstLine(String s) {
        if (s == null) {
            return "unreadable";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
