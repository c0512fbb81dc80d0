using System.Collections.Concurrent;
using Enrichflow.Providers;
using Enrichflow.Providers.Limits;
using Microsoft.Extensions.Time.Testing;

namespace Enrichflow.Providers.Tests.Limits;

public sealed class ProviderLimiterSlotTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Many_concurrent_callers_never_hold_more_slots_than_the_max()
    {
        using var limiter = Limiter(maxConcurrency: 5);
        var ct = TestContext.Current.CancellationToken;
        var current = 0;
        var highest = 0;

        async Task Work(Guid run, long priority)
        {
            using var slot = await limiter.AcquireSlotAsync("org", run, priority, ct);
            var now = Interlocked.Increment(ref current);
            InterlockedMax(ref highest, now);
            await Task.Delay(1, ct);
            Interlocked.Decrement(ref current);
        }

        var runs = Enumerable.Range(0, 4).Select(_ => Guid.NewGuid()).ToArray();
        var work = Enumerable.Range(0, 400).Select(i => Work(runs[i % runs.Length], i)).ToList();
        await Task.WhenAll(work).WaitAsync(Patience, ct);

        Assert.Equal(5, highest);
        Assert.Equal(new ProviderLimiterSnapshot("p", 0, 0, 0, null), limiter.Snapshot());
    }

    [Fact]
    public async Task A_run_that_queues_later_is_served_in_turn_with_the_earlier_run_not_after_it()
    {
        using var limiter = Limiter(maxConcurrency: 1);
        var ct = TestContext.Current.CancellationToken;
        var (a, b) = (Guid.NewGuid(), Guid.NewGuid());
        var order = new ConcurrentQueue<string>();
        var held = await limiter.AcquireSlotAsync("org", a, 0, ct);

        var waits = Enumerable.Range(1, 100).Select(i => TakeInTurn(limiter, a, i, $"A{i}", order, ct))
            .Concat(Enumerable.Range(1, 10).Select(i => TakeInTurn(limiter, b, i, $"B{i}", order, ct)))
            .ToList();
        Assert.Equal(110, limiter.Snapshot().Waiting);
        held.Dispose();
        await Task.WhenAll(waits).WaitAsync(Patience, ct);

        var expected = Enumerable.Range(1, 10).SelectMany(i => new[] { $"A{i}", $"B{i}" })
            .Concat(Enumerable.Range(11, 90).Select(i => $"A{i}"));
        Assert.Equal(expected, order);
    }

    [Fact]
    public async Task Organizations_take_slots_in_turn_whatever_their_number_of_runs_and_waiting_calls()
    {
        // Regression (issue 11, item 12): turns went round the runs, so an organization with three runs had three
        // slots for each one of an organization with one run.
        using var limiter = Limiter(maxConcurrency: 1);
        var ct = TestContext.Current.CancellationToken;
        Guid[] a = [Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid()];
        var b = Guid.NewGuid();
        var order = new ConcurrentQueue<string>();
        var held = await limiter.AcquireSlotAsync("org-a", a[0], 0, ct);

        var waits = a.SelectMany((run, r) => Enumerable.Range(1, 30).Select(i => TakeInTurn(limiter, "org-a", run, i, $"a{r}-{i}", order, ct)))
            .Concat(Enumerable.Range(1, 10).Select(i => TakeInTurn(limiter, "org-b", b, i, $"b-{i}", order, ct)))
            .ToList();
        Assert.Equal(100, limiter.Snapshot().Waiting);
        held.Dispose();
        await Task.WhenAll(waits).WaitAsync(Patience, ct);

        // org-a's turns go round its runs; org-b's ten calls come every other turn, then org-a has every turn.
        var aInTurn = Enumerable.Range(1, 30).SelectMany(i => Enumerable.Range(0, 3).Select(r => $"a{r}-{i}")).ToList();
        var expected = Enumerable.Range(0, 10).SelectMany(i => new[] { aInTurn[i], $"b-{i + 1}" }).Concat(aInTurn.Skip(10));
        Assert.Equal(expected, order);
    }

    [Fact]
    public async Task Within_a_run_the_lowest_priority_value_goes_first_and_ties_keep_arrival_order()
    {
        using var limiter = Limiter(maxConcurrency: 1);
        var ct = TestContext.Current.CancellationToken;
        var run = Guid.NewGuid();
        var order = new ConcurrentQueue<string>();
        var held = await limiter.AcquireSlotAsync("org", run, 0, ct);

        (long Priority, string Label)[] waiters =
            [(2_000_005, "c2r5"), (1_000_003, "c1r3"), (9, "c0r9"), (1_000_003, "c1r3-again"), (0, "c0r0")];
        var waits = waiters.Select(w => TakeInTurn(limiter, run, w.Priority, w.Label, order, ct)).ToList();
        held.Dispose();
        await Task.WhenAll(waits).WaitAsync(Patience, ct);

        Assert.Equal(["c0r0", "c0r9", "c1r3", "c1r3-again", "c2r5"], order);
    }

    [Fact]
    public async Task A_cancelled_waiter_leaves_the_queue_and_never_holds_a_slot()
    {
        using var limiter = Limiter(maxConcurrency: 1);
        var ct = TestContext.Current.CancellationToken;
        var (a, b) = (Guid.NewGuid(), Guid.NewGuid());
        var held = await limiter.AcquireSlotAsync("org", a, 0, ct);
        using var cancel = new CancellationTokenSource();
        var cancelled = limiter.AcquireSlotAsync("org", b, 1, cancel.Token).AsTask();
        var next = limiter.AcquireSlotAsync("org", a, 2, ct).AsTask();
        Assert.Equal(2, limiter.Snapshot().Waiting);

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.Equal(1, limiter.Snapshot().Waiting);
        held.Dispose();
        var slot = await next.WaitAsync(Patience, ct);
        Assert.Equal((1, 0), (limiter.Snapshot().InFlight, limiter.Snapshot().Waiting));
        slot.Dispose();
        Assert.Equal(0, limiter.Snapshot().InFlight);
    }

    [Fact]
    public async Task Cancellations_racing_releases_leave_no_slot_taken_and_no_waiter_behind()
    {
        using var limiter = Limiter(maxConcurrency: 3);
        var ct = TestContext.Current.CancellationToken;
        var current = 0;
        var highest = 0;
        var served = 0;

        async Task Work(Guid run, long priority, CancellationToken token)
        {
            try
            {
                using var slot = await limiter.AcquireSlotAsync("org", run, priority, token);
                InterlockedMax(ref highest, Interlocked.Increment(ref current));
                Interlocked.Increment(ref served);
                await Task.Yield();
                Interlocked.Decrement(ref current);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
            }
        }

        var runs = Enumerable.Range(0, 5).Select(_ => Guid.NewGuid()).ToArray();
        var sources = Enumerable.Range(0, 2000).Select(_ => new CancellationTokenSource()).ToArray();
        var work = sources.Select((s, i) => Work(runs[i % runs.Length], i, i % 2 == 0 ? s.Token : ct)).ToList();
        var cancels = Task.Run(async () =>
        {
            for (var i = 0; i < sources.Length; i += 2)
            {
                await sources[i].CancelAsync();
            }
        }, ct);
        await Task.WhenAll(work.Append(cancels)).WaitAsync(Patience, ct);
        foreach (var source in sources)
        {
            source.Dispose();
        }

        Assert.InRange(highest, 1, 3);
        Assert.InRange(served, 1000, 2000);
        Assert.Equal((0, 0), (limiter.Snapshot().InFlight, limiter.Snapshot().Waiting));
    }

    [Fact]
    public async Task Disposing_a_slot_twice_frees_it_once()
    {
        using var limiter = Limiter(maxConcurrency: 1);
        var ct = TestContext.Current.CancellationToken;
        var run = Guid.NewGuid();
        var held = await limiter.AcquireSlotAsync("org", run, 0, ct);
        var first = limiter.AcquireSlotAsync("org", run, 1, ct).AsTask();
        var second = limiter.AcquireSlotAsync("org", run, 2, ct).AsTask();

        held.Dispose();
        held.Dispose();

        Assert.True(first.IsCompletedSuccessfully);
        Assert.False(second.IsCompleted);
        Assert.Equal((1, 1), (limiter.Snapshot().InFlight, limiter.Snapshot().Waiting));
        (await first).Dispose();
        (await second.WaitAsync(Patience, ct)).Dispose();
    }

    [Fact]
    public async Task A_max_concurrency_of_zero_gates_nothing()
    {
        using var limiter = Limiter(maxConcurrency: 0);
        var ct = TestContext.Current.CancellationToken;

        var slots = new List<IDisposable>();
        for (var i = 0; i < 1000; i++)
        {
            var pending = limiter.AcquireSlotAsync("org", Guid.NewGuid(), i, ct);
            Assert.True(pending.IsCompletedSuccessfully);
            slots.Add(await pending);
        }

        Assert.Equal(1000, limiter.Snapshot().InFlight);
        slots.ForEach(s => s.Dispose());
        Assert.Equal(0, limiter.Snapshot().InFlight);
    }

    [Fact]
    public async Task Dispose_fails_the_waiters_and_later_callers_with_ObjectDisposedException()
    {
        var limiter = Limiter(maxConcurrency: 1);
        var ct = TestContext.Current.CancellationToken;
        var held = await limiter.AcquireSlotAsync("org", Guid.NewGuid(), 0, ct);
        var waiting = limiter.AcquireSlotAsync("org", Guid.NewGuid(), 1, ct).AsTask();

        limiter.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => waiting);
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await limiter.AcquireSlotAsync("org", Guid.NewGuid(), 2, ct));
        held.Dispose();
    }

    private static ProviderLimiter Limiter(int maxConcurrency) =>
        new("p", new ProviderLimits(0, maxConcurrency, TimeSpan.FromMinutes(1), 1m), new FakeTimeProvider());

    /// <summary>Waits for a slot, notes the turn it got, and frees the slot: with one slot, the order of turns.</summary>
    private static Task TakeInTurn(
        ProviderLimiter limiter, Guid run, long priority, string label, ConcurrentQueue<string> order, CancellationToken ct) =>
        TakeInTurn(limiter, "org", run, priority, label, order, ct);

    private static async Task TakeInTurn(
        ProviderLimiter limiter, string org, Guid run, long priority, string label, ConcurrentQueue<string> order, CancellationToken ct)
    {
        using var slot = await limiter.AcquireSlotAsync(org, run, priority, ct);
        order.Enqueue(label);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var seen = Volatile.Read(ref target);
        while (value > seen)
        {
            var previous = Interlocked.CompareExchange(ref target, value, seen);
            if (previous == seen)
            {
                return;
            }

            seen = previous;
        }
    }
}
