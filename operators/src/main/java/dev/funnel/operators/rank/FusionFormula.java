package dev.funnel.operators.rank;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A multi-objective fusion formula over the model's heads, e.g.
 * {@code click * (1 + 0.5 * like)} or {@code pow(click, 0.8) * pow(like, 0.2)}: numbers, head
 * names, {@code + - * / ^}, parentheses, unary minus and the functions {@code log}, {@code exp},
 * {@code sqrt}, {@code pow}, {@code min}, {@code max}. Parsed once into a postfix program; evaluating
 * it allocates nothing. Thread-safe once built (evaluation uses the caller's stack array).
 */
final class FusionFormula {

    private static final int PUSH_CONST = 0;
    private static final int PUSH_VAR = 1;
    private static final int ADD = 2;
    private static final int SUB = 3;
    private static final int MUL = 4;
    private static final int DIV = 5;
    private static final int POW = 6;
    private static final int NEG = 7;
    private static final int LOG = 8;
    private static final int EXP = 9;
    private static final int SQRT = 10;
    private static final int MIN = 11;
    private static final int MAX = 12;

    private final String source;
    private final int[] ops;
    private final double[] args;
    private final int maxStack;

    private FusionFormula(String source, int[] ops, double[] args, int maxStack) {
        this.source = source;
        this.ops = ops;
        this.args = args;
        this.maxStack = maxStack;
    }

    /**
     * Parses a formula over these variable names; with {@code variables} null, any name stands for
     * a variable (a check of the syntax alone, where the model's heads are not known).
     *
     * @throws IllegalArgumentException naming the position and the problem (unknown name, stray
     *                                  character…)
     */
    static FusionFormula parse(String source, List<String> variables) {
        Parser p = new Parser(source, variables);
        p.expr();
        p.skipSpace();
        if (p.pos < source.length()) {
            throw p.error("unexpected '" + source.charAt(p.pos) + "'");
        }
        int[] ops = new int[p.ops.size()];
        double[] args = new double[p.ops.size()];
        int depth = 0;
        int max = 0;
        for (int i = 0; i < ops.length; i++) {
            ops[i] = p.ops.get(i);
            args[i] = p.args.get(i);
            depth += ops[i] <= PUSH_VAR ? 1 : (ops[i] == NEG || ops[i] == LOG || ops[i] == EXP || ops[i] == SQRT) ? 0 : -1;
            max = Math.max(max, depth);
        }
        return new FusionFormula(source, ops, args, max);
    }

    /** Stack depth {@link #eval} needs. */
    int stackSize() {
        return maxStack;
    }

    /** The formula's value for these variable values; {@code stack} has at least {@link #stackSize()} slots. */
    double eval(double[] vars, double[] stack) {
        int sp = 0;
        for (int i = 0; i < ops.length; i++) {
            switch (ops[i]) {
                case PUSH_CONST -> stack[sp++] = args[i];
                case PUSH_VAR -> stack[sp++] = vars[(int) args[i]];
                case ADD -> { sp--; stack[sp - 1] += stack[sp]; }
                case SUB -> { sp--; stack[sp - 1] -= stack[sp]; }
                case MUL -> { sp--; stack[sp - 1] *= stack[sp]; }
                case DIV -> { sp--; stack[sp - 1] /= stack[sp]; }
                case POW -> { sp--; stack[sp - 1] = Math.pow(stack[sp - 1], stack[sp]); }
                case MIN -> { sp--; stack[sp - 1] = Math.min(stack[sp - 1], stack[sp]); }
                case MAX -> { sp--; stack[sp - 1] = Math.max(stack[sp - 1], stack[sp]); }
                case NEG -> stack[sp - 1] = -stack[sp - 1];
                case LOG -> stack[sp - 1] = Math.log(stack[sp - 1]);
                case EXP -> stack[sp - 1] = Math.exp(stack[sp - 1]);
                case SQRT -> stack[sp - 1] = Math.sqrt(stack[sp - 1]);
                default -> throw new IllegalStateException("bad op " + ops[i]);
            }
        }
        return stack[0];
    }

    @Override
    public String toString() {
        return source;
    }

    /** Recursive descent: expr := term (('+'|'-') term)*; term := unary (('*'|'/') unary)*; unary := '-' unary | power; power := primary ('^' unary)?. */
    private static final class Parser {
        final String s;
        final List<String> vars;
        final List<Integer> ops = new ArrayList<>();
        final List<Double> args = new ArrayList<>();
        int pos;

        Parser(String s, List<String> vars) {
            this.s = s;
            this.vars = vars;
        }

        void expr() {
            term();
            for (;;) {
                skipSpace();
                if (eat('+')) {
                    term();
                    emit(ADD, 0);
                } else if (eat('-')) {
                    term();
                    emit(SUB, 0);
                } else {
                    return;
                }
            }
        }

        void term() {
            unary();
            for (;;) {
                skipSpace();
                if (eat('*')) {
                    unary();
                    emit(MUL, 0);
                } else if (eat('/')) {
                    unary();
                    emit(DIV, 0);
                } else {
                    return;
                }
            }
        }

        void unary() {
            skipSpace();
            if (eat('-')) {
                unary();
                emit(NEG, 0);
            } else {
                power();
            }
        }

        void power() {
            primary();
            skipSpace();
            if (eat('^')) {
                unary();
                emit(POW, 0);
            }
        }

        void primary() {
            skipSpace();
            if (pos >= s.length()) {
                throw error("expression ends early");
            }
            char c = s.charAt(pos);
            if (eat('(')) {
                expr();
                expect(')');
            } else if (Character.isDigit(c) || c == '.') {
                int start = pos;
                while (pos < s.length() && (Character.isDigit(s.charAt(pos)) || s.charAt(pos) == '.' || s.charAt(pos) == 'e'
                        || s.charAt(pos) == 'E' || ((s.charAt(pos) == '-' || s.charAt(pos) == '+') && pos > start
                        && (s.charAt(pos - 1) == 'e' || s.charAt(pos - 1) == 'E')))) {
                    pos++;
                }
                try {
                    emit(PUSH_CONST, Double.parseDouble(s.substring(start, pos)));
                } catch (NumberFormatException e) {
                    throw error("bad number '" + s.substring(start, pos) + "'");
                }
            } else if (Character.isLetter(c) || c == '_') {
                int start = pos;
                while (pos < s.length() && (Character.isLetterOrDigit(s.charAt(pos)) || s.charAt(pos) == '_')) {
                    pos++;
                }
                String name = s.substring(start, pos);
                skipSpace();
                if (pos < s.length() && s.charAt(pos) == '(') {
                    call(name, start);
                } else {
                    int v = vars == null ? 0 : vars.indexOf(name);
                    if (v < 0) {
                        pos = start;
                        throw error("unknown name '" + name + "'; the model's heads are " + vars);
                    }
                    emit(PUSH_VAR, v);
                }
            } else {
                throw error("unexpected '" + c + "'");
            }
        }

        void call(String name, int start) {
            int op;
            int arity;
            switch (name.toLowerCase(Locale.ROOT)) {
                case "log" -> { op = LOG; arity = 1; }
                case "exp" -> { op = EXP; arity = 1; }
                case "sqrt" -> { op = SQRT; arity = 1; }
                case "pow" -> { op = POW; arity = 2; }
                case "min" -> { op = MIN; arity = 2; }
                case "max" -> { op = MAX; arity = 2; }
                default -> {
                    pos = start;
                    throw error("unknown function '" + name + "'; known: log, exp, sqrt, pow, min, max");
                }
            }
            expect('(');
            expr();
            for (int i = 1; i < arity; i++) {
                expect(',');
                expr();
            }
            expect(')');
            emit(op, 0);
        }

        void emit(int op, double arg) {
            ops.add(op);
            args.add(arg);
        }

        boolean eat(char c) {
            skipSpace();
            if (pos < s.length() && s.charAt(pos) == c) {
                pos++;
                return true;
            }
            return false;
        }

        void expect(char c) {
            if (!eat(c)) {
                throw error("expected '" + c + "'");
            }
        }

        void skipSpace() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
                pos++;
            }
        }

        IllegalArgumentException error(String what) {
            return new IllegalArgumentException("fusion formula '" + s + "' at " + (pos + 1) + ": " + what);
        }
    }
}
