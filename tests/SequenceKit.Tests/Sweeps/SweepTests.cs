using SequenceKit.Sweeps;
using SequenceKit.Training;

namespace SequenceKit.Tests.Sweeps;

/// <summary>Sweeps: grids, shards read from the schedulers' variables, results written once and merged from any shard.</summary>
public class SweepTests : TemporaryFolderTest
{
    private static IReadOnlyList<SweepConfiguration> Grid() => Sweep.Grid(("task", ["a", "b", "c"]), ("cell", ["Lstm", "Gru"]), ("seed", ["1", "2"]));

    /// <summary>A run whose history holds one epoch with a loss that encodes the configuration's position, so merged values can be traced back.</summary>
    private static SweepRun FakeRun(SweepConfiguration configuration, IReadOnlyList<SweepConfiguration> sweep)
    {
        var history = new History();
        var position = sweep.ToList().IndexOf(configuration);
        history.Add(new EpochRecord(0, new Dictionary<string, double> { ["loss"] = 1.0 / (position + 1), ["val_loss"] = double.NaN }, 1e-3, TimeSpan.FromSeconds(0.5)));
        return new SweepRun(history) { Values = new Dictionary<string, double> { ["position"] = position } };
    }

    [Test]
    public void A_grid_holds_every_combination_with_the_first_parameter_varying_slowest()
    {
        var grid = Grid();
        Assert.That(grid.Select(c => c.Id).Take(3), Is.EqualTo(new[] { "task=a,cell=Lstm,seed=1", "task=a,cell=Lstm,seed=2", "task=a,cell=Gru,seed=1" }));
        Assert.That(grid, Has.Count.EqualTo(12));
        Assert.That(grid.Select(c => c.Id).Distinct().Count(), Is.EqualTo(12));
        Assert.That(grid[11]["task"], Is.EqualTo("c"));
        Assert.That(Assert.Throws<KeyNotFoundException>(() => _ = grid[0]["units"])!.Message, Does.Contain("task, cell, seed"));
    }

    [Test]
    public void Grid_refuses_names_that_cannot_be_folder_names_and_repeats()
    {
        Assert.That(Assert.Throws<ArgumentException>(() => Sweep.Grid(("cell", ["Lstm", "../x"])))!.Message, Does.Contain("'../x'"));
        Assert.Throws<ArgumentException>(() => Sweep.Grid(("cell", ["Lstm", "Lstm"])));
        Assert.Throws<ArgumentException>(() => Sweep.Grid(("cell", ["Lstm"]), ("cell", ["Gru"])));
        Assert.Throws<ArgumentException>(() => Sweep.Grid(("cell", Array.Empty<string>())));
    }

    [TestCase(new string[0], "", 0, 1)]
    [TestCase(new[] { "--shard", "2/5" }, "SLURM_ARRAY_TASK_ID=1;SLURM_ARRAY_TASK_COUNT=4", 2, 5)]     // the argument wins
    [TestCase(new[] { "--epochs", "3", "--shard=1/3" }, "", 1, 3)]
    [TestCase(new string[0], "SLURM_ARRAY_TASK_ID=3;SLURM_ARRAY_TASK_COUNT=4;SLURM_ARRAY_TASK_MIN=0", 3, 4)]
    [TestCase(new string[0], "SLURM_ARRAY_TASK_ID=4;SLURM_ARRAY_TASK_COUNT=4;SLURM_ARRAY_TASK_MIN=1", 3, 4)]   // --array=1-4
    [TestCase(new string[0], "SLURM_ARRAY_TASK_ID=6;SLURM_ARRAY_TASK_COUNT=4;SLURM_ARRAY_TASK_MIN=0;SLURM_ARRAY_TASK_STEP=2", 3, 4)] // --array=0-6:2
    [TestCase(new string[0], "JOB_COMPLETION_INDEX=2;SEQUENCEKIT_SHARD_COUNT=3", 2, 3)]
    public void The_shard_comes_from_the_argument_or_the_schedulers_variables(string[] args, string variables, int index, int count)
    {
        var environment = variables.Split(';', StringSplitOptions.RemoveEmptyEntries).Select(v => v.Split('=')).ToDictionary(v => v[0], v => v[1]);
        Assert.That(SweepShard.FromEnvironment(args, environment), Is.EqualTo(new SweepShard(index, count)));
    }

    [TestCase("SLURM_ARRAY_TASK_ID=1", "SLURM_ARRAY_TASK_COUNT")]
    [TestCase("SLURM_ARRAY_TASK_ID=x;SLURM_ARRAY_TASK_COUNT=4", "SLURM_ARRAY_TASK_ID")]
    [TestCase("SLURM_ARRAY_TASK_ID=5;SLURM_ARRAY_TASK_COUNT=4", "SLURM_ARRAY_TASK_ID 5")]
    [TestCase("JOB_COMPLETION_INDEX=1", "SEQUENCEKIT_SHARD_COUNT")]
    [TestCase("JOB_COMPLETION_INDEX=3;SEQUENCEKIT_SHARD_COUNT=3", "JOB_COMPLETION_INDEX 3")]
    public void Malformed_scheduler_variables_are_refused_with_their_name(string variables, string named)
    {
        var environment = variables.Split(';').Select(v => v.Split('=')).ToDictionary(v => v[0], v => v[1]);
        Assert.That(Assert.Throws<FormatException>(() => SweepShard.FromEnvironment(null, environment))!.Message, Does.Contain(named));
    }

    [TestCase("3/3")]
    [TestCase("1/0")]
    [TestCase("-1/2")]
    [TestCase("1")]
    public void A_malformed_shard_argument_is_refused(string text) =>
        Assert.That(Assert.Throws<FormatException>(() => SweepShard.Parse(text))!.Message, Does.Contain($"'{text}'"));

    [Test]
    public void Shards_run_every_configuration_exactly_once_and_a_rerun_skips_finished_work()
    {
        var sweep = Grid();
        var options = new SweepOptions(Folder);
        var trained = new List<string>();
        var summaries = Enumerable.Range(0, 5).Select(i => Sweep.Run(sweep, options with { Shard = new SweepShard(i, 5) }, c =>
        {
            trained.Add(c.Id);
            return FakeRun(c, sweep);
        })).ToList();

        Assert.That(trained.Order(), Is.EqualTo(sweep.Select(c => c.Id).Order()), "each configuration trained once over all shards");
        Assert.That(summaries.Select(s => s.Ran.Count), Is.EqualTo(new[] { 3, 3, 2, 2, 2 }));
        Assert.That(summaries[0].OtherShards, Is.EqualTo(9));

        var again = Sweep.Run(sweep, options with { Shard = new SweepShard(1, 5) }, _ => throw new AssertionException("a finished configuration ran again"));
        Assert.That(again.Skipped.Select(c => c.Id), Is.EqualTo(summaries[1].Ran.Select(c => c.Id)));
    }

    [Test]
    public void A_run_that_fails_half_way_leaves_no_result_and_runs_again_next_time()
    {
        var sweep = Grid();
        Assert.Throws<InvalidOperationException>(() => Sweep.Run(sweep, new SweepOptions(Folder), c =>
            c.Id == sweep[4].Id ? throw new InvalidOperationException("killed") : FakeRun(c, sweep)));
        Assert.That(SweepResults.Load(Folder, sweep).Select(r => r.Configuration.Id), Is.EqualTo(sweep.Take(4).Select(c => c.Id)));

        var second = Sweep.Run(sweep, new SweepOptions(Folder), c => FakeRun(c, sweep));
        Assert.That(second.Skipped, Has.Count.EqualTo(4));
        Assert.That(second.Ran.First().Id, Is.EqualTo(sweep[4].Id));
        Assert.That(SweepResults.Load(Folder, sweep), Has.Count.EqualTo(12));
    }

    [Test]
    public void Merged_results_carry_each_runs_history_values_and_order()
    {
        var sweep = Grid();
        foreach (var i in new[] { 1, 0 }) Sweep.Run(sweep, new SweepOptions(Folder) { Shard = new SweepShard(i, 2) }, c => FakeRun(c, sweep));

        var results = SweepResults.Load(Folder, sweep);
        Assert.That(results.Select(r => r.Configuration.Id), Is.EqualTo(sweep.Select(c => c.Id)), "in the sweep's order, whichever shard wrote them");
        Assert.That(results.Select(r => r.FinalMetrics["loss"]), Is.EqualTo(Enumerable.Range(1, 12).Select(p => 1.0 / p)));
        Assert.That(results[5].Values["position"], Is.EqualTo(5));
        Assert.That(double.IsNaN(results[0].FinalMetrics["val_loss"]), "NaN survives the file");
        Assert.That(results[0].History.Epochs[0].Duration, Is.EqualTo(TimeSpan.FromSeconds(0.5)));
        Assert.That(File.ReadAllText(Path.Combine(Folder, sweep[0].Id, "history.csv")), Does.StartWith("epoch,loss,val_loss,lr,seconds"));

        var table = SweepResults.ToMarkdown(results).Split('\n');
        Assert.That(table[0], Is.EqualTo("| task | cell | seed | loss | val_loss | position |"));
        Assert.That(table[3], Is.EqualTo("| a | Lstm | 2 | 0.5000 | NaN | 1 |"));
    }

    [Test]
    public void A_damaged_result_names_its_file()
    {
        var sweep = Grid();
        Sweep.Run(sweep, new SweepOptions(Folder) { Shard = new SweepShard(0, 12) }, c => FakeRun(c, sweep));
        var file = Path.Combine(Folder, sweep[0].Id, "result.json");
        File.WriteAllText(file, File.ReadAllText(file).Replace("task=a", "task=b", StringComparison.Ordinal));
        Assert.That(Assert.Throws<SequenceKitException>(() => SweepResults.Load(Folder))!.Message, Does.Contain(file));
    }
}
