using System.Collections.Concurrent;
using WaybillQuota.Contracts;
using WaybillQuota.Server.Storage;

namespace WaybillQuota.Server.WeChat;

/// <summary>
/// Per-app, per-API call budgets of the express-business APIs: a daily budget (45009) and an optional per-minute
/// limit (45011). Counted in memory, so a budget holds per server instance; the token APIs, whose limits must hold
/// across instances, count in the database instead.
/// </summary>
public sealed class CallBudget(TimeProvider time)
{
    private readonly ConcurrentDictionary<(string AppId, string Api), Counter> _counters = new();

    public ApiError? TryConsume(AppRecord app, string api)
    {
        var now = time.NowMs();
        var counter = _counters.GetOrAdd((app.AppId, api), static _ => new Counter());
        lock (counter)
        {
            var day = WeChatClock.DayStart(now);
            if (counter.Day != day) (counter.Day, counter.DayCount) = (day, 0);
            var minute = WeChatClock.MinuteStart(now);
            if (counter.Minute != minute) (counter.Minute, counter.MinuteCount) = (minute, 0);

            if (counter.DayCount >= app.DailyBudget) return new ApiError(ErrorCodes.DailyQuotaReached);
            if (app.MinuteLimit is { } limit && counter.MinuteCount >= limit) return new ApiError(ErrorCodes.MinuteQuotaReached);
            counter.DayCount++;
            counter.MinuteCount++;
            return null;
        }
    }

    private sealed class Counter
    {
        public long Day;
        public long DayCount;
        public long Minute;
        public long MinuteCount;
    }
}
