namespace WaybillQuota.Server.WeChat;

/// <summary>WeChat's daily limits reset at midnight China Standard Time (UTC+8); minutes are plain UTC minutes.</summary>
public static class WeChatClock
{
    private const long DayMs = 86_400_000;
    private const long ChinaOffsetMs = 8 * 3_600_000;

    public static long NowMs(this TimeProvider time) => time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Unix ms at which the China-time day containing <paramref name="nowMs"/> began.</summary>
    public static long DayStart(long nowMs) => ((nowMs + ChinaOffsetMs) / DayMs * DayMs) - ChinaOffsetMs;

    public static long MinuteStart(long nowMs) => nowMs / 60_000 * 60_000;
}
