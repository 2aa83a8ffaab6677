using SequenceKit.Layers;
using SequenceKit.Preprocessing;
using TorchSharp;
using static TorchSharp.torch;

namespace SequenceKit.Diagnostics;

/// <summary>
/// "Is there anything to learn?": a cheap model on per-sequence summaries of the inputs (first and last step, mean,
/// standard deviation, minimum, maximum, mean absolute change and lag-1 autocorrelation of each feature, and the whole
/// sequence when it is short, each with its square; token counts for text), fitted on 70% of a training sample and scored on the other 30%, next to the trivial predictor (the majority
/// class, or the mean). Multinomial logistic regression for classes (class-balanced when the classes are), ridge
/// regression for numbers.
/// </summary>
/// <param name="Method">"logistic regression" or "ridge regression".</param>
/// <param name="Accuracy">Classification: accuracy on the scored rows.</param>
/// <param name="BalancedAccuracy">Classification: mean per-class recall on the scored rows.</param>
/// <param name="MajorityShare">Classification: the accuracy of always answering the fitted rows' majority class.</param>
/// <param name="R2">Regression: R² on the scored rows (0 is the mean predictor).</param>
/// <param name="FittedRows">Rows fitted.</param>
/// <param name="ScoredRows">Rows scored.</param>
internal sealed record Baseline(string Method, double Accuracy, double BalancedAccuracy, double MajorityShare, double R2, int FittedRows, int ScoredRows)
{
    public static Baseline Fit(DiagnosisContext c)
    {
        if (c.Setup.OutputShape.Kind == ShapeKind.Sequence)
            throw new NotCheckableException("the learnability baseline summarizes whole sequences; this model predicts one output per step");
        var rows = DiagnosisContext.RandomRows(c.Train, Math.Max(4 * c.Options.SampleSize, 2048), 11);
        if (rows.Length < 20) throw new NotCheckableException($"the learnability baseline needs at least 20 training rows; there are {rows.Length}");
        using var scope = NewDisposeScope();
        var batch = c.Train.GetBatch(rows.Select(r => (long)r).ToArray());
        var x = Summaries(batch, c.Model.InputShape.Kind == ShapeKind.Tokens);                   // (N, D) float64
        var fit = (int)(0.7 * rows.Length);
        var (xFit, xScore) = (x.narrow(0, 0, fit), x.narrow(0, fit, rows.Length - fit));
        var mean = xFit.mean([0]);
        var std = xFit.std(0, false);
        std = where(std.gt(1e-12), std, ones_like(std));
        xFit = (xFit - mean) / std;
        xScore = (xScore - mean) / std;
        c.ThrowIfCancelled();
        if (!c.IsClassification)
        {
            var y = batch.Targets.to(ScalarType.Float64).reshape(rows.Length, -1);
            var (yFit, yScore) = (y.narrow(0, 0, fit), y.narrow(0, fit, rows.Length - fit));
            var design = cat([xFit, ones(fit, 1, dtype: ScalarType.Float64)], 1);                 // (n, D+1)
            var penalty = eye(design.shape[1], dtype: ScalarType.Float64);
            penalty[-1, -1] = tensor(0.0, dtype: ScalarType.Float64);                             // no penalty on the intercept
            var weights = linalg.solve(design.t().matmul(design) + penalty, design.t().matmul(yFit));
            var predicted = cat([xScore, ones(xScore.shape[0], 1, dtype: ScalarType.Float64)], 1).matmul(weights);
            return new Baseline("ridge regression", double.NaN, double.NaN, double.NaN, Evaluation.RSquared(predicted, yScore, null), fit, rows.Length - fit);
        }

        var labels = tensor(c.TrainLabels!).index_select(0, tensor(rows.Select(r => (long)r).ToArray()));
        var (lFit, lScore) = (labels.narrow(0, 0, fit), labels.narrow(0, fit, rows.Length - fit));
        var classes = c.ClassCount;
        var counts = lFit.bincount(null, classes).to(ScalarType.Float64);
        var present = counts.gt(0).sum().item<long>();
        var balanced = where(counts.gt(0), counts.sum() / (present * counts.clamp_min(1)), zeros_like(counts));
        var imbalanced = counts.max().item<double>() >= 3 * counts[counts.gt(0)].min().item<double>();
        var w = new TorchSharp.Modules.Parameter(zeros(xFit.shape[1], classes, dtype: ScalarType.Float64));
        var b = new TorchSharp.Modules.Parameter(zeros(classes, dtype: ScalarType.Float64));
        using (var optimizer = optim.Adam([w, b], lr: 0.05))
        {
            for (var step = 0; step < 200; step++)
            {
                using var stepScope = NewDisposeScope();
                optimizer.zero_grad();
                var loss = nn.functional.cross_entropy(xFit.matmul(w) + b, lFit, weight: imbalanced ? balanced : null) + 1e-3 * w.square().sum();
                loss.backward();
                optimizer.step();
            }
        }
        Tensor predictedClasses;
        using (no_grad()) predictedClasses = (xScore.matmul(w) + b).argmax(1);
        var p = predictedClasses.data<long>().ToArray();
        var a = lScore.data<long>().ToArray();
        var majority = counts.argmax().item<long>();
        return new Baseline(imbalanced ? "class-balanced logistic regression" : "logistic regression",
            p.Zip(a).Count(t => t.First == t.Second) / (double)a.Length, Evaluation.BalancedAccuracyOf(p, a),
            a.Count(v => v == majority) / (double)a.Length, double.NaN, fit, a.Length);
    }

    /// <summary>(N, D) float64 summaries of each sequence.</summary>
    private static Tensor Summaries(DataBatch batch, bool tokens)
    {
        if (tokens)
        {
            var t = batch.Inputs.to(ScalarType.Int64);                                           // (N, T)
            var buckets = Math.Min(1024, t.max().item<long>() + 1);
            var hashed = t.remainder(buckets);
            var counts = zeros(t.shape[0], buckets, dtype: ScalarType.Float64).scatter_add_(1, hashed, t.ne(Vocabulary.PaddingIndex).to(ScalarType.Float64));
            var length = t.ne(Vocabulary.PaddingIndex).sum([1], keepdim: true).clamp_min(1).to(ScalarType.Float64);
            return counts / length;
        }
        var x = batch.Inputs.to(ScalarType.Float64);                                             // (N, T, F), or (N, F) for vector inputs
        if (x.Dimensions == 2) return nan_to_num(x, 0, 0, 0);
        var (n, steps) = (x.shape[0], x.shape[1]);
        var lengths = batch.Lengths ?? full(n, steps, dtype: ScalarType.Int64);
        var mask = arange(steps).unsqueeze(0).lt(lengths.unsqueeze(1)).unsqueeze(-1).to(ScalarType.Float64);   // (N, T, 1)
        var count = mask.sum([1]).clamp_min(1);                                                  // (N, 1)
        var mean = (x * mask).sum([1]) / count;
        var std = ((x - mean.unsqueeze(1)).square() * mask).sum([1]).div(count).sqrt();
        var last = x.gather(1, (lengths - 1).clamp_min(0).view(-1, 1, 1).expand(n, 1, x.shape[2])).squeeze(1);
        var big = 1e300;
        var max = (x * mask + (1 - mask) * -big).amax([1]);
        var min = (x * mask + (1 - mask) * big).amin([1]);
        var parts = new List<Tensor> { x.select(1, 0), last, mean, std, min, max };
        if (steps > 2)
        {
            // Dynamics: mean absolute step-to-step change and lag-1 autocorrelation (frequency, trend, noise).
            var stepMask = mask.narrow(1, 1, steps - 1) * mask.narrow(1, 0, steps - 1);               // (N, T-1, 1)
            var pairs = stepMask.sum([1]).clamp_min(1);
            var centered = x - mean.unsqueeze(1);
            var change = ((x.narrow(1, 1, steps - 1) - x.narrow(1, 0, steps - 1)).abs() * stepMask).sum([1]) / pairs;
            var lagged = (centered.narrow(1, 1, steps - 1) * centered.narrow(1, 0, steps - 1) * stepMask).sum([1]) / pairs;
            parts.Add(change);
            parts.Add(lagged / std.square().clamp_min(1e-12));
        }
        if (batch.Lengths is null && steps * x.shape[2] <= 256) parts.Add(x.reshape(n, -1));
        var features = nan_to_num(cat(parts, 1), 0, 0, 0);
        return cat([features, features.square()], 1);              // and their squares: |mean|, energy, distance from a level
    }
}
