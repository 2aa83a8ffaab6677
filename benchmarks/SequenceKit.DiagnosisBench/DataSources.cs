using System.Globalization;
using System.IO.Compression;

namespace SequenceKit.DiagnosisBench;

/// <summary>What a data source yields: class labels, a regression target, or token texts with class labels.</summary>
public enum TaskKind
{
    /// <summary>Float sequences with one class label each.</summary>
    Classification,

    /// <summary>Float sequences with one float target each.</summary>
    Regression,

    /// <summary>Token sequences (words) with one class label each.</summary>
    Tokens,
}

/// <summary>What a case asks a source for. Sources honour what they can (a real set has its own length and classes).</summary>
/// <param name="Samples">Samples in all (training and validation together).</param>
/// <param name="Steps">Time steps per sequence (generated and windowed sources).</param>
/// <param name="Classes">Classes wanted (classification sources, up to their maximum).</param>
/// <param name="Shares">Share of each class (length = classes), or null for balanced classes.</param>
/// <param name="Signal">How separable the classes are, 1 = the source's normal; smaller is harder.</param>
public sealed record DataRequest(int Samples, int Steps, int Classes = 2, double[]? Shares = null, double Signal = 1);

/// <summary>
/// Data as a careful user would have it before any cause is applied: float inputs scaled to about unit range
/// (standardized, or [0, 1] for pixel data), regression targets standardized. One array per sample, (steps, features).
/// </summary>
public sealed class RawData
{
    /// <summary>What the data is for.</summary>
    public required TaskKind Kind { get; init; }

    /// <summary>One (steps, features) array per sample; empty for token data.</summary>
    public float[][,] Inputs { get; set; } = [];

    /// <summary>One class index per sample (classification and token data).</summary>
    public long[] Labels { get; set; } = [];

    /// <summary>Number of classes (classification and token data).</summary>
    public int Classes { get; init; }

    /// <summary>One target per sample (regression data).</summary>
    public float[] Targets { get; set; } = [];

    /// <summary>One word sequence per sample (token data).</summary>
    public string[][] Texts { get; set; } = [];

    /// <summary>The number of samples.</summary>
    public int Count => Kind == TaskKind.Tokens ? Texts.Length : Inputs.Length;

    /// <summary>A new data set with the given rows, in that order.</summary>
    /// <param name="rows">Row indices into this data set.</param>
    /// <returns>The rows (arrays are shared, not copied).</returns>
    public RawData Take(IReadOnlyList<int> rows) => new()
    {
        Kind = Kind,
        Classes = Classes,
        Inputs = Inputs.Length == 0 ? [] : rows.Select(r => Inputs[r]).ToArray(),
        Labels = Labels.Length == 0 ? [] : rows.Select(r => Labels[r]).ToArray(),
        Targets = Targets.Length == 0 ? [] : rows.Select(r => Targets[r]).ToArray(),
        Texts = Texts.Length == 0 ? [] : rows.Select(r => Texts[r]).ToArray(),
    };
}

/// <summary>A source of benchmark data: a generator or a small real data set shipped in Data/.</summary>
/// <param name="Name">A short, stable name used in case names ("gen-level", "digits", …).</param>
/// <param name="Kind">What the source yields.</param>
/// <param name="IsReal">Whether the values are real measurements (shipped in Data/) rather than generated.</param>
/// <param name="MinSteps">Shortest sequence the source makes (a real set with a fixed length has min = max).</param>
/// <param name="MaxSteps">Longest sequence the source makes in its normal use.</param>
/// <param name="MaxClasses">The most classes the source can make (0 for regression).</param>
/// <param name="MaxSamples">The most samples the source can make without repeating one.</param>
/// <param name="Origin">Where the data comes from, in a phrase.</param>
/// <param name="Make">Makes the data from a seeded generator and a request.</param>
public sealed record DataSource(string Name, TaskKind Kind, bool IsReal, int MinSteps, int MaxSteps, int MaxClasses, int MaxSamples,
    string Origin, Func<Random, DataRequest, RawData> Make)
{
    /// <summary>The name.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => Name;
}

/// <summary>The benchmark's data sources: generated signals, real data from Debian packages (see Data/README.md), and generated token texts.</summary>
public static class DataSources
{
    /// <summary>Class = the level (mean) of feature 0; the other features are noise.</summary>
    public static readonly DataSource Level = new("gen-level", TaskKind.Classification, false, 8, 30, 8, int.MaxValue,
        "generated: class by mean level of a noisy feature", MakeLevel);

    /// <summary>Class = the frequency of a noisy sine with a random phase.</summary>
    public static readonly DataSource Sine = new("gen-sine", TaskKind.Classification, false, 24, 48, 8, int.MaxValue,
        "generated: class by frequency of a noisy sine", MakeSine);

    /// <summary>Class = the sign of feature 0 summed over the first 3 steps; every later step is noise.</summary>
    public static readonly DataSource EarlySign = new("gen-early-sign", TaskKind.Classification, false, 5, 10, 2, int.MaxValue,
        "generated: class by the sign of the first steps", MakeEarlySign);

    /// <summary>Target = the next value of a noisy AR(2) process with random coefficients.</summary>
    public static readonly DataSource Autoregressive = new("gen-ar", TaskKind.Regression, false, 10, 30, 0, int.MaxValue,
        "generated: next value of a noisy AR(2) process", MakeAutoregressive);

    /// <summary>Target = the mean of feature 0 over the window (plus noise).</summary>
    public static readonly DataSource WindowMean = new("gen-window-mean", TaskKind.Regression, false, 8, 24, 0, int.MaxValue,
        "generated: mean of a noisy feature over the window", MakeWindowMean);

    /// <summary>scikit-learn's 1797 8×8 handwritten digits: 8 steps (rows) × 8 features (pixels), 10 classes.</summary>
    public static readonly DataSource Digits = new("digits", TaskKind.Classification, true, 8, 8, 10, 1797,
        "real: UCI optical handwritten digits (scikit-learn digits.csv.gz)", MakeDigits);

    /// <summary>Monthly Niño 1+2 sea surface temperatures 1950–2010 (statsmodels elnino.csv): next month from a window.</summary>
    public static readonly DataSource ElNino = new("elnino", TaskKind.Regression, true, 12, 30, 0, 680,
        "real: NOAA Niño 1+2 monthly sea surface temperature (statsmodels elnino.csv)", MakeElNino);

    /// <summary>Weekly Mauna Loa CO2 1958–2001 (statsmodels co2.csv): next week from a window.</summary>
    public static readonly DataSource Co2 = new("co2", TaskKind.Regression, true, 12, 30, 0, 2200,
        "real: Mauna Loa weekly CO2 (statsmodels co2.csv)", MakeCo2);

    /// <summary>Yearly sunspot numbers 1700–2008 (statsmodels sunspots.csv): next year from a window.</summary>
    public static readonly DataSource Sunspots = new("sunspots", TaskKind.Regression, true, 10, 30, 0, 279,
        "real: SIDC yearly sunspot numbers 1700–2008 (statsmodels sunspots.csv)", MakeSunspots);

    /// <summary>Texts whose class is whether one of five mid-frequency keywords occurs among Zipf-distributed words.</summary>
    public static readonly DataSource Keyword = new("tok-keyword", TaskKind.Tokens, false, 5, 15, 2, int.MaxValue,
        "generated tokens: class by presence of one of five keywords", MakeKeyword);

    /// <summary>Texts whose class is their topic: half the words come from the class's own word list.</summary>
    public static readonly DataSource Topic = new("tok-topic", TaskKind.Tokens, false, 6, 20, 4, int.MaxValue,
        "generated tokens: class by topic words", MakeTopic);

    /// <summary>Every source.</summary>
    public static IReadOnlyList<DataSource> All { get; } = [Level, Sine, EarlySign, Autoregressive, WindowMean, Digits, ElNino, Co2, Sunspots, Keyword, Topic];

    /// <summary>The folder the real data files are read from (Data/ beside the binary).</summary>
    public static string DataFolder => Path.Combine(AppContext.BaseDirectory, "Data");

    // ---------------------------------------------------------------- generated classification

    private static long[] DrawLabels(Random random, int n, int classes, double[]? shares)
    {
        shares ??= Enumerable.Repeat(1.0 / classes, classes).ToArray();
        // Exact counts per class (rounded), then shuffled: the shares hold in every case, not only on average.
        var labels = new List<long>(n);
        for (var k = 0; k < shares.Length; k++)
        {
            var count = k == shares.Length - 1 ? n - labels.Count : (int)Math.Round(shares[k] * n);
            labels.AddRange(Enumerable.Repeat((long)k, Math.Max(0, count)));
        }
        var array = labels.Take(n).ToArray();
        random.Shuffle(array);
        return array;
    }

    private static RawData MakeLevel(Random random, DataRequest request)
    {
        var classes = Math.Clamp(request.Shares?.Length ?? request.Classes, 2, 8);
        var features = random.Next(2, 5);
        var labels = DrawLabels(random, request.Samples, classes, request.Shares);
        var inputs = labels.Select(label =>
        {
            var x = new float[request.Steps, features];
            var center = request.Signal * 0.8 * (label - (classes - 1) / 2.0);
            for (var t = 0; t < request.Steps; t++)
            {
                x[t, 0] = (float)(center + Gaussian(random));
                for (var f = 1; f < features; f++) x[t, f] = (float)Gaussian(random);
            }
            return x;
        }).ToArray();
        return new RawData { Kind = TaskKind.Classification, Classes = classes, Inputs = inputs, Labels = labels };
    }

    private static RawData MakeSine(Random random, DataRequest request)
    {
        var classes = Math.Clamp(request.Shares?.Length ?? request.Classes, 2, 8);
        var features = random.Next(1, 3);
        var gap = 0.04 * request.Signal;
        var labels = DrawLabels(random, request.Samples, classes, request.Shares);
        var inputs = labels.Select(label =>
        {
            var x = new float[request.Steps, features];
            var frequency = 0.04 + gap * label; // cycles per step
            var phase = random.NextDouble() * 2 * Math.PI;
            var amplitude = 0.8 + 0.4 * random.NextDouble();
            for (var t = 0; t < request.Steps; t++)
            {
                x[t, 0] = (float)(amplitude * Math.Sin(2 * Math.PI * frequency * t + phase) + 0.3 * Gaussian(random));
                for (var f = 1; f < features; f++) x[t, f] = (float)Gaussian(random);
            }
            return x;
        }).ToArray();
        return new RawData { Kind = TaskKind.Classification, Classes = classes, Inputs = inputs, Labels = labels };
    }

    private static RawData MakeEarlySign(Random random, DataRequest request)
    {
        var inputs = new float[request.Samples][,];
        var labels = new long[request.Samples];
        for (var i = 0; i < request.Samples; i++)
        {
            var x = new float[request.Steps, 2];
            for (var t = 0; t < request.Steps; t++) (x[t, 0], x[t, 1]) = ((float)Gaussian(random), (float)Gaussian(random));
            labels[i] = x[0, 0] + x[1, 0] + x[2, 0] > 0 ? 1 : 0;
            inputs[i] = x;
        }
        return new RawData { Kind = TaskKind.Classification, Classes = 2, Inputs = inputs, Labels = labels };
    }

    // ---------------------------------------------------------------- generated regression

    private static RawData MakeAutoregressive(Random random, DataRequest request)
    {
        // x_t = a1 x_{t-1} + a2 x_{t-2} + e_t, a stable AR(2) with a damped oscillation; burn-in of 30 steps.
        var a1 = 1.0 + 0.5 * random.NextDouble();
        var a2 = -0.5 - 0.3 * random.NextDouble();
        var inputs = new float[request.Samples][,];
        var raw = new double[request.Samples];
        for (var i = 0; i < request.Samples; i++)
        {
            double previous = 0, current = 0;
            var x = new float[request.Steps, 1];
            for (var t = -30; t <= request.Steps; t++)
            {
                var next = a1 * current + a2 * previous + Gaussian(random);
                (previous, current) = (current, next);
                if (t >= 0 && t < request.Steps) x[t, 0] = (float)current;
            }
            raw[i] = current;
            inputs[i] = x;
        }
        return Standardized(inputs, raw);
    }

    private static RawData MakeWindowMean(Random random, DataRequest request)
    {
        var inputs = new float[request.Samples][,];
        var raw = new double[request.Samples];
        for (var i = 0; i < request.Samples; i++)
        {
            var x = new float[request.Steps, 2];
            var level = Gaussian(random) * 0.5;
            double sum = 0;
            for (var t = 0; t < request.Steps; t++)
            {
                (x[t, 0], x[t, 1]) = ((float)(level + Gaussian(random)), (float)Gaussian(random));
                sum += x[t, 0];
            }
            raw[i] = sum / request.Steps + 0.05 * Gaussian(random);
            inputs[i] = x;
        }
        return Standardized(inputs, raw);
    }

    /// <summary>Scales every input feature and the target to mean 0, standard deviation 1 (over all samples).</summary>
    private static RawData Standardized(float[][,] inputs, double[] targets)
    {
        var features = inputs[0].GetLength(1);
        for (var f = 0; f < features; f++)
        {
            var values = inputs.SelectMany(x => Enumerable.Range(0, x.GetLength(0)).Select(t => (double)x[t, f])).ToArray();
            var (mean, std) = MeanStd(values);
            foreach (var x in inputs)
                for (var t = 0; t < x.GetLength(0); t++) x[t, f] = (float)((x[t, f] - mean) / std);
        }
        var (tMean, tStd) = MeanStd(targets);
        return new RawData { Kind = TaskKind.Regression, Inputs = inputs, Targets = targets.Select(y => (float)((y - tMean) / tStd)).ToArray() };
    }

    // ---------------------------------------------------------------- real data

    private static readonly Lazy<(float[][] Pixels, int[] Digits)> DigitsFile = new(() =>
    {
        // digits.csv.gz: 1797 rows of 64 pixel counts (0..16, row-major 8×8) and the digit.
        using var stream = new GZipStream(File.OpenRead(Path.Combine(DataFolder, "digits.csv.gz")), CompressionMode.Decompress);
        using var reader = new StreamReader(stream);
        var pixels = new List<float[]>();
        var digits = new List<int>();
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0) continue;
            var cells = line.Split(',');
            pixels.Add(cells.Take(64).Select(c => float.Parse(c, CultureInfo.InvariantCulture)).ToArray());
            digits.Add(int.Parse(cells[64], CultureInfo.InvariantCulture));
        }
        return (pixels.ToArray(), digits.ToArray());
    });

    private static RawData MakeDigits(Random random, DataRequest request)
    {
        var (pixels, digits) = DigitsFile.Value;
        var classes = Math.Clamp(request.Shares?.Length ?? request.Classes, 2, 10);
        var n = Math.Min(request.Samples, digits.Length);
        int[] rows;
        long[] labels;
        if (request.Shares is { Length: 2 } shares && shares[1] < 0.5)
        {
            // Imbalanced binary task: class 1 = one digit, class 0 = every other digit.
            var rare = random.Next(10);
            var positives = Enumerable.Range(0, digits.Length).Where(r => digits[r] == rare).ToArray();
            var negatives = Enumerable.Range(0, digits.Length).Where(r => digits[r] != rare).ToArray();
            random.Shuffle(positives);
            random.Shuffle(negatives);
            var count = Math.Min(positives.Length, (int)Math.Round(shares[1] * n));
            rows = positives.Take(count).Concat(negatives.Take(n - count)).ToArray();
            random.Shuffle(rows);
            labels = rows.Select(r => digits[r] == rare ? 1L : 0L).ToArray();
        }
        else
        {
            // Class = digit modulo the class count (10 classes: the digit itself; 2: even or odd).
            rows = Enumerable.Range(0, digits.Length).ToArray();
            random.Shuffle(rows);
            rows = rows.Take(n).ToArray();
            labels = rows.Select(r => (long)(digits[r] % classes)).ToArray();
        }
        var inputs = rows.Select(r =>
        {
            var x = new float[8, 8]; // (steps = image rows, features = pixels in the row)
            for (var t = 0; t < 8; t++)
                for (var f = 0; f < 8; f++) x[t, f] = pixels[r][t * 8 + f] / 16f; // already in [0, 1], as a careful user has it
            return x;
        }).ToArray();
        return new RawData { Kind = TaskKind.Classification, Classes = classes, Inputs = inputs, Labels = labels };
    }

    private static readonly Lazy<double[]> ElNinoSeries = new(() =>
        // elnino.csv: "YEAR","JAN",…,"DEC" — one row per year 1950–2010, twelve monthly temperatures (°C).
        File.ReadLines(Path.Combine(DataFolder, "elnino.csv")).Skip(1).Where(l => l.Length > 0)
            .SelectMany(l => l.Split(',').Skip(1).Select(c => double.Parse(c, CultureInfo.InvariantCulture))).ToArray());

    private static readonly Lazy<double[]> SunspotSeries = new(() =>
        // sunspots.csv: "YEAR","SUNACTIVITY", one row per year 1700–2008.
        File.ReadLines(Path.Combine(DataFolder, "sunspots.csv")).Skip(1).Where(l => l.Length > 0)
            .Select(l => double.Parse(l.Split(',')[1], CultureInfo.InvariantCulture)).ToArray());

    private static readonly Lazy<double[]> Co2Series = new(() =>
    {
        // co2.csv(.gz): "date,co2" weekly from 1958-03-29; missing weeks are empty and filled by linear interpolation.
        using var stream = new GZipStream(File.OpenRead(Path.Combine(DataFolder, "co2.csv.gz")), CompressionMode.Decompress);
        using var reader = new StreamReader(stream);
        reader.ReadLine();
        var values = new List<double>();
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0) continue;
            var cell = line.Split(',')[1];
            values.Add(cell.Length == 0 ? double.NaN : double.Parse(cell, CultureInfo.InvariantCulture));
        }
        var series = values.ToArray();
        for (var i = 0; i < series.Length; i++)
        {
            if (!double.IsNaN(series[i])) continue;
            var before = i - 1;
            var after = i + 1;
            while (after < series.Length && double.IsNaN(series[after])) after++;
            series[i] = before < 0 ? series[after] : after >= series.Length ? series[before]
                : series[before] + (series[after] - series[before]) / (after - before);
        }
        return series;
    });

    private static RawData MakeElNino(Random random, DataRequest request) => Windows(random, ElNinoSeries.Value, request);

    private static RawData MakeCo2(Random random, DataRequest request) => Windows(random, Co2Series.Value, request);

    private static RawData MakeSunspots(Random random, DataRequest request) => Windows(random, SunspotSeries.Value, request);

    /// <summary>Random windows of a real series, standardized by the series' mean and deviation; target = the next value.</summary>
    private static RawData Windows(Random random, double[] series, DataRequest request)
    {
        var (mean, std) = MeanStd(series);
        var starts = Enumerable.Range(0, series.Length - request.Steps).ToArray();
        random.Shuffle(starts);
        starts = starts.Take(Math.Min(request.Samples, starts.Length)).ToArray();
        var inputs = starts.Select(s =>
        {
            var x = new float[request.Steps, 1];
            for (var t = 0; t < request.Steps; t++) x[t, 0] = (float)((series[s + t] - mean) / std);
            return x;
        }).ToArray();
        var targets = starts.Select(s => (float)((series[s + request.Steps] - mean) / std)).ToArray();
        return new RawData { Kind = TaskKind.Regression, Inputs = inputs, Targets = targets };
    }

    // ---------------------------------------------------------------- generated tokens

    private static RawData MakeKeyword(Random random, DataRequest request)
    {
        // Words w0…w(V−1) drawn Zipf-like (w0 most frequent). Class 1 texts hold one of five mid-frequency keywords,
        // class 0 texts none: the keywords rank below the ten most frequent words, so a tiny vocabulary loses them.
        var words = random.Next(40, 80);
        var first = random.Next(10, 16);
        var keywords = Enumerable.Range(first, 5).Select(k => $"w{k}").ToHashSet();
        var labels = DrawLabels(random, request.Samples, 2, request.Shares);
        var texts = labels.Select(label =>
        {
            var text = Enumerable.Range(0, random.Next(request.Steps / 2, request.Steps + 1))
                .Select(_ => $"w{(int)Math.Floor(Math.Pow(random.NextDouble(), 2) * words)}")
                .Select(w => keywords.Contains(w) ? $"w{random.Next(first + 5, words)}" : w).ToList();
            if (label == 1) text.Insert(random.Next(text.Count + 1), $"w{first + random.Next(5)}");
            return text.ToArray();
        }).ToArray();
        return new RawData { Kind = TaskKind.Tokens, Classes = 2, Texts = texts, Labels = labels };
    }

    private static RawData MakeTopic(Random random, DataRequest request)
    {
        var classes = Math.Clamp(request.Classes, 2, 4);
        var labels = DrawLabels(random, request.Samples, classes, request.Shares);
        var texts = labels.Select(label => Enumerable.Range(0, random.Next(request.Steps / 2, request.Steps + 1))
            .Select(_ => random.NextDouble() < 0.35
                ? $"t{label}_{(int)Math.Floor(Math.Pow(random.NextDouble(), 1.5) * 20)}"  // the class's own topic words
                : $"s{(int)Math.Floor(Math.Pow(random.NextDouble(), 3) * 50)}")           // shared, more frequent words
            .ToArray()).ToArray();
        return new RawData { Kind = TaskKind.Tokens, Classes = classes, Texts = texts, Labels = labels };
    }

    // ---------------------------------------------------------------- helpers

    internal static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private static (double Mean, double Std) MeanStd(IReadOnlyCollection<double> values)
    {
        var mean = values.Average();
        var std = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / values.Count);
        return (mean, std > 0 ? std : 1);
    }
}
