#include "timeaxis.h"

#include <QDateTime>
#include <QTimeZone>

#include <algorithm>
#include <array>

namespace valiant::app {

namespace {

constexpr std::array<int, 17> tickSteps = {1,   2,   5,    10,   15,   30,    60,    120,  300,
                                           600, 900, 1800, 3600, 7200, 10800, 21600, 43200};
constexpr int secondsPerDay = 24 * 60 * 60;

// Steps up to an hour divide the hour, and daylight saving moves clocks by
// a whole hour, so stepping real time keeps every tick on a round local
// time, also through a repeated hour in autumn.
void appendRealTimeTicks(QList<TimeTick>& ticks, std::int64_t fromMs, std::int64_t toMs, int step,
                         const QString& format, const QLocale& locale)
{
    const std::int64_t stepMs = step * 1000LL;
    const std::int64_t offsetMs =
        QDateTime::fromMSecsSinceEpoch(fromMs).offsetFromUtc() * 1000LL;
    const std::int64_t firstLocalMs = (fromMs + offsetMs + stepMs - 1) / stepMs * stepMs;
    for (std::int64_t ms = firstLocalMs - offsetMs; ms <= toMs; ms += stepMs)
        ticks.append(TimeTick{ms, locale.toString(QDateTime::fromMSecsSinceEpoch(ms), format)});
}

// Longer steps walk each local day's wall clock (00:00, 03:00, …). A wall
// time that a spring-forward skipped is not a real time, so it is left out.
void appendWallClockTicks(QList<TimeTick>& ticks, std::int64_t fromMs, std::int64_t toMs,
                          int step, const QString& format, const QLocale& locale)
{
    const QDate firstDay = QDateTime::fromMSecsSinceEpoch(fromMs).date();
    const QDate lastDay = QDateTime::fromMSecsSinceEpoch(toMs).date();
    for (QDate day = firstDay; day <= lastDay; day = day.addDays(1)) {
        for (int second = 0; second < secondsPerDay; second += step) {
            const QTime wallTime = QTime(0, 0).addSecs(second);
            const QDateTime instant(day, wallTime);
            if (!instant.isValid() || instant.time() != wallTime)
                continue;
            const std::int64_t ms = instant.toMSecsSinceEpoch();
            if (ms > toMs)
                return;
            if (ms < fromMs || (!ticks.isEmpty() && ms <= ticks.last().ms))
                continue;
            ticks.append(TimeTick{ms, locale.toString(instant, format)});
        }
    }
}

}  // namespace

int timeTickStepSeconds(std::int64_t fromMs, std::int64_t toMs, int maxTicks)
{
    const std::int64_t spanSeconds = std::max<std::int64_t>((toMs - fromMs) / 1000, 1);
    const int wanted = std::max(maxTicks, 2);
    for (int step : tickSteps) {
        if (spanSeconds / step < wanted)
            return step;
    }
    return tickSteps.back();
}

QList<TimeTick> timeTicks(std::int64_t fromMs, std::int64_t toMs, int maxTicks,
                          const QLocale& locale)
{
    QList<TimeTick> ticks;
    if (toMs <= fromMs)
        return ticks;

    const int step = timeTickStepSeconds(fromMs, toMs, maxTicks);
    const QString format = step < 60 ? QStringLiteral("HH:mm:ss") : QStringLiteral("HH:mm");
    if (step <= 3600)
        appendRealTimeTicks(ticks, fromMs, toMs, step, format, locale);
    else
        appendWallClockTicks(ticks, fromMs, toMs, step, format, locale);
    return ticks;
}

}  // namespace valiant::app
