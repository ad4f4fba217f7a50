package dev.funnel.operators.rank;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class FusionFormulaTest {

    private static final List<String> HEADS = List.of("click", "like");

    private static double eval(String f, double click, double like) {
        FusionFormula formula = FusionFormula.parse(f, HEADS);
        return formula.eval(new double[] {click, like}, new double[formula.stackSize()]);
    }

    @Test
    void arithmeticFollowsUsualPrecedence() {
        assertEquals(0.2 * (1 + 0.5 * 0.4), eval("click * (1 + 0.5 * like)", 0.2, 0.4), 1e-12);
        assertEquals(1 + 2 * 3 - 4 / 2.0, eval("1 + 2 * 3 - 4 / 2", 0, 0), 1e-12);
        assertEquals(-Math.pow(2, 2), eval("-2 ^ 2", 0, 0), 1e-12);
        assertEquals(Math.pow(2, Math.pow(3, 2)), eval("2 ^ 3 ^ 2", 0, 0), 1e-9);
        assertEquals(0.3, eval("click", 0.3, 0.9), 1e-12);
        assertEquals(2e-3, eval("2e-3", 0, 0), 1e-15);
    }

    @Test
    void functions() {
        assertEquals(Math.pow(0.2, 0.8) * Math.pow(0.5, 0.2), eval("pow(click, 0.8) * pow(like, 0.2)", 0.2, 0.5), 1e-12);
        assertEquals(0.5, eval("max(click, like)", 0.2, 0.5), 1e-12);
        assertEquals(Math.log(0.2) + Math.exp(0.5) + Math.sqrt(4), eval("log(click) + exp(like) + sqrt(4)", 0.2, 0.5), 1e-12);
        assertEquals(0.2, eval("min(click, like)", 0.2, 0.5), 1e-12);
    }

    @Test
    void mistakesNameThePositionAndTheProblem() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FusionFormula.parse("click * share", HEADS));
        assertEquals("fusion formula 'click * share' at 9: unknown name 'share'; the model's heads are [click, like]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> FusionFormula.parse("click +", HEADS));
        assertEquals("fusion formula 'click +' at 8: expression ends early", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> FusionFormula.parse("(click", HEADS));
        assertEquals("fusion formula '(click' at 7: expected ')'", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> FusionFormula.parse("tanh(click)", HEADS));
        assertEquals("fusion formula 'tanh(click)' at 1: unknown function 'tanh'; known: log, exp, sqrt, pow, min, max", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> FusionFormula.parse("click like", HEADS));
    }
}
