package dev.funnel.operators.rank;

import dev.funnel.engine.spi.Candidates;
import dev.funnel.engine.spi.Operator;
import dev.funnel.engine.spi.OperatorEnv;
import dev.funnel.engine.spi.OperatorFactory;
import dev.funnel.engine.spi.ParamSchema;
import dev.funnel.engine.spi.ParamSpec;
import dev.funnel.engine.spi.Params;
import dev.funnel.index.ItemStore;
import dev.funnel.model.serving.ModelRuntime;
import dev.funnel.model.serving.RankModel;
import java.util.List;
import java.util.Set;

/**
 * {@code rank.onnx}: scores candidates with a ctr-architecture model through its dynamic batcher.
 * Per request it extracts the features of every candidate (user from a {@code profile.user}
 * input, item attributes from the {@link ItemStore}, the request's context), submits one task with
 * the request's remaining budget (the batcher's runner assembles the model's inputs from the
 * model's embedding tables into the batch, just before the inference), fuses the heads' probabilities with the {@code fusion} formula and keeps the top
 * {@code keep}. Rows still queued when the budget runs out are dropped and the node times out (its
 * {@code on_timeout} decides); a full queue fails the node at once (its {@code on_error} decides).
 *
 * <p>Leaves in the request's attributes: {@value #ATTR_MODELS} (model name → version that scored,
 * a {@code Map<String, String>} shared with other model operators) and {@value #ATTR_FEATURES}
 * (the {@code FeatureBatch} scored, for the impression log).
 *
 * <p>Services: {@link ModelRuntime} and {@link ItemStore} from the {@link OperatorEnv}.
 */
public final class OnnxRank implements OperatorFactory {

    /** Request attribute: {@code Map<String, String>} model name → version used. */
    public static final String ATTR_MODELS = "model_versions";
    /** Request attribute: the {@code dev.funnel.features.FeatureBatch} the ranker scored. */
    public static final String ATTR_FEATURES = "rank.features";

    @Override
    public String name() {
        return "rank.onnx";
    }

    @Override
    public String description() {
        return "Scores candidates with an ONNX ranking model through the dynamic batcher, fuses objectives, keeps the top";
    }

    @Override
    public ParamSchema params() {
        return ParamSchema.of(
                ParamSpec.requiredString("model", "registered rank model, e.g. ctr"),
                ParamSpec.optionalInt("keep", 100, 1, 100_000, "items to output, best first"),
                ParamSpec.optionalString("fusion", null,
                        "formula over the model's heads, e.g. 'click * (1 + 0.5 * like)'; default: the first head"));
    }

    @Override
    public Class<?> outputType() {
        return Candidates.class;
    }

    @Override
    public Set<Class<?>> requiredInputTypes() {
        return Set.of(Candidates.class);
    }

    /** Candidates are needed; the profile is optional (an unknown user ranks with cold-start features). */
    @Override
    public int defaultMinInputs() {
        return 1;
    }

    /** Feature extraction for hundreds of candidates (their input assembly runs on the batcher's runner). */
    @Override
    public boolean cpuHeavy() {
        return true;
    }

    /**
     * The fusion formula's syntax always; the model (registered?) and the formula's names (the
     * model's heads?) only when the env has the {@link ModelRuntime}: not in {@code funnel validate},
     * which runs without models.
     */
    @Override
    public void check(Params params, List<String> inputIds, OperatorEnv env) {
        String fusion = params.getStringOrNull("fusion");
        ModelRuntime runtime = env.find(ModelRuntime.class).orElse(null);
        if (runtime == null) {
            if (fusion != null) {
                FusionFormula.parse(fusion, null);
            }
            return;
        }
        RankModel model = runtime.requireRankModel(params.getString("model"));
        FusionFormula.parse(fusion == null ? model.heads().get(0) : fusion, model.heads());
    }

    @Override
    public Operator<Candidates> create(Params params, OperatorEnv env) {
        String modelName = params.getString("model");
        RankModel model = env.require(ModelRuntime.class).requireRankModel(modelName);
        ItemStore items = env.require(ItemStore.class);
        String fusion = params.getStringOrNull("fusion");
        FusionFormula formula = FusionFormula.parse(fusion == null ? model.heads().get(0) : fusion, model.heads());
        return new OnnxRankOperator(model, new ItemStoreAttributes(items), formula, params.getInt("keep"));
    }
}
